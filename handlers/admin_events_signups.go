package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"familybot/models"
	"familybot/signup"

	"github.com/gin-gonic/gin"
)

// ---- Check-in and single sign-ups ----

// normalizeCode turns what staff typed into a check-in code: full-width letters
// and digits (a Chinese keyboard) to ASCII, spaces and dashes dropped. The service
// upper-cases it.
func normalizeCode(v string) string { return foldTyped(v, " -\u3000\t") }

// foldTyped folds full-width characters (typed with a Chinese input method) to
// half-width and drops the characters in drop.
func foldTyped(v, drop string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if strings.ContainsRune(drop, r) {
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
			msg = fmt.Sprintf("已签到：签到码 %s（报名号 %d）在 %s 已经签到过了，不用重复签到。", code, su.ID, su.CheckedInAt.In(models.Beijing).Format("15:04"))
		}
		return s.renderEvent(c, id, eventOpts{status: http.StatusConflict, problem: msg, just: su.ID})
	case errors.Is(err, signup.ErrNotConfirmed):
		msg := fmt.Sprintf("报名已取消：报名号 %d 已经取消了，不能签到。", su.ID)
		if su.Status == models.SignupWaitlisted {
			msg = fmt.Sprintf("还在候补：报名号 %d 还没有确认的名额，不能签到。有人取消时会按顺序自动递补。", su.ID)
		}
		return s.renderEvent(c, id, eventOpts{status: http.StatusConflict, problem: msg, code: typed})
	case errors.Is(err, signup.ErrNotNow), errors.Is(err, signup.ErrEventCanceled), errors.Is(err, signup.ErrNotOpen):
		msg := "这个活动不能签到：" + domainMessage(err) + "。"
		if ev, gerr := svc.Event(ctx, id); gerr == nil && errors.Is(err, signup.ErrNotNow) {
			msg = "现在不能签到：签到时间是 " + checkinWindowText(ev.Event) + "。"
		}
		return s.renderEvent(c, id, eventOpts{status: http.StatusConflict, problem: msg, code: typed})
	case errors.Is(err, signup.ErrNotYours):
		msg := fmt.Sprintf("签到码不对：这个活动没有签到码 %s，请核对后重新输入（签到码里没有 0、O、1、I）。", code)
		if other, ok := svc.CodeElsewhere(ctx, id, code); ok {
			msg = fmt.Sprintf("不是这个活动：签到码 %s 是「%s」（%s）的报名，请到那个活动的页面签到。", code, other.Title, signup.FormatWhen(other))
		}
		return s.renderEvent(c, id, eventOpts{status: http.StatusNotFound, problem: msg, code: typed})
	}
	return err
}

// signupOf reads path parameter sid and checks that the sign-up belongs to the event.
func (s *Server) signupOf(c *gin.Context, eventID uint) (models.Signup, error) {
	sid, err := idParam(c, "sid")
	if err != nil {
		return models.Signup{}, err
	}
	su, err := s.Signups.Signup(c.Request.Context(), sid)
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

// exportPurposes are what a sign-up list may be exported for; the one chosen
// is kept in the audit log with the export.
var exportPurposes = []string{"活动签到", "联系参加者（通知变更等）", "上报活动统计", "保险或场地登记"}

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
	purpose := c.PostForm("purpose")
	if !slices.Contains(exportPurposes, purpose) {
		return models.Errorf(models.EINVALID, "请先选择导出用途，再导出报名表")
	}
	var buf bytes.Buffer // the whole file first: a failure still gets the error page
	if err := svc.ExportCSV(c.Request.Context(), id, &buf); err != nil {
		return err
	}
	rows := bytes.Count(buf.Bytes(), []byte("\r\n")) - 1 // CRLF ends each record; the first is the header
	s.audit(c, "event.export", fmt.Sprintf("event:%d", id), fmt.Sprintf("rows=%d purpose=%s", rows, purpose))
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="event-%d-%s.csv"`, id, s.now().In(models.Beijing).Format("20060102")))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}
