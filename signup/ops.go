package signup

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"familybot/models"
	"familybot/privacy"
)

// CheckIn checks a confirmed sign-up in by the code it shows (staff at the door).
// A second check-in returns the sign-up with ErrCheckedIn.
func (s *Service) CheckIn(ctx context.Context, eventID uint, code string) (models.Signup, error) {
	defer s.UpcomingCache.Forget()
	ev, err := s.Store.GetEvent(ctx, eventID)
	if err != nil {
		return models.Signup{}, notFound(err)
	}
	if err := CheckinOpen(ev, s.Now.UTC()); err != nil {
		return models.Signup{}, err
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	su, err := s.Store.FindSignupByCode(ctx, eventID, code)
	if err != nil {
		return models.Signup{}, ErrNotYours
	}
	if su.Status != models.SignupConfirmed {
		return su, ErrNotConfirmed
	}
	now := s.Now.UTC()
	ok, err := s.Store.MarkCheckedIn(ctx, su.ID, now)
	if err != nil {
		return su, err
	}
	if !ok {
		return su, ErrCheckedIn
	}
	su.CheckedInAt = &now
	return su, nil
}

// CheckinFrom and CheckinUntil bound when ev's attendees may check in.
func CheckinFrom(ev models.Event) time.Time  { return ev.StartAt.Add(-CheckinEarly) }
func CheckinUntil(ev models.Event) time.Time { return ev.End().Add(CheckinLate) }

// CheckinOpen says whether check-in is accepted for ev at now: ErrEventCanceled
// for a called-off event, ErrNotNow outside the window (staff at the door get
// the same answer as a resident scanning: a check-in days early would count
// someone who may never come).
func CheckinOpen(ev models.Event, now time.Time) error {
	switch {
	case ev.Status == models.EventCancelled:
		return ErrEventCanceled
	case ev.Status != models.EventOpen:
		return ErrNotOpen
	case now.Before(CheckinFrom(ev)) || now.After(CheckinUntil(ev)):
		return ErrNotNow
	}
	return nil
}

// Checkin is one sign-up a resident's scan checked in.
type Checkin struct {
	Signup  models.Signup
	Already bool // it had been checked in before
}

// CheckInResident checks in every confirmed sign-up the resident holds for the
// event (they scanned the event's QR code), around the event's time only.
func (s *Service) CheckInResident(ctx context.Context, eventID uint, openID string) (models.Event, []Checkin, error) {
	defer s.UpcomingCache.Forget()
	ev, err := s.Store.GetEvent(ctx, eventID)
	if err != nil {
		return ev, nil, notFound(err)
	}
	now := s.Now.UTC()
	if err := CheckinOpen(ev, now); err != nil {
		return ev, nil, err
	}
	all, err := s.Store.ListSignups(ctx, eventID, models.SignupConfirmed, models.SignupWaitlisted)
	if err != nil {
		return ev, nil, err
	}
	var out []Checkin
	waiting := false
	for _, su := range all {
		if su.OpenID != openID {
			continue
		}
		if su.Status != models.SignupConfirmed {
			waiting = true
			continue
		}
		ok, err := s.Store.MarkCheckedIn(ctx, su.ID, now)
		if err != nil {
			return ev, out, err
		}
		if ok {
			su.CheckedInAt = &now
		}
		out = append(out, Checkin{Signup: su, Already: !ok})
	}
	switch {
	case len(out) > 0:
		return ev, out, nil
	case waiting:
		return ev, nil, ErrNotConfirmed
	}
	return ev, nil, ErrNotYours
}

// RosterRow is one line of an event's list for staff.
type RosterRow struct {
	models.Signup
	Position int // waitlist place (waitlisted only)
}

// Roster lists an event's sign-ups in arrival order. Phone numbers are masked
// (139****5678) unless reveal is set; the admin records who revealed them.
func (s *Service) Roster(ctx context.Context, eventID uint, reveal bool) ([]RosterRow, error) {
	if _, err := s.Store.GetEvent(ctx, eventID); err != nil {
		return nil, notFound(err)
	}
	all, err := s.Store.ListSignups(ctx, eventID)
	if err != nil {
		return nil, err
	}
	out := make([]RosterRow, len(all))
	wait := 0
	for i, su := range all {
		if !reveal {
			su.Phone = privacy.MaskPhone(su.Phone)
		}
		out[i] = RosterRow{Signup: su}
		if su.Status == models.SignupWaitlisted {
			wait++
			out[i].Position = wait
		}
	}
	return out, nil
}

// StatusName is a sign-up state as staff read it.
func StatusName(status models.SignupStatus) string {
	switch status {
	case models.SignupConfirmed:
		return "已确认"
	case models.SignupWaitlisted:
		return "候补"
	case models.SignupCancelled:
		return "已取消"
	}
	return string(status)
}

// ExportCSV writes an event's roster as CSV for Excel: UTF-8 with a byte-order
// mark (Excel otherwise guesses GBK), full phone numbers (the only place they
// appear), and every cell that a spreadsheet could take for a formula (= + - @
// tab CR) prefixed with ' so it stays text.
func (s *Service) ExportCSV(ctx context.Context, eventID uint, w io.Writer) error {
	ev, err := s.Store.GetEvent(ctx, eventID)
	if err != nil {
		return notFound(err)
	}
	rows, err := s.Roster(ctx, eventID, true)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	head := []string{"报名号", "状态", "候补顺序", "姓名", "手机号"}
	if ev.ForChild {
		head = []string{"报名号", "状态", "候补顺序", "家长姓名", "手机号", "孩子称呼", "孩子年龄"}
	}
	head = append(head, "签到码", "签到时间", "报名时间")
	if err := cw.Write(head); err != nil {
		return err
	}
	clock := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(models.Beijing).Format("2006-01-02 15:04")
	}
	for _, r := range rows {
		pos := ""
		if r.Position > 0 {
			pos = strconv.Itoa(r.Position)
		}
		rec := []string{strconv.FormatUint(r.ID, 10), StatusName(r.Status), pos, r.Name, r.Phone}
		if ev.ForChild {
			age := ""
			if r.PurgedAt == nil {
				age = FormatAge(r.ChildAgeMonths)
			}
			rec = append(rec, r.ChildName, age)
		}
		code := ""
		if r.Status == models.SignupConfirmed {
			code = r.CheckinCode
		}
		created := r.CreatedAt
		rec = append(rec, code, clock(r.CheckedInAt), clock(&created))
		for i := range rec {
			rec[i] = CSVSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVSafe neutralises a cell a spreadsheet would run as a formula (OWASP CSV injection).
func CSVSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// Stats are an event's figures.
type Stats struct {
	EventID    uint    `json:"event_id"`
	Capacity   int     `json:"capacity"`
	Confirmed  int     `json:"confirmed"`
	Waitlisted int     `json:"waitlisted"`
	Cancelled  int     `json:"cancelled"`
	CheckedIn  int     `json:"checked_in"`
	Attendance float64 `json:"attendance"` // checked in / confirmed
}

// Stats returns an event's figures.
func (s *Service) Stats(ctx context.Context, eventID uint) (Stats, error) {
	v, err := s.Event(ctx, eventID)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{EventID: v.ID, Capacity: v.Capacity, Confirmed: v.Confirmed, Waitlisted: v.Waitlisted,
		Cancelled: v.Cancelled, CheckedIn: v.CheckedIn}
	if v.Confirmed > 0 {
		st.Attendance = float64(v.CheckedIn) / float64(v.Confirmed)
	}
	return st, nil
}

// SendReminders reminds each confirmed sign-up of the events starting between
// ReminderFrom and ReminderTo from now, once: the store claims every sign-up by a
// conditional update in the same transaction as the enqueue, so copies running at
// the same time share the work and nobody hears twice. Between QuietStart and
// QuietEnd (Beijing time) it sends nothing and returns 0. Outside WeChat's 48-hour
// window the outbox worker sends the configured "reminder" template instead.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	now := s.Now.UTC()
	if h := now.In(models.Beijing).Hour(); h >= QuietStart || h < QuietEnd {
		return 0, nil
	}
	return s.Store.RemindSignups(ctx, now.Add(ReminderFrom), now.Add(ReminderTo), func(ev models.Event, su models.Signup) models.Notice {
		var b strings.Builder
		fmt.Fprintf(&b, "【活动提醒】%s报名的「%s」快到了。\n时间：%s\n地点：%s\n", su.Attendee(), ev.Title, FormatWhen(ev), ev.Place)
		if ev.Bring != "" {
			fmt.Fprintf(&b, "请带上：%s\n", ev.Bring)
		}
		fmt.Fprintf(&b, "签到码：%s（到场出示，或扫现场二维码签到）\n不能参加请回复“取消报名 %d”，把名额让给候补的家庭。", su.CheckinCode, su.ID)
		return s.resident(su, models.NoticeReminder, strconv.FormatInt(ev.StartAt.Unix(), 10), "活动提醒", b.String(), models.TemplateReminder)
	})
}

// PurgeChildData removes the personal details of sign-ups (the child's nickname
// and age, the guardian's or attendee's name and phone) RetentionDays after their
// event ended, as the guardian was told. State, check-in and times stay for
// statistics. It returns how many sign-ups were cleared.
func (s *Service) PurgeChildData(ctx context.Context) (int, error) {
	defer s.UpcomingCache.Forget()
	return s.Store.PurgeSignups(ctx, s.Now.UTC().AddDate(0, 0, -RetentionDays))
}
