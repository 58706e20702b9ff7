package store_test

import (
	"context"
	"testing"

	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

func sampleEntry(slug, answer string) knowledge.Entry {
	return knowledge.Entry{Slug: slug, Category: models.CatParenting, Title: "宝宝发烧怎么办",
		Questions: []string{"宝宝发烧", "娃发热", "孩子烧到39度"}, Keywords: []string{"发烧"},
		Answer: answer, SeeDoctor: "持续高热请就医", Source: "国家卫生健康委"}
}

func TestSeedKeepsStaffEditsAndRoundTripsEmoji(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed := []knowledge.Entry{sampleEntry("parenting-fever", "多喝水，注意观察🙂"), sampleEntry("parenting-cough", "咳嗽的护理👨‍👩‍👧")}
		if a, u, err := s.SeedKnowledge(ctx, seed); err != nil || a != 2 || u != 0 {
			t.Fatalf("first seed: %d %d %v", a, u, err)
		}
		if a, u, err := s.SeedKnowledge(ctx, seed); err != nil || a != 0 || u != 0 {
			t.Fatalf("seeding twice changed things: %d %d %v", a, u, err)
		}
		entries, _ := s.ListKBEntries(ctx)
		if len(entries) != 2 || entries[0].Answer != "多喝水，注意观察🙂" || entries[1].Answer != "咳嗽的护理👨‍👩‍👧" || len(entries[0].Questions) != 3 {
			t.Fatalf("round trip: %+v", entries)
		}
		// Staff edit the first entry; an upgrade changes both in the embedded content.
		staff := entries[0]
		staff.Answer = "工作人员改过的回答"
		if _, err := s.SaveKBEntry(ctx, staff, true); err != nil {
			t.Fatal(err)
		}
		seed[0].Answer, seed[1].Answer = "新版本回答1", "新版本回答2"
		if a, u, err := s.SeedKnowledge(ctx, seed); err != nil || a != 0 || u != 1 {
			t.Fatalf("upgrade: %d %d %v", a, u, err)
		}
		entries, _ = s.ListKBEntries(ctx)
		if entries[0].Answer != "工作人员改过的回答" || entries[1].Answer != "新版本回答2" {
			t.Fatalf("after upgrade: %q %q", entries[0].Answer, entries[1].Answer)
		}
		// Counters and stats.
		s.IncKBHit(ctx, entries[0].ID)
		s.AddKBFeedback(ctx, entries[0].ID, "o1")
		row, _ := s.GetKBEntry(ctx, entries[0].ID)
		stats, _ := s.KBStats(ctx)
		if row.Hits != 1 || row.Unhelpful != 1 || stats[models.CatParenting] != 2 {
			t.Fatalf("row %+v stats %v", row, stats)
		}
		// An invalid entry is refused with a reason.
		bad := sampleEntry("parenting-bad", "")
		if _, err := s.SaveKBEntry(ctx, bad, true); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("invalid entry: %v", err)
		}
	})
}

func TestRulesSeedReplaceAndList(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.SeedKBRules(ctx)
		s.SeedKBRules(ctx)
		rules, _ := s.ListKBRules(ctx)
		if len(rules) != 3 {
			t.Fatalf("seed rules %d", len(rules))
		}
		imported := []knowledge.Rule{{Name: "a", Kind: "keyword", Match: "contain", Keywords: []string{"疫苗"}, Reply: "x"}, {Name: "w", Kind: "welcome", Reply: "欢迎"}}
		s.ReplaceKBRulesByOrigin(ctx, "autoreply", imported)
		s.ReplaceKBRulesByOrigin(ctx, "autoreply", imported)
		rules, _ = s.ListKBRules(ctx)
		if len(rules) != 5 {
			t.Fatalf("after two imports %d rules, want 5", len(rules))
		}
		if _, err := s.SaveKBRule(ctx, knowledge.Rule{Name: "empty"}, "staff"); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("empty rule: %v", err)
		}
	})
}
