package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC)

func mustCreateWish(t *testing.T, s *store.Store, w models.Wish) models.Wish {
	t.Helper()
	if w.Status == "" {
		w.Status = models.WishPending
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = t0
	}
	if w.Text == "" {
		w.Text = "希望小区多开几次育儿讲座"
	}
	if err := s.CreateWish(context.Background(), &w, 0, "", nil); err != nil {
		t.Fatalf("CreateWish: %v", err)
	}
	return w
}

func TestCreateWishQuotaAndOutbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		msgs := func(w models.Wish) []models.Notice {
			return []models.Notice{{Kind: models.NoticeWishNew, About: models.WishSubject(w.ID), Channel: models.ChannelWeCom, To: []string{"u1"}, Title: "t"}}
		}
		for i := 0; i < 3; i++ {
			w := models.Wish{OpenID: "o1", Text: "心愿内容", Status: models.WishPending, CreatedAt: t0}
			if err := s.CreateWish(ctx, &w, 3, "2025-06-02", msgs); err != nil {
				t.Fatalf("wish %d: %v", i, err)
			}
		}
		w := models.Wish{OpenID: "o1", Text: "第四个", Status: models.WishPending, CreatedAt: t0}
		if err := s.CreateWish(ctx, &w, 3, "2025-06-02", msgs); !models.IsCode(err, models.ELIMIT) {
			t.Fatalf("fourth wish: got %v, want ELIMIT", err)
		}
		// Another day, another resident: allowed.
		if err := s.CreateWish(ctx, &models.Wish{OpenID: "o1", Text: "x", Status: models.WishPending, CreatedAt: t0}, 3, "2025-06-03", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateWish(ctx, &models.Wish{OpenID: "o2", Text: "x", Status: models.WishPending, CreatedAt: t0}, 3, "2025-06-02", nil); err != nil {
			t.Fatal(err)
		}
		var n int64
		s.DB.Model(&models.Wish{}).Where("open_id = ?", "o1").Count(&n)
		if n != 4 {
			t.Errorf("o1 has %d wishes, want 4 (the refused one is not stored)", n)
		}
		out, _ := s.ListOutbox(ctx, models.OutboxPending, 10)
		if len(out) != 3 {
			t.Errorf("outbox has %d rows, want 3", len(out))
		}
		evs, _ := s.ListWishEvents(ctx, 1)
		if len(evs) != 1 || evs[0].Action != models.WishActCreate {
			t.Errorf("history of #1 = %+v", evs)
		}
	})
}

func TestCreateWishQuotaConcurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := models.Wish{OpenID: "o1", Text: "同时许愿", Status: models.WishPending, CreatedAt: t0}
				errs <- s.CreateWish(ctx, &w, 3, "2025-06-02", nil)
			}()
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case models.IsCode(err, models.ELIMIT):
			default:
				t.Errorf("a wish failed for another reason than the limit: %v", err)
			}
		}
		var n int64
		s.DB.Model(&models.Wish{}).Count(&n)
		if ok != 3 || int(n) != ok {
			t.Fatalf("stored %d wishes, %d succeeded; the limit is 3", n, ok)
		}
	})
}

func TestChangeWishConditional(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := mustCreateWish(t, s, models.Wish{OpenID: "o1"})
		at := t0.Add(time.Hour)
		got, err := s.ChangeWish(ctx, models.WishChange{ID: w.ID, From: models.WishPending, To: models.WishAccepted, At: at,
			Event: models.WishEvent{Actor: "u1", Action: models.WishActStatus}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != models.WishAccepted || got.AcceptedAt == nil || !got.AcceptedAt.Equal(at) {
			t.Fatalf("after accept: %+v", got)
		}
		// A second change decided on the old status loses.
		_, err = s.ChangeWish(ctx, models.WishChange{ID: w.ID, From: models.WishPending, To: models.WishRejected, At: at})
		if !models.IsCode(err, models.ECONFLICT) {
			t.Fatalf("stale change: got %v, want ECONFLICT", err)
		}
		// Two replies are numbered 1 and 2, with one outbox row each.
		for i := 0; i < 2; i++ {
			_, err = s.ChangeWish(ctx, models.WishChange{ID: w.ID, From: models.WishAccepted, To: models.WishAccepted, At: at,
				Reply: &models.WishReply{StaffID: "u1", Text: "已联系社区"},
				Event: models.WishEvent{Actor: "u1", Action: models.WishActReply},
				Notices: func(w models.Wish, n int) []models.Notice {
					return []models.Notice{{Kind: models.NoticeWishReply, About: models.WishSubject(w.ID), Variant: itoa(uint64(n)),
						Channel: models.ChannelCustomer, To: []string{w.OpenID}}}
				}})
			if err != nil {
				t.Fatal(err)
			}
		}
		rs, _ := s.ListWishReplies(ctx, w.ID)
		var ns []int
		for _, r := range rs {
			ns = append(ns, r.N)
		}
		if diff := cmp.Diff([]int{1, 2}, ns); diff != "" {
			t.Errorf("reply numbers (-want +got):\n%s", diff)
		}
		out, _ := s.ListOutbox(ctx, models.OutboxPending, 10)
		var keys []string
		for _, m := range out {
			keys = append(keys, m.DedupKey)
		}
		if diff := cmp.Diff([]string{"wishreply:1:2", "wishreply:1:1"}, keys); diff != "" {
			t.Errorf("outbox keys (-want +got):\n%s", diff)
		}
		// Same values again (a no-op change at the same instant) is not a conflict on MySQL.
		hidden := false
		if _, err := s.ChangeWish(ctx, models.WishChange{ID: w.ID, From: models.WishAccepted, To: models.WishAccepted, At: at, WallHidden: &hidden}); err != nil {
			t.Errorf("no-op change: %v", err)
		}
		if _, err := s.ChangeWish(ctx, models.WishChange{ID: 999, From: models.WishPending, To: models.WishAccepted, At: at}); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("missing wish: got %v", err)
		}
	})
}

func TestRateWish(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := mustCreateWish(t, s, models.Wish{OpenID: "o1"})
		if _, err := s.RateWish(ctx, w.ID, "o1", 5, t0, nil); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("rating a pending wish: got %v, want EINVALID", err)
		}
		s.DB.Model(&models.Wish{}).Where("id = ?", w.ID).Update("status", models.WishDone)
		if _, err := s.RateWish(ctx, w.ID, "o2", 5, t0, nil); !models.IsCode(err, models.ENOTFOUND) {
			t.Fatalf("rating someone else's wish: got %v, want ENOTFOUND", err)
		}
		got, err := s.RateWish(ctx, w.ID, "o1", 4, t0, nil)
		if err != nil || got.Rating != 4 {
			t.Fatalf("rate: %v %+v", err, got)
		}
		if _, err := s.RateWish(ctx, w.ID, "o1", 1, t0, nil); !models.IsCode(err, models.ECONFLICT) {
			t.Fatalf("second rating: got %v, want ECONFLICT", err)
		}
	})
}

func TestListWishesScopeAndOrder(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(20 * 24 * time.Hour)
		old := mustCreateWish(t, s, models.Wish{OpenID: "o1", Team: "health", CreatedAt: t0})                          // overdue (15 days)
		fresh := mustCreateWish(t, s, models.Wish{OpenID: "o2", Team: "health", CreatedAt: now.Add(-time.Hour)})       // not overdue
		pend := mustCreateWish(t, s, models.Wish{OpenID: "o3", Team: "life", CreatedAt: now.Add(-4 * 24 * time.Hour)}) // overdue (3 days)
		assigned := mustCreateWish(t, s, models.Wish{OpenID: "o4", Team: "life", AssignedTo: "u1", CreatedAt: now.Add(-2 * time.Hour)})
		done := mustCreateWish(t, s, models.Wish{OpenID: "o5", Team: "health", Status: models.WishDone, CreatedAt: t0})
		f := models.WishFilter{AcceptBy: now.Add(-3 * 24 * time.Hour), FinishBy: now.Add(-15 * 24 * time.Hour)}

		ids := func(ws []models.Wish) []uint64 {
			var out []uint64
			for _, w := range ws {
				out = append(out, w.ID)
			}
			return out
		}
		all, err := s.ListWishes(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]uint64{old.ID, pend.ID, assigned.ID, fresh.ID, done.ID}, ids(all)); diff != "" {
			t.Errorf("admin order (-want +got):\n%s", diff)
		}
		scoped := f
		scoped.Scoped, scoped.Team, scoped.AssignedTo = true, "health", "u1"
		mine, _ := s.ListWishes(ctx, scoped)
		if diff := cmp.Diff([]uint64{old.ID, assigned.ID, fresh.ID, done.ID}, ids(mine)); diff != "" {
			t.Errorf("health+u1 scope (-want +got):\n%s", diff)
		}
		noTeam := f
		noTeam.Scoped, noTeam.AssignedTo = true, "u9"
		if none, _ := s.ListWishes(ctx, noTeam); len(none) != 0 {
			t.Errorf("a staff member without team or assignments sees %v", ids(none))
		}
		od := f
		od.OverdueOnly = true
		overdue, _ := s.ListWishes(ctx, od)
		if diff := cmp.Diff([]uint64{old.ID, pend.ID}, ids(overdue)); diff != "" {
			t.Errorf("overdue only (-want +got):\n%s", diff)
		}
		n, _ := s.CountOverdueWishes(ctx, f)
		counts, _ := s.CountWishesByStatus(ctx, f)
		if n != 2 || counts[models.WishPending] != 4 || counts[models.WishDone] != 1 {
			t.Errorf("counts: overdue %d, by status %v", n, counts)
		}
	})
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
