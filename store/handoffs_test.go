package store_test

import (
	"context"
	"sync"
	"testing"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// A resident asking for a person again while waiting counts on the one open
// request, even when the two requests arrive at once; once staff mark it
// 已联系 a new request opens a new row.
func TestHandoffQueue(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.RecordHandoff(ctx, "o-a", models.HandoffAsked); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if err := s.RecordHandoff(ctx, "o-b", models.HandoffMisses); err != nil {
			t.Fatal(err)
		}
		open, err := s.ListHandoffs(ctx, false, 0)
		if err != nil || len(open) != 2 || open[0].OpenID != "o-a" || open[0].Requests != 4 {
			t.Fatalf("open = %+v, %v; want o-a (4 requests) and o-b", open, err)
		}
		if n, _ := s.CountOpenHandoffs(ctx); n != 2 {
			t.Errorf("count = %d", n)
		}
		if err := s.CloseHandoff(ctx, open[0].ID, "王艾米", "已电话联系", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseHandoff(ctx, open[0].ID, "赵波", "", t0); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("closing twice: %v, want ECONFLICT", err)
		}
		if err := s.CloseHandoff(ctx, 999, "赵波", "", t0); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("closing a missing one: %v, want ENOTFOUND", err)
		}
		if err := s.RecordHandoff(ctx, "o-a", models.HandoffAsked); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountOpenHandoffs(ctx); n != 2 {
			t.Errorf("after asking again: %d open, want 2", n)
		}
		done, _ := s.ListHandoffs(ctx, true, 0)
		if len(done) != 1 || done[0].DoneBy != "王艾米" || done[0].Note != "已电话联系" {
			t.Errorf("done = %+v", done)
		}
	})
}
