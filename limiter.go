package main

import (
	"context"
	"fmt"
	"time"

	"familybot/config"

	"github.com/redis/go-redis/v9"
)

func newRedis(ctx context.Context, c config.Cache) (*redis.Client, error) {
	rc := redis.NewClient(&redis.Options{Addr: c.RedisAddr, Password: c.RedisPassword, DB: c.RedisDB,
		DialTimeout: 2 * time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rc.Ping(pctx).Err(); err != nil {
		return nil, fmt.Errorf("cannot reach Redis at %s: %v (check cache.redis_addr / FAMILYBOT_CACHE_REDIS_ADDR)", c.RedisAddr, err)
	}
	return rc, nil
}
