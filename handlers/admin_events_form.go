package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/models"
	"familybot/signup"

	"github.com/gin-gonic/gin"
)

// ---- The event form ----

// eventForm is the create/edit form as typed: strings, so that a mistake is
// shown with exactly what was typed.
type eventForm struct {
	Title, Category, Start, End, CancelBy, Place string
	Capacity, Waitlist                           string
	// Children's ages as 岁 and 月, stored as months.
	AgeMinYears, AgeMinMonths, AgeMaxYears, AgeMaxMonths string
	Audience, Bring, Description                         string
	ForChild                                             bool
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
		return t.In(models.Beijing).Format(formTime)
	}
	f := eventForm{Title: ev.Title, Category: ev.Category, Start: local(&ev.StartAt), End: local(ev.EndAt),
		CancelBy: local(ev.CancelDeadline), Place: ev.Place, Capacity: strconv.Itoa(ev.Capacity),
		Waitlist: strconv.Itoa(ev.WaitlistCap), Audience: ev.Audience, Bring: ev.Bring, Description: ev.Description,
		ForChild: ev.ForChild}
	if ev.ForChild {
		f.AgeMinYears, f.AgeMinMonths = yearsMonths(ev.ChildAgeMinMonths)
		if ev.ChildAgeMaxMonths > 0 { // 0: no upper limit, left blank
			f.AgeMaxYears, f.AgeMaxMonths = yearsMonths(ev.ChildAgeMaxMonths)
		}
	}
	return f
}

// yearsMonths splits an age in months into the form's 岁 and 月 ("1", "6").
func yearsMonths(m int) (string, string) { return strconv.Itoa(m / 12), strconv.Itoa(m % 12) }

// formAge reads an age typed as 岁 and 月 into months; both blank is def, and
// anything unreadable is -1 (refused by the event's validation).
func formAge(years, months string, def int) int {
	if strings.TrimSpace(years) == "" && strings.TrimSpace(months) == "" {
		return def
	}
	y, m := formNumber(years, 0), formNumber(months, 0)
	if y < 0 || m < 0 {
		return -1
	}
	return y*12 + m
}

func bindEventForm(c *gin.Context) eventForm {
	return eventForm{Title: c.PostForm("title"), Category: c.PostForm("category"), Start: c.PostForm("start"),
		End: c.PostForm("end"), CancelBy: c.PostForm("cancel_by"), Place: strings.TrimSpace(c.PostForm("place")),
		Capacity: c.PostForm("capacity"), Waitlist: c.PostForm("waitlist"),
		AgeMinYears: c.PostForm("age_min_years"), AgeMinMonths: c.PostForm("age_min_months"),
		AgeMaxYears: c.PostForm("age_max_years"), AgeMaxMonths: c.PostForm("age_max_months"),
		Audience: strings.TrimSpace(c.PostForm("audience")),
		Bring:    strings.TrimSpace(c.PostForm("bring")), Description: strings.TrimSpace(c.PostForm("description")),
		ForChild: c.PostForm("for_child") == "1"}
}

// formNumber reads a whole number; blank is def, anything unreadable is -1,
// which the event's own validation then names ("名额必须在1到10000之间").
func formNumber(v string, def int) int {
	v = foldTyped(v, " \u3000\t") // a minus sign stays: "-5" is refused, not read as 5
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
		if t, err := time.ParseInLocation(layout, v, models.Beijing); err == nil {
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
		ev.ChildAgeMinMonths = formAge(f.AgeMinYears, f.AgeMinMonths, 0)
		ev.ChildAgeMaxMonths = formAge(f.AgeMaxYears, f.AgeMaxMonths, 0)
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
	v := &eventFormView{Page: Page{Title: title, Nav: "events", Error: problem, Invalid: fieldsOf(problem, eventFields)},
		ID: id, F: f, Version: version, Published: published}
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
