package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/crisis"
	"familybot/messages"
	"familybot/models"
	"familybot/privacy"

	"github.com/gin-gonic/gin"
)

// weekStart is Monday 00:00 Beijing time of the week containing now.
func weekStart(now time.Time) time.Time {
	t := now.In(models.Beijing)
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, models.Beijing).UTC()
}

type dashView struct {
	Page
	Since      time.Time
	Msgs       models.MessageStats
	Top        []models.EntryCount
	Wishes     []option
	OpenWishes int64
	Overdue    int64
	Signups    string
}

// dashboard: this week's messages, top questions, unanswered rate, wishes by status, sign-ups.
func (s *Server) dashboard(c *gin.Context) error {
	ctx := c.Request.Context()
	me, _ := staffOf(c)
	since := weekStart(s.now())
	v := &dashView{Page: Page{Title: "首页", Nav: "home"}, Since: since, Signups: "—"}
	sum, err := s.Messages.Since(ctx, since)
	if err != nil {
		return err
	}
	v.Msgs, v.Top = sum.Msgs, sum.Top
	if s.Wishes != nil {
		counts, overdue, err := s.Wishes.Counts(ctx, me)
		if err != nil {
			return err
		}
		v.Overdue = overdue
		for _, st := range models.WishStatuses {
			v.Wishes = append(v.Wishes, option{Value: string(st), Label: models.WishStatusLabel(st), N: counts[st]})
		}
		for _, st := range models.WishOpenStatuses {
			v.OpenWishes += counts[st]
		}
	}
	if s.Signups != nil {
		if n, err := s.Signups.SignupsSince(ctx, since); err == nil {
			v.Signups = strconv.FormatInt(n, 10)
		}
	}
	s.render(c, http.StatusOK, "dashboard.html", v)
	return nil
}

var crisisKinds = map[string]string{"medical": "可能急症", "suicide": "自伤风险", "child_abuse": "儿童受侵害", "violence": "家庭暴力", "missing_minor": "孩子联系不上", "missing_adult": "老人或家人走失"}

type crisisRow struct {
	models.CrisisEvent
	Shown     string
	CanReveal bool // masking hid a number: offer the audited reveal
}

// Crisis is the follow-up of crisis messages (crisis.Service). Its forms
// answer a *crisis.Problem for what staff must correct.
type Crisis interface {
	Episodes(ctx context.Context, limit int) ([]crisis.Episode, error)
	Event(ctx context.Context, id uint64) (models.CrisisEvent, error)
	OpenCount(ctx context.Context) (int64, error)
	Close(ctx context.Context, id uint64, by models.Staff, note string, safe bool) (crisis.Closing, error)
	AddNote(ctx context.Context, id uint64, by models.Staff, called bool, note string) (models.CrisisNote, error)
	Reply(ctx context.Context, id uint64, by models.Staff, text string) (string, error)
}

type crisisView struct {
	Page
	Episodes []crisisEpisode
}

// crisisPage lists flagged crisis messages grouped by episode, unhandled first (alerts link here).
func (s *Server) crisisPage(c *gin.Context) error { return s.renderCrisis(c, http.StatusOK, 0) }

func (s *Server) renderCrisis(c *gin.Context, status int, reveal uint64) error {
	eps, err := s.Crisis.Episodes(c.Request.Context(), 100)
	if err != nil {
		return err
	}
	v := &crisisView{Page: Page{Title: "危机消息", Nav: "crisis"}, Episodes: s.crisisEpisodes(eps, reveal)}
	rows := 0
	for _, ep := range eps {
		rows += len(ep.Events)
	}
	if p, ok := c.Get(crisisProblemKey); ok { // a form came back: keep what was typed, say what is wrong
		prob := p.(crisisProblem)
		v.Error, v.Invalid = prob.Text, map[string]bool{prob.Field: true}
		for i := range v.Episodes {
			if v.Episodes[i].LastID == prob.ID {
				v.Episodes[i].Problem = prob
			}
		}
	}
	if reveal != 0 {
		s.audit(c, "crisis.reveal", fmt.Sprintf("crisis:%d", reveal), "")
	} else {
		s.audit(c, "crisis.view", "crisis", fmt.Sprintf("rows=%d", rows))
	}
	s.render(c, status, "crisis.html", v)
	return nil
}

// crisisReveal shows one message with its numbers unmasked (audited POST).
func (s *Server) crisisReveal(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Crisis.Event(c.Request.Context(), id); err != nil {
		return err
	}
	return s.renderCrisis(c, http.StatusOK, id)
}

// crisisHandled closes the episode up to this message, keeping what was done.
func (s *Server) crisisHandled(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	cl, err := s.Crisis.Close(c.Request.Context(), id, me, c.PostForm("note"), c.PostForm("safe") == "1")
	if p, ok := errors.AsType[*crisis.Problem](err); ok {
		return s.crisisInvalid(c, id, p.Field, p.Text)
	}
	if err != nil {
		return err
	}
	if !cl.Already {
		detail := fmt.Sprintf("chars=%d", utf8.RuneCountInString(cl.Text))
		if cl.SelfHarm {
			detail += " safe=confirmed"
		}
		s.audit(c, "crisis.handled", fmt.Sprintf("crisis:%d", id), detail)
	}
	c.Redirect(http.StatusSeeOther, "/admin/crisis?ok=handled")
	return nil
}

// crisisReply sends the resident a message from the staff member following
// the crisis up (Crisis.Reply says how) and keeps it with the episode.
func (s *Server) crisisReply(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	text, err := s.Crisis.Reply(c.Request.Context(), id, me, c.PostForm("text"))
	if p, ok := errors.AsType[*crisis.Problem](err); ok {
		return s.crisisInvalid(c, id, p.Field, p.Text)
	}
	if err != nil {
		return err
	}
	s.audit(c, "crisis.reply", fmt.Sprintf("crisis:%d", id), fmt.Sprintf("chars=%d", utf8.RuneCountInString(text)))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/crisis?ok=crisis_replied#episode-%d", id))
	return nil
}

// Messages is the message log as staff read it (messages.Service).
type Messages interface {
	// Recent returns the last week's messages, only the unanswered ones if asked.
	Recent(ctx context.Context, unansweredOnly bool) ([]messages.Logged, error)
	MarkWrong(ctx context.Context, id uint64, by string) (models.KBWrongAnswer, error)
	Since(ctx context.Context, since time.Time) (messages.Summary, error)
}

type messageRow struct {
	models.Message
	Resident   string
	Shown      string
	Unanswered bool
	RouteText  string
	Answer     answeredBy
	Wrong      bool // staff marked the answer 答错了
	CanWrong   bool // an answer from an entry, not yet marked
}

type messagesView struct {
	Page
	Rows           []messageRow
	UnansweredOnly bool
	Unanswered     int
}

var routeTexts = map[models.Route]string{
	models.RouteFAQ: "已回答", models.RouteKeyword: "关键词回复", models.RouteClarify: "追问", models.RouteFallback: "未能回答", models.RouteChat: "闲聊与心情",
	models.RouteCommand: "指令", models.RouteFlow: "填写中", models.RouteCrisis: "危机", models.RouteMedia: "图片等",
	models.RouteLimited: "限流",
}

// messagesPage lists the last week's resident messages, unanswered ones highlighted (hand-off alerts link here).
func (s *Server) messagesPage(c *gin.Context) error {
	only := c.Query("unanswered") == "1"
	list, err := s.Messages.Recent(c.Request.Context(), only)
	if err != nil {
		return err
	}
	v := &messagesView{Page: Page{Title: "居民留言", Nav: "messages"}, UnansweredOnly: only}
	for _, m := range list {
		isWrong := m.Wrong
		r := messageRow{Message: m.Message, Resident: residentTag(m.OpenID), Shown: privacy.Mask(m.Text),
			Unanswered: m.Unanswered(), RouteText: routeTexts[m.Route], Wrong: isWrong}
		if m.Flagged || m.Route == models.RouteCrisis {
			r.Shown = "（危机消息，请到“危机”页查看）"
		} else if m.EntryID != 0 {
			r.Answer = s.answeredBy(m.EntryID, m.Score)
			r.CanWrong = !isWrong && m.Text != ""
		}
		if isWrong {
			r.RouteText = "答错了"
		}
		if r.Unanswered {
			v.Unanswered++
		}
		v.Rows = append(v.Rows, r)
	}
	s.audit(c, "messages.view", "messages", fmt.Sprintf("rows=%d", len(list)))
	s.render(c, http.StatusOK, "messages.html", v)
	return nil
}

// StaffDirectory keeps the staff list (staff.Service).
type StaffDirectory interface {
	Get(ctx context.Context, userID string) (models.Staff, error)
	List(ctx context.Context) ([]models.Staff, error)
	// Names maps UserIDs to display names.
	Names(ctx context.Context) (map[string]string, error)
	// Save adds a member or changes one (EINVALID, or ECONFLICT for the last admin).
	Save(ctx context.Context, st models.Staff) error
	// Remove takes a member off the list (ECONFLICT: oneself, the last admin).
	Remove(ctx context.Context, by models.Staff, userID string) error
}

type staffView struct {
	Page
	Staff []models.Staff
	Teams []option
	Form  models.Staff
}

func teamOptions(selected string) []option {
	out := []option{{Value: "", Label: "（无，只看分派给自己的）", Selected: selected == ""}}
	for _, code := range models.WishCategories {
		out = append(out, option{Value: code, Label: models.WishCategoryLabel(code) + "组", Selected: selected == code})
	}
	return out
}

func (s *Server) renderStaff(c *gin.Context, status int, problem string, form models.Staff) error {
	list, err := s.Staff.List(c.Request.Context())
	if err != nil {
		return err
	}
	if form.Role == "" {
		form.Role = models.RoleStaff
	}
	s.render(c, status, "staff.html", &staffView{Page: Page{Title: "人员", Nav: "staff", Error: problem, Invalid: fieldsOf(problem, staffFields)}, Staff: list,
		Teams: teamOptions(form.Team), Form: form})
	return nil
}

// staffPage lists staff and offers the add/edit form (admin only).
func (s *Server) staffPage(c *gin.Context) error {
	var form models.Staff
	if id := c.Query("edit"); id != "" {
		if st, err := s.Staff.Get(c.Request.Context(), id); err == nil {
			form = st
		}
	}
	return s.renderStaff(c, http.StatusOK, "", form)
}

// staffSave adds a staff member or changes their name, role and team.
func (s *Server) staffSave(c *gin.Context) error {
	form := models.Staff{UserID: strings.TrimSpace(c.PostForm("user_id")), Name: strings.TrimSpace(c.PostForm("name")),
		Role: c.PostForm("role"), Team: c.PostForm("team")}
	err := s.Staff.Save(c.Request.Context(), form)
	if models.IsCode(err, models.ECONFLICT) || models.IsCode(err, models.EINVALID) {
		return s.renderStaff(c, statusFor(models.ErrorCode(err)), domainMessage(err), form)
	}
	if err != nil {
		return err
	}
	s.audit(c, "staff.save", "staff:"+form.UserID, "role="+form.Role+" team="+form.Team)
	c.Redirect(http.StatusSeeOther, "/admin/staff?ok=saved")
	return nil
}

// staffDelete removes a staff member and ends their sessions.
func (s *Server) staffDelete(c *gin.Context) error {
	user := c.Param("user")
	me, _ := staffOf(c)
	err := s.Staff.Remove(c.Request.Context(), me, user)
	if models.IsCode(err, models.ECONFLICT) {
		return s.renderStaff(c, http.StatusConflict, domainMessage(err), models.Staff{})
	}
	if err != nil {
		return err
	}
	s.audit(c, "staff.remove", "staff:"+user, "")
	c.Redirect(http.StatusSeeOther, "/admin/staff?ok=removed")
	return nil
}
