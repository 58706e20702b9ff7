package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/models"
	"familybot/privacy"
	"familybot/wishwall"

	"github.com/gin-gonic/gin"
)

// option is one choice in a filter or a select.
type option struct {
	Value, Label string
	N            int64
	Selected     bool
}

// wishRow is one inbox line: everything masked, nothing a resident wrote unescaped.
type wishRow struct {
	ID         uint64
	Status     models.WishStatus
	Category   string
	Excerpt    string
	Contact    string
	Overdue    string
	Assignee   string
	Replies    int
	Public     bool
	Rating     int
	LowRating  bool // rated models.WishLowRating or less: call the resident back
	FollowedUp bool
	// NoPublic: on the 回音壁 without a public version staff wrote (a prompt to write one).
	NoPublic   bool
	CreatedAt  time.Time
	StatusText string
}

type wishesView struct {
	Page
	Rows       []wishRow
	Statuses   []option
	Categories []option
	Status     string
	Category   string
	Overdue    int64
	LowRated   bool  // ?rated=low: only low ratings
	LowWaiting int64 // low ratings nobody has followed up
	Truncated  bool
	ExportURL  string
}

const inboxLimit = 200

func (s *Server) wishes() (*wishwall.Service, error) {
	if s.Wishes == nil {
		return nil, models.Errorf(models.ENOTFOUND, "心愿墙没有启用。")
	}
	return s.Wishes, nil
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func validStatusFilter(v string) string {
	switch v {
	case "", "open":
		return "open"
	case "overdue", "all":
		return v
	}
	for _, st := range models.WishStatuses {
		if string(st) == v {
			return v
		}
	}
	return "open"
}

func validCategory(v string) string {
	if code, ok := models.WishCategoryByLabel(v); ok {
		return code
	}
	return ""
}

// wishesPage is the inbox: filter by status and category, overdue first.
func (s *Server) wishesPage(c *gin.Context) error {
	svc, err := s.wishes()
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	ctx := c.Request.Context()
	status, cat := validStatusFilter(c.Query("status")), validCategory(c.Query("category"))
	low := c.Query("rated") == "low"
	if low && c.Query("status") == "" {
		status = "all" // ratings come after 办结: the default 待办 would hide them all
	}
	items, err := svc.Inbox(ctx, me, wishwall.Query{Status: status, Category: cat, LowRated: low, Limit: inboxLimit + 1})
	if err != nil {
		return err
	}
	counts, overdue, err := svc.Counts(ctx, me)
	if err != nil {
		return err
	}
	lowWaiting, err := svc.LowRatedWaiting(ctx, me)
	if err != nil {
		return err
	}
	names := s.staffNames(ctx)
	v := &wishesView{Page: Page{Title: "心愿", Nav: "wishes"}, Status: status, Category: cat, Overdue: overdue,
		LowRated: low, LowWaiting: lowWaiting, ExportURL: "/admin/wishes.csv?status=" + status + "&category=" + cat}
	if len(items) > inboxLimit {
		items, v.Truncated = items[:inboxLimit], true
	}
	var open int64
	for _, st := range models.WishOpenStatuses {
		open += counts[st]
	}
	var all int64
	for _, n := range counts {
		all += n
	}
	v.Statuses = []option{{Value: "open", Label: "待办", N: open}, {Value: "overdue", Label: "逾期", N: overdue}}
	for _, st := range models.WishStatuses {
		v.Statuses = append(v.Statuses, option{Value: string(st), Label: models.WishStatusLabel(st), N: counts[st]})
	}
	v.Statuses = append(v.Statuses, option{Value: "all", Label: "全部", N: all})
	for i := range v.Statuses {
		v.Statuses[i].Selected = v.Statuses[i].Value == status
	}
	v.Categories = append(v.Categories, option{Value: "", Label: "全部类别", Selected: cat == ""})
	for _, code := range models.WishCategories {
		v.Categories = append(v.Categories, option{Value: code, Label: models.WishCategoryLabel(code), Selected: cat == code})
	}
	for _, d := range items {
		v.Rows = append(v.Rows, wishRow{ID: d.ID, Status: d.Status, StatusText: models.WishStatusLabel(d.Status),
			Category: models.WishCategoryLabel(d.Category), Excerpt: excerpt(privacy.Mask(d.Text), 60),
			Contact: privacy.Mask(d.Contact), Overdue: d.Overdue, Assignee: names[d.AssignedTo],
			Replies: d.ReplyCount, Public: d.Public, Rating: d.Rating, CreatedAt: d.CreatedAt,
			LowRating: wishwall.IsLowRating(d.Rating), FollowedUp: d.FollowedUpAt != nil,
			NoPublic: d.Public && !d.WallHidden && d.Status == models.WishDone && d.PublicReply == ""})
	}
	s.render(c, http.StatusOK, "wishes.html", v)
	return nil
}

// staffNames maps UserIDs to display names.
func (s *Server) staffNames(ctx context.Context) map[string]string {
	out, _ := s.Staff.Names(ctx)
	return out
}

type eventRow struct {
	models.WishEvent
	What string
}

type wishView struct {
	Page
	W          wishwall.Detail
	Text       string // masked unless revealed
	Contact    string // masked unless revealed
	Revealed   bool
	CanReveal  bool // masking hid something: offer the audited reveal
	Category   string
	Team       string
	Assignee   string
	Steps      []option // status moves other than 办结/不予受理 (those need text)
	CanFinish  bool
	CanReject  bool
	CanReopen  bool // 已办结: may be taken up again, with a reason
	CanReply   bool
	Teams      []option
	Categories []option
	Colleagues []option
	Events     []eventRow
	Draft      string
	Reason     string
	LowRating  bool        // the resident rated the answer low: offer 记录回访
	Failed     string      // the form the last submission failed in (reply, reject, reopen, followup): kept open
	Notices    []noticeRow // what the resident was sent about this wish, and whether it went out
	Wall       wallVersion // the 回音壁 version of the answer
}

var stepLabels = map[models.WishStatus]string{models.WishAccepted: "受理", models.WishInProgress: "开始办理"}

func (s *Server) renderWish(c *gin.Context, status int, id uint64, revealed bool, problem, draft, reason string) error {
	svc, err := s.wishes()
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	ctx := c.Request.Context()
	d, err := svc.Get(ctx, me, id)
	if err != nil {
		return err
	}
	names := s.staffNames(ctx)
	failed := c.GetString(wishFormKey)
	v := &wishView{Page: Page{Title: fmt.Sprintf("心愿 #%d", d.ID), Nav: "wishes", Error: problem}, W: d, Revealed: revealed,
		Failed: failed,
		Text:   d.Text, Contact: d.Contact, Category: models.WishCategoryLabel(d.Category), Team: models.WishCategoryLabel(d.Team),
		Assignee: names[d.AssignedTo], CanReply: wishwall.CanReply(d.Status), Draft: draft, Reason: reason,
		CanFinish: wishwall.CanTransition(d.Status, models.WishDone), CanReject: wishwall.CanTransition(d.Status, models.WishRejected),
		CanReopen: d.Status == models.WishDone, LowRating: wishwall.IsLowRating(d.Rating)}
	if problem != "" && failed != "" {
		v.Invalid = map[string]bool{failed: true}
	}
	if !revealed {
		v.Text, v.Contact = privacy.Mask(d.Text), privacy.Mask(d.Contact)
		v.CanReveal = v.Text != d.Text || v.Contact != d.Contact
	}
	for _, to := range wishwall.NextStatuses(d.Status) {
		if l, ok := stepLabels[to]; ok {
			v.Steps = append(v.Steps, option{Value: string(to), Label: l})
		}
	}
	v.Categories = categoryOptions(d.Category)
	for _, code := range models.WishCategories {
		v.Teams = append(v.Teams, option{Value: code, Label: models.WishCategoryLabel(code) + "组", Selected: d.Team == code})
	}
	v.Colleagues = append(v.Colleagues, option{Value: "", Label: "（不指定）", Selected: d.AssignedTo == ""})
	list, _ := s.Staff.List(ctx)
	for _, st := range list {
		v.Colleagues = append(v.Colleagues, option{Value: st.UserID, Label: st.Label(), Selected: d.AssignedTo == st.UserID})
	}
	for _, ev := range d.Events {
		v.Events = append(v.Events, eventRow{WishEvent: ev, What: eventText(ev)})
	}
	v.Notices = s.wishNotices(ctx, id)
	v.Wall = publicVersion(c, d)
	action := "wish.view"
	if revealed {
		action = "wish.reveal"
	}
	s.audit(c, action, fmt.Sprintf("wish:%d", id), "")
	s.render(c, status, "wish.html", v)
	return nil
}

func eventText(ev models.WishEvent) string {
	switch ev.Action {
	case models.WishActCreate:
		return "居民提交心愿"
	case models.WishActStatus:
		return "状态改为“" + models.WishStatusLabel(ev.ToStatus) + "”"
	case models.WishActReply:
		return "回复居民"
	case models.WishActAssign:
		return "分派（" + ev.Note + "）"
	case models.WishActWall, models.WishActCategory:
		return ev.Note
	case models.WishActRate:
		return "居民评价：" + ev.Note + "分"
	case models.WishActFollowUp:
		return "回访居民：" + ev.Note
	}
	return ev.Action
}

// wishPage shows one wish: text, contact (masked), replies, actions, history.
func (s *Server) wishPage(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderWish(c, http.StatusOK, id, false, "", "", "")
}

// wishReveal shows the full text and contact: an explicit, audited POST.
func (s *Server) wishReveal(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderWish(c, http.StatusOK, id, true, "", "", "")
}

// wishFormKey names, in the request, the wish page's form being submitted, so
// that a re-render after a mistake keeps that fold-out open and highlights its field.
const wishFormKey = "wish_form"

// afterChange redirects on success; a problem with the input (or a colleague's
// change in between) re-renders the page with the message and the typed text kept.
func (s *Server) afterChange(c *gin.Context, id uint64, err error, ok, draft, reason string) error {
	switch models.ErrorCode(err) {
	case "":
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/wishes/%d?ok=%s#result", id, ok))
		return nil
	case models.EINVALID, models.ECONFLICT:
		msg := errorSentences[statusFor(models.ErrorCode(err))]
		var de *models.Error
		if errors.As(err, &de) && hasHan(de.Message) {
			msg = de.Message
		}
		return s.renderWish(c, statusFor(models.ErrorCode(err)), id, false, msg, draft, reason)
	}
	return err
}

// wishStatus moves a wish: accepted, in_progress, or rejected (with a reason).
func (s *Server) wishStatus(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	ctx := c.Request.Context()
	to, reason := c.PostForm("to"), c.PostForm("reason")
	switch {
	case c.PostForm("reopen") == "1":
		c.Set(wishFormKey, "reopen")
	case models.WishStatus(to) == models.WishRejected:
		c.Set(wishFormKey, "reject")
	}
	var ok string
	switch models.WishStatus(to) {
	case models.WishAccepted:
		_, err = svc.Accept(ctx, me, id)
		ok = "accepted"
	case models.WishInProgress:
		if c.PostForm("reopen") == "1" {
			_, err = svc.Reopen(ctx, me, id, reason)
			ok, to = "reopened", "reopened"
		} else {
			_, err = svc.Start(ctx, me, id)
			ok = "started"
		}
	case models.WishRejected:
		_, err = svc.Reject(ctx, me, id, reason)
		ok = "rejected"
	default:
		err = models.Errorf(models.EINVALID, "不支持的操作")
	}
	if err == nil {
		s.audit(c, "wish.status", fmt.Sprintf("wish:%d", id), to)
	}
	return s.afterChange(c, id, err, ok, "", reason)
}

// wishReply sends a reply (action=reply) or replies and closes (action=finish).
func (s *Server) wishReply(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	text := c.PostForm("text")
	c.Set(wishFormKey, "reply")
	ok := "replied"
	if c.PostForm("action") == "finish" {
		_, err = svc.Finish(c.Request.Context(), me, id, text)
		ok = "finished"
	} else {
		_, err = svc.Reply(c.Request.Context(), me, id, text)
	}
	if err == nil {
		s.audit(c, "wish."+ok, fmt.Sprintf("wish:%d", id), "")
	}
	return s.afterChange(c, id, err, ok, text, "")
}

// wishAssign hands the wish to a team and a colleague.
func (s *Server) wishAssign(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	team, user := c.PostForm("team"), c.PostForm("user")
	_, err = svc.Assign(c.Request.Context(), me, id, team, user)
	if err == nil {
		s.audit(c, "wish.assign", fmt.Sprintf("wish:%d", id), "team="+team+" user="+user)
	}
	return s.afterChange(c, id, err, "assigned", "", "")
}

// wishWall hides a wish from the 回音壁 or shows it again.
func (s *Server) wishWall(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	hidden := c.PostForm("hidden") == "1"
	_, err = svc.SetWallHidden(c.Request.Context(), me, id, hidden)
	ok := "shown"
	if hidden {
		ok = "hidden"
	}
	if err == nil {
		s.audit(c, "wish.wall", fmt.Sprintf("wish:%d", id), ok)
	}
	return s.afterChange(c, id, err, ok, "", "")
}

// wishTarget is the wish named in the URL and the service that acts on it.
func (s *Server) wishTarget(c *gin.Context) (uint64, *wishwall.Service, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return 0, nil, err
	}
	svc, err := s.wishes()
	return id, svc, err
}
