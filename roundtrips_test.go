package main

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// tripCounter counts the round trips to Redis that concern one resident (a
// command or a pipeline naming a key that contains the marker), and how many
// had been made when the webhook started writing its answer.
type tripCounter struct {
	mu      sync.Mutex
	marker  string
	trips   int
	atReply int
}

func (c *tripCounter) concerns(cmds ...redis.Cmder) bool {
	for _, cmd := range cmds {
		for _, a := range cmd.Args() {
			if s, ok := a.(string); ok && c.marker != "" && strings.Contains(s, c.marker) {
				return true
			}
		}
	}
	return false
}

func (c *tripCounter) count(cmds ...redis.Cmder) {
	if c.concerns(cmds...) {
		c.mu.Lock()
		c.trips++
		c.mu.Unlock()
	}
}

func (c *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.count(cmd)
		return next(ctx, cmd)
	}
}

func (c *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.count(cmds...)
		return next(ctx, cmds)
	}
}

// follow starts counting the round trips for the resident openID.
func (c *tripCounter) follow(openID string) {
	c.mu.Lock()
	c.marker, c.trips, c.atReply = openID, 0, -1
	c.mu.Unlock()
}

func (c *tripCounter) counts() (before, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.atReply, c.trips
}

// replyWatch notes the round trips made when the first byte of the answer is written.
type replyWatch struct {
	http.ResponseWriter
	c    *tripCounter
	seen bool
}

func (w *replyWatch) note() {
	if !w.seen {
		w.seen = true
		w.c.mu.Lock()
		w.c.atReply = w.c.trips
		w.c.mu.Unlock()
	}
}

func (w *replyWatch) WriteHeader(status int) { w.note(); w.ResponseWriter.WriteHeader(status) }
func (w *replyWatch) Write(b []byte) (int, error) {
	w.note()
	return w.ResponseWriter.Write(b)
}

// With Redis, a message is answered after one round trip (nonce, claim,
// conversation, context, crisis episode, misses, last answer and the rate
// count fetched together) and leaves one more behind it (what the bot changed
// and the reply for retries) — whether it is a question, the answer to a
// clarifying question or a retry — and the resident's conversation still
// carries from one message to the next.
func TestOneRedisRoundTripBeforeTheReply(t *testing.T) {
	environ := sharedSetup(t, "FAMILYBOT_LIMITS_MESSAGES_PER_MINUTE=5")
	app, err := (&Env{Stdin: strings.NewReader(""), ConfigPath: "config.yaml", ConfigExplicit: true, Environ: environ}).App(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	s, err := buildServer(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	c := &tripCounter{}
	app.Redis.AddHook(c)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		s.HTTP.Handler.ServeHTTP(&replyWatch{ResponseWriter: rw, c: c}, req)
	}))
	defer srv.Close()
	// The script is loaded on the first message Redis sees after a restart
	// (one more round trip then); a message of someone else loads it here.
	post(t, srv, fmt.Sprintf("o-warm-%d", rand.Int63()), rand.Int63(), "你好")

	run := rand.Int63n(1e12) * 1000
	who := fmt.Sprintf("o-trip-%d", run)
	steps := []struct {
		msgID int64
		text  string
		has   string
	}{
		{run + 2, "发烧", "请回复数字"},  // a clarifying question: a flow begins
		{run + 3, "1", "【"},       // answered from the flow the last message left
		{run + 3, "1", "【"},       // WeChat retries it: the same answer, and nothing done again
		{run + 4, "要去医院吗", "关于「"}, // the conversation's topic carries
	}
	var replies []string
	for _, st := range steps {
		c.follow(who)
		r := post(t, srv, who, st.msgID, st.text)
		before, total := c.counts()
		if !strings.Contains(r, st.has) {
			t.Fatalf("%s: %q", st.text, r)
		}
		if before != 1 || total > 2 {
			t.Errorf("%s: %d round trips to Redis before the reply was written, %d in all (want 1 and at most 2)", st.text, before, total)
		}
		replies = append(replies, r)
	}
	if replies[1] != replies[2] {
		t.Errorf("the retry got another answer:\n%s\n%s", replies[1], replies[2])
	}
	// The rate limit still counts: the fifth message of the minute is the
	// last one allowed (the retry was not counted again).
	post(t, srv, who, run+5, "谢谢")
	if r := post(t, srv, who, run+6, "谢谢"); strings.Contains(r, "您发得太快啦") {
		t.Errorf("the 5th message in a minute with a limit of 5 was refused: %q", r)
	}
	if r := post(t, srv, who, run+7, "谢谢"); !strings.Contains(r, "您发得太快啦") {
		t.Errorf("the 6th message in a minute with a limit of 5: %q", r)
	}
}
