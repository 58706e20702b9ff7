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
		s.AddKBHits(ctx, map[uint]int{entries[0].ID: 1})
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

func TestSeedRealContentTwice(t *testing.T) {
	seed, err := knowledge.Seed()
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, u, err := s.SeedKnowledge(ctx, seed)
		if err != nil || a != len(seed) || u != 0 {
			t.Fatalf("seed: added %d updated %d err %v (want %d added)", a, u, err, len(seed))
		}
		if a, u, err := s.SeedKnowledge(ctx, seed); err != nil || a != 0 || u != 0 {
			t.Fatalf("second seed changed things: %d %d %v", a, u, err)
		}
	})
}

func TestImportDatesAndRuleEdits(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed := []knowledge.Entry{sampleEntry("elderly-heat", "多喝水")}
		from := time.Date(2025, 6, 1, 0, 0, 0, 0, models.Beijing)
		until := time.Date(2025, 9, 1, 0, 0, 0, 0, models.Beijing)
		seed[0].EffectiveFrom, seed[0].ExpiresAt = &from, &until
		if _, _, err := s.SeedKnowledge(ctx, seed); err != nil {
			t.Fatal(err)
		}
		got, _ := s.ListKBEntries(ctx)
		if got[0].EffectiveFrom == nil || !got[0].EffectiveFrom.Equal(from) || !got[0].ExpiresAt.Equal(until) {
			t.Fatalf("dates: %v %v", got[0].EffectiveFrom, got[0].ExpiresAt)
		}
		if got[0].Live(until) || !got[0].Live(from) {
			t.Fatal("dates read back do not bound the entry")
		}

		// An import is a staff edit: a later upgrade leaves it alone.
		imp := seed[0]
		imp.Answer = "导入的回答"
		if n, err := s.ImportKB(ctx, []knowledge.Entry{imp, sampleEntry("parenting-new", "新条目")}); err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		seed[0].Answer = "升级后的回答"
		if a, u, err := s.SeedKnowledge(ctx, seed); err != nil || a != 0 || u != 0 {
			t.Fatalf("upgrade after import: %d %d %v", a, u, err)
		}
		got, _ = s.ListKBEntries(ctx)
		if len(got) != 2 || got[0].Answer != "导入的回答" {
			t.Fatalf("after import and upgrade: %+v", got)
		}
		if _, err := s.ImportKB(ctx, []knowledge.Entry{sampleEntry("parenting-bad", "")}); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("invalid import: %v", err)
		}
		if _, err := s.GetKBEntry(ctx, 999); !models.IsCode(err, models.ENOTFOUND) {
			t.Fatalf("missing entry: %v", err)
		}
		dup := sampleEntry("parenting-new", "重复的 slug")
		if _, err := s.SaveKBEntry(ctx, dup, true); !models.IsCode(err, models.ECONFLICT) {
			t.Fatalf("duplicate slug: %v", err)
		}

		// Editing a seed rule keeps it a seed rule, so it is not seeded again.
		if err := s.SeedKBRules(ctx); err != nil {
			t.Fatal(err)
		}
		rules, _ := s.ListKBRules(ctx)
		r := rules[0]
		r.Reply = "改过的回复 {{phone}}"
		if _, err := s.SaveKBRule(ctx, r, "staff"); err != nil {
			t.Fatal(err)
		}
		s.SeedKBRules(ctx)
		after, _ := s.ListKBRules(ctx)
		if len(after) != len(rules) {
			t.Fatalf("seed rules added again after an edit: %d → %d", len(rules), len(after))
		}
		if _, err := s.SaveKBRule(ctx, knowledge.Rule{ID: 999, Keywords: []string{"x"}, Reply: "y"}, "staff"); !models.IsCode(err, models.ENOTFOUND) {
			t.Fatalf("missing rule: %v", err)
		}
		if _, err := s.SaveKBRule(ctx, knowledge.Rule{Keywords: []string{"x"}, Reply: "y", Match: "regex"}, "staff"); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("bad match: %v", err)
		}
		if err := s.DeleteKBRule(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteKBRule(ctx, r.ID); !models.IsCode(err, models.ENOTFOUND) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func TestKBFingerprintChangesOnEdit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.SeedKnowledge(ctx, []knowledge.Entry{sampleEntry("parenting-fever", "a")})
		f1, err := s.KBFingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := s.ListKBEntries(ctx)
		entries[0].Answer = "b"
		time.Sleep(1100 * time.Millisecond) // MySQL datetime may be second-precision
		s.SaveKBEntry(ctx, entries[0], true)
		if f2, _ := s.KBFingerprint(ctx); f2 == f1 {
			t.Fatalf("fingerprint unchanged after an edit: %s", f1)
		}
	})
}
