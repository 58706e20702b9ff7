package signup_test

import (
	"context"
	"fmt"
	"strings"
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

// Moving a published event (time or place) tells everyone signed up, the
// waiting families too; other edits and drafts tell no one.
func TestMovedEventTellsEveryoneSignedUp(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s, _ := newService(t, st)
		ev := mustEvent(t, s, 1, 1)
		mustJoin(t, s, adult(ev.ID, "o1", "张三", "13800001111"))
		mustJoin(t, s, adult(ev.ID, "o2", "李四", "13800002222"))
		moved := func() []models.OutboxMessage {
			var out []models.OutboxMessage
			for k, m := range outboxByKey(t, st) {
				if strings.HasPrefix(k, "eventmoved:") {
					out = append(out, m)
				}
			}
			return out
		}
		if _, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.Title += "（第二期）"; return nil }); err != nil {
			t.Fatal(err)
		}
		if n := len(moved()); n != 0 {
			t.Fatalf("a title change sent %d notices", n)
		}
		if _, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.Place = "社区活动中心二楼"; return nil }); err != nil {
			t.Fatal(err)
		}
		msgs := moved()
		if len(msgs) != 2 {
			t.Fatalf("%d notices for 2 families after the place changed", len(msgs))
		}
		for _, m := range msgs {
			if !strings.Contains(m.Text, "社区活动中心二楼") || !strings.Contains(m.Text, "取消报名") {
				t.Errorf("notice lacks the new place or how to cancel: %q", m.Text)
			}
		}
		later := ev.StartAt.Add(24 * time.Hour)
		if _, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.StartAt = later; e.EndAt = nil; return nil }); err != nil {
			t.Fatal(err)
		}
		if n := len(moved()); n != 4 {
			t.Fatalf("%d notices after a second change, want 4 (each change told)", n)
		}
		draft := mustEvent(t, s, 5, 0)
		st.DB.Model(&models.Event{}).Where("id = ?", draft.ID).Update("status", models.EventDraft)
		if _, err := s.UpdateEvent(ctx, draft.ID, func(e *models.Event) error { e.Place = "别处"; return nil }); err != nil {
			t.Fatal(err)
		}
		if n := len(moved()); n != 4 {
			t.Fatalf("moving a draft told %d more", n-4)
		}
		// Moved and enlarged at once: the family promoted hears it once, with its place.
		both := mustEvent(t, s, 1, 1)
		mustJoin(t, s, adult(both.ID, "o5", "周五", "13800005555"))
		waiting := mustJoin(t, s, adult(both.ID, "o6", "吴六", "13800006666"))
		if _, err := s.UpdateEvent(ctx, both.ID, func(e *models.Event) error { e.Place = "三楼"; e.Capacity = 2; return nil }); err != nil {
			t.Fatal(err)
		}
		all := outboxByKey(t, st)
		for k, m := range all {
			if strings.HasPrefix(k, "eventmoved:") && m.To == "o6" {
				t.Errorf("the promoted family got a change notice too: %q", m.Text)
			}
		}
		if p, ok := all[fmt.Sprintf("promote:signup:%d", waiting.Signup.ID)]; !ok || !strings.Contains(p.Text, "三楼") {
			t.Errorf("promotion notice missing or without the new place: %+v", p)
		}
		if n := len(moved()); n != 5 {
			t.Errorf("%d change notices, want 5 (one more, for the confirmed family)", n)
		}
	})
}
