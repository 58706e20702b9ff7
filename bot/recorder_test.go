package bot

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
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

func TestResidentCountersAreTargetedUpserts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if n, _ := s.AddMiss(ctx, "o1"); n != 1 {
			t.Fatalf("first miss %d", n)
		}
		if n, _ := s.AddMiss(ctx, "o1"); n != 2 {
			t.Fatalf("second miss %d", n)
		}
		s.MarkAnswered(ctx, "o1", 7, s.Now())
		r, _ := s.GetResident(ctx, "o1")
		if r.Misses != 0 || r.LastEntryID != 7 || !r.Subscribed {
			t.Fatalf("%+v", r)
		}
		s.SetSubscribed(ctx, "o1", false)
		r, _ = s.GetResident(ctx, "o1")
		if r.Subscribed || r.LastEntryID != 7 {
			t.Fatalf("unsubscribe lost other columns: %+v", r)
		}
	})
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

// The recorder keeps each resident's latest answer, the one "没用" is about.
func TestRecorderKeepsTheLatestAnswer(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	e.Store = answersFromLog{st} // as in serve: only the recorder writes the last answer
	rec := NewBatchRecorder(st, nil)
	e.Recorder = rec
	ctx := context.Background()
	first := e.Handle(ctx, text("u1", "宝宝发烧了怎么办"))
	second := e.Handle(ctx, text("u1", "老人血压高怎么办"))
	e.Handle(ctx, text("u1", "明天上证指数会涨吗"))
	rec.Flush()
	if first.EntryID == 0 || second.EntryID == 0 || first.EntryID == second.EntryID {
		t.Fatalf("the test needs two different answers: %d %d", first.EntryID, second.EntryID)
	}
	r, _ := st.GetResident(ctx, "u1")
	if r.LastEntryID != second.EntryID {
		t.Fatalf("last entry %d, want %d (the latest answer)", r.LastEntryID, second.EntryID)
	}
}

type answersFromLog struct{ *store.Store }

func (answersFromLog) MarkAnswered(context.Context, string, uint, time.Time) error { return nil }
