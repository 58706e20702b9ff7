package cache

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"familybot/models"

	"github.com/redis/go-redis/v9"
)

// Visits gives each message one round trip to Redis before the bot answers it
// and one after: Arrive checks the call's nonce, claims the message key and
// fetches everything the resident's message reads on its way to a plain
// answer (conversation, context, crisis episode, misses, last answer, the
// rate-limit count) in one Lua script; the bot then reads that snapshot and
// its writes are kept; Leave sends them together with the reply for WeChat's
// retries in one pipeline. Before, a message made about ten round trips.
//
// RedisConversations, RedisState and RedisLimiter consult the Visit in the
// context they are given: the first read of a fetched key is served from the
// snapshot, a key the message wrote reads back what it wrote, and any other
// read asks Redis (another copy may have changed the key meanwhile, as a copy
// joining a crisis episode waits for). A write to a fetched key waits for
// Leave unless the key is urgent; every other write goes out at once.
type Visits struct {
	Client redis.UniversalClient
	Prefix string
	// Dedup is the claim used while Redis is failing or has failed lately
	// (then Arrive declines and the webhook claims through it), so a retry
	// finds the claim made in the database during the outage.
	Dedup *FallbackDedup
	// DedupTTL is how long a message key is remembered (default an hour).
	DedupTTL time.Duration
	// Keys names what one message of a resident reads (bot.Engine.Preload).
	Keys func(openID string) Preload
}

// Preload is what a message of one resident reads from Redis.
type Preload struct {
	State  []string // RedisState keys; writes to them wait for the reply
	Urgent []string // RedisState keys whose writes go out at once (another copy may be waiting for them)
	Limit  string   // RedisLimiter key counted by the message ("" for none)
	Per    time.Duration
}

// errDeclined: Redis failed lately, the message is claimed the slow way.
var errDeclined = errors.New("cache: recovering from a Redis failure, not fetching ahead")

// arriveScript records the nonce (a nonce already recorded with another
// digest is a replay: nothing else happens), claims the message key and reads
// the state keys, atomically.
// KEYS: nonce, dedup, state…; ARGV: digest, nonce ttl ms, dedup ttl ms.
var arriveScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  local first = redis.call('GET', KEYS[1])
  if first and first ~= ARGV[1] then return {0} end
end
local claimed = 0
local prev = false
if redis.call('SET', KEYS[2], '{}', 'PX', ARGV[3], 'NX') then claimed = 1 else prev = redis.call('GET', KEYS[2]) end
return {1, claimed, prev, redis.call('MGET', unpack(KEYS, 3))}
`)

// Arrive records nonceKey with digest for nonceTTL, claims key (as
// RedisDedup.ClaimMessage) and fetches openID's state into the returned
// context. A nonce recorded before with another digest is an ECONFLICT error
// and claims nothing; any other error means nothing was fetched (the caller
// takes the steps one by one). ctx bounds the wait: under heavy load Redis
// may take longer than its usual millisecond, and a wait cut short sends every
// message of the next two minutes down the database's slower path.
func (vs *Visits) Arrive(ctx context.Context, nonceKey, digest string, nonceTTL time.Duration, key, openID string) (context.Context, bool, models.ProcessedMessage, error) {
	none := models.ProcessedMessage{}
	if vs.Dedup != nil && vs.Dedup.degraded() {
		return ctx, false, none, errDeclined
	}
	p := Preload{}
	if vs.Keys != nil {
		p = vs.Keys(openID)
	}
	keys := make([]string, 0, 4+len(p.State)+len(p.Urgent))
	keys = append(keys, vs.Prefix+"nonce:"+nonceKey, vs.Prefix+"dedup:"+key, conversationKey(vs.Prefix, openID))
	for _, k := range p.State {
		keys = append(keys, stateKey(vs.Prefix, k))
	}
	for _, k := range p.Urgent {
		keys = append(keys, stateKey(vs.Prefix, k))
	}
	if p.Limit != "" && p.Per > 0 {
		keys = append(keys, limitKey(vs.Prefix, p.Limit, p.Per))
	}
	res, err := arriveScript.Run(ctx, vs.Client, keys, digest, nonceTTL.Milliseconds(), vs.dedupTTL().Milliseconds()).Slice()
	if err != nil || len(res) == 0 {
		if vs.Dedup != nil {
			vs.Dedup.fail()
		}
		if err == nil {
			err = errors.New("cache: unexpected answer from the arrival script")
		}
		return ctx, false, none, err
	}
	if n, _ := res[0].(int64); n == 0 {
		return ctx, false, none, models.Errorf(models.ECONFLICT, "nonce replayed with another body")
	}
	var vals []any
	if len(res) == 4 {
		vals, _ = res[3].([]any)
	}
	if len(vals) != len(keys)-2 {
		return ctx, false, none, errors.New("cache: unexpected answer from the arrival script")
	}
	v := &Visit{vs: vs, slots: make(map[string]*slot, len(vals))}
	for i, k := range keys[2:] {
		s, ok := vals[i].(string)
		v.slots[k] = &slot{val: s, ok: ok, fresh: true}
	}
	for _, k := range p.Urgent {
		v.slots[stateKey(vs.Prefix, k)].urgent = true
	}
	ctx = context.WithValue(ctx, visitKey{}, v)
	if claimed, _ := res[1].(int64); claimed == 1 {
		return ctx, true, models.ProcessedMessage{Key: key}, nil
	}
	raw, _ := res[2].(string)
	return ctx, false, recordOf(key, raw), nil
}

// Leave writes what the message changed and its reply for retries (as
// RedisDedup.FinishMessage) in one round trip. ctx is the one Arrive returned;
// writes made through it afterwards go out at once.
func (vs *Visits) Leave(ctx context.Context, key, reply string, async bool) error {
	pipe := vs.Client.Pipeline()
	if v := visitOf(ctx); v != nil {
		v.mu.Lock()
		v.left = true
		ops := v.ops
		v.ops = nil
		v.mu.Unlock()
		for _, o := range ops {
			o(ctx, pipe)
		}
	}
	pipe.Set(ctx, vs.Prefix+"dedup:"+key, finishedRecord(reply, async), vs.dedupTTL())
	// A failure here claimed nothing in the database that a retry must meet:
	// the caller stores the reply through Dedup, which falls back if it must.
	_, err := pipe.Exec(ctx)
	return err
}

func (vs *Visits) dedupTTL() time.Duration {
	if vs.DedupTTL <= 0 {
		return time.Hour
	}
	return vs.DedupTTL
}

// Visit is one message's snapshot of its resident's keys and its pending writes.
type Visit struct {
	vs    *Visits
	mu    sync.Mutex // the bot may write from a goroutine of its own (a crisis record)
	slots map[string]*slot
	ops   []func(ctx context.Context, p redis.Pipeliner)
	left  bool // Leave has taken the writes: from now on everything goes to Redis
}

type slot struct {
	val    string
	ok     bool // the key exists
	fresh  bool // fetched on arrival and not read yet
	wrote  bool // this message wrote it: val and ok are what it wrote
	urgent bool
}

type visitKey struct{}

func visitOf(ctx context.Context) *Visit {
	v, _ := ctx.Value(visitKey{}).(*Visit)
	return v
}

// read returns k's value if the visit knows it (known=false: ask Redis).
func (v *Visit) read(k string) (val string, ok, known bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.slots[k]
	if v.left || s == nil || !(s.fresh || s.wrote) {
		return "", false, false
	}
	s.fresh = false
	return s.val, s.ok, true
}

// write records k's new value and queues op for Leave; false means k is not
// the visit's to keep (not fetched, urgent, or Leave has run): write it now.
func (v *Visit) write(k, val string, ok bool, op func(ctx context.Context, p redis.Pipeliner)) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.slots[k]
	if v.left || s == nil {
		return false
	}
	if s.urgent {
		delete(v.slots, k) // written at once by the caller; read afresh from now on
		return false
	}
	s.val, s.ok, s.wrote, s.fresh = val, ok, true, false
	v.ops = append(v.ops, op)
	return true
}

// count returns k's count plus one and queues the increment for Leave;
// false as for write. The count is the one fetched on arrival (or written
// since), so two messages of one resident at the same moment may both see the
// same count; Redis still counts both.
func (v *Visit) count(k string, ttl time.Duration) (int64, bool) {
	v.mu.Lock()
	s := v.slots[k]
	var n int64
	if s != nil {
		n, _ = strconv.ParseInt(s.val, 10, 64)
	}
	v.mu.Unlock()
	n++
	ok := v.write(k, strconv.FormatInt(n, 10), true, func(ctx context.Context, p redis.Pipeliner) {
		p.Incr(ctx, k)
		p.PExpire(ctx, k, ttl)
	})
	return n, ok
}

// getString reads k through the message's visit, or from Redis.
func getString(ctx context.Context, c redis.UniversalClient, k string) (string, bool, error) {
	if v := visitOf(ctx); v != nil {
		if val, ok, known := v.read(k); known {
			return val, ok, nil
		}
	}
	val, err := c.Get(ctx, k).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	return val, err == nil, err
}

// setString stores k for ttl, after the reply when the visit keeps k.
func setString(ctx context.Context, c redis.UniversalClient, k, val string, ttl time.Duration) error {
	if v := visitOf(ctx); v != nil && v.write(k, val, true, func(ctx context.Context, p redis.Pipeliner) { p.Set(ctx, k, val, ttl) }) {
		return nil
	}
	return c.Set(ctx, k, val, ttl).Err()
}

// delKeys deletes keys, after the reply those the visit keeps.
func delKeys(ctx context.Context, c redis.UniversalClient, keys ...string) error {
	v := visitOf(ctx)
	now := keys[:0:0]
	for _, k := range keys {
		if v == nil || !v.write(k, "", false, func(ctx context.Context, p redis.Pipeliner) { p.Del(ctx, k) }) {
			now = append(now, k)
		}
	}
	if len(now) == 0 {
		return nil
	}
	return c.Del(ctx, now...).Err()
}

// incrKey adds one to k, which expires ttl after; after the reply when the visit keeps k.
func incrKey(ctx context.Context, c redis.UniversalClient, k string, ttl time.Duration) (int64, error) {
	if v := visitOf(ctx); v != nil {
		if n, ok := v.count(k, ttl); ok {
			return n, nil
		}
	}
	pipe := c.TxPipeline()
	incr := pipe.Incr(ctx, k)
	pipe.PExpire(ctx, k, ttl)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	return incr.Val(), nil
}

func conversationKey(prefix, openID string) string { return prefix + "conv:" + openID }

func stateKey(prefix, k string) string { return prefix + "state:" + k }

func limitKey(prefix, key string, per time.Duration) string {
	return prefix + "rl:" + key + ":" + itoa(time.Now().UnixNano()/int64(per))
}

func finishedRecord(reply string, async bool) []byte {
	b, _ := json.Marshal(dedupRecord{Reply: reply, Done: true, Async: async})
	return b
}

func recordOf(key, raw string) models.ProcessedMessage {
	var rec dedupRecord
	_ = json.Unmarshal([]byte(raw), &rec)
	return models.ProcessedMessage{Key: key, Reply: rec.Reply, Done: rec.Done, Async: rec.Async}
}
