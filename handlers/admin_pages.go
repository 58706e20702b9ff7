package handlers

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"
	"familybot/store"

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
	Msgs       store.MessageStats
	Top        []store.EntryCount
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
	var err error
	if v.Msgs, err = s.Store.CountMessagesSince(ctx, since); err != nil {
		return err
	}
	if v.Top, err = s.Store.TopEntriesSince(ctx, since, 5); err != nil {
		return err
	}
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

var crisisKinds = map[knowledge.CrisisKind]string{knowledge.CrisisMedical: "可能急症", knowledge.CrisisSuicide: "自伤风险",
	knowledge.CrisisChildAbuse: "儿童受侵害", knowledge.CrisisViolence: "家庭暴力", knowledge.CrisisMissingMinor: "孩子联系不上"}

type crisisRow struct {
	models.CrisisEvent
	Shown     string
	CanReveal bool // masking hid a number: offer the audited reveal
}

type crisisView struct {
	Page
	Episodes []crisisEpisode
}

// crisisPage lists flagged crisis messages grouped by episode, unhandled first (alerts link here).
func (s *Server) crisisPage(c *gin.Context) error { return s.renderCrisis(c, http.StatusOK, 0) }

func (s *Server) renderCrisis(c *gin.Context, status int, reveal uint64) error {
	ctx := c.Request.Context()
	list, err := s.Store.ListCrisisEvents(ctx, 100)
	if err != nil {
		return err
	}
	v := &crisisView{Page: Page{Title: "危机消息", Nav: "crisis"}, Episodes: groupCrisis(list, reveal)}
	if err := s.crisisHistory(ctx, v.Episodes); err != nil {
		return err
	}
	for i, ep := range v.Episodes { // who took it up from the WeCom card, by name
		if ep.FollowedBy != "" {
			if st, err := s.Store.GetStaff(ctx, ep.FollowedBy); err == nil {
				v.Episodes[i].FollowedBy = st.Label()
			}
		}
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
		s.audit(c, "crisis.view", "crisis", fmt.Sprintf("rows=%d", len(list)))
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
	if _, err := s.Store.GetCrisisEvent(c.Request.Context(), id); err != nil {
		return err
	}
	return s.renderCrisis(c, http.StatusOK, id)
}

// crisisHandled closes the episode up to this message, keeping what was done.
// A note is required unless one is already kept (a reply, a call); closing a
// self-harm episode needs 已确认居民目前安全 ticked.
func (s *Server) crisisHandled(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ep, err := s.Store.CrisisEpisode(ctx, id)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(c.PostForm("note"))
	if utf8.RuneCountInString(text) > maxCrisisReply {
		return s.crisisInvalid(c, id, "close", fmt.Sprintf("处理情况请不要超过%d个字", maxCrisisReply))
	}
	ids := make([]uint64, len(ep))
	selfHarm := false
	for i, ev := range ep {
		ids[i] = ev.ID
		selfHarm = selfHarm || knowledge.CrisisKind(ev.Kind) == knowledge.CrisisSuicide
	}
	notes, err := s.Store.ListCrisisNotes(ctx, ids)
	if err != nil {
		return err
	}
	if text == "" && len(notes) == 0 {
		return s.crisisInvalid(c, id, "close", "请先写下做了什么（例如：已电话联系，孩子已送医），再标记已处理")
	}
	if selfHarm && c.PostForm("safe") != "1" {
		return s.crisisInvalid(c, id, "safe", "这是自伤风险的求助：请先确认居民目前安全，勾选“已确认居民目前安全”，再标记已处理")
	}
	if selfHarm {
		text = strings.TrimSpace(text + " 已确认居民目前安全")
	}
	me, _ := staffOf(c)
	err = s.Store.CloseCrisis(ctx, id, models.CrisisNote{Kind: models.CrisisNoteClosed, Text: text, By: me.Label(), CreatedAt: s.now()})
	if err != nil && !models.IsCode(err, models.ECONFLICT) {
		return err
	}
	if err == nil {
		detail := fmt.Sprintf("chars=%d", utf8.RuneCountInString(text))
		if selfHarm {
			detail += " safe=confirmed"
		}
		s.audit(c, "crisis.handled", fmt.Sprintf("crisis:%d", id), detail)
	}
	c.Redirect(http.StatusSeeOther, "/admin/crisis?ok=handled")
	return nil
}

// maxCrisisReply bounds a staff reply to a crisis message (one WeChat text).
const maxCrisisReply = 600

// crisisReply sends the resident a message from the staff member following
// the crisis up, through the outbox as a customer-service message, and keeps
// it with the episode. The emergency lines are always added. There is no
// template fallback: a resident silent for more than 48 hours cannot be
// reached this way, so the page says to phone instead. Sending does not close
// the case: staff close it when they know the resident is looked after.
func (s *Server) crisisReply(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ev, err := s.Store.GetCrisisEvent(ctx, id)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(c.PostForm("text"))
	switch {
	case text == "":
		return s.crisisInvalid(c, id, "text", "请填写要发给居民的话")
	case utf8.RuneCountInString(text) > maxCrisisReply:
		return s.crisisInvalid(c, id, "text", fmt.Sprintf("内容请不要超过%d个字", maxCrisisReply))
	}
	if w := s.replyWindow(ctx, ev.OpenID, ev.CreatedAt); !w.Open {
		return s.crisisInvalid(c, id, "text", "居民超过48小时没有发消息，公众号发不出去了，请电话联系")
	}
	me, _ := staffOf(c)
	name := strings.TrimSpace(s.Cfg.Association.Name)
	body := text + "\n\n——" + name + "工作人员\n如情况紧急，请立即拨打 120（急救）或 110（报警）；想找人说说：12356 全国统一心理援助热线。"
	// The same words sent twice (a double tap) go out once; a second, different reply goes out too.
	sum := sha256.Sum256([]byte(text))
	m := models.OutboxMessage{DedupKey: fmt.Sprintf("crisisreply:%d:%x", id, sum[:8]), Channel: models.ChannelCustomer,
		To: ev.OpenID, Title: "工作人员回复", Text: body}
	note := models.CrisisNote{CrisisID: id, Kind: models.CrisisNoteReply, Text: text, By: me.Label(), CreatedAt: s.now()}
	if err := s.Store.SendCrisisReply(ctx, &m, note); err != nil {
		return err
	}
	s.audit(c, "crisis.reply", fmt.Sprintf("crisis:%d", id), fmt.Sprintf("chars=%d", utf8.RuneCountInString(text)))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/crisis?ok=crisis_replied#episode-%d", id))
	return nil
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
	list, err := s.Store.ListRecentMessages(c.Request.Context(), s.now().Add(-7*24*time.Hour), only, 200)
	if err != nil {
		return err
	}
	v := &messagesView{Page: Page{Title: "居民留言", Nav: "messages"}, UnansweredOnly: only}
	ids := make([]uint64, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	wrong, err := s.Store.WrongAnswers(c.Request.Context(), ids)
	if err != nil {
		return err
	}
	for _, m := range list {
		_, isWrong := wrong[m.ID]
		r := messageRow{Message: m, Resident: residentTag(m.OpenID), Shown: privacy.Mask(m.Text),
			Unanswered: m.Route == models.RouteFallback || isWrong, RouteText: routeTexts[m.Route], Wrong: isWrong}
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
	list, err := s.Store.ListStaff(c.Request.Context())
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
		if st, err := s.Store.GetStaff(c.Request.Context(), id); err == nil {
			form = st
		}
	}
	return s.renderStaff(c, http.StatusOK, "", form)
}

// staffSave adds a staff member or changes their name, role and team.
func (s *Server) staffSave(c *gin.Context) error {
	ctx := c.Request.Context()
	form := models.Staff{UserID: strings.TrimSpace(c.PostForm("user_id")), Name: strings.TrimSpace(c.PostForm("name")),
		Role: c.PostForm("role"), Team: c.PostForm("team")}
	if err := form.Validate(); err != nil {
		return s.renderStaff(c, http.StatusBadRequest, domainMessage(err), form)
	}
	// An existing member's role changes through UpdateStaffRole, which refuses to
	// demote the last admin; then the name is saved.
	_, err := s.Store.GetStaff(ctx, form.UserID)
	switch {
	case err == nil:
		if err = s.Store.UpdateStaffRole(ctx, form.UserID, form.Role, form.Team); err == nil {
			err = s.Store.SaveStaff(ctx, form)
		}
	case models.IsCode(err, models.ENOTFOUND):
		err = s.Store.SaveStaff(ctx, form)
	}
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
	if user == me.UserID {
		return s.renderStaff(c, http.StatusConflict, "不能移除自己。", models.Staff{})
	}
	err := s.Store.DeleteStaff(c.Request.Context(), user)
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
