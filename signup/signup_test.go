package signup_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"familybot/models"
	"familybot/outbox"
	"familybot/signup"
	"familybot/store"
	"familybot/store/storetest"
)

var _ signup.Store = (*store.Store)(nil)

// clock is a settable fake clock shared by the service and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// monday10 is Monday 2025-06-02 10:00 in Beijing.
var monday10 = time.Date(2025, 6, 2, 10, 0, 0, 0, models.Beijing)

func newService(t *testing.T, st *store.Store) (*signup.Service, *clock) {
	t.Helper()
	clk := &clock{t: monday10}
	st.Now = func() time.Time { return clk.Now().UTC() }
	n := &outbox.Notifier{Store: st, Templates: map[models.TemplateKind]string{"reminder": "TPL-REMIND", "promotion": "TPL-PROMO"}}
	return &signup.Service{Store: st, Notify: n, Now: clk.Now}, clk
}

type eventOpt func(*models.Event)

func childEvent(lo, hi int) eventOpt {
	return func(e *models.Event) {
		e.ForChild, e.ChildAgeMinMonths, e.ChildAgeMaxMonths, e.Category = true, lo, hi, models.EventParentChild
	}
}

func mustEvent(t *testing.T, s *signup.Service, capacity, waitlist int, opts ...eventOpt) models.Event {
	t.Helper()
	start := monday10.AddDate(0, 0, 6).Add(-30 * time.Minute) // Sunday 09:30
	end := start.Add(90 * time.Minute)
	ev := models.Event{Title: "沟通之道家长课堂", Category: models.EventParentClass, StartAt: start, EndAt: &end,
		Place: "协会三楼活动室", Capacity: capacity, WaitlistCap: waitlist, Status: models.EventOpen}
	for _, o := range opts {
		o(&ev)
	}
	ev, err := s.CreateEvent(context.Background(), ev)
	if err != nil {
		t.Fatalf("create event: %v", err)
	}
	return ev
}

func adult(evID uint, openID, name, phone string) signup.Request {
	return signup.Request{EventID: evID, OpenID: openID, Name: name, Phone: phone}
}

func mustJoin(t *testing.T, s *signup.Service, r signup.Request) signup.Result {
	t.Helper()
	res, err := s.Join(context.Background(), r)
	if err != nil {
		t.Fatalf("join %+v: %v", r, err)
	}
	return res
}

func outboxByKey(t *testing.T, st *store.Store) map[string]models.OutboxMessage {
	t.Helper()
	var msgs []models.OutboxMessage
	if err := st.DB.Find(&msgs).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]models.OutboxMessage{}
	for _, m := range msgs {
		out[m.DedupKey] = m
	}
	return out
}

func TestJoinRules(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, clk := newService(t, st)
		ctx := context.Background()
		ev := mustEvent(t, s, 2, 1)
		kid := mustEvent(t, s, 5, 0, childEvent(12, 36))

		a := mustJoin(t, s, adult(ev.ID, "o1", "张三", "13800138000"))
		b := mustJoin(t, s, adult(ev.ID, "o1", "张三母亲", "13800138000")) // a second family member, same phone
		w := mustJoin(t, s, adult(ev.ID, "o2", "李四", "13900001111"))
		if !a.Confirmed() || !b.Confirmed() || w.Signup.Status != models.SignupWaitlisted || w.Position != 1 {
			t.Fatalf("a %s, b %s, w %s #%d", a.Signup.Status, b.Signup.Status, w.Signup.Status, w.Position)
		}
		dup := mustJoin(t, s, adult(ev.ID, "o3", " 张三 ", "138-0013-8000"))
		if !dup.Duplicate || dup.Signup.ID != a.Signup.ID {
			t.Fatalf("duplicate not recognised: %+v", dup)
		}

		errs := []struct {
			name string
			req  signup.Request
			want error
		}{
			{"full with full waitlist", adult(ev.ID, "o4", "王五", "13700000000"), signup.ErrFull},
			{"unknown event", adult(999, "o4", "王五", "13700000000"), signup.ErrNotFound},
			{"child without consent", signup.Request{EventID: kid.ID, OpenID: "o5", Name: "赵六", Phone: "13600000000", ChildName: "豆豆", ChildAgeMonths: 18}, signup.ErrConsent},
			{"child too young", signup.Request{EventID: kid.ID, OpenID: "o5", Name: "赵六", Phone: "13600000000", ChildName: "豆豆", ChildAgeMonths: 8, Consent: true}, signup.ErrAgeRange},
			{"child too old", signup.Request{EventID: kid.ID, OpenID: "o5", Name: "赵六", Phone: "13600000000", ChildName: "豆豆", ChildAgeMonths: 40, Consent: true}, signup.ErrAgeRange},
		}
		for _, tc := range errs {
			if _, err := s.Join(ctx, tc.req); !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			}
		}
		if _, err := s.Join(ctx, adult(kid.ID, "o5", "赵六", "1360000")); !models.IsCode(err, models.EINVALID) {
			t.Errorf("bad phone: %v", err)
		}

		// One contact may sign up MaxPerContact attendees, no more.
		for i := range signup.MaxPerContact {
			mustJoin(t, s, signup.Request{EventID: kid.ID, OpenID: "o6", Name: "孙七", Phone: "13500000000",
				ChildName: fmt.Sprint("宝宝", string(rune('甲'+i))), ChildAgeMonths: 20, Consent: true})
		}
		if _, err := s.Join(ctx, signup.Request{EventID: kid.ID, OpenID: "o6", Name: "孙七", Phone: "13500000000", ChildName: "宝宝戊", ChildAgeMonths: 20, Consent: true}); !errors.Is(err, signup.ErrTooMany) {
			t.Errorf("fifth sign-up of one contact: %v", err)
		}
		rows, _ := st.ListSignups(ctx, kid.ID)
		if rows[0].ConsentVersion != models.ConsentVersion || rows[0].ConsentAt == nil {
			t.Errorf("consent not recorded: %+v", rows[0])
		}

		// Drafts are not open; started events take nobody.
		draft := mustEvent(t, s, 5, 0, func(e *models.Event) { e.Status = models.EventDraft })
		if _, err := s.Join(ctx, adult(draft.ID, "o7", "周八", "13400000000")); !errors.Is(err, signup.ErrNotOpen) {
			t.Errorf("draft: %v", err)
		}
		clk.Set(ev.StartAt.Add(time.Minute))
		if _, err := s.Join(ctx, adult(ev.ID, "o7", "周八", "13400000000")); !errors.Is(err, signup.ErrStarted) {
			t.Errorf("started: %v", err)
		}
	})
}

func TestCancelPromotesAndNotifies(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, clk := newService(t, st)
		ctx := context.Background()
		deadline := monday10.AddDate(0, 0, 5) // Saturday 10:00
		ev := mustEvent(t, s, 1, 2, func(e *models.Event) { e.CancelDeadline = &deadline })
		a := mustJoin(t, s, adult(ev.ID, "oa", "张三", "13800138000"))
		w1 := mustJoin(t, s, adult(ev.ID, "ow1", "李四", "13900001111"))
		w2 := mustJoin(t, s, adult(ev.ID, "ow2", "王五", "13700000000"))

		if _, err := s.Cancel(ctx, "someone-else", a.Signup.ID); !errors.Is(err, signup.ErrNotYours) {
			t.Fatalf("cancel by a stranger: %v", err)
		}
		if _, err := s.Cancel(ctx, "oa", a.Signup.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, "oa", a.Signup.ID); !errors.Is(err, signup.ErrCancelled) {
			t.Fatalf("second cancel: %v", err)
		}
		got, _ := st.GetSignup(ctx, w1.Signup.ID)
		if got.Status != models.SignupConfirmed {
			t.Fatalf("first waitlisted not promoted: %s", got.Status)
		}
		msg, ok := outboxByKey(t, st)[fmt.Sprintf("promote:signup:%d", w1.Signup.ID)]
		if !ok || msg.To != "ow1" || msg.FallbackTemplate != "TPL-PROMO" || !strings.Contains(msg.Text, got.CheckinCode) || !strings.Contains(msg.Text, "候补成功") {
			t.Fatalf("promotion message: %+v", msg)
		}
		if pos, _ := st.WaitlistPosition(ctx, w2.Signup); pos != 1 {
			t.Fatalf("w2 now #%d, want 1", pos)
		}
		// Past the deadline a confirmed place can no longer be given up in the chat; a waitlist place can.
		clk.Set(deadline.Add(time.Minute))
		if _, err := s.Cancel(ctx, "ow1", w1.Signup.ID); !errors.Is(err, signup.ErrTooLate) {
			t.Fatalf("after deadline: %v", err)
		}
		if _, err := s.Cancel(ctx, "ow2", w2.Signup.ID); err != nil {
			t.Fatalf("waitlisted after deadline: %v", err)
		}
		// Staff can still cancel; the resident is told.
		if _, err := s.CancelByStaff(ctx, w1.Signup.ID, "临时有事"); err != nil {
			t.Fatal(err)
		}
		if _, ok := outboxByKey(t, st)[fmt.Sprintf("staffcancel:signup:%d", w1.Signup.ID)]; !ok {
			t.Fatal("no message about the staff cancellation")
		}
	})
}

func TestUpdateAndCancelEvent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, _ := newService(t, st)
		ctx := context.Background()
		ev := mustEvent(t, s, 1, 3)
		for i, name := range []string{"张三", "李四", "王五", "赵六"} {
			mustJoin(t, s, adult(ev.ID, fmt.Sprint("o", i), name, fmt.Sprintf("1380013800%d", i)))
		}
		if _, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.Capacity = 0; return nil }); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("capacity 0: %v", err)
		}
		// Two more places: the first two waiting are promoted and told.
		if _, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.Capacity = 3; return nil }); err != nil {
			t.Fatal(err)
		}
		v, _ := s.Event(ctx, ev.ID)
		if v.Confirmed != 3 || v.Waitlisted != 1 {
			t.Fatalf("after growing: %d confirmed, %d waiting", v.Confirmed, v.Waitlisted)
		}
		if _, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.Capacity = 2; return nil }); !models.IsCode(err, models.ECONFLICT) {
			t.Fatalf("shrinking below confirmed: %v", err)
		}
		n, err := s.CancelEvent(ctx, ev.ID, "场地维修")
		if err != nil || n != 4 {
			t.Fatalf("cancel event: %d, %v", n, err)
		}
		msgs := outboxByKey(t, st)
		cancels := 0
		for k, m := range msgs {
			if strings.HasPrefix(k, "eventcancel:") {
				cancels++
				if !strings.Contains(m.Text, "场地维修") {
					t.Errorf("notice lacks the reason: %q", m.Text)
				}
			}
		}
		if cancels != 4 {
			t.Fatalf("%d cancellation notices, want 4", cancels)
		}
		if _, err := s.CancelEvent(ctx, ev.ID, ""); !errors.Is(err, signup.ErrEventCanceled) {
			t.Fatalf("second cancel: %v", err)
		}
		if _, err := s.Join(ctx, adult(ev.ID, "new", "新人", "13300000000")); !errors.Is(err, signup.ErrEventCanceled) {
			t.Fatalf("join cancelled event: %v", err)
		}
	})
}

func TestCheckIn(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, clk := newService(t, st)
		ctx := context.Background()
		ev := mustEvent(t, s, 1, 1)
		a := mustJoin(t, s, adult(ev.ID, "oa", "张三", "13800138000"))
		w := mustJoin(t, s, adult(ev.ID, "ow", "李四", "13900001111"))

		// Days before the event neither the code at the door nor a scan checks anyone in.
		if _, err := s.CheckIn(ctx, ev.ID, a.Signup.CheckinCode); !errors.Is(err, signup.ErrNotNow) {
			t.Fatalf("code days before: %v", err)
		}
		if _, _, err := s.CheckInResident(ctx, ev.ID, "oa"); !errors.Is(err, signup.ErrNotNow) {
			t.Fatalf("scan days before: %v", err)
		}
		clk.Set(ev.StartAt.Add(-signup.CheckinEarly - time.Minute))
		if _, err := s.CheckIn(ctx, ev.ID, a.Signup.CheckinCode); !errors.Is(err, signup.ErrNotNow) {
			t.Fatalf("code a minute before the window: %v", err)
		}
		clk.Set(ev.StartAt.Add(-signup.CheckinEarly))
		if _, err := s.CheckIn(ctx, ev.ID, strings.ToLower(a.Signup.CheckinCode)); err != nil {
			t.Fatalf("check in by code: %v", err)
		}
		if _, err := s.CheckIn(ctx, ev.ID, a.Signup.CheckinCode); !errors.Is(err, signup.ErrCheckedIn) {
			t.Fatalf("twice: %v", err)
		}
		if _, err := s.CheckIn(ctx, ev.ID, w.Signup.CheckinCode); !errors.Is(err, signup.ErrNotConfirmed) {
			t.Fatalf("waitlisted: %v", err)
		}
		if _, err := s.CheckIn(ctx, ev.ID, "ZZZZZZ"); !errors.Is(err, signup.ErrNotYours) {
			t.Fatalf("unknown code: %v", err)
		}
		clk.Set(ev.StartAt.Add(-time.Hour))
		_, got, err := s.CheckInResident(ctx, ev.ID, "oa")
		if err != nil || len(got) != 1 || !got[0].Already {
			t.Fatalf("scan after code check-in: %+v, %v", got, err)
		}
		if _, _, err := s.CheckInResident(ctx, ev.ID, "ow"); !errors.Is(err, signup.ErrNotConfirmed) {
			t.Fatalf("waitlisted scan: %v", err)
		}
		stats, _ := s.Stats(ctx, ev.ID)
		if stats.CheckedIn != 1 || stats.Confirmed != 1 || stats.Attendance != 1 {
			t.Fatalf("stats %+v", stats)
		}
		clk.Set(ev.End().Add(time.Minute))
		if _, _, err := s.CheckInResident(ctx, ev.ID, "oa"); !errors.Is(err, signup.ErrNotNow) {
			t.Fatalf("scan after the end: %v", err)
		}
	})
}

func TestRosterMasksAndCSVExport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, _ := newService(t, st)
		ctx := context.Background()
		ev := mustEvent(t, s, 1, 1, childEvent(0, 36))
		mustJoin(t, s, signup.Request{EventID: ev.ID, OpenID: "oa", Name: "张三", Phone: "13912345678", ChildName: "豆豆", ChildAgeMonths: 18, Consent: true})
		mustJoin(t, s, signup.Request{EventID: ev.ID, OpenID: "ob", Name: "Lily", Phone: "13800000000", ChildName: "Bob", ChildAgeMonths: 30, Consent: true})
		// A hostile value straight in the database (as if typed in an admin form): must stay text.
		if err := st.DB.Model(&models.Signup{}).Where("open_id = ?", "ob").Update("name", "=HYPERLINK(\"http://x\")").Error; err != nil {
			t.Fatal(err)
		}
		rows, err := s.Roster(ctx, ev.ID, false)
		if err != nil || len(rows) != 2 || rows[0].Phone != "139****5678" || rows[1].Position != 1 {
			t.Fatalf("roster %+v, %v", rows, err)
		}
		var buf bytes.Buffer
		if err := s.ExportCSV(ctx, ev.ID, &buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
			t.Fatal("no UTF-8 byte-order mark")
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("csv: %v, %d records", err, len(recs))
		}
		if recs[0][3] != "家长姓名" || recs[1][4] != "13912345678" || recs[1][5] != "豆豆" || recs[1][6] != "18个月" || recs[1][7] == "" {
			t.Errorf("row 1: %q", recs[1])
		}
		if recs[2][3] != `'=HYPERLINK("http://x")` || recs[2][1] != "候补" || recs[2][7] != "" {
			t.Errorf("row 2 (neutralised, waitlisted, no code): %q", recs[2])
		}
	})
}

func TestRemindersOnceWithTwoCopies(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s1, clk := newService(t, st)
		s2 := &signup.Service{Store: st, Notify: s1.Notify, Now: clk.Now} // a second copy of the bot
		ctx := context.Background()
		ev := mustEvent(t, s1, 20, 5, func(e *models.Event) { e.Bring = "水杯、宝宝的备用尿布" })
		far := mustEvent(t, s1, 5, 0, func(e *models.Event) { e.StartAt = e.StartAt.AddDate(0, 0, 7); e.EndAt = nil })
		for i := range 25 {
			mustJoin(t, s1, adult(ev.ID, fmt.Sprint("o", i), "家长"+string(rune('甲'+i)), fmt.Sprintf("138%08d", i)))
		}
		mustJoin(t, s1, adult(far.ID, "ofar", "张三", "13800138000"))
		// Saturday 10:00: the event starts in 23.5 hours.
		clk.Set(ev.StartAt.Add(-23*time.Hour - 30*time.Minute))
		var wg sync.WaitGroup
		var n1, n2 int
		var e1, e2 error
		wg.Go(func() { n1, e1 = s1.SendReminders(ctx) })
		wg.Go(func() { n2, e2 = s2.SendReminders(ctx) })
		wg.Wait()
		if e1 != nil || e2 != nil {
			t.Fatal(e1, e2)
		}
		reminders := 0
		for k, m := range outboxByKey(t, st) {
			if strings.HasPrefix(k, "remind:") {
				reminders++
				if m.FallbackTemplate != "TPL-REMIND" || !strings.Contains(m.Text, "水杯") {
					t.Errorf("reminder %+v", m)
				}
			}
		}
		if n1+n2 != 20 || reminders != 20 {
			t.Fatalf("copies reminded %d+%d, outbox has %d; want 20 (confirmed only, once each)", n1, n2, reminders)
		}
		if n, _ := s1.SendReminders(ctx); n != 0 {
			t.Fatalf("run again: %d more", n)
		}
		// Moved a day later after the reminders went out: reminded again before the new time.
		if _, err := s1.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.StartAt = e.StartAt.AddDate(0, 0, 1); e.EndAt = nil; return nil }); err != nil {
			t.Fatal(err)
		}
		if n, _ := s1.SendReminders(ctx); n != 0 {
			t.Fatalf("reminded %d for a start two days away", n)
		}
		// Quiet hours: at 22:00 the new start is 35.5 hours away, so the reminders are
		// due, and still nothing is sent.
		clk.Set(time.Date(2025, 6, 7, 22, 0, 0, 0, models.Beijing))
		if n, _ := s1.SendReminders(ctx); n != 0 {
			t.Fatalf("quiet hours: %d", n)
		}
		clk.Set(ev.StartAt.AddDate(0, 0, 1).Add(-23*time.Hour - 30*time.Minute))
		if n, _ := s1.SendReminders(ctx); n != 20 {
			t.Fatalf("after the move %d reminders, want 20 (once more each)", n)
		}
	})
}

func TestPurgeChildDataWithFakeClock(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, clk := newService(t, st)
		ctx := context.Background()
		ev := mustEvent(t, s, 5, 0, childEvent(0, 36))
		res := mustJoin(t, s, signup.Request{EventID: ev.ID, OpenID: "oa", Name: "张三", Phone: "13912345678", ChildName: "豆豆", ChildAgeMonths: 18, Consent: true})
		clk.Set(ev.StartAt)
		if _, err := s.CheckIn(ctx, ev.ID, res.Signup.CheckinCode); err != nil {
			t.Fatal(err)
		}

		clk.Set(ev.End().AddDate(0, 0, signup.RetentionDays).Add(-time.Hour))
		if n, err := s.PurgeChildData(ctx); err != nil || n != 0 {
			t.Fatalf("before 30 days: purged %d, %v", n, err)
		}
		clk.Set(ev.End().AddDate(0, 0, signup.RetentionDays).Add(time.Hour))
		if n, err := s.PurgeChildData(ctx); err != nil || n != 1 {
			t.Fatalf("after 30 days: purged %d, %v", n, err)
		}
		got, _ := st.GetSignup(ctx, res.Signup.ID)
		if got.ChildName != "" || got.ChildAgeMonths != 0 || got.Name != "" || got.Phone != "" || got.PurgedAt == nil {
			t.Fatalf("details kept: %+v", got)
		}
		if stats, _ := s.Stats(ctx, ev.ID); stats.CheckedIn != 1 || stats.Confirmed != 1 {
			t.Fatalf("statistics lost: %+v", stats)
		}
	})
}
