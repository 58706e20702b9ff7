package messages_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"familybot/messages"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

var (
	amy = models.Staff{UserID: "amy", Name: "王艾米", Role: models.RoleStaff}
	now = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
)

// newService is the service over s with the clock stopped at now.
func newService(s *store.Store) *messages.Service {
	s.Now = func() time.Time { return now }
	return &messages.Service{Store: s, Now: s.Now}
}

// A resident waiting for a person is shown with their latest messages, oldest
// first, and the number from their wish masked; closing keeps a short note only.
func TestHandoffs(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx, svc := context.Background(), newService(s)
		if err := s.InsertMessages(ctx, []models.Message{
			{OpenID: "o1", Kind: "text", Text: "第一句", Route: models.RouteFallback, CreatedAt: now.Add(-2 * time.Minute)},
			{OpenID: "o1", Kind: "text", Text: "人工", Route: models.RouteCommand, CreatedAt: now.Add(-time.Minute)},
		}); err != nil {
			t.Fatal(err)
		}
		w := models.Wish{OpenID: "o1", Text: "想咨询托育补贴", Category: models.WishCatLife, Contact: "13812345678", Status: models.WishPending}
		if err := s.CreateWish(ctx, &w, 0, "", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordHandoff(ctx, "o1", models.HandoffAsked); err != nil {
			t.Fatal(err)
		}
		open, done, err := svc.Handoffs(ctx)
		if err != nil || len(open) != 1 || len(done) != 0 {
			t.Fatalf("handoffs = %+v %+v, %v", open, done, err)
		}
		h := open[0]
		if h.Phone == "" || strings.Contains(h.Phone, "12345678") {
			t.Errorf("phone shown as %q", h.Phone)
		}
		if len(h.Recent) != 2 || h.Recent[0].Text != "第一句" {
			t.Errorf("recent = %+v", h.Recent)
		}
		if _, err := svc.CloseHandoff(ctx, h.ID, amy, strings.Repeat("长", messages.MaxHandoffNote+1)); !models.IsCode(err, models.EINVALID) {
			t.Errorf("a note too long: %v", err)
		}
		if note, err := svc.CloseHandoff(ctx, h.ID, amy, " 已电话联系 "); err != nil || note != "已电话联系" {
			t.Fatalf("close = %q, %v", note, err)
		}
		if n, _ := svc.OpenHandoffs(ctx); n != 0 {
			t.Errorf("%d still waiting", n)
		}
	})
}

// An answer staff marked 答错了 counts as unanswered in the log.
func TestRecentMarksWrongAnswers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx, svc := context.Background(), newService(s)
		if err := s.InsertMessages(ctx, []models.Message{
			{OpenID: "o1", Kind: "text", Text: "宝宝发烧怎么办", Route: models.RouteFAQ, EntryID: 3, Score: 0.8, CreatedAt: now.Add(-time.Hour)},
			{OpenID: "o2", Kind: "text", Text: "老人失眠", Route: models.RouteFAQ, EntryID: 4, Score: 0.9, CreatedAt: now.Add(-time.Hour)},
			{OpenID: "o3", Kind: "text", Text: "上周的问题", Route: models.RouteFallback, CreatedAt: now.Add(-8 * 24 * time.Hour)},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MarkWrong(ctx, 1, "amy"); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Recent(ctx, false)
		if err != nil || len(list) != 2 {
			t.Fatalf("recent = %+v, %v", list, err)
		}
		unanswered := map[string]bool{}
		for _, m := range list {
			unanswered[m.Text] = m.Unanswered()
		}
		if !unanswered["宝宝发烧怎么办"] || unanswered["老人失眠"] {
			t.Errorf("unanswered = %v", unanswered)
		}
	})
}
