package staff_test

import (
	"context"
	"testing"
	"time"

	"familybot/models"
	"familybot/staff"
	"familybot/store"
	"familybot/store/storetest"
)

var (
	boss = models.Staff{UserID: "boss", Name: "李会长", Role: models.RoleAdmin}
	amy  = models.Staff{UserID: "amy", Name: "王艾米", Role: models.RoleStaff}
)

func newService(t *testing.T, s *store.Store, now *time.Time) *staff.Service {
	t.Helper()
	s.Now = func() time.Time { return *now }
	svc := &staff.Service{Store: s, Now: s.Now}
	for _, st := range []models.Staff{boss, amy} {
		if err := svc.Save(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	}
	return svc
}

// A session ends after SessionIdle without a request, and at once when its
// owner leaves the staff list; a request within the idle time keeps it going.
func TestSessionsEnd(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
		svc := newService(t, s, &now)
		if _, _, err := svc.Start(ctx, "nobody", "h0", "c0", ""); !models.IsCode(err, models.ENOTFOUND) {
			t.Fatalf("someone off the staff list logged in: %v", err)
		}
		if _, _, err := svc.Start(ctx, "amy", "h1", "c1", ""); err != nil {
			t.Fatal(err)
		}
		now = now.Add(staff.SessionIdle - time.Minute)
		if _, st, err := svc.Session(ctx, "h1"); err != nil || st.UserID != "amy" {
			t.Fatalf("session within the idle time: %v %v", st, err)
		}
		now = now.Add(staff.SessionIdle - time.Minute) // the request above kept it alive
		if _, _, err := svc.Session(ctx, "h1"); err != nil {
			t.Fatalf("session kept alive by use: %v", err)
		}
		now = now.Add(staff.SessionIdle + time.Minute)
		if _, _, err := svc.Session(ctx, "h1"); err == nil {
			t.Fatal("an idle session still works")
		}

		if _, _, err := svc.Start(ctx, "amy", "h2", "c2", "h1"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Remove(ctx, boss, "amy"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Session(ctx, "h2"); err == nil {
			t.Fatal("a removed colleague is still logged in")
		}
	})
}

// Nobody removes themselves, the last admin is never demoted, and a bad form
// is EINVALID.
func TestStaffListKeepsAnAdmin(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
		svc := newService(t, s, &now)
		if err := svc.Remove(ctx, boss, "boss"); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("removing oneself: %v", err)
		}
		demoted := boss
		demoted.Role = models.RoleStaff
		if err := svc.Save(ctx, demoted); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("demoting the last admin: %v", err)
		}
		if err := svc.Save(ctx, models.Staff{UserID: "x", Role: "owner"}); !models.IsCode(err, models.EINVALID) {
			t.Errorf("a bad role: %v", err)
		}
		names, err := svc.Names(ctx)
		if err != nil || names["boss"] != boss.Label() || names["amy"] != amy.Label() {
			t.Errorf("names = %v, %v", names, err)
		}
	})
}
