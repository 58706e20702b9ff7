package store_test

import (
	"context"
	"testing"

	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// The message recorder adds a batch's hit counts, several entries at once, in
// one statement.
func TestAddKBHitsInOneStatement(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed := sampleEntry("parenting-fever", "多喝水")
		other := sampleEntry("parenting-cough", "咳嗽")
		if _, _, err := s.SeedKnowledge(ctx, []knowledge.Entry{seed, other}); err != nil {
			t.Fatal(err)
		}
		entries, _ := s.ListKBEntries(ctx)
		a, b := entries[0].ID, entries[1].ID
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
