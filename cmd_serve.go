package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"familybot/cache"
	"familybot/cards"
	"familybot/config"
	"familybot/crisis"
	"familybot/handlers"
	"familybot/kbadmin"
	"familybot/messages"
	"familybot/metrics"
	"familybot/outbox"
	"familybot/staff"
	"familybot/store"
	"familybot/wechat"

	"github.com/prometheus/client_golang/prometheus"
)

// Server is the running HTTP service and its background workers.
type Server struct {
	App     *App
	Client  *wechat.Client
	Webhook *wechat.Webhook
	HTTP    *http.Server
	Metrics *http.Server // on server.metrics_addr; nil when metrics are off
	Worker  *outbox.Worker
}

// adminServices gives the admin its services, each over the one store.
func adminServices(hs *handlers.Server, st *store.Store, association string, now func() time.Time) {
	people, msgs := &staff.Service{Store: st, Now: now}, &messages.Service{Store: st, Now: now}
	hs.DB, hs.Sessions, hs.Audit, hs.Staff = st, people, people, people
	hs.Crisis = &crisis.Service{Store: st, Association: association, Now: now}
	hs.Messages, hs.Handoffs, hs.Outbox = msgs, msgs, &messages.Outbox{Store: st}
	hs.Knowledge, hs.Reports = &kbadmin.Service{Store: st, Now: now}, st
}

// buildServer wires the webhook, the WeChat client and the router for app.
func buildServer(ctx context.Context, app *App) (*Server, error) {
	cfg := app.Cfg
	// Message dedup: one copy remembers retries in memory; several share Redis,
	// and claim message keys in the database while Redis fails.
	var dedup wechat.Dedup = cache.NewMemoryDedup(time.Hour)
	var nonces wechat.Nonces = cache.NewMemoryNonces()
	var arrivals wechat.Arrivals
	if app.Redis != nil {
		// While Redis fails, message keys are claimed in the database instead.
		fallback := &cache.FallbackDedup{Redis: &cache.RedisDedup{Client: app.Redis, Prefix: redisPrefix}, Store: app.Store}
		dedup = fallback
		nonces = &cache.RedisNonces{Client: app.Redis, Prefix: redisPrefix, Local: cache.NewMemoryNonces()}
		// One round trip before the bot answers, one after (cache.Visits).
		arrivals = &cache.Visits{Client: app.Redis, Prefix: redisPrefix, Dedup: fallback, Keys: func(openID string) cache.Preload {
			p := app.Engine.Preload(openID)
			return cache.Preload{State: p.Recent, Urgent: p.Urgent, Limit: p.Limit, Per: p.Per}
		}}
	}
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s-%d", host, os.Getpid())
	// The access token lives in Redis when there is one (shared by every copy);
	// the stable access-token API never invalidates a token another copy holds.
	client := wechat.NewClient(cfg.OfficialAccount, cfg.WeCom, wechat.TokenCache(app.Redis, redisPrefix), true)
	wh := &wechat.Webhook{
		Token: cfg.OfficialAccount.Token, AppID: cfg.OfficialAccount.AppID, EncodingAESKey: cfg.OfficialAccount.EncodingAESKey,
		Mode: cfg.OfficialAccount.Mode(), Bot: app.Engine, Dedup: dedup, Nonces: nonces, Arrivals: arrivals, Later: app.Notifier,
		Inbox: app.Store, Owner: owner,
		Deadline: cfg.Server.ReplyDeadline, MaxSkew: cfg.Server.MaxClockSkew, Log: app.Log,
	}
	m := metrics.New(app.Store)
	wh.Observe = m.ObserveMessage
	if err := wireVoice(app, client, m); err != nil {
		return nil, err
	}
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "familybot_message_log_dropped_total",
		Help: "Message-log records dropped because the database stayed unreachable until the buffer was full.",
	}, func() float64 { return float64(app.Recorder.Dropped()) }))
	hs := &handlers.Server{
		Cfg: cfg, Log: app.Log, Engine: app.Engine, KB: app.KB,
		Signups: app.Signups, Wishes: app.Wishes, Webhook: wh, RebuildIndex: app.RebuildIndex, Now: app.Now,
		Health: redisHealth(app),
	}
	adminServices(hs, app.Store, cfg.Association.Name, app.Now)
	if cfg.WeCom.CorpID != "" {
		hs.OAuth = client
	}
	if cfg.WeCom.CallbackToken != "" {
		hs.WeComCallback = &wechat.WeComCallback{
			Token: cfg.WeCom.CallbackToken, EncodingAESKey: cfg.WeCom.CallbackAESKey, CorpID: cfg.WeCom.CorpID,
			Taps:    &cards.Service{Store: app.Store, Wishes: app.Wishes, Now: app.Now},
			MaxSkew: cfg.Server.MaxClockSkew, Log: app.Log,
		}
	}
	hs.Limiter = app.Limiter // failed logins per client, shared by every copy with Redis
	if cfg.OfficialAccount.AppID != "" {
		hs.QR = client
	}
	worker := &outbox.Worker{Store: app.Store, Sender: client, ID: owner, Lease: time.Minute,
		OnResult: m.ObserveDelivery, Templates: templateFields(cfg), Association: cfg.Association.Name}
	srv := &http.Server{
		Addr:              cfg.Server.Addr,
		Handler:           hs.Router(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	out := &Server{App: app, Client: client, Webhook: wh, HTTP: srv, Worker: worker}
	if cfg.Server.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		out.Metrics = &http.Server{Addr: cfg.Server.MetricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second}
	}
	return out, nil
}

func cmdServe(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	allowPlaceholders := fs.Bool("allow-placeholders", false, "start even though association.name/phone/address are the shipped examples (local trials only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	if err := checkPlaceholders(app.Cfg, *allowPlaceholders, app.Log); err != nil {
		return err
	}
	wechat.SetHTTPClient(nil, 0)
	s, err := buildServer(ctx, app)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", app.Cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen: %v (is %s already in use? set server.addr / FAMILYBOT_SERVER_ADDR)", err, app.Cfg.Server.Addr)
	}
	var mln net.Listener
	if s.Metrics != nil {
		if mln, err = net.Listen("tcp", s.Metrics.Addr); err != nil {
			ln.Close()
			return fmt.Errorf("cannot listen for /metrics: %v (is %s already in use? set server.metrics_addr / FAMILYBOT_SERVER_METRICS_ADDR, empty turns metrics off)", err, s.Metrics.Addr)
		}
	}
	app.Log.Info("familybot is listening", "addr", ln.Addr().String(), "metrics_addr", app.Cfg.Server.MetricsAddr,
		"database", app.Cfg.Database.Driver, "cache", app.Cfg.Cache.Driver,
		"official_account_configured", app.Cfg.OfficialAccount.Token != "", "message_mode", s.Webhook.Mode)
	if app.Cfg.OfficialAccount.Token == "" {
		app.Log.Warn("official_account.token is empty: /wechat refuses every call until it is set; use `familybot chat` to try the bot locally")
	}
	return s.Run(ctx, ln, mln)
}

// Run serves on ln (and /metrics on mln, which may be nil) until ctx ends
// (SIGTERM), then stops gracefully within server.shutdown_timeout: no new
// requests, open ones finish, and answers still being worked out after the
// webhook said "success" are queued (Drain). What is left then stays in the
// inbox, and a copy takes it over when its lease runs out.
func (s *Server) Run(ctx context.Context, ln, mln net.Listener) error {
	app := s.App
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	jobsCtx, stopJobs := context.WithCancel(bg)
	defer stopJobs()
	go s.Worker.Run(bg, 2*time.Second)
	go runJobs(jobsCtx, app, s.Webhook)

	errc := make(chan error, 2)
	go func() { errc <- s.HTTP.Serve(ln) }()
	if mln != nil {
		go func() { errc <- s.Metrics.Serve(mln) }()
	}
	var err error
	select {
	case err = <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			err = fmt.Errorf("server stopped: %v", err)
		}
	case <-ctx.Done():
	}
	app.Log.Info("shutting down")
	stopJobs() // in particular, take over no more inbox messages
	sctx, cancel := context.WithTimeout(context.Background(), app.Cfg.Server.ShutdownTimeout)
	defer cancel()
	if s.Metrics != nil {
		s.Metrics.Close()
	}
	if serr := s.HTTP.Shutdown(sctx); serr != nil && err == nil {
		err = serr
	}
	if derr := s.Webhook.Drain(sctx); derr != nil {
		app.Log.Warn("stopped before every late answer was queued: they stay in the inbox for the next copy", "err", derr)
	}
	// The outbox worker stops last: a send it cut short is taken again when its lease runs out.
	stopBG()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// runJobs runs the periodic work every copy does. What must happen once is
// claimed in the database (an inbox message taken over, a reminder queued);
// pruning and purging are harmless to repeat; the knowledge refresh is each
// copy's own index.
func runJobs(ctx context.Context, app *App, wh *wechat.Webhook) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		for _, job := range jobs(app, wh) {
			if ctx.Err() != nil {
				return
			}
			if err := job.run(ctx); err != nil {
				app.Log.Warn("scheduled job failed", "job", job.name, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type job struct {
	name string
	run  func(ctx context.Context) error
}

func jobs(app *App, wh *wechat.Webhook) []job {
	return []job{
		// First, so that at start a copy takes over what a stopped one left.
		{"inbox_recovery", func(ctx context.Context) error {
			_, err := wh.Recover(ctx)
			return err
		}},
		{"inbox_prune", func(ctx context.Context) error {
			_, err := app.Store.PruneInbox(ctx)
			return err
		}},
		{"event_reminders", func(ctx context.Context) error {
			_, err := app.Signups.SendReminders(ctx)
			return err
		}},
		{"child_data_retention", func(ctx context.Context) error {
			_, err := app.Signups.PurgeChildData(ctx)
			return err
		}},
		{"knowledge_refresh", app.RefreshIndex}, // staff edits made on another copy
		{"prune_conversations", func(ctx context.Context) error {
			_, err := app.Store.PruneConversations(ctx)
			return err
		}},
	}
}

// redisHealth reports Redis trouble on /healthz when Redis is in use.
func redisHealth(app *App) func(ctx context.Context) map[string]string {
	return func(ctx context.Context) map[string]string {
		if app.Redis == nil {
			return nil
		}
		if err := app.Redis.Ping(ctx).Err(); err != nil {
			return map[string]string{"redis": "unreachable"}
		}
		return nil
	}
}

// templateFields maps each configured template ID to its field map, for the outbox worker.
func templateFields(cfg config.Config) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, t := range cfg.OfficialAccount.Templates.Kinds() {
		if t.ID != "" {
			out[t.ID] = t.Fields
		}
	}
	return out
}
