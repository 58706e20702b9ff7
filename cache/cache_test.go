package cache

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"sync"
	"testing"
	"time"

	"familybot/models"

	"github.com/redis/go-redis/v9"
)

type dedup interface {
	ClaimMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error)
	FinishMessage(ctx context.Context, key, reply string, async bool) error
}

func redisClient(t *testing.T) *redis.Client {
	addr := os.Getenv("FAMILYBOT_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("FAMILYBOT_TEST_REDIS_ADDR not set: Redis tests skipped")
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	return c
}

func testDedup(t *testing.T, d dedup) {
	ctx := context.Background()
	key := fmt.Sprintf("m:%d", rand.Int63())
	var wg sync.WaitGroup
	var mu sync.Mutex
	claimed := 0
	for i := 0; i < 20; i++ { // the same message arriving 20 times at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, err := d.ClaimMessage(ctx, key)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				claimed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if claimed != 1 {
		t.Fatalf("claimed %d times", claimed)
	}
	d.FinishMessage(ctx, key, "回答", false)
	ok, prev, _ := d.ClaimMessage(ctx, key)
	if ok || !prev.Done || prev.Reply != "回答" {
		t.Fatalf("retry: %v %+v", ok, prev)
	}
}

func TestMemoryDedup(t *testing.T) { testDedup(t, NewMemoryDedup(time.Hour)) }

func TestRedisDedup(t *testing.T) {
	testDedup(t, &RedisDedup{Client: redisClient(t), Prefix: "fbtest:"})
}

func TestMemoryLimiterWindow(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewMemoryLimiter()
	l.Now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if !l.Allow(context.Background(), "k", 3, time.Minute) {
			t.Fatalf("call %d refused", i)
		}
	}
	if l.Allow(context.Background(), "k", 3, time.Minute) {
		t.Fatal("4th call allowed")
	}
	now = now.Add(time.Minute)
	if !l.Allow(context.Background(), "k", 3, time.Minute) {
		t.Fatal("new window refused")
	}
}

func TestRedisLimiterAndConversations(t *testing.T) {
	c := redisClient(t)
	ctx := context.Background()
	l := &RedisLimiter{Client: c, Prefix: "fbtest:"}
	key := fmt.Sprintf("k%d", rand.Int63())
	n := 0
	for i := 0; i < 5; i++ {
		if l.Allow(ctx, key, 3, time.Hour) {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("allowed %d of 5 with limit 3", n)
	}
	conv := &RedisConversations{Client: c, Prefix: "fbtest:"}
	id := fmt.Sprintf("o%d", rand.Int63())
	if _, err := conv.GetConversation(ctx, id); !models.IsCode(err, models.ENOTFOUND) {
		t.Fatalf("missing: %v", err)
	}
	conv.SaveConversation(ctx, models.Conversation{OpenID: id, Flow: "wish", Step: "text", Data: `{"a":"b"}`, ExpiresAt: time.Now().Add(time.Minute)})
	got, err := conv.GetConversation(ctx, id)
	if err != nil || got.Flow != "wish" || got.Data != `{"a":"b"}` {
		t.Fatalf("%+v %v", got, err)
	}
	if ttl := c.TTL(ctx, "fbtest:conv:"+id).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("ttl %v", ttl)
	}
	conv.DeleteConversation(ctx, id)
	if _, err := conv.GetConversation(ctx, id); err == nil {
		t.Fatal("deleted conversation still there")
	}
}

// Over reads a key's count without adding to it: a client that failed too often
// stays refused, and checking never pushes a client over by itself.
func testOver(t *testing.T, l Limiter) {
	ctx := context.Background()
	key := fmt.Sprintf("over%d", rand.Int63())
	for i := 0; i < 10; i++ {
		if l.Over(ctx, key, 2, time.Hour) {
			t.Fatalf("check %d: over before any action", i)
		}
	}
	for i := 0; i < 3; i++ {
		l.Allow(ctx, key, 2, time.Hour)
	}
	if !l.Over(ctx, key, 2, time.Hour) || l.Over(ctx, key, 3, time.Hour) {
		t.Fatal("after 3 actions: want over a limit of 2, not over 3")
	}
}

func TestMemoryLimiterOver(t *testing.T) { testOver(t, NewMemoryLimiter()) }

func TestRedisLimiterOver(t *testing.T) {
	testOver(t, &RedisLimiter{Client: redisClient(t), Prefix: "fbtest:"})
}
