package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"familybot/bot"
	"familybot/cache"
	"familybot/config"
	"familybot/knowledge"
	"familybot/models"
	"familybot/outbox"
	"familybot/signup"
	"familybot/store"
	"familybot/wishwall"

	"github.com/redis/go-redis/v9"
)

// App is the wired application: everything a sub-command or the server needs.
type App struct {
	Cfg      config.Config
	Log      *slog.Logger
	Store    *store.Store
	KB       *knowledge.Base
	Notifier *outbox.Notifier
	Signups  *signup.Service
	Wishes   *wishwall.Service
	Engine   *bot.Engine
	Recorder *bot.BatchRecorder
	Limiter  cache.Limiter
	Redis    *redis.Client // nil with cache.driver memory
	Now      func() time.Time

	indexMu     sync.Mutex
	indexFinger string // the knowledge fingerprint the current index was built from
}

// newApp reads the configuration and wires storage, knowledge and the engine, top to bottom.
func newApp(ctx context.Context, env *Env) (*App, error) {
	cfg, err := config.Load(env.ConfigPath, env.ConfigExplicit, env.Environ)
	if err != nil {
		return nil, fmt.Errorf("configuration problem:\n%v", err)
	}
	log := newLogger(cfg.Server, env)
	now := func() time.Time { return time.Now().UTC() }

	st, err := store.Open(ctx, cfg.Database.Driver, cfg.Database.DSN, log)
	if err != nil {
		return nil, fmt.Errorf("%v (check database.driver and database.dsn / FAMILYBOT_DATABASE_DSN)", err)
	}
	a := &App{Cfg: cfg, Log: log, Store: st, Now: now}

	if err := a.loadKnowledge(ctx); err != nil {
		st.Close()
		return nil, err
	}
	// The crisis model is fitted on first use (about a third of a second): fit it now, so the first resident does not wait.
	go knowledge.DetectCrisis("我想死")
	templates := map[models.TemplateKind]string{}
	for kind, t := range cfg.OfficialAccount.Templates.Kinds() {
		templates[models.TemplateKind(kind)] = t.ID
	}
	a.Notifier = &outbox.Notifier{Store: st, OnDuty: cfg.WeCom.OnDuty, PublicURL: cfg.Server.PublicURL, Templates: templates}
	a.Signups = &signup.Service{Store: st, Notify: a.Notifier, Now: now}
	a.Wishes = &wishwall.Service{Store: st, Notify: a.Notifier, Now: now}
	// The lists every resident sees alike are read once a second or two, not
	// for each of the hundreds who ask after an announcement.
	a.Signups.UpcomingCache.TTL = listsFor
	a.Wishes.WallCache.TTL = listsFor
	// Shared state: with Redis every copy sees the same rate limits, conversation
	// state, message dedup and access token; with memory one copy works alone.
	a.Recorder = bot.NewBatchRecorder(st, log)
	state := engineState{Store: st}
	var recent bot.Recent
	if cfg.Cache.Driver == "redis" {
		rc, err := newRedis(ctx, cfg.Cache)
		if err != nil {
			a.Recorder.Close()
			st.Close()
			return nil, err
		}
		a.Redis = rc
		a.Limiter = &cache.RedisLimiter{Client: rc, Prefix: redisPrefix}
		state.conversations = &cache.RedisConversations{Client: rc, Prefix: redisPrefix}
		recent = &cache.RedisState{Client: rc, Prefix: redisPrefix}
	} else {
		a.Limiter = cache.NewMemoryLimiter()
		conv, err := cache.NewLocalConversations(ctx, st, now)
		if err != nil {
			a.Recorder.Close()
			st.Close()
			return nil, fmt.Errorf("loading conversations: %v", err)
		}
		state.conversations = conv
		recent = cache.NewMemoryState()
	}
	// The engine answers residents; what they can start (报名, 许愿, 人工 …: every
	// command, menu key, flow and QR scene) is the table in bot/table.go.
	a.Engine = &bot.Engine{
		Store: state, KB: a.KB, Signups: a.Signups, Wishes: a.Wishes, Alerts: a.Notifier,
		Limiter: a.Limiter, Recorder: a.Recorder, Recent: recent, Assoc: cfg.Association, Limits: cfg.Limits,
		TTL: cfg.Bot.ConversationTTL, CrisisEpisode: cfg.Bot.CrisisEpisode, ContextTTL: cfg.Bot.ContextTTL, Now: now, PublicURL: cfg.Server.PublicURL,
	}
	return a, nil
}

// loadKnowledge seeds the embedded content into the database (staff edits are
// kept) and builds the matching index from the database.
func (a *App) loadKnowledge(ctx context.Context) error {
	seed, err := knowledge.Seed()
	if err != nil {
		return fmt.Errorf("embedded knowledge content is invalid: %v", err)
	}
	if _, _, err := a.Store.SeedKnowledge(ctx, seed); err != nil {
		return fmt.Errorf("loading knowledge into the database: %v", err)
	}
	if err := a.Store.SeedKBRules(ctx); err != nil {
		return fmt.Errorf("loading keyword rules: %v", err)
	}
	return a.RebuildIndex(ctx)
}

// RebuildIndex rebuilds the matcher from the database (after staff edits).
func (a *App) RebuildIndex(ctx context.Context) error {
	a.indexMu.Lock()
	defer a.indexMu.Unlock()
	finger, err := a.Store.KBFingerprint(ctx)
	if err != nil {
		return err
	}
	entries, err := a.Store.ListKBEntries(ctx)
	if err != nil {
		return err
	}
	a.indexFinger = finger
	ix := knowledge.NewIndex(entries, knowledge.Options{AnswerThreshold: a.Cfg.Bot.AnswerThreshold, ClarifyThreshold: a.Cfg.Bot.ClarifyThreshold})
	if a.KB == nil {
		a.KB = knowledge.NewBase(ix)
	} else {
		a.KB.Replace(ix)
	}
	return nil
}

// redisPrefix namespaces every key familybot keeps in Redis.
const redisPrefix = "familybot:"

// RefreshIndex rebuilds the index when another copy's staff changed the entries.
func (a *App) RefreshIndex(ctx context.Context) error {
	finger, err := a.Store.KBFingerprint(ctx)
	if err != nil {
		return err
	}
	a.indexMu.Lock()
	same := finger == a.indexFinger
	a.indexMu.Unlock()
	if same {
		return nil
	}
	return a.RebuildIndex(ctx)
}

// Close flushes the message log and closes the database.
func (a *App) Close() {
	if a.Recorder != nil {
		a.Recorder.Close()
	}
	if a.Redis != nil {
		a.Redis.Close()
	}
	if a.Store != nil {
		a.Store.Close()
	}
}

func newLogger(s config.Server, env *Env) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(s.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	w := env.Stderr
	if w == nil {
		w = os.Stderr
	}
	if s.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
