package signup

import (
	"context"
	"errors"
	"fmt"

	"familybot/models"
)

// Request is one sign-up as a resident gave it.
type Request struct {
	EventID uint
	OpenID  string // the contact: who wrote
	Name    string // the attendee (adult events) or the accompanying guardian (children's events)
	Phone   string
	// Children's events only.
	ChildName      string // nickname, optional
	ChildAgeMonths int
	Consent        bool // the guardian agreed to the notice on children's details
}

// Result says what became of a sign-up.
type Result struct {
	Signup models.Signup
	Event  models.Event
	// Position is the place on the waitlist (waitlisted sign-ups only).
	Position int
	// Duplicate: the attendee was already signed up; Signup is that sign-up and nothing changed.
	Duplicate bool
}

// Confirmed reports a confirmed place.
func (r Result) Confirmed() bool { return r.Signup.Status == models.SignupConfirmed }

// Check validates a request against its event without signing up (the chat
// checks each answer as it comes). It returns the cleaned request.
func Check(ev models.Event, r Request) (Request, error) {
	var ok bool
	if r.Name, ok = ParseName(r.Name, 20); !ok {
		return r, models.Errorf(models.EINVALID, "姓名无效")
	}
	if r.Phone, ok = ParsePhone(r.Phone); !ok {
		return r, models.Errorf(models.EINVALID, "手机号无效")
	}
	if !ev.ForChild {
		r.ChildName, r.ChildAgeMonths, r.Consent = "", 0, false
		return r, nil
	}
	if !r.Consent {
		return r, ErrConsent
	}
	if r.ChildName != "" {
		if r.ChildName, ok = ParseName(r.ChildName, 12); !ok {
			return r, models.Errorf(models.EINVALID, "孩子的称呼无效")
		}
	}
	if !AgeFits(ev, r.ChildAgeMonths) {
		return r, ErrAgeRange
	}
	return r, nil
}

// Open reports why nobody can sign up for ev now (nil when they can).
func (s *Service) Open(ev models.Event) error {
	switch {
	case ev.Status == models.EventCancelled:
		return ErrEventCanceled
	case ev.Status != models.EventOpen:
		return ErrNotOpen
	case !s.Now.UTC().Before(ev.StartAt):
		return ErrStarted
	}
	return nil
}

// Join signs an attendee up. It confirms a place while there is one and nobody
// waits; otherwise it puts the attendee on the waitlist while that has room;
// otherwise ErrFull. Signing the same attendee up again returns the existing
// sign-up with Duplicate set and changes nothing. All of this is decided under
// the event's row lock, so it holds with any number of residents at once.
func (s *Service) Join(ctx context.Context, r Request) (Result, error) {
	defer s.UpcomingCache.Forget()
	ev, err := s.Store.GetEvent(ctx, r.EventID)
	if err != nil {
		return Result{}, notFound(err)
	}
	if err := s.Open(ev); err != nil {
		return Result{}, err
	}
	if r, err = Check(ev, r); err != nil {
		return Result{}, err
	}
	now := s.Now.UTC()
	su := models.Signup{
		EventID: ev.ID, OpenID: r.OpenID, Name: r.Name, Phone: r.Phone,
		AttendeeKey: AttendeeKey(ev.ForChild, r.Name, r.Phone, r.ChildName, r.ChildAgeMonths),
	}
	if ev.ForChild {
		su.ChildName, su.ChildAgeMonths = r.ChildName, r.ChildAgeMonths
		su.ConsentVersion, su.ConsentAt = models.ConsentVersion, &now
	}
	got, err := s.Store.JoinEvent(ctx, su, func(ev models.Event, n models.SignupCounts) (models.SignupStatus, error) {
		// Re-checked under the lock: the event may have been cancelled meanwhile.
		if err := s.Open(ev); err != nil {
			return "", err
		}
		if n.Mine >= MaxPerContact {
			return "", ErrTooMany
		}
		// Nobody jumps the queue: while anyone waits, newcomers wait too.
		if n.Confirmed < ev.Capacity && n.Waitlisted == 0 {
			return models.SignupConfirmed, nil
		}
		if n.Waitlisted < ev.WaitlistCap {
			return models.SignupWaitlisted, nil
		}
		return "", ErrFull
	})
	res := Result{Signup: got, Event: ev}
	switch {
	case errors.Is(err, models.ErrDuplicateSignup):
		res.Duplicate = true
	case models.IsCode(err, models.ECONFLICT) && !isOurs(err):
		// The unique key caught what the locked check should have: report the existing sign-up.
		res.Duplicate = true
		if res.Signup, err = s.findActive(ctx, ev.ID, su.AttendeeKey, r.OpenID); err != nil {
			return Result{}, err
		}
	case err != nil:
		return Result{}, notFound(err)
	}
	if res.Signup.Status == models.SignupWaitlisted {
		if res.Position, err = s.Store.WaitlistPosition(ctx, res.Signup); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

func isOurs(err error) bool {
	for _, e := range []error{ErrEventCanceled, ErrNotOpen, ErrStarted, ErrFull, ErrTooMany} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (s *Service) findActive(ctx context.Context, eventID uint, key, openID string) (models.Signup, error) {
	all, err := s.Store.ListSignups(ctx, eventID, models.SignupConfirmed, models.SignupWaitlisted)
	if err != nil {
		return models.Signup{}, err
	}
	for _, su := range all {
		if su.AttendeeKey == key {
			return su, nil
		}
	}
	return models.Signup{}, models.Errorf(models.ECONFLICT, "报名冲突，请稍后再试")
}

// Cancel cancels a resident's own sign-up (by its number, as shown in 我的报名).
// A confirmed place can be given up until the event's cancel deadline, a
// waitlist place until the start. The first waitlisted attendee is promoted in
// the same transaction and told through the outbox.
func (s *Service) Cancel(ctx context.Context, openID string, signupID uint64) (Result, error) {
	defer s.UpcomingCache.Forget()
	var ev models.Event
	before, _, err := s.Store.CancelSignup(ctx, signupID, models.CancelledByResident, func(e models.Event, su models.Signup) error {
		ev = e
		now := s.Now.UTC()
		switch {
		case su.OpenID != openID:
			return ErrNotYours
		case su.Active == nil || e.Status == models.EventCancelled:
			return ErrCancelled
		case su.Status == models.SignupConfirmed && now.After(e.CancelBy()):
			return ErrTooLate
		case !now.Before(e.StartAt):
			return ErrStarted
		}
		return nil
	}, nil, s.promotionNotice)
	if models.IsCode(err, models.ENOTFOUND) {
		return Result{}, ErrNotYours
	}
	if err != nil {
		return Result{Event: ev}, err // the event tells the deadline that was missed
	}
	before.Status = models.SignupCancelled
	return Result{Signup: before, Event: ev}, nil
}

// CancelByStaff cancels any active sign-up (e.g. at a parent's request by
// phone), promotes from the waitlist and tells the resident.
func (s *Service) CancelByStaff(ctx context.Context, signupID uint64, reason string) (models.Signup, error) {
	defer s.UpcomingCache.Forget()
	before, _, err := s.Store.CancelSignup(ctx, signupID, models.CancelledByStaff, func(e models.Event, su models.Signup) error {
		if su.Active == nil {
			return ErrCancelled
		}
		return nil
	}, func(ev models.Event, su models.Signup) models.Notice {
		text := fmt.Sprintf("【报名取消】工作人员已取消%s在「%s」（%s）的报名。", su.Attendee(), ev.Title, FormatWhen(ev))
		if reason != "" {
			text += "原因：" + reason + "。"
		}
		text += "有疑问请回复“人工”。"
		return s.resident(su, models.NoticeSignupCancelled, "", "活动报名取消", text, models.TemplateEventNotice)
	}, s.promotionNotice)
	if models.IsCode(err, models.ENOTFOUND) {
		return models.Signup{}, ErrNotYours
	}
	if err != nil {
		return models.Signup{}, err
	}
	before.Status = models.SignupCancelled
	return before, nil
}

// Entry is one of a resident's sign-ups, for 我的报名.
type Entry struct {
	Signup   models.Signup
	Event    models.Event
	Position int // waitlist place (waitlisted only)
}

// Mine lists a resident's sign-ups for events that have not ended, soonest first.
func (s *Service) Mine(ctx context.Context, openID string) ([]Entry, error) {
	sus, err := s.Store.ListSignupsByOpenID(ctx, openID, s.Now.UTC().AddDate(0, 0, -1))
	if err != nil {
		return nil, err
	}
	ids := make([]uint, 0, len(sus))
	for _, su := range sus {
		ids = append(ids, su.EventID)
	}
	evs, err := s.Store.GetEvents(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, su := range sus {
		ev := evs[su.EventID]
		if !ev.End().After(s.Now.UTC()) {
			continue
		}
		en := Entry{Signup: su, Event: ev}
		if su.Status == models.SignupWaitlisted {
			if en.Position, err = s.Store.WaitlistPosition(ctx, su); err != nil {
				return nil, err
			}
		}
		out = append(out, en)
	}
	return out, nil
}
