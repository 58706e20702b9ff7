package store_test

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// Low ratings (1–3) are counted until a follow-up is recorded; reopening the
// wish clears both the rating and the follow-up.
func TestLowRatedWishes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := t0.Add(time.Hour)
		var low models.Wish
		for _, r := range []int{0, 2, 3, 4, 5} {
			w := mustCreateWish(t, s, models.Wish{OpenID: "o1", Status: models.WishDone, Rating: r})
			if r == 2 {
				low = w
			}
		}
		count := func() int64 {
			n, err := s.CountWishes(ctx, models.WishFilter{Statuses: []models.WishStatus{models.WishDone}, LowRated: true, NotFollowedUp: true})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 2 {
			t.Fatalf("low-rated, not followed up = %d, want 2 (the 2分 and the 3分)", n)
		}
		if list, _ := s.ListWishes(ctx, models.WishFilter{LowRated: true}); len(list) != 2 {
			t.Errorf("the low filter lists %d wishes, want 2", len(list))
		}
		w, err := s.ChangeWish(ctx, models.WishChange{ID: low.ID, From: models.WishDone, To: models.WishDone, At: at, FollowedUp: true,
			Event: models.WishEvent{Actor: "u1", Action: models.WishActFollowUp, Note: "已电话联系"}})
		if err != nil || w.FollowedUpAt == nil || !w.FollowedUpAt.Equal(at) {
			t.Fatalf("follow-up: %v %+v", err, w.FollowedUpAt)
		}
		if n := count(); n != 1 {
			t.Errorf("after a follow-up %d wait, want 1", n)
		}
		w, err = s.ChangeWish(ctx, models.WishChange{ID: low.ID, From: models.WishDone, To: models.WishInProgress, At: at})
		if err != nil || w.Rating != 0 || w.FollowedUpAt != nil {
			t.Errorf("reopened: %v rating %d followed up %v", err, w.Rating, w.FollowedUpAt)
		}
	})
}
