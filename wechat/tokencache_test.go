package wechat

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"testing"

	"familybot/config"

	"github.com/redis/go-redis/v9"
)

// Two copies of the server: with Redis they share one access token (WeChat
// counts token fetches per day); without, each copy fetches its own.
func TestTokenCacheSharedThroughRedis(t *testing.T) {
	twoCopies := func(rc *redis.Client, prefix string) int {
		f := useFake(t)
		for i := 0; i < 2; i++ {
			c := NewClient(config.OfficialAccount{AppID: "wxapp", AppSecret: "s"}, config.WeCom{}, TokenCache(rc, prefix), true)
			if err := c.SendCustomerText(context.Background(), "o1", "你好"); err != nil {
				t.Fatal(err)
			}
		}
		return f.count("/cgi-bin/stable_token")
	}
	if n := twoCopies(nil, ""); n != 2 {
		t.Fatalf("without Redis each copy fetches its own token: %d fetches", n)
	}
	addr := os.Getenv("FAMILYBOT_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("FAMILYBOT_TEST_REDIS_ADDR not set: the shared token is not tested")
	}
	rc := redis.NewClient(&redis.Options{Addr: addr})
	defer rc.Close()
	prefix := fmt.Sprintf("familybot-test-%d:", rand.Int63())
	defer func() {
		keys, _ := rc.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rc.Del(context.Background(), keys...)
		}
	}()
	if n := twoCopies(rc, prefix); n != 1 {
		t.Fatalf("with Redis the copies share one token: %d fetches", n)
	}
}
