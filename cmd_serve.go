package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"familybot/cache"
	"familybot/cards"
	"familybot/config"
	"familybot/handlers"
	"familybot/metrics"
	"familybot/outbox"
	"familybot/wechat"

	sdkcache "github.com/silenceper/wechat/v2/cache"
)

func init() {
	registerSub("serve", "运行公众号 webhook 和工作人员后台（默认）", cmdServe)
}

// Server is the running HTTP service and its background workers.
type Server struct {
	App     *App
	Client  *wechat.Client
	Webhook *wechat.Webhook
	HTTP    *http.Server
	Worker  *outbox.Worker
}

// buildServer wires the webhook, the WeChat client and the router for app.
func buildServer(ctx context.Context, app *App) (*Server, error) {
	cfg := app.Cfg
	var tokenCache sdkcache.Cache = sdkcache.NewMemory()
	// One copy remembers retries in memory; several share Redis. Either way no
	// database write sits on the reply path.
	var dedup wechat.Dedup = cache.NewMemoryDedup(time.Hour)
	if app.Redis != nil {
		tokenCache = &wechat.RedisCache{Client: app.Redis, Prefix: redisPrefix}
		dedup = &cache.RedisDedup{Client: app.Redis, Prefix: redisPrefix}
	}
	// The stable access-token API never invalidates a token another copy holds.
	client := wechat.NewClient(cfg.OfficialAccount, cfg.WeCom, tokenCache, true)
	wh := &wechat.Webhook{
		Token: cfg.OfficialAccount.Token, AppID: cfg.OfficialAccount.AppID, EncodingAESKey: cfg.OfficialAccount.EncodingAESKey,
		Bot: app.Engine, Dedup: dedup, Later: app.Notifier,
		Deadline: cfg.Server.ReplyDeadline, MaxSkew: cfg.Server.MaxClockSkew, Log: app.Log,
	}
	m := metrics.New(app.Store)
	wh.Observe = m.ObserveMessage
	if err := wireVoice(app, client, m); err != nil {
		return nil, err
	}
	hs := &handlers.Server{
		Cfg: cfg, Log: app.Log, Store: app.Store, Engine: app.Engine, KB: app.KB,
		Signups: app.Signups, Wishes: app.Wishes, Webhook: wh, RebuildIndex: app.RebuildIndex, Now: app.Now,
		Metrics: m.Handler(),
		Health:  redisHealth(app),
	}
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
	host, _ := os.Hostname()
	worker := &outbox.Worker{Store: app.Store, Sender: client, ID: fmt.Sprintf("%s-%d", host, os.Getpid()), Lease: time.Minute,
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
	return &Server{App: app, Client: client, Webhook: wh, HTTP: srv, Worker: worker}, nil
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
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	go s.Worker.Run(bg, 2*time.Second)
	go runJobs(bg, app)

	errc := make(chan error, 1)
	go func() { errc <- s.HTTP.ListenAndServe() }()
	app.Log.Info("familybot is listening", "addr", app.Cfg.Server.Addr, "database", app.Cfg.Database.Driver,
		"cache", app.Cfg.Cache.Driver, "official_account_configured", app.Cfg.OfficialAccount.Token != "")
	if app.Cfg.OfficialAccount.Token == "" {
		app.Log.Warn("official_account.token is empty: /wechat refuses every call until it is set; use `familybot chat` to try the bot locally")
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("server stopped: %v (is %s already in use? set server.addr / FAMILYBOT_SERVER_ADDR)", err, app.Cfg.Server.Addr)
		}
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, let in-flight requests finish, then stop
	// the workers (a claimed outbox message whose send was cut short is simply
	// taken again when its lease runs out).
	app.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = s.HTTP.Shutdown(sctx)
	stopBG()
	return err
}

// runJobs runs the periodic work every copy does; each item is claimed in the
// database, so copies never do the same item twice.
func runJobs(ctx context.Context, app *App) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		for _, job := range jobs(app) {
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

func jobs(app *App) []job {
	return []job{
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
