package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"familybot/config"
	"familybot/models"

	"github.com/gin-gonic/gin"
)

// Failed logins — a wrong /admin/dev-login token, a bad /admin/oauth/callback —
// are limited per client (s.Limiter: Redis with several copies) and summarised
// in the audit log: failed and refused attempts share one login.reject row per
// client and minute, with a count, so a flood can neither guess the token nor
// push real records off the audit page.
const (
	loginFailLimit  = 10               // failed attempts per client and window
	loginFailWindow = 10 * time.Minute // after which the client may try again
	msgLoginLimited = "登录失败次数太多，请10分钟后再试。"
)

func loginFailKey(c *gin.Context) string { return "loginfail:" + c.ClientIP() }

// weComLogin reports whether WeCom login is configured; without it the OAuth
// callback does not exist (404).
func (s *Server) weComLogin() bool {
	wc := s.Cfg.WeCom
	return s.OAuth != nil && wc.CorpID != "" && wc.AgentID != ""
}

// devLoginToken is the configured dev-login token, trimmed; "" (dev login off)
// when it is too short to be safe, even if configuration validation was skipped.
func (s *Server) devLoginToken() string {
	t := strings.TrimSpace(s.Cfg.Admin.DevLoginToken)
	if len([]rune(t)) < config.MinDevLoginToken {
		return ""
	}
	return t
}

// loginBlocked answers 429 when the client has failed too often (the attempt
// is counted in the audit summary, not tried).
func (s *Server) loginBlocked(c *gin.Context) bool {
	// Blocked once loginFailLimit attempts have failed (more than limit-1).
	if !s.Limiter.Over(c.Request.Context(), loginFailKey(c), loginFailLimit-1, loginFailWindow) {
		return false
	}
	s.auditSummary(c, "login.reject", "同一来源登录失败过多，已暂停登录") // the same row as its failures
	c.Header("Retry-After", strconv.Itoa(int(loginFailWindow/time.Second)))
	s.render(c, http.StatusTooManyRequests, "error.html", &errorView{Page: Page{Title: "出错了"},
		Status: http.StatusTooManyRequests, Message: msgLoginLimited})
	return true
}

// loginFailed counts a failed attempt against the client, summarises it in the
// audit log (detail: why, for staff to read; never the token) and answers 403 with msg.
func (s *Server) loginFailed(c *gin.Context, detail, msg string) error {
	s.Limiter.Allow(c.Request.Context(), loginFailKey(c), loginFailLimit, loginFailWindow)
	s.auditSummary(c, "login.reject", detail)
	s.render(c, http.StatusForbidden, "error.html", &errorView{Page: Page{Title: "出错了"}, Status: http.StatusForbidden, Message: msg})
	return nil
}

// auditSummary counts an anonymous attempt into its per-minute audit row.
func (s *Server) auditSummary(c *gin.Context, action, detail string) {
	if s.Audit == nil {
		return
	}
	err := s.Audit.RecordAttempt(c.Request.Context(), models.AuditLog{Actor: "anonymous", Action: action,
		Detail: detail, IP: c.ClientIP(), CreatedAt: s.now()})
	if err != nil {
		s.logError(c, err)
	}
}
