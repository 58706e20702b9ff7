package bot

import (
	"context"
	"testing"

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
