package handlers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"familybot/models"

	"github.com/gin-gonic/gin"
)

// Sessions: the cookie holds 32 random bytes; the database holds their SHA-256,
// the staff member and the session's CSRF token. A new session (new ID) is made at
// every login; logout deletes it; how long it lasts is the Sessions service's
// rule (staff.SessionIdle, staff.SessionMax).
//
// Login (WeCom OAuth2, snsapi_base): /admin/login stores a one-time state bound to
// the SHA-256 of a random pre-login cookie and redirects to WeCom; the callback
// consumes the state (a replay or another browser's state is 403), exchanges the
// code for a UserID and lets in only UserIDs in the staff table. Being a member
// of the corporation is not enough: getuserinfo answers for any member. A login
// on a WeCom-managed device is the practical second factor (ASVS 4.3.1).
const (
	loginStateTTL = 10 * time.Minute
	preLoginName  = "fb_prelogin"
	maxFormBytes  = 64 << 10
)

// secureRequest reports whether the browser reached us over HTTPS (directly or via a proxy).
func secureRequest(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// sessionCookieName uses the __Host- prefix over HTTPS (Secure, Path=/, no Domain).
func sessionCookieName(c *gin.Context) string {
	if secureRequest(c) {
		return "__Host-fb_session"
	}
	return "fb_session"
}

func setCookie(c *gin.Context, name, value, path string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: secureRequest(c), SameSite: http.SameSiteLaxMode})
}

func hashToken(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

func staffOf(c *gin.Context) (models.Staff, bool) {
	v, ok := c.Get("staff")
	if !ok {
		return models.Staff{}, false
	}
	st, ok := v.(models.Staff)
	return st, ok
}

func sessionOf(c *gin.Context) (models.AdminSession, bool) {
	v, ok := c.Get("session")
	if !ok {
		return models.AdminSession{}, false
	}
	s, ok := v.(models.AdminSession)
	return s, ok
}

// Sessions is what logging in and out needs (staff.Service).
type Sessions interface {
	// Session returns the live session with that ID and its staff member.
	Session(ctx context.Context, id string) (models.AdminSession, models.Staff, error)
	// Start opens a session for userID if on the staff list (else ENOTFOUND),
	// ending the session replaces.
	Start(ctx context.Context, userID, id, csrf, replaces string) (models.Staff, models.AdminSession, error)
	End(ctx context.Context, id string) error
	NewLoginState(ctx context.Context, state, binding, next string, ttl time.Duration) error
	UseLoginState(ctx context.Context, state, binding string) (models.OAuthState, error)
	// Enroll adds a staff member unless already on the list.
	Enroll(ctx context.Context, st models.Staff) error
}

// currentSession loads the request's session and staff member, if any.
func (s *Server) currentSession(c *gin.Context) (models.AdminSession, models.Staff, bool) {
	if s.Sessions == nil {
		return models.AdminSession{}, models.Staff{}, false
	}
	raw, err := c.Cookie(sessionCookieName(c))
	if err != nil || len(raw) != 64 {
		return models.AdminSession{}, models.Staff{}, false
	}
	sess, st, err := s.Sessions.Session(c.Request.Context(), hashToken(raw))
	return sess, st, err == nil
}

// staffOnly lets in requests with a valid session. Without one, a GET is sent to
// the login (and back afterwards); anything else is 401. Fails closed.
func (s *Server) staffOnly() gin.HandlerFunc {
	return func(c *gin.Context) {
		sess, st, ok := s.currentSession(c)
		if !ok {
			if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
				c.Redirect(http.StatusFound, "/admin/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
				c.Abort()
				return
			}
			s.plainError(c, http.StatusUnauthorized)
			return
		}
		c.Set("session", sess)
		c.Set("staff", st)
		c.Next()
	}
}

// csrfCheck rejects state-changing requests without the session's token (from the
// form field "csrf" or the X-CSRF-Token header), and cross-site requests that
// announce themselves (Sec-Fetch-Site / Origin). Nothing happens on failure.
func (s *Server) csrfCheck() gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
		sess, _ := sessionOf(c)
		token := c.GetHeader("X-CSRF-Token")
		if token == "" {
			token = c.PostForm("csrf")
		}
		if err := cop.Check(c.Request); err != nil || sess.CSRF == "" ||
			subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) != 1 {
			s.audit(c, "csrf.reject", c.Request.Method+" "+c.Request.URL.Path, "")
			s.plainError(c, http.StatusForbidden)
			return
		}
		c.Next()
	}
}

// adminOnly restricts a route to the admin role.
func (s *Server) adminOnly() gin.HandlerFunc { return s.roleOnly("admin only", models.Staff.IsAdmin) }

// roleOnly restricts a route to the staff for whom ok is true; others get 403, audited.
func (s *Server) roleOnly(why string, ok func(models.Staff) bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if st, in := staffOf(c); !in || !ok(st) {
			s.audit(c, "forbidden", c.Request.Method+" "+c.Request.URL.Path, why)
			s.plainError(c, http.StatusForbidden)
			return
		}
		c.Next()
	}
}

// safeNext keeps post-login redirects inside the admin.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.Contains(next, "//") || strings.Contains(next, `\`) ||
		len(next) > 250 || strings.HasPrefix(next, "/admin/login") || strings.HasPrefix(next, "/admin/oauth") {
		return "/admin"
	}
	return next
}

type loginView struct {
	Page
	Message string
	Retry   string
}

// login starts the WeCom OAuth login (or says why it cannot).
func (s *Server) login(c *gin.Context) error {
	next := safeNext(c.Query("next"))
	if _, _, ok := s.currentSession(c); ok {
		c.Redirect(http.StatusFound, next)
		return nil
	}
	if !s.weComLogin() {
		s.render(c, http.StatusServiceUnavailable, "login.html", &loginView{Page: Page{Title: "登录"},
			Message: "企业微信登录还没有配置（wecom.corp_id、wecom.agent_id）。请联系系统管理员。"})
		return nil
	}
	state, pre := randomToken(16), randomToken(32)
	if err := s.Sessions.NewLoginState(c.Request.Context(), state, hashToken(pre), next, loginStateTTL); err != nil {
		return err
	}
	setCookie(c, preLoginName, pre, "/admin", int(loginStateTTL/time.Second))
	c.Redirect(http.StatusFound, s.oauthURL(c, state))
	return nil
}

// oauthURL builds WeCom's authorize link (silenceper's GetTargetURL fixes state
// to "STATE" and omits agentid, so it is built here).
func (s *Server) oauthURL(c *gin.Context, state string) string {
	q := "appid=" + url.QueryEscape(s.Cfg.WeCom.CorpID) +
		"&redirect_uri=" + url.QueryEscape(s.baseURL(c)+"/admin/oauth/callback") +
		"&response_type=code&scope=snsapi_base&state=" + state +
		"&agentid=" + url.QueryEscape(s.Cfg.WeCom.AgentID)
	return "https://open.weixin.qq.com/connect/oauth2/authorize?" + q + "#wechat_redirect"
}

func (s *Server) baseURL(c *gin.Context) string {
	if u := strings.TrimRight(s.Cfg.Server.PublicURL, "/"); u != "" {
		return u
	}
	scheme := "http"
	if secureRequest(c) {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func validToken(v string, max int) bool {
	if v == "" || len(v) > max {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// oauthCallback finishes the WeCom login.
func (s *Server) oauthCallback(c *gin.Context) error {
	if s.loginBlocked(c) {
		return nil
	}
	state, code := c.Query("state"), c.Query("code")
	pre, _ := c.Cookie(preLoginName)
	setCookie(c, preLoginName, "", "/admin", -1)
	if !validToken(state, 128) {
		return s.loginFailed(c, "登录链接缺少或带错了校验码", "登录链接已失效，请重新打开后台。")
	}
	// Any attempt uses the state up, even one without the pre-login cookie.
	st, err := s.Sessions.UseLoginState(c.Request.Context(), state, hashToken(pre))
	if err != nil || pre == "" {
		return s.loginFailed(c, "登录链接已用过、已过期或来自另一个浏览器", "登录链接已失效，请重新打开后台。")
	}
	if !validToken(code, 512) {
		return s.loginFailed(c, "企业微信没有返回登录凭证", "企业微信没有返回登录凭证，请重新打开后台。")
	}
	userID, err := s.OAuth.UserIDFromCode(c.Request.Context(), code)
	if err != nil {
		s.logError(c, err)
		s.render(c, http.StatusBadGateway, "login.html", &loginView{Page: Page{Title: "登录"},
			Message: "暂时无法向企业微信确认您的身份，请稍后重试。", Retry: "/admin/login"})
		return nil
	}
	return s.startSession(c, userID, safeNext(st.Next), "login")
}

// devLogin logs in as the development admin (only when admin.dev_login_token is set).
func (s *Server) devLogin(c *gin.Context) error {
	if s.loginBlocked(c) {
		return nil
	}
	want := s.devLoginToken()
	got := c.Query("token")
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return s.loginFailed(c, "开发登录口令错误", "开发登录口令不正确。")
	}
	dev := models.Staff{UserID: "dev-admin", Name: "开发管理员", Role: models.RoleAdmin}
	if err := s.Sessions.Enroll(c.Request.Context(), dev); err != nil {
		return err
	}
	return s.startSession(c, dev.UserID, safeNext(c.Query("next")), "login.dev")
}

// startSession admits userID if it is in the staff table: a fresh session ID
// (any session the browser had is ended), a fresh CSRF token.
func (s *Server) startSession(c *gin.Context, userID, next, action string) error {
	ctx := c.Request.Context()
	c.Set("audit_actor", userID)
	if userID == "" {
		s.audit(c, "login.reject", "", "not a corporation member")
		return models.Errorf(models.EFORBID, "只有本协会的工作人员可以登录后台。")
	}
	var replaces string
	if old, err := c.Cookie(sessionCookieName(c)); err == nil && old != "" {
		replaces = hashToken(old)
	}
	raw := randomToken(32)
	st, sess, err := s.Sessions.Start(ctx, userID, hashToken(raw), randomToken(32), replaces)
	if models.IsCode(err, models.ENOTFOUND) {
		s.audit(c, "login.reject", "staff:"+userID, "not in the staff list")
		return models.Errorf(models.EFORBID, "您还不在后台人员名单中，请联系管理员添加。")
	}
	if err != nil {
		return err
	}
	setCookie(c, sessionCookieName(c), raw, "/", int(sess.ExpiresAt.Sub(sess.LastSeenAt)/time.Second))
	c.Set("staff", st)
	s.audit(c, action, "staff:"+st.UserID, "")
	c.Redirect(http.StatusFound, next)
	return nil
}

// logout ends the session server-side and clears the cookie.
func (s *Server) logout(c *gin.Context) error {
	sess, _ := sessionOf(c)
	if err := s.Sessions.End(c.Request.Context(), sess.ID); err != nil {
		return err
	}
	s.audit(c, "logout", "", "")
	setCookie(c, sessionCookieName(c), "", "/", -1)
	c.Set("staff", nil)
	s.render(c, http.StatusOK, "login.html", &loginView{Page: Page{Title: "已退出"}, Message: "您已安全退出。", Retry: "/admin/login"})
	return nil
}
