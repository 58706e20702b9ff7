package store_test

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// One definition of unanswered: the fallback answers and the answers staff
// marked 答错了, in the grouped list, the weekly count and the 留言 filter; a
// question marked wrong after staff last handled it comes back.
func TestWrongAnswersAreUnanswered(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0
		s.Now = func() time.Time { return now }
		msgs := []models.Message{
			{OpenID: "a", Kind: "text", Text: "医保卡怎么给新生儿办理", Route: models.RouteFAQ, EntryID: 7, Score: 0.56, CreatedAt: t0.Add(-time.Hour)},
			{OpenID: "b", Kind: "text", Text: "跳广场舞", Route: models.RouteFallback, CreatedAt: t0.Add(-time.Hour)},
			{OpenID: "c", Kind: "text", Text: "宝宝发烧", Route: models.RouteFAQ, EntryID: 3, Score: 0.9, CreatedAt: t0.Add(-time.Hour)},
		}
		if err := s.InsertMessages(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		// Staff had ignored the question before anyone noticed the wrong answer.
		if err := s.MarkUnansweredHandled(ctx, "医保卡怎么给新生儿办理", models.HandledIgnored, "amy", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkWrongAnswer(ctx, 2, "amy"); !models.IsCode(err, models.EINVALID) {
			t.Errorf("marking a fallback: %v, want EINVALID", err)
		}
		if _, err := s.MarkWrongAnswer(ctx, 99, "amy"); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("marking a missing message: %v, want ENOTFOUND", err)
		}
		now = t0.Add(time.Minute)
		if w, err := s.MarkWrongAnswer(ctx, 1, "amy"); err != nil || w.EntryID != 7 {
			t.Fatalf("mark = %+v, %v", w, err)
		}
		if _, err := s.MarkWrongAnswer(ctx, 1, "bob"); err != nil {
			t.Errorf("marking twice: %v", err)
		}
		groups, err := s.ListUnansweredGroups(ctx, t0.Add(-24*time.Hour), 0)
		if err != nil || len(groups) != 2 {
			t.Fatalf("groups = %+v, %v", groups, err)
		}
		var wrong models.UnansweredGroup
		for _, g := range groups {
			if g.MessageID == 1 {
				wrong = g
			}
		}
		if wrong.WrongEntryID != 7 || wrong.WrongScore != 0.56 {
			t.Errorf("the wrong answer's group = %+v", wrong)
		}
		st, err := s.CountMessagesSince(ctx, t0.Add(-24*time.Hour))
		if err != nil || st.Unanswered != 2 || st.Wrong != 1 || st.Questions != 3 {
			t.Errorf("stats = %+v, %v; want 2 unanswered of 3, 1 wrong", st, err)
		}
		list, err := s.ListRecentMessages(ctx, t0.Add(-24*time.Hour), true, 10)
		if err != nil || len(list) != 2 {
			t.Errorf("unanswered filter = %d messages, %v; want 2", len(list), err)
		}
		// Handled on the list after the mark: gone.
		now = t0.Add(2 * time.Minute)
		if err := s.MarkUnansweredHandled(ctx, "医保卡怎么给新生儿办理", models.HandledAppended, "amy", 8); err != nil {
			t.Fatal(err)
		}
		if groups, _ := s.ListUnansweredGroups(ctx, t0.Add(-24*time.Hour), 0); len(groups) != 1 || groups[0].MessageID != 2 {
			t.Errorf("after handling: %+v", groups)
		}
	})
}
