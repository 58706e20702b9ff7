package cache

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"familybot/models"

	"github.com/redis/go-redis/v9"
)

// MemoryState keeps small per-resident facts that only matter for a while
// (how many questions in a row went unanswered, the last answer given) for a
// single copy: counters and values that expire.
type MemoryState struct {
	mu    sync.Mutex
	m     map[string]stateValue
	swept time.Time
	Now   func() time.Time
}

type stateValue struct {
	n   int
	s   string
	exp time.Time
}

// NewMemoryState returns an empty state.
func NewMemoryState() *MemoryState { return &MemoryState{m: map[string]stateValue{}} }

func (c *MemoryState) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// live returns key's value if it has not expired; c.mu is held.
func (c *MemoryState) live(key string, now time.Time) (stateValue, bool) {
	if now.Sub(c.swept) > time.Minute {
		for k, v := range c.m {
			if !now.Before(v.exp) {
				delete(c.m, k)
			}
		}
		c.swept = now
	}
	v, ok := c.m[key]
	if !ok || !now.Before(v.exp) {
		return stateValue{}, false
	}
	return v, true
}

// Incr adds one to key and returns the new count; key is forgotten ttl after
// its latest count.
func (c *MemoryState) Incr(_ context.Context, key string, ttl time.Duration) (int, error) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	v, _ := c.live(key, now)
	v.n++
	v.exp = now.Add(ttl)
	c.m[key] = v
	return v.n, nil
}

// Set stores value under key for ttl.
func (c *MemoryState) Set(_ context.Context, key, value string, ttl time.Duration) error {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live(key, now)
	c.m[key] = stateValue{s: value, exp: now.Add(ttl)}
	return nil
}

// Get returns the value under key, if any.
func (c *MemoryState) Get(_ context.Context, key string) (string, bool, error) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.live(key, now)
	return v.s, ok, nil
}

// Del forgets keys.
func (c *MemoryState) Del(_ context.Context, keys ...string) error {
	c.mu.Lock()
	for _, k := range keys {
		delete(c.m, k)
	}
	c.mu.Unlock()
	return nil
}

// RedisState is MemoryState in Redis, shared by every copy. Within a message
// (a Visit in ctx) the keys fetched on arrival are read from it and written
// after the reply.
type RedisState struct {
	Client redis.UniversalClient
	Prefix string
}

// Incr adds one to key, which expires ttl after its latest count.
func (c *RedisState) Incr(ctx context.Context, key string, ttl time.Duration) (int, error) {
	n, err := incrKey(ctx, c.Client, stateKey(c.Prefix, key), ttl)
	return int(n), err
}

// Set stores value under key for ttl.
func (c *RedisState) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	return setString(ctx, c.Client, stateKey(c.Prefix, key), value, ttl)
}

// Get returns the value under key, if any.
func (c *RedisState) Get(ctx context.Context, key string) (string, bool, error) {
	return getString(ctx, c.Client, stateKey(c.Prefix, key))
}

// Del forgets keys.
func (c *RedisState) Del(ctx context.Context, keys ...string) error {
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = stateKey(c.Prefix, k)
	}
	return delKeys(ctx, c.Client, ks...)
}

// ConversationStore keeps conversations durably (the database).
type ConversationStore interface {
	ListConversations(ctx context.Context) ([]models.Conversation, error)
	SaveConversation(ctx context.Context, c models.Conversation) error
	DeleteConversation(ctx context.Context, openID string) error
}

// LocalConversations serves conversation state from process memory for a copy
// running alone (cache.driver memory), so a resident's message needs no
// database read to learn that no sign-up or wish is under way. Every change is
// written to the database first, and the unexpired ones are read back at
// start, so a restart in the middle of a sign-up loses nothing. Only this
// process may change conversations; several copies need cache.driver redis.
type LocalConversations struct {
	backing ConversationStore
	now     func() time.Time
	mu      sync.Mutex
	m       map[string]localConversation
	swept   time.Time
	// stripes order one resident's writes, so the database and memory agree
	// on which of two near-simultaneous changes came last.
	stripes [64]sync.Mutex
}

func (l *LocalConversations) stripe(openID string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(openID))
	return &l.stripes[h.Sum32()%uint32(len(l.stripes))]
}

type localConversation struct {
	models.Conversation
	stored bool // a row exists in the database
}

// NewLocalConversations loads the unexpired conversations from backing.
func NewLocalConversations(ctx context.Context, backing ConversationStore, now func() time.Time) (*LocalConversations, error) {
	if now == nil {
		now = time.Now
	}
	all, err := backing.ListConversations(ctx)
	if err != nil {
		return nil, err
	}
	l := &LocalConversations{backing: backing, now: now, m: make(map[string]localConversation, len(all))}
	for _, c := range all {
		l.m[c.OpenID] = localConversation{c, true}
	}
	return l, nil
}

// GetConversation returns the unexpired conversation, or ENOTFOUND.
func (l *LocalConversations) GetConversation(_ context.Context, openID string) (models.Conversation, error) {
	l.mu.Lock()
	c, ok := l.m[openID]
	l.mu.Unlock()
	if !ok || !c.ExpiresAt.After(l.now()) {
		return models.Conversation{}, models.Errorf(models.ENOTFOUND, "conversation not found")
	}
	return c.Conversation, nil
}

// SaveConversation stores c in the database, then serves it from memory. An
// ephemeral c is kept in memory only (and replaces any stored row, which is
// deleted so that a restart cannot bring an older flow back).
func (l *LocalConversations) SaveConversation(ctx context.Context, c models.Conversation) error {
	st := l.stripe(c.OpenID)
	st.Lock()
	defer st.Unlock()
	l.mu.Lock()
	prev, had := l.m[c.OpenID]
	l.mu.Unlock()
	var err error
	switch {
	case !c.Ephemeral:
		err = l.backing.SaveConversation(ctx, c)
	case had && prev.stored:
		err = l.backing.DeleteConversation(ctx, c.OpenID)
	}
	if err != nil {
		return err
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[c.OpenID] = localConversation{c, !c.Ephemeral}
	if now.Sub(l.swept) > time.Minute { // expired ones are pruned from the database by a job
		for k, v := range l.m {
			if !v.ExpiresAt.After(now) {
				delete(l.m, k)
			}
		}
		l.swept = now
	}
	return nil
}

// DeleteConversation ends the conversation. It is forgotten in memory even if
// the database refuses, so the resident is never stuck in a flow.
func (l *LocalConversations) DeleteConversation(ctx context.Context, openID string) error {
	st := l.stripe(openID)
	st.Lock()
	defer st.Unlock()
	l.mu.Lock()
	c, ok := l.m[openID]
	delete(l.m, openID)
	l.mu.Unlock()
	if !ok || !c.stored {
		return nil // nothing of this resident's is in the database
	}
	return l.backing.DeleteConversation(ctx, openID)
}
