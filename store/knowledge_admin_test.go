package store_test

import (
	"context"
	"testing"
	"time"

	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/google/go-cmp/cmp"
)

func TestUnansweredGroups(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		now := base
		s.Now = func() time.Time { return now }
		msg := func(min int, route models.Route, text string) {
			t.Helper()
			m := models.Message{OpenID: "o1", Kind: "text", Text: text, Route: route, CreatedAt: base.Add(time.Duration(min) * time.Minute)}
			if err := s.InsertMessages(ctx, []models.Message{m}); err != nil {
				t.Fatal(err)
			}
		}
		msg(1, models.RouteFallback, "医保报销去哪里办")
		msg(2, models.RouteFallback, "宝宝發燒怎麼辦？")
		msg(3, models.RouteFAQ, "宝宝发烧怎么办")          // answered: not listed
		msg(4, models.RouteFallback, "")            // no text (crisis-like): not listed
		msg(5, models.RouteFallback, "宝宝发烧怎么办")     // the same question, simplified
		msg(6, models.RouteFallback, "哪里能办 医保报销？！") // another wording: its own group
		msg(-60*24*40, models.RouteFallback, "很久以前的问题")

		list := func() []models.UnansweredGroup {
			t.Helper()
			gs, err := s.ListUnansweredGroups(ctx, base.Add(-24*time.Hour), 10)
			if err != nil {
				t.Fatal(err)
			}
			return gs
		}
		type row struct {
			Text  string
			Count int
		}
		rows := func(gs []models.UnansweredGroup) []row {
			var out []row
			for _, g := range gs {
				out = append(out, row{g.Text, g.Count})
			}
			return out
		}
		gs := list()
		want := []row{{"哪里能办 医保报销？！", 1}, {"宝宝发烧怎么办", 2}, {"医保报销去哪里办", 1}}
		if diff := cmp.Diff(want, rows(gs)); diff != "" {
			t.Fatalf("groups (-want +got):\n%s", diff)
		}
		fever := gs[1]
		if fever.Norm != knowledge.Normalize("宝宝发烧怎么办") || !fever.Last.Equal(base.Add(5*time.Minute)) ||
			!fever.First.Equal(base.Add(2*time.Minute)) {
			t.Errorf("fever group = %+v", fever)
		}
		m, err := s.GetMessage(ctx, fever.MessageID)
		if err != nil || m.Text != "宝宝发烧怎么办" {
			t.Fatalf("GetMessage = %+v, %v", m, err)
		}
		if _, err := s.GetMessage(ctx, 9999); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("missing message: %v", err)
		}

		// Handling a group hides every message of it, whichever wording.
		now = base.Add(10 * time.Minute)
		if err := s.MarkUnansweredHandled(ctx, "宝宝發燒怎麼辦", models.HandledIgnored, "amy", 0); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]row{{"哪里能办 医保报销？！", 1}, {"医保报销去哪里办", 1}}, rows(list())); diff != "" {
			t.Fatalf("after ignoring (-want +got):\n%s", diff)
		}
		// Asked again later: it comes back, counting only the new message.
		msg(20, models.RouteFallback, "宝宝发烧怎么办？")
		gs = list()
		if diff := cmp.Diff([]row{{"宝宝发烧怎么办？", 1}, {"哪里能办 医保报销？！", 1}, {"医保报销去哪里办", 1}}, rows(gs)); diff != "" {
			t.Fatalf("asked again (-want +got):\n%s", diff)
		}
		// Handling it again updates the same record.
		now = base.Add(30 * time.Minute)
		if err := s.MarkUnansweredHandled(ctx, "宝宝发烧怎么办", models.HandledAppended, "boss", 7); err != nil {
			t.Fatal(err)
		}
		var recs []store.KBHandledQuestion
		s.DB.Find(&recs)
		if len(recs) != 1 || recs[0].Action != models.HandledAppended || recs[0].EntryID != 7 || recs[0].HandledBy != "boss" {
			t.Errorf("handled records = %+v", recs)
		}
		if got := len(list()); got != 2 {
			t.Errorf("groups after the second handling = %d", got)
		}
		if err := s.MarkUnansweredHandled(ctx, "？！", models.HandledIgnored, "amy", 0); !models.IsCode(err, models.EINVALID) {
			t.Errorf("empty question: %v", err)
		}
		if gs, _ := s.ListUnansweredGroups(ctx, base.Add(-24*time.Hour), 1); len(gs) != 1 {
			t.Errorf("limit: %d groups", len(gs))
		}
	})
}

func TestKBRuleRows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fixed := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return fixed }
		if err := s.SeedKBRules(ctx); err != nil {
			t.Fatal(err)
		}
		low, err := s.SaveKBRule(ctx, knowledge.Rule{Name: "讲座", Keywords: []string{"讲座"}, Match: knowledge.MatchContain, Reply: "讲座安排见活动", Priority: 1}, "staff")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetKBRuleEnabled(ctx, low.ID, false); err != nil {
			t.Fatal(err)
		}
		// Setting the same state again is not "not found" (MySQL reports no changed row).
		if err := s.SetKBRuleEnabled(ctx, low.ID, false); err != nil {
			t.Fatalf("unchanged: %v", err)
		}
		if err := s.SetKBRuleEnabled(ctx, 999, true); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("missing rule: %v", err)
		}
		rows, err := s.ListKBRuleRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[3].ID != low.ID || rows[3].Enabled || !rows[0].Enabled || rows[0].Origin != "seed" {
			t.Fatalf("rows = %+v", rows)
		}
		enabled, _ := s.ListKBRules(ctx)
		if len(enabled) != 3 {
			t.Errorf("enabled rules = %d", len(enabled))
		}
		// An edit keeps the rule's state.
		low.Reply = "新的讲座安排"
		if _, err := s.SaveKBRule(ctx, low, "staff"); err != nil {
			t.Fatal(err)
		}
		row, err := s.GetKBRule(ctx, low.ID)
		if err != nil || row.Enabled || row.Reply != "新的讲座安排" {
			t.Errorf("after edit: %+v %v", row, err)
		}
		if _, err := s.GetKBRule(ctx, 999); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("GetKBRule missing: %v", err)
		}
	})
}
