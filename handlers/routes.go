package handlers

import (
	"context"
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

	r.GET("/healthz", s.healthz)
	if s.Webhook != nil {
		wh := gin.WrapH(s.Webhook)
		r.GET("/wechat", wh)
		r.POST("/wechat", wh)
	}
	if s.Metrics != nil {
		r.GET("/metrics", gin.WrapH(s.Metrics))
	}
	s.adminRoutes(r) // /admin/…, /wall (admin.go and friends)
	return r
}

// healthz answers 200 when the database answers, 503 with what is wrong otherwise.
func (s *Server) healthz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	problems := map[string]string{}
	if s.Store == nil {
		problems["database"] = "not configured"
	} else if err := s.Store.Ping(ctx); err != nil {
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
			id = newID()
		}
		c.Set("request_id", id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}
