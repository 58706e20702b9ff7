package wechat

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// TokenCache is where the SDK keeps its access tokens: in Redis under prefix
// when rc is set, so every copy shares one token, else in this process's memory.
func TokenCache(rc *redis.Client, prefix string) cache.Cache {
	if rc == nil {
		return cache.NewMemory()
	}
	return &RedisCache{Client: rc, Prefix: prefix}
}

// RedisCache adapts go-redis v9 to the SDK's cache.Cache, so every copy shares
// one access token (the SDK's own Redis cache is on go-redis v8).
type RedisCache struct {
	Client redis.UniversalClient
	Prefix string
}

var _ cache.Cache = (*RedisCache)(nil)

func (r *RedisCache) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Second)
}

// Get returns the stored string, or nil when absent (or Redis is unreachable).
func (r *RedisCache) Get(key string) interface{} {
	ctx, cancel := r.ctx()
	defer cancel()
	v, err := r.Client.Get(ctx, r.Prefix+key).Result()
	if err != nil {
		return nil
	}
	return v
}

// Set stores val (a string) with a timeout.
func (r *RedisCache) Set(key string, val interface{}, timeout time.Duration) error {
	ctx, cancel := r.ctx()
	defer cancel()
	if timeout <= 0 {
		timeout = time.Minute
	}
	return r.Client.Set(ctx, r.Prefix+key, val, timeout).Err()
}

// IsExist reports whether key is present.
func (r *RedisCache) IsExist(key string) bool {
	ctx, cancel := r.ctx()
	defer cancel()
	n, err := r.Client.Exists(ctx, r.Prefix+key).Result()
	return err == nil && n > 0
}

// Delete removes key.
func (r *RedisCache) Delete(key string) error {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.Client.Del(ctx, r.Prefix+key).Err()
}
