package store_test

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/google/go-cmp/cmp"
)

func mustSaveStaff(t *testing.T, s *store.Store, st models.Staff) {
	t.Helper()
	if err := s.SaveStaff(context.Background(), st); err != nil {
		t.Fatalf("SaveStaff(%s): %v", st.UserID, err)
	}
}

func TestStaffLastAdmin(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustSaveStaff(t, s, models.Staff{UserID: "boss", Name: "李会长", Role: models.RoleAdmin})
		mustSaveStaff(t, s, models.Staff{UserID: "amy", Role: models.RoleStaff, Team: models.WishCatHealth})
		if err := s.SaveStaff(ctx, models.Staff{UserID: "bad id!", Role: models.RoleStaff}); !models.IsCode(err, models.EINVALID) {
			t.Errorf("bad UserID: got %v", err)
		}
		if err := s.SaveStaff(ctx, models.Staff{UserID: "x", Role: "root"}); !models.IsCode(err, models.EINVALID) {
			t.Errorf("bad role: got %v", err)
		}
		// Save again updates.
		mustSaveStaff(t, s, models.Staff{UserID: "amy", Name: "王艾米", Role: models.RoleStaff, Team: models.WishCatLife})
		got, err := s.GetStaff(ctx, "amy")
		if err != nil || got.Name != "王艾米" || got.Team != models.WishCatLife {
			t.Fatalf("GetStaff: %v %+v", err, got)
		}
		if err := s.DeleteStaff(ctx, "boss"); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("deleting the last admin: got %v, want ECONFLICT", err)
		}
		if err := s.UpdateStaffRole(ctx, "boss", models.RoleStaff, ""); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("demoting the last admin: got %v, want ECONFLICT", err)
		}
		if err := s.UpdateStaffRole(ctx, "amy", models.RoleAdmin, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, models.AdminSession{ID: "h1", UserID: "boss", ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteStaff(ctx, "boss"); err != nil {
			t.Fatalf("deleting an admin while another exists: %v", err)
		}
		if _, err := s.GetSession(ctx, "h1", t0); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("a removed staff member's session survives: %v", err)
		}
		if err := s.DeleteStaff(ctx, "nobody"); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("deleting an unknown UserID: %v", err)
		}
		list, _ := s.ListStaff(ctx)
		if len(list) != 1 || list[0].UserID != "amy" {
			t.Errorf("ListStaff = %+v", list)
		}
	})
}

func TestSessionsAndOAuthState(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.CreateSession(ctx, models.AdminSession{ID: "h1", UserID: "u1", CSRF: "c", ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, "h1", t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, "h1", t0.Add(2*time.Hour)); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("expired session: %v", err)
		}
		if err := s.DeleteSession(ctx, "h1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, "h1", t0); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("deleted session: %v", err)
		}

		for _, st := range []string{"s1", "s2", "s3"} {
			if err := s.CreateOAuthState(ctx, models.OAuthState{State: st, Binding: "b", Next: "/admin/wishes", ExpiresAt: t0.Add(10 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ConsumeOAuthState(ctx, "s1", "b", t0)
		if err != nil || got.Next != "/admin/wishes" {
			t.Fatalf("consume: %v %+v", err, got)
		}
		if _, err := s.ConsumeOAuthState(ctx, "s1", "b", t0); !models.IsCode(err, models.EFORBID) {
			t.Errorf("replayed state: %v", err)
		}
		if _, err := s.ConsumeOAuthState(ctx, "s2", "other-browser", t0); !models.IsCode(err, models.EFORBID) {
			t.Errorf("state from another browser: %v", err)
		}
		if _, err := s.ConsumeOAuthState(ctx, "s2", "b", t0); !models.IsCode(err, models.EFORBID) {
			t.Errorf("a state tried once is gone: %v", err)
		}
		if _, err := s.ConsumeOAuthState(ctx, "s3", "b", t0.Add(11*time.Minute)); !models.IsCode(err, models.EFORBID) {
			t.Errorf("expired state: %v", err)
		}
	})
}

func TestAdminReadModels(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return t0 }
		if err := s.DB.Create(&models.KBEntry{ID: 7, Slug: "fever", Title: "宝宝发烧怎么办"}).Error; err != nil {
			t.Fatal(err)
		}
		msgs := []models.Message{
			{OpenID: "o1", Kind: "text", Text: "宝宝发烧", Route: models.RouteFAQ, EntryID: 7, CreatedAt: t0},
			{OpenID: "o2", Kind: "text", Text: "发烧了", Route: models.RouteFAQ, EntryID: 7, CreatedAt: t0},
			{OpenID: "o2", Kind: "text", Text: "你们几点下班", Route: models.RouteFallback, CreatedAt: t0},
			{OpenID: "o3", Kind: "event", Text: "subscribe ", Route: models.RouteEvent, CreatedAt: t0},
			{OpenID: "o3", Kind: "text", Text: "上周的", Route: models.RouteFallback, CreatedAt: t0.Add(-8 * 24 * time.Hour)},
		}
		if err := s.InsertMessages(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		since := t0.Add(-7 * 24 * time.Hour)
		st, err := s.CountMessagesSince(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(models.MessageStats{Total: 4, Questions: 3, Unanswered: 1}, st); diff != "" {
			t.Errorf("stats (-want +got):\n%s", diff)
		}
		top, err := s.TopEntriesSince(ctx, since, 5)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]models.EntryCount{{EntryID: 7, Title: "宝宝发烧怎么办", N: 2}}, top); diff != "" {
			t.Errorf("top (-want +got):\n%s", diff)
		}
		recent, _ := s.ListRecentMessages(ctx, since, false, 10)
		unanswered, _ := s.ListRecentMessages(ctx, since, true, 10)
		if len(recent) != 3 || len(unanswered) != 1 {
			t.Errorf("recent %d (want 3, events excluded), unanswered %d (want 1)", len(recent), len(unanswered))
		}

		for i := 0; i < 2; i++ {
			if err := s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o1", Kind: "suicide", Text: "不想活了", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MarkCrisisHandled(ctx, 2, "amy", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkCrisisHandled(ctx, 2, "bob", t0); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("second handler: %v", err)
		}
		if err := s.MarkCrisisHandled(ctx, 99, "bob", t0); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("unknown crisis: %v", err)
		}
		cs, _ := s.ListCrisisEvents(ctx, 10)
		if len(cs) != 2 || cs[0].ID != 1 || cs[1].HandledBy != "amy" {
			t.Errorf("crisis list, unhandled first: %+v", cs)
		}
		if n, _ := s.CountUnhandledCrisis(ctx); n != 1 {
			t.Errorf("unhandled = %d", n)
		}

		if err := s.Enqueue(ctx, models.Notice{Kind: "k", Channel: models.ChannelCustomer, To: []string{"o1"}}); err != nil {
			t.Fatal(err)
		}
		var m models.OutboxMessage
		if err := s.DB.Take(&m, "dedup_key = ?", "k").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Model(&m).Update("status", models.OutboxFailed).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.RequeueOutbox(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RequeueOutbox(ctx, m.ID); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("requeue of a pending message: %v", err)
		}
		if err := s.AddAudit(ctx, models.AuditLog{Actor: "amy", Action: "wish.view", Object: "wish:1"}); err != nil {
			t.Fatal(err)
		}
		if a, _ := s.ListAudit(ctx, 5); len(a) != 1 || a[0].Action != "wish.view" {
			t.Errorf("audit = %+v", a)
		}
	})
}

// Handling a message of a crisis episode handles the episode's messages up to
// it — not a later one staff have not seen, nor another resident's.
func TestMarkCrisisHandledCoversItsEpisode(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
		for i, ev := range []models.CrisisEvent{
			{OpenID: "o1", Kind: "medical", Episode: "e1", Text: "宝宝抽搐了"},
			{OpenID: "o1", Kind: "medical", Episode: "e1", FollowUp: true, Text: "要不要等等看"},
			{OpenID: "o2", Kind: "suicide", Episode: "e1", Text: "不想活了"},
			{OpenID: "o1", Kind: "medical", Episode: "e1", FollowUp: true, Text: "我不想打电话"},
		} {
			ev.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			if err := s.RecordCrisis(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MarkCrisisHandled(ctx, 2, "amy", t0); err != nil {
			t.Fatal(err)
		}
		var open []uint64
		s.DB.Model(&models.CrisisEvent{}).Where("handled_at IS NULL").Order("id").Pluck("id", &open)
		if diff := cmp.Diff([]uint64{3, 4}, open); diff != "" {
			t.Errorf("still open (-want +got):\n%s", diff)
		}
		if err := s.MarkCrisisHandled(ctx, 1, "bob", t0); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("handling a handled episode again: %v", err)
		}
	})
}
