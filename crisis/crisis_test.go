package crisis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"familybot/crisis"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

var amy = models.Staff{UserID: "amy", Name: "王艾米", Role: models.RoleStaff}

func newService(t *testing.T, s *store.Store, now *time.Time) *crisis.Service {
	t.Helper()
	s.Now = func() time.Time { return *now }
	if err := s.RecordCrisis(context.Background(), models.CrisisEvent{OpenID: "o9", Kind: "suicide", Person: "self",
		Episode: "ep-9", Text: "不想活了", CreatedAt: *now}); err != nil {
		t.Fatal(err)
	}
	return &crisis.Service{Store: s, Association: "测试市计生协", Now: s.Now}
}

func problemField(err error) string {
	if p, ok := errors.AsType[*crisis.Problem](err); ok {
		return p.Field
	}
	return ""
}

// Closing a self-harm episode asks what was done and that the resident is
// safe; closing it twice changes nothing the second time.
func TestCloseAsksWhatWasDoneAndSafety(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
		svc := newService(t, s, &now)
		if _, err := svc.Close(ctx, 1, amy, "  ", true); problemField(err) != "close" {
			t.Errorf("closing without a note: %v", err)
		}
		if _, err := svc.Close(ctx, 1, amy, "已电话联系", false); problemField(err) != "safe" {
			t.Errorf("closing a self-harm case without 已确认居民目前安全: %v", err)
		}
		cl, err := svc.Close(ctx, 1, amy, "已电话联系", true)
		if err != nil || cl.Already || !cl.SelfHarm || cl.Text != "已电话联系 已确认居民目前安全" {
			t.Fatalf("close = %+v, %v", cl, err)
		}
		if n, _ := svc.OpenCount(ctx); n != 0 {
			t.Errorf("%d crisis messages still open", n)
		}
		if cl, err := svc.Close(ctx, 1, amy, "又处理了一次", true); err != nil || !cl.Already {
			t.Errorf("closing again = %+v, %v", cl, err)
		}
		eps, err := svc.Episodes(ctx, 100)
		if err != nil || len(eps) != 1 || eps[0].Open || len(eps[0].Notes) != 1 || eps[0].Notes[0].By != amy.Label() {
			t.Errorf("episodes = %+v, %v", eps, err)
		}
	})
}

// A reply goes out once however often it is tapped, carries the emergency
// lines, and cannot be sent once WeChat's 48 hours are over.
func TestReplyWithinTheWindow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
		svc := newService(t, s, &now)
		if _, err := svc.Reply(ctx, 1, amy, ""); problemField(err) != "text" {
			t.Errorf("an empty reply: %v", err)
		}
		if _, err := svc.Reply(ctx, 1, amy, strings.Repeat("长", crisis.MaxText+1)); problemField(err) != "text" {
			t.Errorf("a reply too long: %v", err)
		}
		for range 2 {
			if _, err := svc.Reply(ctx, 1, amy, "您好，我是协会的小王。"); err != nil {
				t.Fatal(err)
			}
		}
		queued, err := s.ListOutbox(ctx, models.OutboxPending, 10)
		if err != nil || len(queued) != 1 || queued[0].To != "o9" || !strings.Contains(queued[0].Text, "12356") {
			t.Fatalf("queued = %+v, %v", queued, err)
		}
		now = now.Add(crisis.CustomerWindow)
		if _, err := svc.Reply(ctx, 1, amy, "还好吗？"); problemField(err) != "text" {
			t.Errorf("a reply after 48 hours: %v", err)
		}
		if _, err := svc.Reply(ctx, 99, amy, "还好吗？"); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("a reply to no crisis message: %v", err)
		}
	})
}
