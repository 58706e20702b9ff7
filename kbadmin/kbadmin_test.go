package kbadmin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"familybot/kbadmin"
	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

func entry(slug, cat, title string) knowledge.Entry {
	return knowledge.Entry{Slug: slug, Category: cat, Title: title, Questions: []string{title + "怎么办", title + "了怎么处理", "请问" + title + "该注意什么"},
		Answer: title + "的回答。", Source: "测试"}
}

func save(t *testing.T, s *store.Store, e knowledge.Entry, hits, unhelpful int) knowledge.Entry {
	t.Helper()
	saved, err := s.SaveKBEntry(context.Background(), e, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB.Model(&models.KBEntry{}).Where("id = ?", saved.ID).
		Updates(map[string]any{"hits": hits, "unhelpful": unhelpful}).Error; err != nil {
		t.Fatal(err)
	}
	return saved
}

func titles(l kbadmin.List) []string {
	var out []string
	for _, g := range l.Groups {
		for _, r := range g.Rows {
			out = append(out, g.Category+":"+r.Title)
		}
	}
	return out
}

// The list groups by category in the categories' order, searches titles, and
// puts the answers residents found useless first, high rates before low.
func TestEntries(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := &kbadmin.Service{Store: s, Now: func() time.Time { return time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC) }}
		save(t, s, entry("service-hours", models.CatService, "办公时间"), 50, 1)
		save(t, s, entry("fever", models.CatParenting, "宝宝发烧"), 10, 4)
		save(t, s, entry("teeth", models.CatParenting, "宝宝长牙"), 4, 2)
		save(t, s, entry("sleep", models.CatElderly, "老人失眠"), 3, 0)

		l, err := svc.Entries(ctx, kbadmin.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(titles(l), " "); got != "parenting:宝宝发烧 parenting:宝宝长牙 elderly:老人失眠 service:办公时间" {
			t.Errorf("by category = %s", got)
		}
		if l.Total != 4 || l.Shown != 4 || l.Flagged != 1 || l.WithUnhelpful != 3 || l.PerCategory[models.CatParenting] != 2 {
			t.Errorf("counts = %+v", l)
		}
		l, err = svc.Entries(ctx, kbadmin.ListQuery{Bad: true})
		if err != nil {
			t.Fatal(err)
		}
		// 宝宝发烧 (4 of 10) is flagged; 宝宝长牙 (2 of 4) has the higher rate of the rest.
		if got := strings.Join(titles(l), " "); got != ":宝宝发烧 :宝宝长牙 :办公时间" {
			t.Errorf("useless first = %s", got)
		}
		l, err = svc.Entries(ctx, kbadmin.ListQuery{Q: "宝宝", Category: models.CatParenting})
		if err != nil || l.Shown != 2 || l.Total != 4 {
			t.Errorf("search = %+v, %v", l, err)
		}
	})
}

// A question the bot could not answer is added to an entry once, as a
// variant with its numbers masked, and leaves the list.
func TestAppendUnanswered(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		svc := &kbadmin.Service{Store: s, Now: s.Now}
		fever := save(t, s, entry("fever", models.CatParenting, "宝宝发烧"), 0, 0)
		msgs := []models.Message{
			{OpenID: "o1", Kind: "text", Text: "孩子烧到39度打13812345678能问吗", Route: models.RouteFallback, CreatedAt: now.Add(-time.Hour)},
			{OpenID: "o2", Kind: "text", Text: strings.Repeat("很长的问题", 30), Route: models.RouteFallback, CreatedAt: now.Add(-time.Hour)},
			{OpenID: "o3", Kind: "text", Text: "宝宝发烧怎么办", Route: models.RouteFAQ, EntryID: fever.ID, CreatedAt: now.Add(-time.Hour)},
		}
		if err := s.InsertMessages(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		groups, err := svc.Unanswered(ctx)
		if err != nil || len(groups) != 2 {
			t.Fatalf("unanswered = %+v, %v", groups, err)
		}
		if _, err := svc.UnansweredMessage(ctx, 3); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("an answered question counts as unanswered: %v", err)
		}
		if _, _, err := svc.Append(ctx, 2, fever.ID, "boss"); !models.IsCode(err, models.EINVALID) {
			t.Errorf("a question too long to be a variant: %v", err)
		}
		if _, _, err := svc.Append(ctx, 1, 0, "boss"); !models.IsCode(err, models.EINVALID) {
			t.Errorf("no entry chosen: %v", err)
		}
		e, m, err := svc.Append(ctx, 1, fever.ID, "boss")
		if err != nil || m.ID != 1 {
			t.Fatal(err)
		}
		if last := e.Questions[len(e.Questions)-1]; len(e.Questions) != 4 || strings.Contains(last, "13812345678") {
			t.Errorf("questions = %q", e.Questions)
		}
		if groups, _ := svc.Unanswered(ctx); len(groups) != 1 {
			t.Errorf("%d questions still listed, want 1", len(groups))
		}
	})
}
