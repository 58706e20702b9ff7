// Package handlers is familybot's HTTP surface on Gin: the whole URL table in
// routes.go, the webhook mount, health, the public 回音壁 page and the staff admin.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"familybot/bot"
	"familybot/cache"
	"familybot/config"
	"familybot/knowledge"
	"familybot/report"
	"familybot/signup"
	"familybot/wishwall"
)

// OAuth exchanges a WeCom OAuth code for the staff member's UserID.
type OAuth interface {
	UserIDFromCode(ctx context.Context, code string) (string, error)
}

// Database is the health check's view of the database.
type Database interface {
	Ping(ctx context.Context) error
}

// Server holds the handlers' dependencies. Set the fields, then call Router.
// The admin's services are interfaces declared beside the pages that use them
// (Sessions in admin_auth.go, Crisis in admin_pages.go, …); main wires them.
type Server struct {
	Cfg     config.Config
	Log     *slog.Logger
	DB      Database // nil: /healthz reports the database as not configured
	Engine  *bot.Engine
	KB      *knowledge.Base
	Signups *signup.Service
	Wishes  *wishwall.Service

	Sessions  Sessions
	Audit     Audit
	Staff     StaffDirectory
	Crisis    Crisis
	Messages  Messages
	Handoffs  Handoffs
	Outbox    Outbox
	Knowledge Knowledge
	Reports   report.Source

	Webhook http.Handler // the official-account webhook (wechat package)
	OAuth   OAuth        // WeCom login; nil disables it
	QR      QRCodes      // check-in QR codes; nil: staff are told how to make one
	// RebuildIndex rebuilds the knowledge index after staff edit entries.
	RebuildIndex func(ctx context.Context) error
	// Health reports extra problems (e.g. Redis) for /healthz; nil means none.
	Health func(ctx context.Context) map[string]string
	Now    func() time.Time

	// Limiter limits failed logins per client (cache.RedisLimiter with several
	// copies); nil: one in process memory.
	Limiter cache.Limiter

	// WeComCallback takes taps on WeCom card buttons (wechat package); nil: no route.
	WeComCallback http.Handler
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now().UTC()
}
