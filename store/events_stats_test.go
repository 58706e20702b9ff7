package store_test

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

func TestCountSignupsSince(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := evT0
		s.Now = func() time.Time { return now }
		ev := evMustEvent(t, s, 1, 5, evT0.Add(7*24*time.Hour))
		join := func(who string) models.Signup {
			t.Helper()
			su, err := s.JoinEvent(ctx, models.Signup{EventID: ev.ID, OpenID: "o-" + who, AttendeeKey: who, Name: who}, evFIFO)
			if err != nil {
				t.Fatal(err)
			}
			return su
		}
		join("last-week") // before the week began: not counted
		since := evT0.Add(24 * time.Hour)
		now = since
		join("at-the-start") // exactly at since: counted (waitlisted)
		now = since.Add(time.Hour)
		gone := join("cancelled")
		join("waiting")
		if _, _, err := s.CancelSignup(ctx, gone.ID, models.CancelledByStaff, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		n, err := s.CountSignupsSince(ctx, since)
		if err != nil || n != 2 {
			t.Fatalf("CountSignupsSince = %d, %v; want 2 (confirmed or waitlisted, made since)", n, err)
		}
	})
}
