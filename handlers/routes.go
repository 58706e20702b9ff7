package handlers

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"familybot/cache"
	"familybot/models"

	"github.com/gin-gonic/gin"
)

// Router returns the whole URL table: every address the server answers, with
// its middleware and handler.
func (s *Server) Router() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), s.requestID())
	r.HandleMethodNotAllowed = true
	// Only the configured reverse proxies may set the client IP (X-Forwarded-For).
	_ = r.SetTrustedProxies(s.Cfg.Server.TrustedProxies)
	r.NoRoute(func(c *gin.Context) {
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.String(http.StatusNotFound, notFoundPage)
	})

	r.GET("/healthz", s.healthz)
	if s.Webhook != nil {
		wh := gin.WrapH(s.Webhook)
		r.GET("/wechat", wh)
		r.POST("/wechat", wh)
	}
	if s.WeComCallback != nil {
		cb := gin.WrapH(s.WeComCallback)
		r.GET("/wecom/callback", cb)
		r.POST("/wecom/callback", cb)
	}
	static, _ := fs.Sub(staticFS, "static")
	r.GET("/static/*filepath", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		c.Header("X-Content-Type-Options", "nosniff")
		c.FileFromFS(c.Param("filepath"), http.FS(static))
	})
	r.GET("/wall", s.h(s.wallPage)) // the public 回音壁

	// The staff admin (admin.go describes how it works). Logging in is open.
	open := r.Group("/admin", securityHeaders)
	open.GET("/login", s.h(s.login))
	if s.Limiter == nil {
		s.Limiter = cache.NewMemoryLimiter()
	}
	if s.weComLogin() {
		open.GET("/oauth/callback", s.h(s.oauthCallback))
	}
	if s.devLoginToken() != "" {
		open.GET("/dev-login", s.h(s.devLogin))
		if s.Log != nil {
			s.Log.Warn("dev login is on: anyone with admin.dev_login_token can log in as an admin at /admin/dev-login; unset it in production")
		}
	}

	// Everything else needs a staff session, and every POST its CSRF token.
	g := r.Group("/admin", securityHeaders, s.staffOnly(), s.csrfCheck())
	admin := s.adminOnly()
	g.POST("/logout", s.h(s.logout))
	g.GET("", s.h(s.dashboard))

	g.GET("/wishes", s.h(s.wishesPage))
	g.GET("/wishes.csv", s.h(s.wishesCSV))
	g.GET("/wishes/:id", s.h(s.wishPage))
	g.POST("/wishes/:id/status", s.h(s.wishStatus))
	g.POST("/wishes/:id/reply", s.h(s.wishReply))
	g.POST("/wishes/:id/assign", s.h(s.wishAssign))
	g.POST("/wishes/:id/wall", s.h(s.wishWall))
	g.POST("/wishes/:id/public", s.h(s.wishPublic))
	g.POST("/wishes/:id/reveal", s.h(s.wishReveal))
	g.POST("/wishes/:id/followup", s.h(s.wishFollowUp))
	g.POST("/wishes/:id/category", s.h(s.wishCategory))

	g.GET("/crisis", s.h(s.crisisPage))
	g.POST("/crisis/:id/handled", s.h(s.crisisHandled))
	g.POST("/crisis/:id/reply", s.h(s.crisisReply))
	g.POST("/crisis/:id/note", s.h(s.crisisNote))
	g.POST("/crisis/:id/reveal", s.h(s.crisisReveal))

	g.GET("/messages", s.h(s.messagesPage))
	g.POST("/messages/:id/wrong", s.h(s.messageWrong))
	g.GET("/handoffs", s.h(s.handoffsPage))
	g.POST("/handoffs/:id/done", s.h(s.handoffDone))

	g.GET("/events", s.h(s.eventsPage))
	g.GET("/events/new", s.h(s.eventNew))
	g.POST("/events", s.h(s.eventCreate))
	g.GET("/events/:id", s.h(s.eventPage))
	g.GET("/events/:id/edit", s.h(s.eventEdit))
	g.POST("/events/:id", s.h(s.eventUpdate))
	g.POST("/events/:id/publish", admin, s.h(s.eventPublish))
	g.GET("/events/:id/cancel", admin, s.h(s.eventCancelPage))
	g.POST("/events/:id/cancel", admin, s.h(s.eventCancel))
	g.POST("/events/:id/checkin", s.h(s.eventCheckin))
	g.POST("/events/:id/qr", s.h(s.eventQR))
	g.POST("/events/:id/signups/:sid/cancel", s.h(s.signupCancel))
	g.POST("/events/:id/signups/:sid/reveal", s.h(s.signupReveal))
	g.POST("/events/:id/export.csv", admin, s.h(s.eventExport))

	g.GET("/knowledge", s.h(s.kbList))
	g.GET("/knowledge/test", s.h(s.kbTest))
	g.GET("/knowledge/unanswered", s.h(s.kbUnanswered))
	g.POST("/knowledge/unanswered/ignore", s.h(s.kbIgnore))
	g.POST("/knowledge/unanswered/append", admin, s.h(s.kbAppend))
	g.GET("/knowledge/new", admin, s.h(s.kbNew))
	g.POST("/knowledge", admin, s.h(s.kbCreate))
	g.GET("/knowledge/rules", s.h(s.kbRules))
	g.GET("/knowledge/rules/new", admin, s.h(s.kbRuleNew))
	g.POST("/knowledge/rules", admin, s.h(s.kbRuleCreate))
	g.GET("/knowledge/rules/:id", admin, s.h(s.kbRulePage))
	g.POST("/knowledge/rules/:id", admin, s.h(s.kbRuleSave))
	g.POST("/knowledge/rules/:id/delete", admin, s.h(s.kbRuleDelete))
	g.GET("/knowledge/review", s.h(s.kbReviewQueue))
	g.GET("/knowledge/review.xlsx", s.reviewerOrAdmin(), s.h(s.kbReviewExport))
	g.GET("/knowledge/:id", s.h(s.kbEntryPage))
	g.POST("/knowledge/:id", admin, s.h(s.kbEntrySave))
	g.POST("/knowledge/:id/review", s.reviewerOnly(), s.h(s.kbReviewSave))

	g.GET("/outbox", s.h(s.outboxPage))
	g.POST("/outbox/:id/retry", s.h(s.outboxRetry))
	g.POST("/outbox/:id/reveal", s.h(s.outboxReveal))

	reporters := s.roleOnly("report", models.Staff.CanReport)
	g.GET("/report", reporters, s.h(s.reportPage))
	g.GET("/report.xlsx", reporters, s.h(s.reportExport))

	g.GET("/staff", admin, s.h(s.staffPage))
	g.POST("/staff", admin, s.h(s.staffSave))
	g.POST("/staff/:user/delete", admin, s.h(s.staffDelete))
	g.GET("/audit", admin, s.h(s.auditPage))
	return r
}

// healthz answers 200 when the database answers, 503 with what is wrong otherwise.
func (s *Server) healthz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	problems := map[string]string{}
	if s.DB == nil {
		problems["database"] = "not configured"
	} else if err := s.DB.Ping(ctx); err != nil {
		problems["database"] = "unreachable"
	}
	if s.Health != nil {
		for k, v := range s.Health(ctx) {
			problems[k] = v
		}
	}
	if len(problems) > 0 {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unhealthy", "problems": problems})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// requestID tags each request for the logs (no personal data is logged).
func (s *Server) requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = randomToken(8)
		}
		c.Set("request_id", id)
		c.Header("X-Request-Id", id)
		start := time.Now()
		c.Next()
		if s.Log == nil || c.Request.URL.Path == "/healthz" {
			return
		}
		// The path only: queries carry signatures and OAuth codes; bodies carry residents' words.
		s.Log.LogAttrs(c.Request.Context(), requestLevel(c.Writer.Status()), "request",
			slog.String("request_id", id), slog.String("method", c.Request.Method),
			slog.String("path", c.FullPath()), slog.Int("status", c.Writer.Status()),
			slog.Duration("latency", time.Since(start)))
	}
}

// notFoundPage is shown for unknown addresses (staff following an old link, residents mistyping).
const notFoundPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">` +
	`<meta name="viewport" content="width=device-width,initial-scale=1"><title>页面不存在</title></head>` +
	`<body style="font-family:sans-serif;font-size:20px;padding:24px;line-height:1.6">` +
	`<h1 style="font-size:24px">页面不存在</h1><p>这个地址没有内容，可能链接已过期。</p>` +
	`<p><a href="/wall">看看回音壁</a> · <a href="/admin">工作人员后台</a></p></body></html>`

func requestLevel(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	if status >= 400 {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
