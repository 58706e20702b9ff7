package cache

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"familybot/models"
)

func testVisits(t *testing.T) (*Visits, *RedisState, *RedisConversations, *RedisLimiter) {
	c := redisClient(t)
	prefix := fmt.Sprintf("fbtest%d:", rand.Int63())
	vs := &Visits{Client: c, Prefix: prefix, Keys: func(openID string) Preload {
		return Preload{State: []string{"ctx:" + openID}, Urgent: []string{"crisis:" + openID}, Limit: "msg:" + openID, Per: time.Minute}
	}}
	return vs, &RedisState{Client: c, Prefix: prefix}, &RedisConversations{Client: c, Prefix: prefix}, &RedisLimiter{Client: c, Prefix: prefix}
}

// visitDedup claims through Visits, each call with a nonce of its own (as
// WeChat's retries come), so the dedup tests hold it to the same behaviour.
type visitDedup struct{ vs *Visits }

func (d visitDedup) ClaimMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error) {
	_, ok, prev, err := d.vs.Arrive(ctx, fmt.Sprint(rand.Int63()), "d", time.Minute, key, "o1")
	return ok, prev, err
}

func (d visitDedup) FinishMessage(ctx context.Context, key, reply string, async bool) error {
	return d.vs.Leave(ctx, key, reply, async)
}

// The same message delivered to several copies at once is claimed once, and
// a retry after the reply was kept gets that reply.
func TestVisitsClaimOnce(t *testing.T) {
	vs, _, _, _ := testVisits(t)
	testDedup(t, visitDedup{vs})
}

// A nonce seen before with another body is refused and claims nothing, so a
// forged body cannot take a real message's key; the same body again (WeChat's
// own retry) passes.
func TestVisitsReplayedNonce(t *testing.T) {
	vs, _, _, _ := testVisits(t)
	ctx := context.Background()
	if _, _, _, err := vs.Arrive(ctx, "ts:n", "body1", time.Minute, "m:1", "o1"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := vs.Arrive(ctx, "ts:n", "forged", time.Minute, "m:2", "o1"); !models.IsCode(err, models.ECONFLICT) {
		t.Fatalf("replayed nonce: %v", err)
	}
	if _, ok, _, err := vs.Arrive(ctx, "ts:n2", "body2", time.Minute, "m:2", "o1"); err != nil || !ok {
		t.Fatalf("the forged call claimed the key: %v %v", ok, err)
	}
	if _, ok, _, err := vs.Arrive(ctx, "ts:n", "body1", time.Minute, "m:1", "o1"); err != nil || ok {
		t.Fatalf("WeChat's retry of the same body: claimed %v, %v", ok, err)
	}
}

// Within a visit the bot reads what was fetched on arrival and its writes wait
// for Leave; another copy sees them once Leave has run. An urgent key is
// written at once, and a key read a second time is read afresh.
func TestVisitReadsAndWrites(t *testing.T) {
	vs, st, conv, lim := testVisits(t)
	bg := context.Background()
	st.Set(bg, "ctx:o1", "话题", time.Minute)
	vctx, _, _, err := vs.Arrive(bg, "ts:1", "d", time.Minute, "m:1", "o1")
	if err != nil {
		t.Fatal(err)
	}
	st.Set(bg, "ctx:o1", "别的话题", time.Minute) // another copy, after the fetch
	if v, ok, _ := st.Get(vctx, "ctx:o1"); !ok || v != "话题" {
		t.Fatalf("first read in the visit: %q %v", v, ok)
	}
	if v, _, _ := st.Get(vctx, "ctx:o1"); v != "别的话题" {
		t.Fatalf("second read in the visit: %q (want it read afresh)", v)
	}
	st.Set(vctx, "ctx:o1", "新话题", time.Minute)
	conv.SaveConversation(vctx, models.Conversation{OpenID: "o1", Flow: "wish", Step: "text", ExpiresAt: time.Now().Add(time.Minute)})
	if !lim.Allow(vctx, "msg:o1", 1, time.Minute) || lim.Allow(vctx, "msg:o1", 1, time.Minute) {
		t.Fatal("the limit of 1 was not counted within the visit")
	}
	st.Set(vctx, "crisis:o1", "episode", time.Minute)
	if v, _, _ := st.Get(bg, "crisis:o1"); v != "episode" {
		t.Fatal("an urgent key waited for Leave")
	}
	if v, _, _ := st.Get(vctx, "ctx:o1"); v != "新话题" {
		t.Fatalf("the visit does not read back its own write: %q", v)
	}
	if v, _, _ := st.Get(bg, "ctx:o1"); v != "别的话题" {
		t.Fatal("a write went out before Leave")
	}
	if err := vs.Leave(vctx, "m:1", "回答", false); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := st.Get(bg, "ctx:o1"); v != "新话题" {
		t.Fatalf("after Leave: %q", v)
	}
	if c, err := conv.GetConversation(bg, "o1"); err != nil || c.Flow != "wish" {
		t.Fatalf("conversation after Leave: %+v %v", c, err)
	}
	if !lim.Over(bg, "msg:o1", 1, time.Minute) {
		t.Fatal("the counts made within the visit were not sent")
	}
	// After Leave, writes through the visit's context go out at once.
	conv.DeleteConversation(vctx, "o1")
	if _, err := conv.GetConversation(bg, "o1"); !models.IsCode(err, models.ENOTFOUND) {
		t.Fatalf("a write after Leave: %v", err)
	}
}
