package cache

import (
	"context"
	"os"
	"testing"
	"time"

	"familybot/store"
	"familybot/store/storetest"

	"github.com/redis/go-redis/v9"
)

// Redis fails: message keys are claimed in the database, so a retry has no
// second effect. When Redis is back within the window, a retry of a key
// claimed during the outage is still recognised.
func TestFallbackDedupClaimsInTheDatabase(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
		defer dead.Close()
		d := &FallbackDedup{Redis: &RedisDedup{Client: dead, Prefix: "fbtest:"}, Store: st}
		if ok, _, err := d.ClaimMessage(ctx, "m:1"); err != nil || !ok {
			t.Fatalf("first claim with Redis down: %v %v", ok, err)
		}
		if err := d.FinishMessage(ctx, "m:1", "已收到您的心愿", false); err != nil {
			t.Fatal(err)
		}
		ok, prev, err := d.ClaimMessage(ctx, "m:1")
		if err != nil || ok || prev.Reply != "已收到您的心愿" {
			t.Fatalf("retry with Redis down: claimed %v, %+v, %v", ok, prev, err)
		}
		addr := os.Getenv("FAMILYBOT_TEST_REDIS_ADDR")
		if addr == "" {
			return
		}
		live := redis.NewClient(&redis.Options{Addr: addr})
		defer live.Close()
		d.Redis = &RedisDedup{Client: live, Prefix: "fbtest:" + time.Now().Format("150405.000000000") + ":"}
		if ok, prev, _ := d.ClaimMessage(ctx, "m:1"); ok || prev.Reply != "已收到您的心愿" {
			t.Fatalf("retry after Redis came back: claimed %v, %+v", ok, prev)
		}
		if ok, _, _ := d.ClaimMessage(ctx, "m:2"); !ok {
			t.Fatal("a new message was not claimed")
		}
	})
}
