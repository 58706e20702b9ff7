package cache

import (
	"context"
	"sync"
	"time"

	"familybot/models"
)

// DedupStore claims message keys in the database (store.Store).
type DedupStore interface {
	ClaimProcessedMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error)
	FinishProcessedMessage(ctx context.Context, key, reply string, async bool) error
}

// FallbackDedup claims WeChat message keys in Redis and, when Redis fails, in
// the database (a unique key per message): with Redis down, a retried 许愿 or
// 报名 still has its effect once. For Window after a failure it claims in both,
// so a retry that finds Redis back still meets the claim made during the outage.
type FallbackDedup struct {
	Redis  *RedisDedup
	Store  DedupStore
	Window time.Duration // default 2m (WeChat retries within 15 s)

	mu       sync.Mutex
	failedAt time.Time
}

// redisWait is how long a Redis call may take before the database is asked:
// Redis answers in a millisecond when it is well.
const redisWait = 300 * time.Millisecond

// ClaimMessage returns claimed=true for the first caller of key.
func (d *FallbackDedup) ClaimMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error) {
	rctx, cancel := context.WithTimeout(ctx, redisWait)
	claimed, prev, err := d.Redis.ClaimMessage(rctx, key)
	cancel()
	if err != nil {
		d.fail()
		return d.Store.ClaimProcessedMessage(ctx, key)
	}
	if !d.degraded() {
		return claimed, prev, nil
	}
	dbClaimed, dbPrev, err := d.Store.ClaimProcessedMessage(ctx, key)
	if err == nil && !dbClaimed {
		return false, dbPrev, nil
	}
	return claimed, prev, nil
}

// FinishMessage stores the reply for retries where the key was claimed.
func (d *FallbackDedup) FinishMessage(ctx context.Context, key, reply string, async bool) error {
	rctx, cancel := context.WithTimeout(ctx, redisWait)
	err := d.Redis.FinishMessage(rctx, key, reply, async)
	cancel()
	if err != nil {
		d.fail()
	}
	if err != nil || d.degraded() {
		return d.Store.FinishProcessedMessage(ctx, key, reply, async)
	}
	return nil
}

func (d *FallbackDedup) fail() {
	d.mu.Lock()
	d.failedAt = time.Now()
	d.mu.Unlock()
}

func (d *FallbackDedup) degraded() bool {
	w := d.Window
	if w <= 0 {
		w = 2 * time.Minute
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.failedAt.IsZero() && time.Since(d.failedAt) < w
}
