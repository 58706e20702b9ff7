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

// signups is the sign-up service, or ENOTFOUND (活动报名没有启用) when there is none.
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
	Status    models.SignupStatus
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
	ExportPurposes                 []string
	CanCheckin                     bool
	Code                           string // the typed check-in code, kept after a mistake
	Scene                          string
	QRImage                        string // the check-in code, while it still works
	QRUntil                        *time.Time
	CanMakeQR                      bool
	CheckinEarly                   int
	CheckinWindow                  string // "11月28日 07:30 到 11:00"
	CheckinOver                    bool   // the window has passed
	IsCancelled                    bool
	CancelledAt                    string
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

// checkinWindowText says when check-in is accepted: "11月28日 07:30 到 11:00".
func checkinWindowText(ev models.Event) string {
	from, until := signup.CheckinFrom(ev), signup.CheckinUntil(ev)
	return hhmm(&from) + " 到 " + clockOn(&until, from)
}

func hhmm(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(models.Beijing).Format("1月2日 15:04")
}

// clockOn shows t as "09:42" on the event's day, "11月28日 09:42" on any other.
func clockOn(t *time.Time, day time.Time) string {
	if t == nil {
		return ""
	}
	if t.In(models.Beijing).Format("20060102") == day.In(models.Beijing).Format("20060102") {
		return t.In(models.Beijing).Format("15:04")
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
		CheckinWindow: checkinWindowText(ev.Event), CheckinOver: now.After(signup.CheckinUntil(ev.Event)),
		IsCancelled: ev.Status == models.EventCancelled, CancelledAt: hhmm(ev.CancelledAt),
		CanEdit: canEdit(me, ev.Event), CanPublish: me.IsAdmin() && ev.Status == models.EventDraft,
		CanCancel: me.IsAdmin() && ev.Status != models.EventCancelled, CanExport: me.IsAdmin(), ExportPurposes: exportPurposes,
		CanCheckin: signup.CheckinOpen(ev.Event, now) == nil, CanMakeQR: s.QR != nil && ev.Status == models.EventOpen}
	if ev.CheckinQR != "" && ev.CheckinQRUntil != nil && ev.CheckinQRUntil.After(now) {
		v.QRImage, v.QRUntil = ev.CheckinQR, ev.CheckinQRUntil
	}
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
			full, err := s.Signups.Signup(ctx, r.ID)
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
	s.render(c, status, "event_cancel.html", &eventCancelView{Page: Page{Title: "取消活动", Nav: "events", Error: problem, Invalid: map[string]bool{"reason": problem != ""}},
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
