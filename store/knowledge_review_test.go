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

// TestKBReview: a review holds for the version the doctor read; an edit of the
// answer (by staff or by an upgrade of the shipped content) puts the entry back
// in the queue, and a review of a version that changed meanwhile is refused.
func TestKBReview(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		seed := []knowledge.Entry{{Slug: "parenting-fever", Category: models.CatParenting, Title: "宝宝发烧",
			Questions: []string{"宝宝发烧", "娃发热", "孩子烧了"}, Answer: "多喂水。", Source: "国家卫健委"}}
		if _, _, err := s.SeedKnowledge(ctx, seed); err != nil {
			t.Fatal(err)
		}
		state := func() (knowledge.ReviewState, knowledge.Entry) {
			t.Helper()
			rows, err := s.ListKBReviewStates(ctx, now)
			if err != nil || len(rows) != 1 {
				t.Fatalf("rows %v %v", rows, err)
			}
			return rows[0].State, rows[0].Entry
		}
		st, e := state()
		if st != knowledge.ReviewNever {
			t.Fatalf("new entry: %s", st)
		}
		doctor := models.Staff{UserID: "drwang", Name: "王医生", Role: models.RoleReviewer}
		if _, err := s.RecordKBReview(ctx, models.KBReviewInput{EntryID: e.ID, Hash: "stale", By: doctor}); !models.IsCode(err, models.ECONFLICT) {
			t.Fatalf("review of another version: %v, want conflict", err)
		}
		if _, err := s.RecordKBReview(ctx, models.KBReviewInput{EntryID: 999999, Hash: knowledge.ReviewHash(e), By: doctor}); !models.IsCode(err, models.ENOTFOUND) {
			t.Fatalf("review of a missing entry: %v", err)
		}
		if _, err := s.RecordKBReview(ctx, models.KBReviewInput{EntryID: e.ID, Hash: knowledge.ReviewHash(e), By: doctor, Note: "无误"}); err != nil {
			t.Fatal(err)
		}
		st, e = state()
		if st != knowledge.ReviewOK || e.Reviewer != "王医生" || e.ReviewedAt == nil {
			t.Fatalf("after the review: %s %q %v", st, e.Reviewer, e.ReviewedAt)
		}
		revs, err := s.ListKBReviews(ctx, e.ID)
		if err != nil || len(revs) != 1 || revs[0].Note != "无误" || revs[0].ReviewerID != "drwang" {
			t.Fatalf("history %+v %v", revs, err)
		}
		// A new way of asking leaves the review standing; a changed answer does not.
		e.Questions = append(e.Questions, "宝宝烧到39度")
		if _, err := s.SaveKBEntry(ctx, e, true); err != nil {
			t.Fatal(err)
		}
		if st, _ = state(); st != knowledge.ReviewOK {
			t.Fatalf("after adding a question: %s", st)
		}
		e.Answer = "多喂水，不要捂汗。"
		e.Reviewer, e.ReviewedAt = "冒名", &now // an edit cannot mark it reviewed
		if _, err := s.SaveKBEntry(ctx, e, true); err != nil {
			t.Fatal(err)
		}
		st, e = state()
		if st != knowledge.ReviewChanged || e.Reviewer != "王医生" {
			t.Fatalf("after editing the answer: %s %q", st, e.Reviewer)
		}
		// An upgrade of the shipped content also puts it back in the queue.
		if _, err := s.RecordKBReview(ctx, models.KBReviewInput{EntryID: e.ID, Hash: knowledge.ReviewHash(e), By: doctor}); err != nil {
			t.Fatal(err)
		}
		seed[0].Slug, seed[0].Answer = "parenting-cough", "咳嗽先观察。"
		if _, _, err := s.SeedKnowledge(ctx, seed); err != nil {
			t.Fatal(err)
		}
		rows, _ := s.ListKBReviewStates(ctx, now)
		got := map[string]knowledge.ReviewState{}
		for _, r := range rows {
			got[r.Entry.Slug] = r.State
		}
		if got["parenting-fever"] != knowledge.ReviewOK || got["parenting-cough"] != knowledge.ReviewNever {
			t.Fatalf("states %v", got)
		}
		// A year on, it is due again.
		if rows, _ := s.ListKBReviewStates(ctx, now.AddDate(1, 0, 1)); rows[0].State != knowledge.ReviewDue && rows[1].State != knowledge.ReviewDue {
			t.Fatalf("a year later: %v", rows)
		}
	})
}
