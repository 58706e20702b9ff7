package signup_test

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// With the list remembered, a change made through the service shows at once;
// a change made elsewhere (another copy, the command line) within the TTL.
func TestUpcomingRememberedButNeverStaleAfterOwnChanges(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s, clk := newService(t, st)
		s.UpcomingCache.TTL = 2 * time.Second
		s.UpcomingCache.Now = clk.Now
		if list, _ := s.Upcoming(ctx, 6); len(list) != 0 {
			t.Fatalf("%d events before any was made", len(list))
		}
		ev := mustEvent(t, s, 2, 0)
		list, _ := s.Upcoming(ctx, 6)
		if len(list) != 1 || list[0].PlacesLeft() != 2 {
			t.Fatalf("new event not listed at once: %+v", list)
		}
		mustJoin(t, s, adult(ev.ID, "o1", "张三", "13800001111"))
		if list, _ := s.Upcoming(ctx, 6); list[0].PlacesLeft() != 1 {
			t.Fatalf("places left %d right after a sign-up, want 1", list[0].PlacesLeft())
		}
		// Another copy cancels the event: this one shows it within the TTL.
		st.DB.Model(&models.Event{}).Where("id = ?", ev.ID).Update("status", models.EventCancelled)
		if list, _ := s.Upcoming(ctx, 6); len(list) != 1 {
			t.Fatal("the test needs the remembered list here")
		}
		clk.Set(clk.Now().Add(2 * time.Second))
		if list, _ := s.Upcoming(ctx, 6); len(list) != 0 {
			t.Fatalf("a cancelled event still listed after the TTL: %+v", list)
		}
	})
}
