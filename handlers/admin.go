package handlers

// The staff admin (/admin, opened inside WeCom's browser) and the public 回音壁 (/wall).
//
// How the framework works
//
//   - Every /admin page except login passes two middlewares: staffOnly (a
//     server-side session from the cookie; without one a GET is redirected to the
//     WeCom login, anything else gets 401) and csrfCheck (every POST must carry the
//     session's synchronizer token in the form field "csrf", else 403 and nothing
//     happens). State never changes on GET.
//   - Pages are html/template files in templates/, parsed once at start-up (a broken
//     template panics at init, so it fails start-up and every test). Each page is
//     layout.html + its own file defining "content"; each has one typed view struct
//     embedding Page. render() fills Page (title, the logged-in staff member, CSRF
//     token, nav counters) and sets the security headers (no-store, CSP, …).
//   - Handlers return errors; h() maps domain error codes to statuses in one table
//     (statusFor) and renders the error page. EFORBID is also audit-logged.
//   - s.audit(c, action, object, detail) records who did what and when. Record
//     every change and every view of sensitive data (never the data itself).
//
// How to add a page (e.g. /admin/events)
//
//  1. Write the handlers in handlers/admin_events.go and add their routes to the
//     table in Router (routes.go), in the authenticated /admin group g:
//
//     g.GET("/events", s.h(s.eventsPage))
//     g.POST("/events/:id/cancel", admin, s.h(s.eventCancel)) // CSRF already checked
//
//     admin (s.adminOnly()) restricts a route to admins.
//  2. Create templates/events.html: {{define "content"}} … {{end}}. Every form needs
//     {{template "csrf" .}} inside it ({{template "csrf" $}} inside a range). Use the
//     classes of static/admin.css (card, list, row, badge, chips, stats, btn, ghost,
//     danger, flash …); the file is embedded automatically (templates/*.html; names
//     starting with "wall" get the public layout instead of the admin one).
//  3. Write the view struct: type eventsView struct{ Page; Events []signup.EventView },
//     fill it and call s.render(c, http.StatusOK, "events.html", &eventsView{Page:
//     Page{Title: "活动", Nav: "events"}, …}). Nav names the highlighted tab.
//  4. After a POST, redirect (303) back with a fixed flash code (?ok=saved; add your
//     own to flashes below) — never user text in the URL — or re-render with
//     Page.Error set.
//  5. Mask personal data in lists (privacy.Mask) and audit-log reveals.

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"familybot/models"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Page is what every admin page's view embeds; render fills it.
type Page struct {
	Title string
	Nav   string // the highlighted tab: home wishes messages crisis events knowledge outbox staff audit
	Me    models.Staff
	CSRF  string
	Flash string // a fixed message chosen by the ?ok= code
	Error string // a problem with what was just submitted
	// Invalid names the fields Error is about: they get aria-invalid and the
	// "invalid" class ({{invalid .Invalid "name"}} in the field's tag).
	Invalid map[string]bool
	// CrisisOpen counts unhandled crisis messages, shown as a red badge in the nav.
	CrisisOpen int64
	// Badges are the other nav counts (navCounts).
	Badges NavCounts
}

func (p *Page) page() *Page { return p }

// pageView is any view struct embedding Page.
type pageView interface{ page() *Page }

// flashes are the confirmations a redirect may ask for (?ok=code).
var flashes = map[string]string{
	// Nothing is delivered yet when these show: a notice is queued, and the wish
	// page's 给居民的通知 says when it went out or failed.
	"saved": "已保存", "replied": "已回复，通知已排队发送给居民", "finished": "已办结，答复已排队发送给居民",
	"accepted": "已受理，通知已排队发送给居民", "started": "已标记为办理中", "reopened": "已重新办理，原因已排队发送给居民", "rejected": "已标记为不予受理，原因已排队发送给居民",
	"assigned": "已分派", "hidden": "已从回音壁隐藏", "shown": "已在回音壁展示", "handled": "已标记为已处理", "crisis_replied": "已排队发给居民（在“发送失败”页可查看能否送达）。联系上居民、情况稳妥后，再标记已处理", "crisis_noted": "已记下", "public_saved": "回音壁上的回应已保存，已按新内容展示", "marked_wrong": "已标为答错了，这个问题已放进“未能回答的问题”，请修改知识库",
	"retried": "已重新排队发送", "removed": "已移除",
	"followed_up": "已记录回访", "recategorized": "类别已修改",
	"recategorized_away": "类别已修改，心愿已转给对应小组（您不在这个小组，所以回到了列表）",
	"handoff_done":       "已标记为已联系，这位居民已离开待联系名单",
	// events
	"ev_created": "已保存为草稿。核对无误后请管理员发布，居民才能报名。", "ev_saved": "活动已保存", "qr_made": "签到二维码已生成，请打印放在签到处",
	"ev_published": "已发布，居民现在可以在公众号报名了", "ev_cancelled": "活动已取消，通知已排队发送给所有报名和候补的居民",
	"ev_checkin": "签到成功", "ev_su_cancelled": "已取消这条报名，通知已排队发送给居民；有候补的会自动递补",
	// knowledge
	"kbsaved":     "已保存，机器人已按新内容回答",
	"kbcreated":   "已新建条目，机器人已可以用它回答",
	"kbappended":  "已把这个问法加到条目，机器人已可以回答",
	"kbignored":   "已忽略这个问题",
	"kbstale":     "已保存，但机器人暂时没能更新。请稍后再保存一次，或联系技术人员",
	"rulesaved":   "规则已保存，机器人已按新规则回复",
	"ruledeleted": "规则已删除",
	"kbreviewed":  "已记录审核，这个条目已离开待审核列表",
}

// pages holds each page's parsed template set, built once at start-up.
var pages = mustParsePages()

var funcs = template.FuncMap{
	"statusLabel": models.WishStatusLabel,
	"catLabel":    models.WishCategoryLabel,
	"when":        whenText,
	"invalid":     invalidAttr,
	"day":         func(t time.Time) string { return t.In(models.Beijing).Format("1月2日") },
	"pct": func(n, d int64) string {
		if d == 0 {
			return "—"
		}
		return strconv.FormatFloat(float64(n)*100/float64(d), 'f', 0, 64) + "%"
	},
}

// whenText formats a time (or a *time.Time) in China time; zero or nil is "".
func whenText(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(models.Beijing).Format("2006-01-02 15:04")
	case *time.Time:
		if v == nil || v.IsZero() {
			return ""
		}
		return v.In(models.Beijing).Format("2006-01-02 15:04")
	}
	return ""
}

func mustParsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" || base == "public.html" {
			continue
		}
		layout := "templates/layout.html"
		if strings.HasPrefix(base, "wall") {
			layout = "templates/public.html"
		}
		out[base] = template.Must(template.New(path.Base(layout)).Funcs(funcs).ParseFS(templateFS, layout, name))
	}
	return out
}

// securityHeaders is set on every /admin and /wall response.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data: https://mp.weixin.qq.com; form-action 'self'; "+
		"frame-ancestors 'none'; base-uri 'none'")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// render executes a page inside the layout with the common fields filled.
func (s *Server) render(c *gin.Context, status int, name string, v pageView) {
	p := v.page()
	if st, ok := staffOf(c); ok {
		p.Me = st
		if sess, ok := sessionOf(c); ok {
			p.CSRF = sess.CSRF
		}
		if s.Crisis != nil {
			p.CrisisOpen, _ = s.Crisis.OpenCount(c.Request.Context())
		}
		p.Badges = s.navCounts(c.Request.Context(), st)
	}
	if p.Flash == "" {
		p.Flash = flashes[c.Query("ok")]
	}
	t, ok := pages[name]
	if !ok {
		s.logError(c, errors.New("unknown template "+name))
		c.String(http.StatusInternalServerError, "页面模板缺失")
		return
	}
	securityHeaders(c)
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := t.Execute(c.Writer, v); err != nil {
		s.logError(c, err)
	}
}

// errorView is the error page.
type errorView struct {
	Page
	Status  int
	Message string
}

// statusFor maps domain error codes to HTTP statuses: the one table.
func statusFor(code string) int {
	switch code {
	case models.EINVALID:
		return http.StatusBadRequest
	case models.ENOTFOUND:
		return http.StatusNotFound
	case models.ECONFLICT:
		return http.StatusConflict
	case models.EFORBID:
		return http.StatusForbidden
	case models.ELIMIT:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

var errorSentences = map[int]string{
	http.StatusBadRequest:          "提交的内容有误，请返回修改。",
	http.StatusUnauthorized:        "请先登录。",
	http.StatusForbidden:           "您没有权限查看或操作这项内容。",
	http.StatusNotFound:            "没有找到这项内容。",
	http.StatusConflict:            "这项内容刚被其他同事修改过，请返回刷新后再试。",
	http.StatusTooManyRequests:     "操作太频繁，请稍后再试。",
	http.StatusInternalServerError: "系统出了点问题，请稍后再试。问题已记录。",
}

// h adapts a handler that returns an error; failures become the error page.
func (s *Server) h(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail renders err as the error page with the mapped status. Forbidden attempts
// are audit-logged; internal errors are logged, never shown.
func (s *Server) fail(c *gin.Context, err error) {
	code := models.ErrorCode(err)
	status := statusFor(code)
	msg := errorSentences[status]
	var de *models.Error
	if errors.As(err, &de) && status != http.StatusInternalServerError && hasHan(de.Message) {
		msg = de.Message
	}
	switch status {
	case http.StatusForbidden:
		s.audit(c, "forbidden", c.Request.Method+" "+c.Request.URL.Path, "")
	case http.StatusInternalServerError:
		s.logError(c, err)
	}
	s.render(c, status, "error.html", &errorView{Page: Page{Title: "出错了"}, Status: status, Message: msg})
}

func (s *Server) plainError(c *gin.Context, status int) {
	s.render(c, status, "error.html", &errorView{Page: Page{Title: "出错了"}, Status: status, Message: errorSentences[status]})
	c.Abort()
}

// domainMessage returns the safe message of a domain error ("" otherwise).
func domainMessage(err error) string {
	var de *models.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// logError logs a failed admin request (or a failed call it made) without personal data.
func (s *Server) logError(c *gin.Context, err error) {
	if s.Log != nil {
		s.Log.Error("admin request failed", "path", c.FullPath(), "request_id", c.GetString("request_id"), "err", err)
	}
}

// audit records a staff action. A failure to write it is logged; the action
// itself has already happened, so it is not undone.
func (s *Server) audit(c *gin.Context, action, object, detail string) {
	if s.Audit == nil {
		return
	}
	actor := "anonymous"
	if st, ok := staffOf(c); ok {
		actor = st.UserID
	} else if a := c.GetString("audit_actor"); a != "" {
		actor = a
	}
	err := s.Audit.Record(c.Request.Context(), models.AuditLog{Actor: actor, Action: action, Object: object,
		Detail: detail, IP: c.ClientIP(), CreatedAt: s.now()})
	if err != nil {
		s.logError(c, err)
	}
}

// randomToken returns n random bytes as hex (letters and digits only, as WeCom's state requires).
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// idParam reads a numeric path parameter; a malformed one is ENOTFOUND.
func idParam(c *gin.Context, name string) (uint64, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || id == 0 {
		return 0, models.Errorf(models.ENOTFOUND, "not found")
	}
	return id, nil
}

// residentTag is a stable pseudonym for an openid ("居民 3fa2c1"), so staff can
// tell messages apart without seeing the openid.
func residentTag(openID string) string {
	if openID == "" {
		return "居民"
	}
	var h uint32 = 2166136261
	for i := 0; i < len(openID); i++ {
		h ^= uint32(openID[i])
		h *= 16777619
	}
	return "居民 " + strconv.FormatUint(uint64(h&0xffffff), 16)
}
