// Package cache holds the bot's short-lived state: rate limits, message dedup,
// conversation state and per-resident facts (misses in a row, the last answer).
// "memory" serves one copy (conversations written through to the database);
// "redis" serves many, with one round trip before each reply and one after
// (Visits). The access token's cache is the wechat package's.
package cache

import (
	"context"
	"sync"
	"time"

	"familybot/models"

	"github.com/redis/go-redis/v9"
)

// Limiter counts actions per key in fixed windows: MemoryLimiter for one copy,
// RedisLimiter shared by every copy.
type Limiter interface {
	// Allow counts one action for key and reports whether it is within limit per window.
	Allow(ctx context.Context, key string, limit int, per time.Duration) bool
	// Over reports, without counting, whether key has already gone past limit in
	// this window (e.g. a client's failed logins, checked before trying the next).
	Over(ctx context.Context, key string, limit int, per time.Duration) bool
}

// MemoryLimiter is a fixed-window counter per key, for a single copy.
type MemoryLimiter struct {
	mu  sync.Mutex
	win map[string]window
	Now func() time.Time
}

type window struct {
	start time.Time
	n     int
}

// NewMemoryLimiter returns an empty limiter.
func NewMemoryLimiter() *MemoryLimiter { return &MemoryLimiter{win: map[string]window{}} }

// Allow counts one action for key and reports whether it is within limit per window.
func (l *MemoryLimiter) Allow(_ context.Context, key string, limit int, per time.Duration) bool {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.win[key]
	if now.Sub(w.start) >= per {
		w = window{start: now}
	}
	w.n++
	l.win[key] = w
	if len(l.win) > 100000 { // forget stale windows now and then
		for k, v := range l.win {
			if now.Sub(v.start) >= time.Hour {
				delete(l.win, k)
			}
		}
	}
	return w.n <= limit
}

// Over reports whether key has used more than limit in its current window.
func (l *MemoryLimiter) Over(_ context.Context, key string, limit int, per time.Duration) bool {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.win[key]
	return ok && now.Sub(w.start) < per && w.n > limit
}

// RedisLimiter is a fixed-window counter in Redis, shared by every copy.
type RedisLimiter struct {
	Client redis.UniversalClient
	Prefix string
}

// Allow counts one action; when Redis is unreachable it allows (fail open: a
// resident is never silenced because the cache is down). Inside a Visit that
// fetched key's count, the count is sent with the message's other writes.
func (l *RedisLimiter) Allow(ctx context.Context, key string, limit int, per time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	n, err := incrKey(ctx, l.Client, limitKey(l.Prefix, key, per), per+time.Second)
	if err != nil {
		return true
	}
	return n <= int64(limit)
}

// Over reads the window's count; when Redis is unreachable it says no (fail
// open, as Allow does).
func (l *RedisLimiter) Over(ctx context.Context, key string, limit int, per time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	n, err := l.Client.Get(ctx, limitKey(l.Prefix, key, per)).Int64()
	return err == nil && n > int64(limit)
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// MemoryDedup remembers WeChat message keys for one copy (cache.driver memory).
type MemoryDedup struct {
	mu   sync.Mutex
	ttl  time.Duration
	seen map[string]*dedupEntry
	last time.Time
}

type dedupEntry struct {
	rec dedupRecord
	at  time.Time
}

// NewMemoryDedup keeps keys for ttl (WeChat retries within 15 s).
func NewMemoryDedup(ttl time.Duration) *MemoryDedup {
	return &MemoryDedup{ttl: ttl, seen: map[string]*dedupEntry{}}
}

// ClaimMessage returns claimed=true for the first caller of key.
func (d *MemoryDedup) ClaimMessage(_ context.Context, key string) (bool, models.ProcessedMessage, error) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if now.Sub(d.last) > d.ttl/4 { // sweep now and then
		for k, e := range d.seen {
			if now.Sub(e.at) > d.ttl {
				delete(d.seen, k)
			}
		}
		d.last = now
	}
	if e, ok := d.seen[key]; ok && now.Sub(e.at) <= d.ttl {
		return false, models.ProcessedMessage{Key: key, Reply: e.rec.Reply, Done: e.rec.Done, Async: e.rec.Async}, nil
	}
	d.seen[key] = &dedupEntry{at: now}
	return true, models.ProcessedMessage{Key: key}, nil
}

// FinishMessage stores the reply for retries.
func (d *MemoryDedup) FinishMessage(_ context.Context, key, reply string, async bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.seen[key]; ok {
		e.rec = dedupRecord{Reply: reply, Done: true, Async: async}
	}
	return nil
}
