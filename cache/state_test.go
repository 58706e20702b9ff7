package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"familybot/bot"
	"familybot/models"
)

func testState(t *testing.T, c bot.Recent) { // the engine is their user
	ctx := context.Background()
	key := fmt.Sprintf("miss:o%d", rand.Int63())
	for want := 1; want <= 3; want++ {
		if n, err := c.Incr(ctx, key, time.Hour); err != nil || n != want {
			t.Fatalf("count %d (%v), want %d", n, err, want)
		}
	}
	if err := c.Del(ctx, key); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Incr(ctx, key, time.Hour); n != 1 {
		t.Fatalf("after Del %d, want 1", n)
	}
	if n, _ := c.Incr(ctx, key+"x", time.Hour); n != 1 {
		t.Fatalf("another key shares the count: %d", n)
	}
	val := fmt.Sprintf("answer:o%d", rand.Int63())
	if _, ok, err := c.Get(ctx, val); ok || err != nil {
		t.Fatalf("unset key found (%v)", err)
	}
	c.Set(ctx, val, "12 1700000000000", time.Hour)
	if v, ok, err := c.Get(ctx, val); !ok || err != nil || v != "12 1700000000000" {
		t.Fatalf("got %q %v %v", v, ok, err)
	}
	c.Del(ctx, val, key)
	if _, ok, _ := c.Get(ctx, val); ok {
		t.Fatal("deleted value still there")
	}
}

func TestMemoryState(t *testing.T) {
	testState(t, NewMemoryState())
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	c := NewMemoryState()
	c.Now = func() time.Time { return now }
	ctx := context.Background()
	c.Incr(ctx, "k", time.Hour)
	c.Set(ctx, "v", "x", 2*time.Hour)
	now = now.Add(59 * time.Minute)
	if n, _ := c.Incr(ctx, "k", time.Hour); n != 2 {
		t.Fatalf("within the hour %d, want 2", n)
	}
	now = now.Add(61 * time.Minute)
	if n, _ := c.Incr(ctx, "k", time.Hour); n != 1 {
		t.Fatalf("an hour after the last count %d, want 1", n)
	}
	if _, ok, _ := c.Get(ctx, "v"); ok {
		t.Fatal("value kept past its time")
	}
}

func TestRedisState(t *testing.T) {
	c := redisClient(t)
	testState(t, &RedisState{Client: c, Prefix: "fbtest:"})
	rs := &RedisState{Client: c, Prefix: "fbtest:"}
	key := fmt.Sprintf("miss:o%d", rand.Int63())
	rs.Incr(context.Background(), key, time.Minute)
	if ttl := c.TTL(context.Background(), "fbtest:state:"+key).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("ttl %v, want up to a minute", ttl)
	}
}

// fakeConversations is the database side of LocalConversations.
type fakeConversations struct {
	mu      sync.Mutex
	rows    map[string]models.Conversation
	fail    error
	deletes int
}

func (f *fakeConversations) ListConversations(context.Context) ([]models.Conversation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []models.Conversation
	for _, c := range f.rows {
		out = append(out, c)
	}
	return out, f.fail
}

func (f *fakeConversations) SaveConversation(_ context.Context, c models.Conversation) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.rows[c.OpenID] = c
	return nil
}

func (f *fakeConversations) DeleteConversation(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes++
	delete(f.rows, id)
	return f.fail
}

func TestLocalConversations(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db := &fakeConversations{rows: map[string]models.Conversation{
		"o-mid": {OpenID: "o-mid", Flow: "signup", Step: "phone", ExpiresAt: now.Add(10 * time.Minute)},
	}}
	l, err := NewLocalConversations(ctx, db, clock)
	if err != nil {
		t.Fatal(err)
	}
	// A conversation under way before the start is served.
	if c, err := l.GetConversation(ctx, "o-mid"); err != nil || c.Step != "phone" {
		t.Fatalf("loaded conversation: %+v %v", c, err)
	}
	if _, err := l.GetConversation(ctx, "o-new"); !models.IsCode(err, models.ENOTFOUND) {
		t.Fatalf("unknown resident: %v", err)
	}
	// A save reaches the database and is served.
	c := models.Conversation{OpenID: "o-new", Flow: "wish", Step: "text", ExpiresAt: now.Add(15 * time.Minute)}
	if err := l.SaveConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := l.GetConversation(ctx, "o-new"); err != nil || got.Flow != "wish" || db.rows["o-new"].Flow != "wish" {
		t.Fatalf("saved: %+v %v, database %+v", got, err, db.rows["o-new"])
	}
	// A save the database refuses is not served either.
	db.fail = errors.New("database down")
	if err := l.SaveConversation(ctx, models.Conversation{OpenID: "o-new", Flow: "wish", Step: "confirm", ExpiresAt: now.Add(15 * time.Minute)}); err == nil {
		t.Fatal("a failed save reported success")
	}
	if got, _ := l.GetConversation(ctx, "o-new"); got.Step != "text" {
		t.Fatalf("served a step the database never stored: %q", got.Step)
	}
	// A delete forgets even when the database refuses, so no one is stuck in a flow.
	l.DeleteConversation(ctx, "o-new")
	if _, err := l.GetConversation(ctx, "o-new"); err == nil {
		t.Fatal("deleted conversation still served")
	}
	db.fail = nil
	// Deleting what was never there costs no database call.
	before := db.deletes
	l.DeleteConversation(ctx, "o-nobody")
	if db.deletes != before {
		t.Fatal("a delete for a resident without a conversation reached the database")
	}
	// Expiry.
	now = now.Add(11 * time.Minute)
	if _, err := l.GetConversation(ctx, "o-mid"); err == nil {
		t.Fatal("expired conversation still served")
	}
	// A database that cannot list conversations stops the start.
	db.fail = errors.New("database down")
	if _, err := NewLocalConversations(ctx, db, clock); err == nil {
		t.Fatal("started without the conversations under way")
	}
}

// A pending clarifying question is kept in memory only; replacing a stored
// flow with one removes the stored row, so a restart cannot bring it back.
func TestLocalConversationsEphemeral(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	db := &fakeConversations{rows: map[string]models.Conversation{}}
	l, err := NewLocalConversations(ctx, db, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	clarify := models.Conversation{OpenID: "o1", Flow: "clarify", Step: "choose", ExpiresAt: now.Add(time.Minute), Ephemeral: true}
	l.SaveConversation(ctx, clarify)
	if _, ok := db.rows["o1"]; ok {
		t.Fatal("ephemeral state written to the database")
	}
	if c, err := l.GetConversation(ctx, "o1"); err != nil || c.Flow != "clarify" {
		t.Fatalf("ephemeral state not served: %+v %v", c, err)
	}
	before := db.deletes
	l.DeleteConversation(ctx, "o1")
	if db.deletes != before {
		t.Fatal("ending ephemeral state reached the database")
	}

	l.SaveConversation(ctx, models.Conversation{OpenID: "o2", Flow: "wish", Step: "text", ExpiresAt: now.Add(time.Minute)})
	clarify.OpenID = "o2"
	l.SaveConversation(ctx, clarify)
	if _, ok := db.rows["o2"]; ok {
		t.Fatal("the stored wish flow outlives the clarifying question that replaced it")
	}
	restarted, _ := NewLocalConversations(ctx, db, func() time.Time { return now })
	if _, err := restarted.GetConversation(ctx, "o2"); err == nil {
		t.Fatal("an older flow came back after a restart")
	}
}

// Residents' messages arrive at once (run with -race): each resident's own
// flow is always read back as written, whatever the others do.
func TestLocalConversationsConcurrent(t *testing.T) {
	ctx := context.Background()
	db := &fakeConversations{rows: map[string]models.Conversation{}}
	l, err := NewLocalConversations(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			id := fmt.Sprintf("o%d", g)
			for i := 0; i < 200; i++ {
				step := fmt.Sprint(i)
				l.SaveConversation(ctx, models.Conversation{OpenID: id, Flow: "wish", Step: step, ExpiresAt: time.Now().Add(time.Minute), Ephemeral: i%3 == 0})
				if c, err := l.GetConversation(ctx, id); err != nil || c.Step != step {
					t.Errorf("%s read %q (%v), wrote %q", id, c.Step, err, step)
					return
				}
				if i%7 == 0 {
					l.DeleteConversation(ctx, id)
				}
			}
		}(g)
	}
	wg.Wait()
}

// Near-simultaneous changes of one resident's flow: the database and memory
// agree on which came last, so a restart brings back what was served.
func TestLocalConversationsSameResidentAgree(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 20; round++ {
		db := &fakeConversations{rows: map[string]models.Conversation{}}
		l, _ := NewLocalConversations(ctx, db, nil)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				l.SaveConversation(ctx, models.Conversation{OpenID: "o1", Flow: "signup", Step: fmt.Sprint(g), ExpiresAt: time.Now().Add(time.Minute)})
			}(g)
		}
		wg.Wait()
		served, _ := l.GetConversation(ctx, "o1")
		if stored := db.rows["o1"]; stored.Step != served.Step {
			t.Fatalf("round %d: memory serves step %q, the database keeps %q", round, served.Step, stored.Step)
		}
	}
}
