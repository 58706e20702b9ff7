// Package report computes the association's service report for a period: the
// figures it sends upward each month, quarter and year (events held, people
// served, consultations, wishes answered, crisis messages, knowledge work). It
// reads through the small Source interface it declares, so it knows nothing of
// HTTP or SQL; the admin page, the .xlsx file and `familybot report` all use it.
package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"
)

const dayLayout = "2006-01-02"

// Source is what the report reads. Times are UTC instants; from is included, to excluded.
type Source interface {
	// MessageCounts counts residents' text and voice messages by route and category.
	MessageCounts(ctx context.Context, from, to time.Time) ([]RouteCount, error)
	// DistinctResidents counts residents who sent at least one text or voice message.
	DistinctResidents(ctx context.Context, from, to time.Time) (int, error)
	// TopAnswered lists the knowledge entries answered most often, with their titles.
	TopAnswered(ctx context.Context, from, to time.Time, n int) ([]Count, error)
	// TopUnanswered lists the questions most often left to the fallback.
	TopUnanswered(ctx context.Context, from, to time.Time, n int) ([]Count, error)
	// SignupsMade returns every sign-up made in the period, whatever became of it.
	SignupsMade(ctx context.Context, from, to time.Time) ([]SignupRow, error)
	// EventsHeld returns the events, not cancelled, that started in the period.
	EventsHeld(ctx context.Context, from, to time.Time) ([]models.Event, error)
	// WishesTouched returns wishes made, accepted, finished or rated in the period (text left out).
	WishesTouched(ctx context.Context, from, to time.Time) ([]models.Wish, error)
	// WishesAnsweredBefore counts every wish that got an answer (a reply, 办结 or 不予受理) before to.
	WishesAnsweredBefore(ctx context.Context, to time.Time) (int, error)
	// CrisisEvents returns the crisis messages of the period (kind and times only).
	CrisisEvents(ctx context.Context, from, to time.Time) ([]models.CrisisEvent, error)
	// AuditCounts counts audit-log rows by action.
	AuditCounts(ctx context.Context, from, to time.Time, actions []string) (map[string]int, error)
	// KBReviews counts the doctors' reviews recorded.
	KBReviews(ctx context.Context, from, to time.Time) (int, error)
}

// RouteCount is one cell of the message table.
type RouteCount struct {
	Route    models.Route
	Category string
	N        int
}

// SignupRow is what the report needs of one sign-up (no name, no phone).
type SignupRow struct {
	OpenID         string
	Status         models.SignupStatus
	Promoted       bool
	CheckedIn      bool
	EventEnded     bool // the event is over: a confirmed place without check-in is a no-show
	ChildAgeMonths int  // 0 for adult events or once the child's details were purged
}

// Count is a labelled number.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Period is the report's span in Beijing dates, to inclusive.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Label names it for people: 2026年11月, 2026年第4季度, 2026年, or the two dates.
	Label string `json:"label"`
}

// Report is every figure of one period.
type Report struct {
	Period    Period    `json:"period"`
	Events    Events    `json:"events"`
	Wishes    Wishes    `json:"wishes"`
	Messages  Messages  `json:"messages"`
	Residents Residents `json:"residents"`
	Crisis    Crisis    `json:"crisis"`
	Knowledge Knowledge `json:"knowledge"`
	// Months are the twelve months up to the period's end, for month-on-month charts.
	Months []Month `json:"months"`
}

// Events: sign-ups are those made in the period whatever became of them;
// confirmed, checked_in, no_shows, waitlist_promoted and cancelled are parts of them.
type Events struct {
	Held             int      `json:"held"`
	HeldByCategory   []Count  `json:"held_by_category"`
	Signups          int      `json:"signups"`
	Confirmed        int      `json:"confirmed"`
	CheckedIn        int      `json:"checked_in"`
	CheckinRate      *float64 `json:"checkin_rate"` // checked in ÷ confirmed places at events already over
	NoShows          int      `json:"no_shows"`
	WaitlistPromoted int      `json:"waitlist_promoted"`
	Cancelled        int      `json:"cancelled"`
}

// Wishes: received are made in the period, answered are those of them that got
// a reply, 办结 or 不予受理; accepted, finished, rejected and ratings happened in the period.
type Wishes struct {
	Received            int      `json:"received"`
	Answered            int      `json:"answered"`
	Accepted            int      `json:"accepted"`
	Finished            int      `json:"finished"`
	Rejected            int      `json:"rejected"`
	MedianHoursToAccept *float64 `json:"median_hours_to_accept"`
	MedianDaysToFinish  *float64 `json:"median_days_to_finish"`
	AcceptedOnTime      int      `json:"accepted_on_time"` // within 3 days (wishwall.AcceptWithin)
	FinishedOnTime      int      `json:"finished_on_time"` // within 15 days (wishwall.FinishWithin)
	AnsweredTotal       int      `json:"answered_total"`   // since the service started, up to the period's end
	AvgRating           *float64 `json:"avg_rating"`
	Ratings             [5]int   `json:"ratings"`         // how many 1, 2, 3, 4 and 5 stars
	LowRatings          int      `json:"low_ratings"`     // 3 stars or fewer: staff follow these up
	LowFollowedUp       int      `json:"low_followed_up"` // of those, called back (记录回访)
}

// Messages: total is every text and voice message residents sent; answered by
// the FAQ, a keyword rule, a command or a flow; unanswered got the fallback;
// crisis got the crisis reply; small talk counts in total only.
type Messages struct {
	Total         int      `json:"total"`
	Answered      int      `json:"answered"`
	Unanswered    int      `json:"unanswered"`
	Crisis        int      `json:"crisis"`
	SmallTalk     int      `json:"small_talk"`
	AnsweredRate  *float64 `json:"answered_rate"` // answered ÷ (answered + unanswered)
	ByArea        []Count  `json:"by_area"`       // answered FAQ questions by area
	TopAnswered   []Count  `json:"top_answered"`
	TopUnanswered []Count  `json:"top_unanswered"`
}

// Residents served.
type Residents struct {
	Distinct      int     `json:"distinct"` // sent at least one message
	Families      int     `json:"families"` // signed up for at least one event
	ChildrenByAge []Count `json:"children_by_age"`
}

// Crisis messages.
type Crisis struct {
	Total                 int      `json:"total"`
	ByKind                []Count  `json:"by_kind"`
	Unhandled             int      `json:"unhandled"`
	MedianMinutesToHandle *float64 `json:"median_minutes_to_handle"`
}

// Knowledge work.
type Knowledge struct {
	Added    int `json:"added"`
	Edited   int `json:"edited"`
	Reviewed int `json:"reviewed"`
}

// Month is one month of the month-on-month series.
type Month struct {
	Month      string `json:"month"` // 2026-11
	Messages   int    `json:"messages"`
	Answered   int    `json:"answered"`
	Unanswered int    `json:"unanswered"`
	Signups    int    `json:"signups"`
	Wishes     int    `json:"wishes"`
}

// Routes as the report counts them.
var (
	answeredRoutes = map[models.Route]bool{models.RouteFAQ: true, models.RouteKeyword: true, models.RouteCommand: true, models.RouteFlow: true}
)

// The wish service's promises (wishwall: 3 days to accept, 15 to finish).
const (
	acceptWithin = 3 * 24 * time.Hour
	finishWithin = 15 * 24 * time.Hour
	lowRating    = 3 // a rating at or below this is low
)

// ParsePeriod reads from and to as Beijing dates (to inclusive).
func ParsePeriod(from, to string) (Period, time.Time, time.Time, error) {
	f, err1 := time.ParseInLocation(dayLayout, from, models.Beijing)
	t, err2 := time.ParseInLocation(dayLayout, to, models.Beijing)
	if err1 != nil || err2 != nil {
		return Period{}, time.Time{}, time.Time{}, models.Errorf(models.EINVALID, "日期请写成 2026-11-01 这样的格式。")
	}
	if t.Before(f) {
		return Period{}, time.Time{}, time.Time{}, models.Errorf(models.EINVALID, "结束日期不能早于开始日期。")
	}
	if t.Sub(f) > 3*366*24*time.Hour {
		return Period{}, time.Time{}, time.Time{}, models.Errorf(models.EINVALID, "一次最多统计三年。")
	}
	p := Period{From: f.Format(dayLayout), To: t.Format(dayLayout)}
	p.Label = label(f, t)
	return p, f.UTC(), t.AddDate(0, 0, 1).UTC(), nil
}

// label names a whole month, quarter or year as people say it.
func label(f, t time.Time) string {
	end := t.AddDate(0, 0, 1)
	switch {
	case f.Day() == 1 && end.Equal(f.AddDate(0, 1, 0)):
		return fmt.Sprintf("%d年%d月", f.Year(), f.Month())
	case f.Day() == 1 && (f.Month()-1)%3 == 0 && end.Equal(f.AddDate(0, 3, 0)):
		return fmt.Sprintf("%d年第%d季度", f.Year(), (f.Month()-1)/3+1)
	case f.YearDay() == 1 && end.Equal(f.AddDate(1, 0, 0)):
		return fmt.Sprintf("%d年", f.Year())
	}
	return f.Format("2006年1月2日") + "—" + t.Format("2006年1月2日")
}

// MonthPeriod, QuarterPeriod and YearPeriod give the from and to dates of the
// month, quarter or year containing day (a Beijing date).
func MonthPeriod(day time.Time) (string, string) {
	d := day.In(models.Beijing)
	f := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, models.Beijing)
	return f.Format(dayLayout), f.AddDate(0, 1, -1).Format(dayLayout)
}

// QuarterPeriod: see MonthPeriod.
func QuarterPeriod(day time.Time) (string, string) {
	d := day.In(models.Beijing)
	f := time.Date(d.Year(), (d.Month()-1)/3*3+1, 1, 0, 0, 0, 0, models.Beijing)
	return f.Format(dayLayout), f.AddDate(0, 3, -1).Format(dayLayout)
}

// YearPeriod: see MonthPeriod.
func YearPeriod(day time.Time) (string, string) {
	d := day.In(models.Beijing)
	f := time.Date(d.Year(), 1, 1, 0, 0, 0, 0, models.Beijing)
	return f.Format(dayLayout), f.AddDate(1, 0, -1).Format(dayLayout)
}

// Build computes the report for [from, to] (Beijing dates, to inclusive).
func Build(ctx context.Context, src Source, from, to string) (Report, error) {
	p, start, end, err := ParsePeriod(from, to)
	if err != nil {
		return Report{}, err
	}
	r := Report{Period: p}
	steps := []func() error{
		func() error { return r.messages(ctx, src, start, end) },
		func() error { return r.events(ctx, src, start, end) },
		func() error { return r.wishes(ctx, src, start, end) },
		func() error { return r.crisis(ctx, src, start, end) },
		func() error { return r.knowledge(ctx, src, start, end) },
		func() error { return r.months(ctx, src, end) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Report{}, err
		}
	}
	return r, nil
}

var areaNames = map[string]string{
	models.CatParenting: "科学育儿", models.CatAdolescent: "青春健康", models.CatElderly: "老年保健", models.CatService: "协会服务",
}

func (r *Report) messages(ctx context.Context, src Source, from, to time.Time) error {
	counts, err := src.MessageCounts(ctx, from, to)
	if err != nil {
		return err
	}
	m := &r.Messages
	byArea := map[string]int{}
	for _, c := range counts {
		m.Total += c.N
		switch {
		case answeredRoutes[c.Route]:
			m.Answered += c.N
			if c.Route == models.RouteFAQ && c.Category != "" {
				byArea[c.Category] += c.N
			}
		case c.Route == models.RouteFallback:
			m.Unanswered += c.N
		case c.Route == models.RouteCrisis:
			m.Crisis += c.N
		case c.Route == models.RouteChat: // small talk and feelings: in the total only
			m.SmallTalk += c.N
		}
	}
	m.AnsweredRate = ratio(m.Answered, m.Answered+m.Unanswered)
	for _, cat := range []string{models.CatParenting, models.CatAdolescent, models.CatElderly, models.CatService} {
		m.ByArea = append(m.ByArea, Count{Label: areaNames[cat], N: byArea[cat]})
	}
	if m.TopAnswered, err = src.TopAnswered(ctx, from, to, 10); err != nil {
		return err
	}
	if m.TopUnanswered, err = src.TopUnanswered(ctx, from, to, 10); err != nil {
		return err
	}
	for i := range m.TopUnanswered { // the log masks numbers too; a report is printed and passed on
		m.TopUnanswered[i].Label = privacy.Mask(m.TopUnanswered[i].Label)
	}
	r.Residents.Distinct, err = src.DistinctResidents(ctx, from, to)
	return err
}

var ageBands = []struct {
	label string
	max   int // months, exclusive
}{{"1岁以下", 12}, {"1–2岁", 24}, {"2–3岁", 36}, {"3–6岁", 72}, {"6岁及以上", 1 << 30}}

func (r *Report) events(ctx context.Context, src Source, from, to time.Time) error {
	held, err := src.EventsHeld(ctx, from, to)
	if err != nil {
		return err
	}
	e := &r.Events
	byCat := map[string]int{}
	for _, ev := range held {
		e.Held++
		byCat[ev.Category]++
	}
	for _, code := range []string{models.EventParentChild, models.EventParentClass, models.EventYouth, models.EventElderly, models.EventClinic, models.EventMemberDay, models.EventOther} {
		if byCat[code] > 0 {
			e.HeldByCategory = append(e.HeldByCategory, Count{Label: models.EventCategories[code], N: byCat[code]})
		}
	}
	rows, err := src.SignupsMade(ctx, from, to)
	if err != nil {
		return err
	}
	families := map[string]bool{}
	bands := make([]int, len(ageBands))
	endedConfirmed, endedChecked := 0, 0
	for _, s := range rows {
		e.Signups++
		families[s.OpenID] = true
		if s.Promoted {
			e.WaitlistPromoted++
		}
		switch s.Status {
		case models.SignupCancelled:
			e.Cancelled++
		case models.SignupConfirmed:
			e.Confirmed++
			if s.CheckedIn {
				e.CheckedIn++
			}
			if s.EventEnded {
				endedConfirmed++
				if s.CheckedIn {
					endedChecked++
				} else {
					e.NoShows++
				}
			}
		}
		if s.ChildAgeMonths > 0 && s.Status != models.SignupCancelled {
			for i, b := range ageBands {
				if s.ChildAgeMonths < b.max {
					bands[i]++
					break
				}
			}
		}
	}
	e.CheckinRate = ratio(endedChecked, endedConfirmed)
	r.Residents.Families = len(families)
	for i, b := range ageBands {
		r.Residents.ChildrenByAge = append(r.Residents.ChildrenByAge, Count{Label: b.label, N: bands[i]})
	}
	return nil
}

func in(t *time.Time, from, to time.Time) bool {
	return t != nil && !t.Before(from) && t.Before(to)
}

func (r *Report) wishes(ctx context.Context, src Source, from, to time.Time) error {
	list, err := src.WishesTouched(ctx, from, to)
	if err != nil {
		return err
	}
	w := &r.Wishes
	var toAccept, toFinish []float64
	sum := 0
	for _, x := range list {
		created := x.CreatedAt
		if in(&created, from, to) {
			w.Received++
			if x.ReplyCount > 0 || x.FinishedAt != nil {
				w.Answered++
			}
		}
		if in(x.AcceptedAt, from, to) {
			w.Accepted++
			d := x.AcceptedAt.Sub(x.CreatedAt)
			toAccept = append(toAccept, d.Hours())
			if d <= acceptWithin {
				w.AcceptedOnTime++
			}
		}
		if in(x.FinishedAt, from, to) {
			switch x.Status {
			case models.WishDone:
				w.Finished++
				d := x.FinishedAt.Sub(x.CreatedAt)
				toFinish = append(toFinish, d.Hours()/24)
				if d <= finishWithin {
					w.FinishedOnTime++
				}
			case models.WishRejected:
				w.Rejected++
			}
		}
		if in(x.RatedAt, from, to) && x.Rating >= 1 && x.Rating <= 5 {
			w.Ratings[x.Rating-1]++
			sum += x.Rating
			if x.Rating <= lowRating {
				w.LowRatings++
				if x.FollowedUpAt != nil {
					w.LowFollowedUp++
				}
			}
		}
	}
	n := 0
	for _, c := range w.Ratings {
		n += c
	}
	if n > 0 {
		avg := float64(sum) / float64(n)
		w.AvgRating = &avg
	}
	w.MedianHoursToAccept, w.MedianDaysToFinish = median(toAccept), median(toFinish)
	w.AnsweredTotal, err = src.WishesAnsweredBefore(ctx, to)
	return err
}

var crisisNames = map[string]string{string(knowledge.CrisisMedical): "可能急症", string(knowledge.CrisisSuicide): "自伤风险",
	string(knowledge.CrisisChildAbuse): "儿童受侵害", string(knowledge.CrisisViolence): "家庭暴力"}

func (r *Report) crisis(ctx context.Context, src Source, from, to time.Time) error {
	list, err := src.CrisisEvents(ctx, from, to)
	if err != nil {
		return err
	}
	c := &r.Crisis
	by := map[string]int{}
	var minutes []float64
	for _, e := range list {
		c.Total++
		by[e.Kind]++
		if e.HandledAt == nil {
			c.Unhandled++
		} else {
			minutes = append(minutes, e.HandledAt.Sub(e.CreatedAt).Minutes())
		}
	}
	for _, k := range []knowledge.CrisisKind{knowledge.CrisisSuicide, knowledge.CrisisChildAbuse, knowledge.CrisisViolence, knowledge.CrisisMedical} {
		c.ByKind = append(c.ByKind, Count{Label: crisisNames[string(k)], N: by[string(k)]})
	}
	for k, n := range by {
		if crisisNames[k] == "" {
			c.ByKind = append(c.ByKind, Count{Label: k, N: n})
		}
	}
	c.MedianMinutesToHandle = median(minutes)
	return nil
}

func (r *Report) knowledge(ctx context.Context, src Source, from, to time.Time) error {
	n, err := src.AuditCounts(ctx, from, to, []string{"kb.entry.create", "kb.entry.save", "kb.entry.append"})
	if err != nil {
		return err
	}
	r.Knowledge.Added = n["kb.entry.create"]
	r.Knowledge.Edited = n["kb.entry.save"] + n["kb.entry.append"]
	r.Knowledge.Reviewed, err = src.KBReviews(ctx, from, to)
	return err
}

// months fills the twelve months that end with the one containing end-1.
func (r *Report) months(ctx context.Context, src Source, end time.Time) error {
	last := end.Add(-time.Nanosecond).In(models.Beijing)
	first := time.Date(last.Year(), last.Month()-11, 1, 0, 0, 0, 0, models.Beijing)
	for i := 0; i < 12; i++ {
		f := first.AddDate(0, i, 0)
		t := f.AddDate(0, 1, 0)
		m := Month{Month: f.Format("2006-01")}
		counts, err := src.MessageCounts(ctx, f.UTC(), t.UTC())
		if err != nil {
			return err
		}
		for _, c := range counts {
			m.Messages += c.N
			if answeredRoutes[c.Route] {
				m.Answered += c.N
			} else if c.Route == models.RouteFallback {
				m.Unanswered += c.N
			}
		}
		su, err := src.SignupsMade(ctx, f.UTC(), t.UTC())
		if err != nil {
			return err
		}
		m.Signups = len(su)
		ws, err := src.WishesTouched(ctx, f.UTC(), t.UTC())
		if err != nil {
			return err
		}
		for _, w := range ws {
			if c := w.CreatedAt; in(&c, f.UTC(), t.UTC()) {
				m.Wishes++
			}
		}
		r.Months = append(r.Months, m)
	}
	return nil
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	sort.Float64s(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return &m
}
