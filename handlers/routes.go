package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Router returns the whole URL table.
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
	s.adminRoutes(r) // /admin/…, /wall (admin.go and friends)
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
