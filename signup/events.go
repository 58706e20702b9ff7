package signup

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"familybot/models"
)

// CreateEvent validates and stores a new event. An empty status makes a draft;
// for children's events without an audience, one is written from the age range.
func (s *Service) CreateEvent(ctx context.Context, ev models.Event) (models.Event, error) {
	defer s.UpcomingCache.Forget()
	ev.ID = 0
	if ev.Status == "" {
		ev.Status = models.EventDraft
	}
	if ev.Category == "" {
		ev.Category = models.EventOther
	}
	if ev.ForChild && strings.TrimSpace(ev.Audience) == "" {
		ev.Audience = AgeRange(ev) + "宝宝及一位家长"
	}
	normalizeTimes(&ev)
	if err := ev.Validate(); err != nil {
		return models.Event{}, err
	}
	if !ev.StartAt.After(s.Now.UTC()) {
		return models.Event{}, models.Errorf(models.EINVALID, "开始时间已经过去了")
	}
	if err := s.Store.CreateEvent(ctx, &ev); err != nil {
		return models.Event{}, err
	}
	return ev, nil
}

func normalizeTimes(ev *models.Event) {
	ev.StartAt = ev.StartAt.UTC()
	if ev.EndAt != nil {
		t := ev.EndAt.UTC()
		ev.EndAt = &t
	}
	if ev.CancelDeadline != nil {
		t := ev.CancelDeadline.UTC()
		ev.CancelDeadline = &t
	}
}

// UpdateEvent changes an event: fn edits it; the result is validated under the
// event's lock. Capacity cannot drop below the confirmed sign-ups; when it grows,
// waitlisted sign-ups are promoted at once and told. When a published event's
// time or place changes, everyone signed up is told.
func (s *Service) UpdateEvent(ctx context.Context, id uint, fn func(ev *models.Event) error) (models.Event, error) {
	defer s.UpcomingCache.Forget()
	ev, _, err := s.Store.UpdateEvent(ctx, id, func(ev *models.Event, n models.SignupCounts) error {
		if ev.Status == models.EventCancelled {
			return ErrEventCanceled
		}
		if err := fn(ev); err != nil {
			return err
		}
		ev.ID = id
		normalizeTimes(ev)
		if err := ev.Validate(); err != nil {
			return err
		}
		if ev.Status == models.EventCancelled {
			return models.Errorf(models.EINVALID, "请用“取消活动”来取消，报名的居民才会收到通知")
		}
		if ev.Capacity < n.Confirmed {
			return models.Errorf(models.ECONFLICT, "名额不能少于已确认的 %d 人", n.Confirmed)
		}
		return nil
	}, s.promotionNotice, s.movedNotice)
	return ev, notFound(err)
}

// PublishEvent opens a draft for sign-up.
func (s *Service) PublishEvent(ctx context.Context, id uint) (models.Event, error) {
	defer s.UpcomingCache.Forget()
	return s.UpdateEvent(ctx, id, func(ev *models.Event) error {
		if !ev.StartAt.After(s.Now.UTC()) {
			return ErrStarted
		}
		ev.Status = models.EventOpen
		return nil
	})
}

// CancelEvent calls an event off and tells everyone signed up (through the
// outbox, after commit). It returns how many sign-ups were cancelled.
func (s *Service) CancelEvent(ctx context.Context, id uint, reason string) (int, error) {
	defer s.UpcomingCache.Forget()
	n, err := s.Store.CancelEvent(ctx, id, strings.TrimSpace(reason), func(ev models.Event, su models.Signup) models.Notice {
		text := fmt.Sprintf("【活动取消】很抱歉，「%s」（%s）取消了，%s的报名已自动取消。", ev.Title, FormatWhen(ev), su.Attendee())
		if r := strings.TrimSpace(reason); r != "" {
			text += "\n原因：" + r
		}
		text += "\n给您带来不便，敬请谅解。回复“活动”看看其他活动，有疑问请回复“人工”。"
		return s.resident(su, models.NoticeEventCancelled, "", "活动取消通知", text, models.TemplateEventNotice)
	})
	if models.IsCode(err, models.ECONFLICT) { // the only conflict: it was already called off
		return 0, ErrEventCanceled
	}
	return n, notFound(err)
}

// Event returns one event with its counts.
func (s *Service) Event(ctx context.Context, id uint) (EventView, error) {
	ev, err := s.Store.GetEvent(ctx, id)
	if err != nil {
		return EventView{}, notFound(err)
	}
	counts, err := s.Store.CountSignups(ctx, []uint{id})
	if err != nil {
		return EventView{}, err
	}
	return EventView{Event: ev, SignupCounts: counts[id]}, nil
}

// Upcoming lists the published events residents can still sign up for, soonest first.
func (s *Service) Upcoming(ctx context.Context, limit int) ([]EventView, error) {
	return s.UpcomingCache.Get(limit, func() ([]EventView, error) {
		evs, err := s.Store.ListEvents(ctx, s.Now.UTC(), []models.EventStatus{models.EventOpen}, limit)
		if err != nil {
			return nil, err
		}
		return s.views(ctx, evs)
	})
}

// ListEvents lists events for staff: all states, from `since` on (zero: from a month ago).
func (s *Service) ListEvents(ctx context.Context, since time.Time) ([]EventView, error) {
	if since.IsZero() {
		since = s.Now.UTC().AddDate(0, -1, 0)
	}
	evs, err := s.Store.ListEvents(ctx, since, nil, 0)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, evs)
}

func (s *Service) views(ctx context.Context, evs []models.Event) ([]EventView, error) {
	ids := make([]uint, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	counts, err := s.Store.CountSignups(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]EventView, len(evs))
	for i, ev := range evs {
		out[i] = EventView{Event: ev, SignupCounts: counts[ev.ID]}
	}
	return out, nil
}

// notFound turns the store's "event not found" into ErrNotFound.
func notFound(err error) error {
	if models.IsCode(err, models.ENOTFOUND) {
		return ErrNotFound
	}
	return err
}

// resident builds the notice to a sign-up's contact, with its template fallback.
func (s *Service) resident(su models.Signup, kind models.NoticeKind, variant, title, text string, tmpl models.TemplateKind) models.Notice {
	return s.Notify.ToResident(su.OpenID, tmpl, models.Notice{Kind: kind, About: models.SignupSubject(su.ID), Variant: variant,
		Title: title, Text: text})
}

// promotionNotice tells a resident their waitlisted sign-up got a place.
func (s *Service) promotionNotice(ev models.Event, su models.Signup) models.Notice {
	text := fmt.Sprintf("【候补成功】好消息！%s候补的「%s」有名额了，已为您确认报名。\n时间：%s\n地点：%s\n签到码：%s（到场时出示）\n不能参加请回复“取消报名 %d”，把名额让给其他家庭。",
		su.Attendee(), ev.Title, FormatWhen(ev), ev.Place, su.CheckinCode, su.ID)
	return s.resident(su, models.NoticePromoted, "", "活动报名确认", text, models.TemplatePromotion)
}

// movedNotice tells a resident that the event they signed up for has a new
// time or place.
func (s *Service) movedNotice(ev models.Event, su models.Signup) models.Notice {
	state := "已确认"
	if su.Status == models.SignupWaitlisted {
		state = "候补中"
	}
	text := fmt.Sprintf("【活动变更】您报名的「%s」时间或地点有调整，请以此为准：\n时间：%s\n地点：%s\n%s的报名仍然有效（%s）。不能参加请回复“取消报名 %d”，把名额让给其他家庭；有疑问请回复“人工”。",
		ev.Title, FormatWhen(ev), ev.Place, su.Attendee(), state, su.ID)
	return s.resident(su, models.NoticeEventMoved, strconv.FormatInt(ev.UpdatedAt.UnixNano(), 10), "活动变更通知", text, models.TemplateEventNotice)
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// FormatWhen shows when an event runs, in Beijing time: "6月8日（周六）09:30–11:00".
func FormatWhen(ev models.Event) string {
	st := ev.StartAt.In(models.Beijing)
	s := fmt.Sprintf("%d月%d日（%s）%s", st.Month(), st.Day(), weekdays[st.Weekday()], st.Format("15:04"))
	if ev.EndAt != nil {
		en := ev.EndAt.In(models.Beijing)
		if en.YearDay() == st.YearDay() && en.Year() == st.Year() {
			return s + "–" + en.Format("15:04")
		}
		return s + " 至 " + fmt.Sprintf("%d月%d日 %s", en.Month(), en.Day(), en.Format("15:04"))
	}
	return s
}

// FormatAge shows an age in months the way parents say it: "18个月", "2岁", "2岁半", "2岁3个月".
func FormatAge(months int) string {
	switch {
	case months < 24:
		return fmt.Sprintf("%d个月", months)
	case months%12 == 0:
		return fmt.Sprintf("%d岁", months/12)
	case months%12 == 6:
		return fmt.Sprintf("%d岁半", months/12)
	}
	return fmt.Sprintf("%d岁%d个月", months/12, months%12)
}

// AgeRange shows a children's event's age range: "1–3岁", "6–18个月", "3岁以上".
func AgeRange(ev models.Event) string {
	lo, hi := ev.ChildAgeMinMonths, ev.ChildAgeMaxMonths
	switch {
	case hi == 0 && lo == 0:
		return ""
	case hi == 0:
		return FormatAge(lo) + "以上"
	case lo%12 == 0 && hi%12 == 0:
		return fmt.Sprintf("%d–%d岁", lo/12, hi/12)
	}
	return fmt.Sprintf("%d–%d个月", lo, hi)
}

// AgeFits reports whether a child of the given age may join the event.
func AgeFits(ev models.Event, months int) bool {
	if months < ev.ChildAgeMinMonths {
		return false
	}
	return ev.ChildAgeMaxMonths == 0 || months <= ev.ChildAgeMaxMonths
}
