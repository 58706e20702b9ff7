package store_test

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// What staff did about a crisis is kept with its episode, never in the
// message log; closing keeps its note only when it closes the case, and the
// reply window counts from the resident's last message.
func TestCrisisNotes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, r := range []models.CrisisEvent{
			{OpenID: "o-a", Kind: "suicide", Episode: "ep-1", Text: "不想活了"},
			{OpenID: "o-b", Kind: "violence", Episode: "ep-2", Text: "他打我"},
			{OpenID: "o-a", Kind: "suicide", Episode: "ep-1", FollowUp: true, Text: "没人管我"},
		} {
			r.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			if err := s.RecordCrisis(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		ep, err := s.CrisisEpisode(ctx, 3)
		if err != nil || len(ep) != 2 || ep[0].ID != 1 || ep[1].ID != 3 {
			t.Fatalf("episode of 3 = %+v, %v", ep, err)
		}
		if err := s.AddCrisisNote(ctx, models.CrisisNote{CrisisID: 1, Kind: models.CrisisNoteCalled, Text: "孩子已送医", By: "王艾米", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCrisisNote(ctx, models.CrisisNote{CrisisID: 99, Kind: models.CrisisNoteNote, Text: "x"}); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("a note on a missing message: %v, want ENOTFOUND", err)
		}
		if err := s.CloseCrisis(ctx, 3, models.CrisisNote{Kind: models.CrisisNoteClosed, Text: "已确认居民目前安全", By: "王艾米", CreatedAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// A second close (another tab) changes nothing and keeps no second note.
		if err := s.CloseCrisis(ctx, 3, models.CrisisNote{Kind: models.CrisisNoteClosed, Text: "重复", By: "赵波", CreatedAt: t0.Add(2 * time.Hour)}); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("closing twice: %v, want ECONFLICT", err)
		}
		notes, err := s.ListCrisisNotes(ctx, []uint64{1, 3})
		if err != nil || len(notes) != 2 || notes[0].Text != "孩子已送医" || notes[1].Kind != models.CrisisNoteClosed || notes[1].CrisisID != 3 {
			t.Fatalf("notes = %+v, %v", notes, err)
		}
		if ev, _ := s.GetCrisisEvent(ctx, 1); ev.HandledBy != "王艾米" || ev.HandledAt == nil {
			t.Errorf("the episode's first message was not closed with it: %+v", ev)
		}
		if ev, _ := s.GetCrisisEvent(ctx, 2); ev.HandledAt != nil {
			t.Error("another resident's episode was closed")
		}
		var logged int64
		s.DB.Model(&models.Message{}).Where("text LIKE ?", "%送医%").Count(&logged)
		if logged != 0 {
			t.Error("a crisis note reached the message log")
		}

		// The reply window: the resident's latest message, events left out.
		if at, err := s.LastMessageAt(ctx, "o-a"); err != nil || !at.IsZero() {
			t.Errorf("no messages yet: %v, %v", at, err)
		}
		msgs := []models.Message{{OpenID: "o-a", Kind: "text", Text: "谢谢", Route: models.RouteChat, CreatedAt: t0.Add(3 * time.Hour)},
			{OpenID: "o-a", Kind: "event", Route: models.RouteEvent, CreatedAt: t0.Add(5 * time.Hour)}}
		if err := s.InsertMessages(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		if at, err := s.LastMessageAt(ctx, "o-a"); err != nil || !at.Equal(t0.Add(3*time.Hour)) {
			t.Errorf("last message at %v, %v; want %v", at, err, t0.Add(3*time.Hour))
		}
	})
}
