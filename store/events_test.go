package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"gorm.io/gorm"
)

var evT0 = time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC) // Monday 10:00 in Beijing

func evMustEvent(t *testing.T, s *store.Store, capacity, waitlist int, start time.Time) models.Event {
	t.Helper()
	ev := models.Event{Title: "向日葵亲子小屋", Category: models.EventParentChild, StartAt: start,
		Capacity: capacity, WaitlistCap: waitlist, Status: models.EventOpen}
	if err := s.CreateEvent(context.Background(), &ev); err != nil {
		t.Fatalf("create event: %v", err)
	}
	return ev
}

// evFIFO is the sign-up rule in its simplest form (the real one is signup.Service's).
func evFIFO(ev models.Event, n models.SignupCounts) (models.SignupStatus, error) {
	switch {
	case n.Confirmed < ev.Capacity && n.Waitlisted == 0:
		return models.SignupConfirmed, nil
	case n.Waitlisted < ev.WaitlistCap:
		return models.SignupWaitlisted, nil
	}
	return "", errors.New("full")
}

func evMustJoin(t *testing.T, s *store.Store, ev models.Event, key string) models.Signup {
	t.Helper()
	su, err := s.JoinEvent(context.Background(), models.Signup{EventID: ev.ID, OpenID: "o-" + key, AttendeeKey: key, Name: "张三", Phone: "13800138000"}, evFIFO)
	if err != nil {
		t.Fatalf("join %s: %v", key, err)
	}
	return su
}

func evNotice(kind string) models.SignupNotice {
	return func(ev models.Event, su models.Signup) models.Notice {
		return models.Notice{Kind: models.NoticeKind(kind + ":signup"), About: models.SignupSubject(su.ID), Channel: models.ChannelCustomer,
			To: []string{su.OpenID}, Text: kind}
	}
}

func evOutboxKeys(t *testing.T, s *store.Store) []string {
	t.Helper()
	var keys []string
	if err := s.DB.Model(&models.OutboxMessage{}).Order("dedup_key").Pluck("dedup_key", &keys).Error; err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestAttendeeUniqueKeyInDatabase(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ev := evMustEvent(t, s, 5, 0, evT0.Add(48*time.Hour))
		row := func(code string, active *bool) error {
			return s.DB.Create(&models.Signup{EventID: ev.ID, AttendeeKey: "k", Active: active, Status: models.SignupConfirmed, CheckinCode: code}).Error
		}
		if err := row("AAAAAA", new(true)); err != nil {
			t.Fatal(err)
		}
		// Bypassing the lock, the database itself refuses a second active row.
		if err := row("BBBBBB", new(true)); !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Fatalf("second active row: got %v, want ErrDuplicatedKey", err)
		}
		// Cancelled rows (active NULL) never collide, with each other or the active one.
		for _, code := range []string{"CCCCCC", "DDDDDD"} {
			if err := row(code, nil); err != nil {
				t.Fatalf("cancelled row: %v", err)
			}
		}
		// Check-in codes are unique per event.
		if err := s.DB.Create(&models.Signup{EventID: ev.ID, AttendeeKey: "other", Active: new(true), CheckinCode: "AAAAAA"}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Fatalf("same code twice: got %v", err)
		}
		// Migrating again (a restart) keeps the schema as it is.
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

func TestJoinDuplicateAndRejoinAfterCancel(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ev := evMustEvent(t, s, 2, 0, evT0.Add(48*time.Hour))
		first := evMustJoin(t, s, ev, "k1")
		if first.CheckinCode == "" || first.Status != models.SignupConfirmed {
			t.Fatalf("first = %+v", first)
		}
		dup, err := s.JoinEvent(ctx, models.Signup{EventID: ev.ID, AttendeeKey: "k1"}, evFIFO)
		if !errors.Is(err, models.ErrDuplicateSignup) || dup.ID != first.ID {
			t.Fatalf("duplicate: %v, %+v", err, dup)
		}
		if _, _, err := s.CancelSignup(ctx, first.ID, models.CancelledByResident, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		again := evMustJoin(t, s, ev, "k1")
		if again.ID == first.ID {
			t.Fatal("rejoin reused the cancelled row")
		}
		if _, _, err := s.CancelSignup(ctx, first.ID, models.CancelledByResident, nil, nil, nil); !models.IsCode(err, models.ECONFLICT) {
			t.Fatalf("second cancel: %v", err)
		}
	})
}

func TestCancelPromotesInSameTransaction(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ev := evMustEvent(t, s, 1, 2, time.Now().Add(48*time.Hour))
		a := evMustJoin(t, s, ev, "a")
		w1 := evMustJoin(t, s, ev, "w1")
		evMustJoin(t, s, ev, "w2")
		before, ups, err := s.CancelSignup(ctx, a.ID, models.CancelledByResident, nil, evNotice("cancelled"), evNotice("promote"))
		if err != nil {
			t.Fatal(err)
		}
		if before.Status != models.SignupConfirmed || len(ups) != 1 || ups[0].ID != w1.ID {
			t.Fatalf("before %s, promoted %+v", before.Status, ups)
		}
		got, _ := s.GetSignup(ctx, w1.ID)
		if got.Status != models.SignupConfirmed || got.PromotedAt == nil {
			t.Fatalf("w1 = %s", got.Status)
		}
		want := []string{fmt.Sprintf("cancelled:signup:%d", a.ID), fmt.Sprintf("promote:signup:%d", w1.ID)}
		if keys := evOutboxKeys(t, s); !slices.Equal(keys, want) {
			t.Fatalf("outbox %v, want %v", keys, want)
		}
	})
}

type evFailKey struct{}

// An error of the waitlist query must roll the whole cancellation back; it is
// never taken for "nobody is waiting".
func TestPromotionErrorRollsBack(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ev := evMustEvent(t, s, 1, 1, time.Now().Add(48*time.Hour))
		a := evMustJoin(t, s, ev, "a")
		w := evMustJoin(t, s, ev, "w")
		err := s.DB.Callback().Query().After("gorm:query").Register("test:fail_waitlist", func(db *gorm.DB) {
			if db.Statement.Context.Value(evFailKey{}) != nil && db.Statement.Table == "signups" &&
				slices.Contains(db.Statement.Vars, any(models.SignupWaitlisted)) {
				db.AddError(errors.New("injected fault"))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		failing := context.WithValue(ctx, evFailKey{}, true)
		if _, _, err := s.CancelSignup(failing, a.ID, models.CancelledByResident, nil, nil, evNotice("promote")); err == nil {
			t.Fatal("cancel succeeded although the promotion query failed")
		}
		for id, want := range map[uint64]models.SignupStatus{a.ID: models.SignupConfirmed, w.ID: models.SignupWaitlisted} {
			if got, _ := s.GetSignup(ctx, id); got.Status != want || got.Active == nil {
				t.Errorf("sign-up %d: %s, want %s (rolled back)", id, got.Status, want)
			}
		}
		if keys := evOutboxKeys(t, s); len(keys) != 0 {
			t.Errorf("outbox %v after rollback", keys)
		}
		// Without the fault the same cancellation goes through and promotes.
		if _, ups, err := s.CancelSignup(ctx, a.ID, models.CancelledByResident, nil, nil, evNotice("promote")); err != nil || len(ups) != 1 {
			t.Fatalf("cancel: %v, promoted %d", err, len(ups))
		}
	})
}

func TestRemindSignupsOnceAcrossCopies(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Now().Add(24 * time.Hour)
		ev := evMustEvent(t, s, 10, 5, start)
		for i := range 12 {
			evMustJoin(t, s, ev, fmt.Sprint("k", i))
		}
		later := evMustEvent(t, s, 10, 0, start.Add(72*time.Hour))
		evMustJoin(t, s, later, "later")
		var wg sync.WaitGroup
		counts := make([]int, 4)
		for i := range counts {
			wg.Go(func() {
				n, err := s.RemindSignups(ctx, time.Now().Add(12*time.Hour), time.Now().Add(36*time.Hour), evNotice("remind"))
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		total := 0
		for _, n := range counts {
			total += n
		}
		if total != 10 || len(evOutboxKeys(t, s)) != 10 {
			t.Fatalf("reminded %d (%v), outbox %d; want 10 (confirmed only, once)", total, counts, len(evOutboxKeys(t, s)))
		}
		if n, _ := s.RemindSignups(ctx, time.Now().Add(12*time.Hour), time.Now().Add(36*time.Hour), evNotice("remind")); n != 0 {
			t.Fatalf("second run reminded %d", n)
		}
	})
}

func TestPurgeSignups(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		old := evMustEvent(t, s, 5, 0, evT0)
		recent := evMustEvent(t, s, 5, 0, evT0.AddDate(0, 0, 20))
		for _, ev := range []models.Event{old, recent} {
			su, err := s.JoinEvent(ctx, models.Signup{EventID: ev.ID, AttendeeKey: "k", Name: "李四", Phone: "13900001111",
				ChildName: "豆豆", ChildAgeMonths: 18}, evFIFO)
			if err != nil {
				t.Fatal(err)
			}
			_ = su
		}
		n, err := s.PurgeSignups(ctx, evT0.AddDate(0, 0, 10))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want 1", n, err)
		}
		rows, _ := s.ListSignups(ctx, old.ID)
		if r := rows[0]; r.Name != "" || r.Phone != "" || r.ChildName != "" || r.ChildAgeMonths != 0 || r.AttendeeKey != "" || r.PurgedAt == nil || r.Status != models.SignupConfirmed {
			t.Fatalf("not purged: %+v", r)
		}
		rows, _ = s.ListSignups(ctx, recent.ID)
		if rows[0].ChildName != "豆豆" {
			t.Fatal("recent event purged too early")
		}
		if n, _ := s.PurgeSignups(ctx, evT0.AddDate(0, 0, 10)); n != 0 {
			t.Fatalf("second purge cleared %d", n)
		}
	})
}
