package bot

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"familybot/models"
)

func TestRecorderStoresMessagesAndCountsHits(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	rec := NewBatchRecorder(st, nil)
	e.Recorder = rec
	ctx := context.Background()
	a := e.Handle(ctx, text("u1", "宝宝发烧了怎么办"))
	e.Handle(ctx, text("u2", "宝宝发烧了怎么办"))
	e.Handle(ctx, text("u3", "明天上证指数会涨吗"))
	rec.Close()
	var n int64
	st.DB.Model(&models.Message{}).Count(&n)
	var entry models.KBEntry
	st.DB.First(&entry, a.EntryID)
	if n != 3 || entry.Hits != 2 {
		t.Fatalf("messages %d, hits %d; want 3 and 2", n, entry.Hits)
	}
}

func TestRecorderFlushWritesAtOnce(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	rec := NewBatchRecorder(st, nil)
	defer rec.Close()
	e.Recorder = rec
	a := e.Handle(context.Background(), text("u1", "宝宝发烧了怎么办"))
	rec.Flush() // well before the 200 ms tick
	var entry models.KBEntry
	st.DB.First(&entry, a.EntryID)
	if entry.Hits != 1 {
		t.Fatalf("hits %d after Flush", entry.Hits)
	}
	rec.Close()
	rec.Flush() // after Close: returns, does not hang
}

// flakySink is a database that fails while down is set, then stores.
type flakySink struct {
	mu    sync.Mutex
	down  bool
	fails int // how many more writes fail (besides while down)
	rows  []models.Message
}

func (f *flakySink) InsertMessages(_ context.Context, msgs []models.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down || f.fails > 0 {
		f.fails--
		return errors.New("database unreachable")
	}
	f.rows = append(f.rows, msgs...)
	return nil
}

func (f *flakySink) AddKBHits(context.Context, map[uint]int) error { return nil }

func (f *flakySink) set(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

// Finding 9: records written during a short database outage arrive once it
// answers again, none twice.
func TestRecorderSurvivesShortOutage(t *testing.T) {
	sink := &flakySink{fails: 3}
	rec := newBatchRecorder(sink, nil, time.Millisecond, 100)
	for i := 0; i < 5; i++ {
		rec.Record(models.Message{OpenID: "u", Text: "问题" + strconv.Itoa(i)})
	}
	rec.Flush() // the first write fails: nothing lost, nothing written yet
	rec.Close() // retries until the database answers
	if len(sink.rows) != 5 || rec.Dropped() != 0 {
		t.Fatalf("rows %d, dropped %d; want 5 and 0", len(sink.rows), rec.Dropped())
	}
	for i, m := range sink.rows {
		if m.Text != "问题"+strconv.Itoa(i) {
			t.Fatalf("row %d is %q", i, m.Text)
		}
	}
}

// A longer outage keeps at most the limit and counts what it dropped.
func TestRecorderDropsOnlyBeyondItsLimit(t *testing.T) {
	sink := &flakySink{down: true}
	rec := newBatchRecorder(sink, nil, time.Millisecond, 3)
	for i := 0; i < 5; i++ {
		rec.Record(models.Message{OpenID: "u", Text: "问题" + strconv.Itoa(i)})
	}
	rec.Flush()
	if rec.Dropped() != 2 {
		t.Fatalf("dropped %d, want 2", rec.Dropped())
	}
	sink.set(false)
	rec.Close()
	if len(sink.rows) != 3 || sink.rows[0].Text != "问题0" {
		t.Fatalf("rows %+v", sink.rows)
	}
}
