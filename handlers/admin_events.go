package handlers

// The events pages (/admin/events): the admin's side of signup.Service, the same
// operations as `familybot event …` — list, create (as a draft), edit, publish,
// cancel (everyone signed up is told through the outbox), the sign-up list with
// phones masked, check-in by code, one-off reveal of a phone, staff cancellation
// of a sign-up (the waitlist moves up), and the CSV export.
//
// Who may do what. Any staff member may see events and sign-up lists (phones
// masked), check people in at the door, reveal one phone number (audited) to
// call a parent, cancel one sign-up at a resident's request (the resident is told
// why), and create and edit drafts. Only admins may do what reaches every
// resident or takes data out: publish (the event appears in the chat), edit a
// published event (what residents were promised), cancel an event (a message to
// everyone signed up) and export the list (full phone numbers, see eventExport).

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/models"
	"familybot/signup"

	"github.com/gin-gonic/gin"
)

func init() {
	registerFlashes(map[string]string{
		"ev_created": "已保存为草稿。核对无误后请管理员发布，居民才能报名。", "ev_saved": "活动已保存",
		"ev_published": "已发布，居民现在可以在公众号报名了", "ev_cancelled": "活动已取消，已通知所有报名和候补的居民",
		"ev_checkin": "签到成功", "ev_su_cancelled": "已取消这条报名，居民会收到通知；有候补的会自动递补",
	})
	registerAdminPages(func(s *Server, g *gin.RouterGroup) {
		g.GET("/events", s.h(s.eventsPage))
		g.GET("/events/new", s.h(s.eventNew))
		g.POST("/events", s.h(s.eventCreate))
		g.GET("/events/:id", s.h(s.eventPage))
		g.GET("/events/:id/edit", s.h(s.eventEdit))
		g.POST("/events/:id", s.h(s.eventUpdate))
		g.POST("/events/:id/publish", s.adminOnly(), s.h(s.eventPublish))
		g.GET("/events/:id/cancel", s.adminOnly(), s.h(s.eventCancelPage))
		g.POST("/events/:id/cancel", s.adminOnly(), s.h(s.eventCancel))
		g.POST("/events/:id/checkin", s.h(s.eventCheckin))
		g.POST("/events/:id/signups/:sid/cancel", s.h(s.signupCancel))
		g.POST("/events/:id/signups/:sid/reveal", s.h(s.signupReveal))
		g.POST("/events/:id/export.csv", s.adminOnly(), s.h(s.eventExport))
	})
}

// The dashboard's 本周报名 asks for this with a type assertion; this keeps it honest.
var _ SignupCounter = (*signup.Service)(nil)

func (s *Server) signups() (*signup.Service, error) {
	if s.Signups == nil {
		return nil, models.Errorf(models.ENOTFOUND, "活动报名没有启用。")
	}
	return s.Signups, nil
}

// eventTarget is the event named in the URL and the service that acts on it.
func (s *Server) eventTarget(c *gin.Context) (uint, *signup.Service, error) {
	id, err := eventParam(c)
	if err != nil {
		return 0, nil, err
	}
	svc, err := s.signups()
	return id, svc, err
}

func eventParam(c *gin.Context) (uint, error) {
	id, err := idParam(c, "id")
	if err != nil || id > 1<<32-1 {
		return 0, models.Errorf(models.ENOTFOUND, "not found")
	}
	return uint(id), nil
}

// eventState is how staff read an event's state now: 草稿, 报名中, 进行中, 已结束, 已取消
// (with the badge class of admin.css).
func eventState(ev models.Event, now time.Time) (label, class string) {
	switch {
	case ev.Status == models.EventDraft:
		return "草稿", "pending"
	case ev.Status == models.EventCancelled:
		return "已取消", "rejected"
	case now.Before(ev.StartAt):
		return "报名中", "accepted"
	case now.Before(ev.End()):
		return "进行中", "in_progress"
	}
	return "已结束", "done"
}

// canEdit: drafts by anyone; a published event changes what residents were told, so admins only.
func canEdit(me models.Staff, ev models.Event) bool {
	return ev.Status == models.EventDraft || ev.Status == models.EventOpen && me.IsAdmin()
}

type eventItem struct {
	signup.EventView
	When, State, StateClass string
}

type eventsView struct {
	Page
	Upcoming, Recent []eventItem
	Older            bool
}

// eventsPage lists upcoming events (soonest first) and those of the last month
// (a year with ?older=1), most recent first.
func (s *Server) eventsPage(c *gin.Context) error {
	svc, err := s.signups()
	if err != nil {
		return err
	}
	now := s.now()
	v := &eventsView{Page: Page{Title: "活动", Nav: "events"}, Older: c.Query("older") == "1"}
	since := now.AddDate(0, -1, 0)
	if v.Older {
		since = now.AddDate(-1, 0, 0)
	}
	list, err := svc.ListEvents(c.Request.Context(), since)
	if err != nil {
		return err
	}
	for _, ev := range list {
		it := eventItem{EventView: ev, When: signup.FormatWhen(ev.Event)}
		it.State, it.StateClass = eventState(ev.Event, now)
		if ev.End().After(now) {
			v.Upcoming = append(v.Upcoming, it)
		} else {
			v.Recent = append(v.Recent, it)
		}
	}
	slices.Reverse(v.Recent)
	s.render(c, http.StatusOK, "events.html", v)
	return nil
}

// signupRow is one line of the sign-up list: masked phone, escaped names.
type signupRow struct {
	ID        uint64
	Status    string
	Position  int
	Who       string // the attendee: the child's nickname, or the adult's name
	Guardian  string // children's events: the parent who signed up
	Age       string
	Phone     string // masked unless Revealed
	Revealed  bool
	Code      string
	CheckedIn string
	Created   string
	Purged    bool
	Just      bool // just checked in, or just revealed
	Cancelled string
	// What the row's forms need (a nested template sees only its row).
	EventID    uint
	CSRF       string
	CanCheckin bool
	CancelOpen bool // the cancel form is open again after a mistake, with Reason
	Reason     string
}

type eventView struct {
	Page
	E                              signup.EventView
	When, Category, State          string
	StateClass, AgeRange, CancelBy string
	Confirmed, Waiting, Cancelled  []signupRow
	CanEdit, CanPublish            bool
	CanCancel, CanExport           bool
	CanCheckin                     bool
	Code                           string // the typed check-in code, kept after a mistake
	Scene                          string
	CheckinEarly, CheckinLate      int
}

// eventOpts is what a re-render of the event page carries over.
type eventOpts struct {
	status     int
	problem    string
	code       string
	reveal     uint64
	just       uint64
	openCancel uint64
	reason     string
}

func hhmm(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(signup.Local).Format("1月2日 15:04")
}

// clockOn shows t as "09:42" on the event's day, "11月28日 09:42" on any other.
func clockOn(t *time.Time, day time.Time) string {
	if t == nil {
		return ""
	}
	if t.In(signup.Local).Format("20060102") == day.In(signup.Local).Format("20060102") {
		return t.In(signup.Local).Format("15:04")
	}
	return hhmm(t)
}

func (s *Server) renderEvent(c *gin.Context, id uint, o eventOpts) error {
	svc, err := s.signups()
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ev, err := svc.Event(ctx, id)
	if err != nil {
		return err
	}
	rows, err := svc.Roster(ctx, id, false)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	now := s.now()
	v := &eventView{Page: Page{Title: ev.Title, Nav: "events", Error: o.problem}, E: ev, When: signup.FormatWhen(ev.Event),
		Category: models.EventCategories[ev.Category], AgeRange: signup.AgeRange(ev.Event), Code: o.code,
		Scene: fmt.Sprintf("checkin_%d", ev.ID), CheckinEarly: int(signup.CheckinEarly / time.Hour),
		CheckinLate: int(signup.CheckinLate / time.Hour),
		CanEdit:     canEdit(me, ev.Event), CanPublish: me.IsAdmin() && ev.Status == models.EventDraft,
		CanCancel: me.IsAdmin() && ev.Status != models.EventCancelled, CanExport: me.IsAdmin(),
		CanCheckin: ev.Status == models.EventOpen}
	v.State, v.StateClass = eventState(ev.Event, now)
	var csrf string
	if sess, ok := sessionOf(c); ok {
		csrf = sess.CSRF
	}
	if ev.CancelDeadline != nil {
		v.CancelBy = hhmm(ev.CancelDeadline)
	}
	for _, r := range rows {
		row := signupRow{ID: r.ID, Status: r.Status, Position: r.Position, Who: r.Name, Phone: r.Phone,
			CheckedIn: clockOn(r.CheckedInAt, ev.StartAt), Created: hhmm(&r.CreatedAt), Purged: r.PurgedAt != nil,
			Just: r.ID == o.just || r.ID == o.reveal, Cancelled: hhmm(r.CancelledAt), EventID: ev.ID,
			CanCheckin: v.CanCheckin, CancelOpen: r.ID == o.openCancel, CSRF: csrf}
		if row.CancelOpen {
			row.Reason = o.reason
		}
		if r.Status == models.SignupConfirmed {
			row.Code = r.CheckinCode
		}
		if ev.ForChild {
			row.Who, row.Guardian = r.ChildName, r.Name
			if row.Who == "" {
				row.Who = "孩子（未留称呼）"
			}
			if !row.Purged {
				row.Age = signup.FormatAge(r.ChildAgeMonths)
			}
		}
		if r.ID == o.reveal {
			full, err := s.Store.GetSignup(ctx, r.ID)
			if err != nil {
				return err
			}
			row.Phone, row.Revealed = full.Phone, true
		}
		switch r.Status {
		case models.SignupConfirmed:
			v.Confirmed = append(v.Confirmed, row)
		case models.SignupWaitlisted:
			v.Waiting = append(v.Waiting, row)
		default:
			v.Cancelled = append(v.Cancelled, row)
		}
		if r.ID == o.just && r.CheckedInAt != nil && o.problem == "" {
			v.Flash = "签到成功：#" + strconv.FormatUint(r.ID, 10) + " " + row.Who
			if row.Guardian != "" {
				v.Flash += "（家长 " + row.Guardian + "）"
			}
		}
	}
	if o.reveal != 0 {
		s.audit(c, "event.reveal", fmt.Sprintf("signup:%d", o.reveal), fmt.Sprintf("event:%d", id))
	} else {
		s.audit(c, "event.view", fmt.Sprintf("event:%d", id), "")
	}
	status := o.status
	if status == 0 {
		status = http.StatusOK
	}
	s.render(c, status, "event.html", v)
	return nil
}

// eventPage shows one event, the check-in form and its sign-up list.
func (s *Server) eventPage(c *gin.Context) error {
	id, err := eventParam(c)
	if err != nil {
		return err
	}
	var just uint64
	if c.Query("ok") == "ev_checkin" {
		just, _ = strconv.ParseUint(c.Query("su"), 10, 64)
	}
	return s.renderEvent(c, id, eventOpts{just: just})
}

// eventAfter redirects after a change, or shows the event page with what went
// wrong (a domain error with a safe message); anything else is the error page.
func (s *Server) eventAfter(c *gin.Context, id uint, err error, ok string, o eventOpts) error {
	switch code := models.ErrorCode(err); code {
	case "":
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/events/%d?ok=%s", id, ok))
		return nil
	case models.EINVALID, models.ECONFLICT:
		o.status = statusFor(code)
		o.problem = domainMessage(err)
		if !hasHan(o.problem) {
			o.problem = errorSentences[o.status]
		}
		return s.renderEvent(c, id, o)
	}
	return err
}

// eventPublish opens a draft for sign-up (admins).
func (s *Server) eventPublish(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	_, err = svc.PublishEvent(c.Request.Context(), id)
	if err == nil {
		s.audit(c, "event.publish", fmt.Sprintf("event:%d", id), "")
	}
	return s.eventAfter(c, id, err, "ev_published", eventOpts{})
}

type eventCancelView struct {
	Page
	E      signup.EventView
	When   string
	Reason string
}

func (s *Server) renderEventCancel(c *gin.Context, status int, id uint, problem, reason string) error {
	svc, err := s.signups()
	if err != nil {
		return err
	}
	ev, err := svc.Event(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if ev.Status == models.EventCancelled {
		return signup.ErrEventCanceled
	}
	s.render(c, status, "event_cancel.html", &eventCancelView{Page: Page{Title: "取消活动", Nav: "events", Error: problem},
		E: ev, When: signup.FormatWhen(ev.Event), Reason: reason})
	return nil
}

// eventCancelPage is the confirmation step: what will happen, and the reason residents will read.
func (s *Server) eventCancelPage(c *gin.Context) error {
	id, err := eventParam(c)
	if err != nil {
		return err
	}
	return s.renderEventCancel(c, http.StatusOK, id, "", "")
}

// eventCancel calls the event off; the service cancels every sign-up and
// enqueues a message to each, with the reason, in the same transaction.
func (s *Server) eventCancel(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.PostForm("reason"))
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return s.renderEventCancel(c, http.StatusBadRequest, id, "请填写取消原因，报名的居民会收到。", reason)
	case n > 200:
		return s.renderEventCancel(c, http.StatusBadRequest, id, "取消原因不能超过200个字。", reason)
	}
	told, err := svc.CancelEvent(c.Request.Context(), id, reason)
	if err == nil {
		s.audit(c, "event.cancel", fmt.Sprintf("event:%d", id), fmt.Sprintf("notified=%d", told))
	}
	return s.eventAfter(c, id, err, "ev_cancelled", eventOpts{})
}

// normalizeCode turns what staff typed into a check-in code: full-width letters
// and digits (a Chinese keyboard) to ASCII, spaces and dashes dropped. The service
// upper-cases it.
func normalizeCode(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == ' ' || r == '-' || r == '\u3000' || r == '\t' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// eventCheckin checks a sign-up in by the code it shows. Mistakes are said
// plainly: 签到码不对, 已签到, 不是这个活动 (the code belongs to another event
// around the same days), 还在候补 or 已取消.
func (s *Server) eventCheckin(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	typed := strings.TrimSpace(c.PostForm("code"))
	code := strings.ToUpper(normalizeCode(typed))
	if code == "" || len(code) > 16 {
		return s.renderEvent(c, id, eventOpts{status: http.StatusBadRequest, problem: "请输入居民出示的签到码（6位字母和数字）。", code: typed})
	}
	su, err := svc.CheckIn(ctx, id, code)
	switch {
	case err == nil:
		s.audit(c, "event.checkin", fmt.Sprintf("signup:%d", su.ID), fmt.Sprintf("event:%d", id))
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/events/%d?ok=ev_checkin&su=%d", id, su.ID))
		return nil
	case errors.Is(err, signup.ErrCheckedIn):
		msg := fmt.Sprintf("已签到：签到码 %s（报名号 %d）已经签到过了，不用重复签到。", code, su.ID)
		if su.CheckedInAt != nil {
			msg = fmt.Sprintf("已签到：签到码 %s（报名号 %d）在 %s 已经签到过了，不用重复签到。", code, su.ID, su.CheckedInAt.In(signup.Local).Format("15:04"))
		}
		return s.renderEvent(c, id, eventOpts{status: http.StatusConflict, problem: msg, just: su.ID})
	case errors.Is(err, signup.ErrNotConfirmed):
		msg := fmt.Sprintf("报名已取消：报名号 %d 已经取消了，不能签到。", su.ID)
		if su.Status == models.SignupWaitlisted {
			msg = fmt.Sprintf("还在候补：报名号 %d 还没有确认的名额，不能签到。有人取消时会按顺序自动递补。", su.ID)
		}
		return s.renderEvent(c, id, eventOpts{status: http.StatusConflict, problem: msg, code: typed})
	case errors.Is(err, signup.ErrNotYours):
		msg := fmt.Sprintf("签到码不对：这个活动没有签到码 %s，请核对后重新输入（签到码里没有 0、O、1、I）。", code)
		if other, ok := s.codeElsewhere(c, id, code); ok {
			msg = fmt.Sprintf("不是这个活动：签到码 %s 是「%s」（%s）的报名，请到那个活动的页面签到。", code, other.Title, signup.FormatWhen(other))
		}
		return s.renderEvent(c, id, eventOpts{status: http.StatusNotFound, problem: msg, code: typed})
	}
	return err
}

// codeElsewhere finds another event, starting within three days of this one,
// where code belongs to a confirmed sign-up: staff who opened the wrong event at a weekend
// with several sessions are told where the resident belongs. Codes are unique
// per event only, so only nearby events are asked.
func (s *Server) codeElsewhere(c *gin.Context, id uint, code string) (models.Event, bool) {
	ctx := c.Request.Context()
	ev, err := s.Store.GetEvent(ctx, id)
	if err != nil {
		return models.Event{}, false
	}
	near, err := s.Store.ListEvents(ctx, ev.StartAt.Add(-72*time.Hour), nil, 50)
	if err != nil {
		return models.Event{}, false
	}
	for _, other := range near {
		if other.ID == id || other.Status == models.EventCancelled || other.StartAt.After(ev.StartAt.Add(72*time.Hour)) {
			continue
		}
		if su, err := s.Store.FindSignupByCode(ctx, other.ID, code); err == nil && su.Status == models.SignupConfirmed {
			return other, true
		}
	}
	return models.Event{}, false
}

// signupOf reads path parameter sid and checks that the sign-up belongs to the event.
func (s *Server) signupOf(c *gin.Context, eventID uint) (models.Signup, error) {
	sid, err := idParam(c, "sid")
	if err != nil {
		return models.Signup{}, err
	}
	su, err := s.Store.GetSignup(c.Request.Context(), sid)
	if models.IsCode(err, models.ENOTFOUND) || err == nil && su.EventID != eventID {
		return models.Signup{}, signup.ErrNotYours
	}
	return su, err
}

// signupCancel cancels one sign-up for staff (a parent called in): the resident
// is told with the reason, and the first on the waitlist gets the place.
func (s *Server) signupCancel(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	su, err := s.signupOf(c, id)
	if err != nil {
		return err
	}
	reason := strings.TrimRight(strings.TrimSpace(c.PostForm("reason")), "。.！!")
	o := eventOpts{openCancel: su.ID, reason: reason}
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		o.status, o.problem = http.StatusBadRequest, "请填写取消原因，居民会收到。"
		return s.renderEvent(c, id, o)
	case n > 100:
		o.status, o.problem = http.StatusBadRequest, "取消原因不能超过100个字。"
		return s.renderEvent(c, id, o)
	}
	_, err = svc.CancelByStaff(c.Request.Context(), su.ID, reason)
	if err == nil {
		s.audit(c, "event.signup_cancel", fmt.Sprintf("signup:%d", su.ID), fmt.Sprintf("event:%d", id))
	}
	return s.eventAfter(c, id, err, "ev_su_cancelled", eventOpts{})
}

// signupReveal shows one sign-up's full phone number: an explicit, audited POST.
func (s *Server) signupReveal(c *gin.Context) error {
	id, err := eventParam(c)
	if err != nil {
		return err
	}
	su, err := s.signupOf(c, id)
	if err != nil {
		return err
	}
	return s.renderEvent(c, id, eventOpts{reveal: su.ID})
}

// eventExport sends the sign-up list as CSV. Admins only: unlike the pages,
// which mask phones and reveal one at a time with an audit record, the file
// holds every attendee's full phone number (and children's nicknames and ages)
// and leaves the system — saved on a phone, forwarded in a chat — where it can
// be neither masked nor recalled. A POST with the CSRF token, so that only a
// deliberate click exports (never a link, a prefetch or a page in the history).
func (s *Server) eventExport(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer // the whole file first: a failure still gets the error page
	if err := svc.ExportCSV(c.Request.Context(), id, &buf); err != nil {
		return err
	}
	rows := bytes.Count(buf.Bytes(), []byte("\r\n")) - 1 // CRLF ends each record; the first is the header
	s.audit(c, "event.export", fmt.Sprintf("event:%d", id), fmt.Sprintf("rows=%d", rows))
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="event-%d-%s.csv"`, id, s.now().In(signup.Local).Format("20060102")))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}

// eventForm is the create/edit form as typed: strings, so that a mistake is
// shown with exactly what was typed.
type eventForm struct {
	Title, Category, Start, End, CancelBy, Place string
	Capacity, Waitlist, AgeMin, AgeMax           string
	Audience, Bring, Description                 string
	ForChild                                     bool
}

// eventCategoryOrder is the order of the category select.
var eventCategoryOrder = []string{models.EventParentChild, models.EventParentClass, models.EventYouth,
	models.EventElderly, models.EventClinic, models.EventMemberDay, models.EventOther}

const formTime = "2006-01-02T15:04" // what <input type=datetime-local> sends

func formOf(ev models.Event) eventForm {
	local := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(signup.Local).Format(formTime)
	}
	f := eventForm{Title: ev.Title, Category: ev.Category, Start: local(&ev.StartAt), End: local(ev.EndAt),
		CancelBy: local(ev.CancelDeadline), Place: ev.Place, Capacity: strconv.Itoa(ev.Capacity),
		Waitlist: strconv.Itoa(ev.WaitlistCap), Audience: ev.Audience, Bring: ev.Bring, Description: ev.Description,
		ForChild: ev.ForChild}
	if ev.ForChild {
		f.AgeMin, f.AgeMax = strconv.Itoa(ev.ChildAgeMinMonths), strconv.Itoa(ev.ChildAgeMaxMonths)
	}
	return f
}

func bindEventForm(c *gin.Context) eventForm {
	return eventForm{Title: c.PostForm("title"), Category: c.PostForm("category"), Start: c.PostForm("start"),
		End: c.PostForm("end"), CancelBy: c.PostForm("cancel_by"), Place: strings.TrimSpace(c.PostForm("place")),
		Capacity: c.PostForm("capacity"), Waitlist: c.PostForm("waitlist"), AgeMin: c.PostForm("age_min"),
		AgeMax: c.PostForm("age_max"), Audience: strings.TrimSpace(c.PostForm("audience")),
		Bring: strings.TrimSpace(c.PostForm("bring")), Description: strings.TrimSpace(c.PostForm("description")),
		ForChild: c.PostForm("for_child") == "1"}
}

// formNumber reads a whole number; blank is def, anything unreadable is -1,
// which the event's own validation then names ("名额必须在1到10000之间").
func formNumber(v string, def int) int {
	v = strings.TrimSpace(normalizeCode(v))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// formWhen reads a Beijing time as the browser sends it (or as typed by hand).
func formWhen(v string) (*time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, true
	}
	for _, layout := range []string{formTime, "2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, signup.Local); err == nil {
			t = t.UTC()
			return &t, true
		}
	}
	return nil, false
}

// apply copies the form onto ev. It returns the problems found on the way and
// then by the event's validation, all at once, in Chinese.
func (f eventForm) apply(ev *models.Event) []string {
	var probs []string
	ev.Title, ev.Category, ev.Place = strings.TrimSpace(f.Title), f.Category, f.Place
	ev.Audience, ev.Bring, ev.Description, ev.ForChild = f.Audience, f.Bring, f.Description, f.ForChild
	ev.Capacity, ev.WaitlistCap = formNumber(f.Capacity, 0), formNumber(f.Waitlist, 0)
	ev.ChildAgeMinMonths, ev.ChildAgeMaxMonths = 0, 0
	if f.ForChild {
		ev.ChildAgeMinMonths, ev.ChildAgeMaxMonths = formNumber(f.AgeMin, 0), formNumber(f.AgeMax, 0)
	}
	startBad := false
	for _, t := range []struct {
		name, v string
		dst     **time.Time
	}{{"开始时间", f.Start, nil}, {"结束时间", f.End, &ev.EndAt}, {"取消截止时间", f.CancelBy, &ev.CancelDeadline}} {
		at, ok := formWhen(t.v)
		if !ok {
			probs = append(probs, t.name+"格式不对，请按 2026-06-08 09:30 填写")
			startBad = startBad || t.dst == nil
		}
		if t.dst == nil {
			ev.StartAt = time.Time{}
			if at != nil {
				ev.StartAt = *at
			}
		} else {
			*t.dst = at
		}
	}
	if utf8.RuneCountInString(ev.Description) > 2000 {
		probs = append(probs, "活动介绍不能超过2000个字")
	}
	check := *ev
	if check.Status == "" {
		check.Status = models.EventDraft
	}
	if err := check.Validate(); err != nil {
		for _, p := range strings.Split(domainMessage(err), "；") {
			if !(startBad && p == "请填写开始时间") {
				probs = append(probs, p)
			}
		}
	}
	return probs
}

type eventFormView struct {
	Page
	ID         uint
	F          eventForm
	Categories []option
	Version    string
	Published  bool
}

func (s *Server) renderEventForm(c *gin.Context, status int, id uint, f eventForm, version, problem string, published bool) {
	title := "新建活动"
	if id != 0 {
		title = "修改活动"
	}
	v := &eventFormView{Page: Page{Title: title, Nav: "events", Error: problem}, ID: id, F: f, Version: version, Published: published}
	for _, code := range eventCategoryOrder {
		v.Categories = append(v.Categories, option{Value: code, Label: models.EventCategories[code], Selected: f.Category == code})
	}
	s.render(c, status, "event_form.html", v)
}

// eventNew is the empty form.
func (s *Server) eventNew(c *gin.Context) error {
	if _, err := s.signups(); err != nil {
		return err
	}
	s.renderEventForm(c, http.StatusOK, 0, eventForm{Category: models.EventOther, Waitlist: "0"}, "", "", false)
	return nil
}

// eventCreate stores a new event as a draft (publishing is a separate step).
func (s *Server) eventCreate(c *gin.Context) error {
	svc, err := s.signups()
	if err != nil {
		return err
	}
	f := bindEventForm(c)
	ev := models.Event{Status: models.EventDraft}
	if probs := f.apply(&ev); len(probs) > 0 {
		s.renderEventForm(c, http.StatusBadRequest, 0, f, "", sentence(strings.Join(probs, "；")), false)
		return nil
	}
	ev, err = svc.CreateEvent(c.Request.Context(), ev)
	if models.IsCode(err, models.EINVALID) {
		s.renderEventForm(c, http.StatusBadRequest, 0, f, "", sentence(domainMessage(err)), false)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(c, "event.create", fmt.Sprintf("event:%d", ev.ID), "status=draft")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/events/%d?ok=ev_created", ev.ID))
	return nil
}

// sentence ends a message with a full stop.
func sentence(msg string) string {
	if msg == "" || strings.HasSuffix(msg, "。") || strings.HasSuffix(msg, "！") {
		return msg
	}
	return msg + "。"
}

func version(ev models.Event) string { return strconv.FormatInt(ev.UpdatedAt.UnixNano(), 36) }

var errNotYoursToEdit = models.Errorf(models.EFORBID, "已发布的活动只有管理员可以修改。")

// eventEdit is the form filled with the event.
func (s *Server) eventEdit(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	ev, err := svc.Event(c.Request.Context(), id)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	switch {
	case ev.Status == models.EventCancelled:
		return signup.ErrEventCanceled
	case !canEdit(me, ev.Event):
		return errNotYoursToEdit
	}
	s.renderEventForm(c, http.StatusOK, id, formOf(ev.Event), version(ev.Event), "", ev.Status == models.EventOpen)
	return nil
}

// eventUpdate saves the form. The check that nobody changed the event since
// the form was opened, and the role check, run under the event's row lock.
func (s *Server) eventUpdate(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	f := bindEventForm(c)
	ver := c.PostForm("version")
	var probs []string
	published := false
	_, err = svc.UpdateEvent(c.Request.Context(), id, func(ev *models.Event) error {
		published = ev.Status == models.EventOpen
		switch {
		case !canEdit(me, *ev):
			return errNotYoursToEdit
		case version(*ev) != ver:
			return models.Errorf(models.ECONFLICT, "这个活动刚被其他同事修改过。请返回活动页面刷新，再重新修改。")
		}
		if probs = f.apply(ev); len(probs) > 0 {
			return models.Errorf(models.EINVALID, "%s", strings.Join(probs, "；"))
		}
		return nil
	})
	switch code := models.ErrorCode(err); code {
	case "":
		s.audit(c, "event.update", fmt.Sprintf("event:%d", id), "")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/events/%d?ok=ev_saved", id))
		return nil
	case models.EINVALID, models.ECONFLICT:
		if errors.Is(err, signup.ErrEventCanceled) {
			return err
		}
		s.renderEventForm(c, statusFor(code), id, f, ver, sentence(domainMessage(err)), published)
		return nil
	}
	return err
}
