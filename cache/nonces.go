package cache

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// MemoryNonces remembers the webhook's recent timestamp+nonce pairs with a
// digest of their body, for one copy (the webhook's Nonces).
type MemoryNonces struct {
	mu    sync.Mutex
	m     map[string]nonceEntry
	swept time.Time
}

type nonceEntry struct {
	digest string
	exp    time.Time
}

// NewMemoryNonces returns an empty set.
func NewMemoryNonces() *MemoryNonces { return &MemoryNonces{m: map[string]nonceEntry{}} }

// SeeNonce records digest under key for ttl unless key is there, and returns
// the digest recorded first.
func (n *MemoryNonces) SeeNonce(_ context.Context, key, digest string, ttl time.Duration) (string, error) {
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if now.Sub(n.swept) > time.Minute {
		for k, e := range n.m {
			if !now.Before(e.exp) {
				delete(n.m, k)
			}
		}
		n.swept = now
	}
	if e, ok := n.m[key]; ok && now.Before(e.exp) {
		return e.digest, nil
	}
	n.m[key] = nonceEntry{digest: digest, exp: now.Add(ttl)}
	return digest, nil
}

// RedisNonces is MemoryNonces shared by every copy. When Redis fails it falls
// back to Local, so each copy still refuses replays it sees itself.
type RedisNonces struct {
	Client redis.UniversalClient
	Prefix string
	Local  *MemoryNonces
}

// SeeNonce records digest under key (SET NX) and returns the digest recorded first.
func (n *RedisNonces) SeeNonce(ctx context.Context, key, digest string, ttl time.Duration) (string, error) {
	k := n.Prefix + "nonce:" + key
	// SET NX, then GET: SET … NX GET would need Redis 7.
	added, err := n.Client.SetNX(ctx, k, digest, ttl).Result()
	if err == nil && added {
		return digest, nil
	}
	var prev string
	if err == nil {
		prev, err = n.Client.Get(ctx, k).Result()
		if errors.Is(err, redis.Nil) { // expired in between: the key is free again
			return n.SeeNonce(ctx, key, digest, ttl)
		}
	}
	if err != nil && n.Local != nil {
		return n.Local.SeeNonce(ctx, key, digest, ttl)
	}
	return prev, err
}
