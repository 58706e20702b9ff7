package store_test

import (
	"context"
	"testing"
	"time"

	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// The message recorder writes a batch's last answers and hit counts in one
// statement each: residents new and known, several entries at once.
func TestSaveAnswersAndHitsInOneStatement(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed := sampleEntry("parenting-fever", "多喝水")
		other := sampleEntry("parenting-cough", "咳嗽")
		if _, _, err := s.SeedKnowledge(ctx, []knowledge.Entry{seed, other}); err != nil {
			t.Fatal(err)
		}
		entries, _ := s.ListKBEntries(ctx)
		a, b := entries[0].ID, entries[1].ID
		at := time.Date(2026, 11, 24, 1, 2, 3, 0, time.UTC)
		if err := s.SetSubscribed(ctx, "o-known", false); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAnswers(ctx, []models.Resident{{OpenID: "o-known", LastEntryID: a, LastEntryAt: at}, {OpenID: "o-new", LastEntryID: b, LastEntryAt: at}}); err != nil {
			t.Fatal(err)
		}
		known, _ := s.GetResident(ctx, "o-known")
		fresh, _ := s.GetResident(ctx, "o-new")
		if known.LastEntryID != a || known.Subscribed || !known.LastEntryAt.Equal(at) {
			t.Fatalf("known resident: %+v (an answer must not re-subscribe an unfollower)", known)
		}
		if fresh.LastEntryID != b || !fresh.Subscribed {
			t.Fatalf("new resident: %+v", fresh)
		}
		if err := s.SaveAnswers(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.AddKBHits(ctx, map[uint]int{a: 3, b: 1}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddKBHits(ctx, map[uint]int{a: 2}); err != nil {
			t.Fatal(err)
		}
		var ea, eb models.KBEntry
		s.DB.First(&ea, a)
		s.DB.First(&eb, b)
		if ea.Hits != 5 || eb.Hits != 1 {
			t.Fatalf("hits %d and %d, want 5 and 1", ea.Hits, eb.Hits)
		}
	})
}
