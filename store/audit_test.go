package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// A flood of failed logins from one client, from several copies at once, is one
// row per minute with the count; other clients and other minutes get their own.
func TestAuditSummaryAndFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 6, 6, 40, 5, 0, time.UTC)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				at := t0.Add(time.Duration(i) * time.Second) // 06:40:05 … 06:40:44
				errs <- s.AddAuditSummary(ctx, models.AuditLog{Actor: "anonymous", Action: "login.reject", Detail: "dev login with a wrong token", IP: "203.0.113.9", CreatedAt: at})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.AddAuditSummary(ctx, models.AuditLog{Actor: "anonymous", Action: "login.reject", IP: "203.0.113.9", CreatedAt: t0.Add(time.Minute)}))
		must(s.AddAuditSummary(ctx, models.AuditLog{Actor: "anonymous", Action: "login.reject", IP: "198.51.100.7", CreatedAt: t0}))
		must(s.AddAudit(ctx, models.AuditLog{Actor: "boss", Action: "wish.export", Object: "wishes", CreatedAt: t0.Add(2 * time.Hour)}))
		must(s.AddAudit(ctx, models.AuditLog{Actor: "amy", Action: "wish.view", Object: "wish:1", CreatedAt: t0.Add(-24 * time.Hour)}))

		all, total, err := s.FindAudit(ctx, models.AuditFilter{}, 0, 100)
		must(err)
		if total != 5 || len(all) != 5 {
			t.Fatalf("%d rows (total %d), want 5", len(all), total)
		}
		times := map[string]int{}
		for _, a := range all {
			times[a.IP+" "+a.CreatedAt.Format("15:04")] += a.Times
		}
		if times["203.0.113.9 06:40"] != 40 || times["203.0.113.9 06:41"] != 1 || times["198.51.100.7 06:40"] != 1 || all[0].Times != 1 || all[1].Times != 1 {
			t.Errorf("summary counts = %v", times)
		}
		count := func(f models.AuditFilter, offset, limit int) (int, int64) {
			t.Helper()
			rows, total, err := s.FindAudit(ctx, f, offset, limit)
			must(err)
			return len(rows), total
		}
		for _, c := range []struct {
			name  string
			f     models.AuditFilter
			total int64
		}{
			{"who", models.AuditFilter{Actor: "boss"}, 1},
			{"what", models.AuditFilter{Action: "login.reject"}, 3},
			{"what group", models.AuditFilter{Action: "wish."}, 2},
			{"from", models.AuditFilter{From: t0.Truncate(time.Hour)}, 4},
			{"to", models.AuditFilter{To: t0.Truncate(time.Hour)}, 1},
			{"all three", models.AuditFilter{Actor: "anonymous", Action: "login.reject", From: t0.Add(30 * time.Second)}, 1},
		} {
			if _, got := count(c.f, 0, 10); got != c.total {
				t.Errorf("%s: %d rows, want %d", c.name, got, c.total)
			}
		}
		if n, total := count(models.AuditFilter{}, 4, 2); n != 1 || total != 5 {
			t.Errorf("last page: %d rows of %d", n, total)
		}
	})
}
