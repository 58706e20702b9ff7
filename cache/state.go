package cache

import (
	"context"
	"sync"
	"time"

	"familybot/models"

	"github.com/redis/go-redis/v9"
)

// MemoryCounter counts per key until the key expires or is reset, for a
// single copy (how many questions in a row went unanswered).
type MemoryCounter struct {
	mu    sync.Mutex
	m     map[string]counted
	swept time.Time
	Now   func() time.Time
}

type counted struct {
	n   int
	exp time.Time
}

// NewMemoryCounter returns an empty counter.
func NewMemoryCounter() *MemoryCounter { return &MemoryCounter{m: map[string]counted{}} }

func (c *MemoryCounter) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Incr adds one to key and returns the new count; key is forgotten ttl after
// its latest count.
func (c *MemoryCounter) Incr(_ context.Context, key string, ttl time.Duration) (int, error) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.swept) > time.Minute {
		for k, v := range c.m {
			if !now.Before(v.exp) {
				delete(c.m, k)
			}
		}
		c.swept = now
	}
	v := c.m[key]
	if !now.Before(v.exp) {
		v = counted{}
	}
	v.n++
	v.exp = now.Add(ttl)
	c.m[key] = v
	return v.n, nil
}

// Reset forgets key.
func (c *MemoryCounter) Reset(_ context.Context, key string) error {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
	return nil
}

// RedisCounter is MemoryCounter in Redis, shared by every copy.
type RedisCounter struct {
	Client redis.UniversalClient
	Prefix string
}

// Incr adds one to key, which expires ttl after its latest count.
func (c *RedisCounter) Incr(ctx context.Context, key string, ttl time.Duration) (int, error) {
	k := c.Prefix + "count:" + key
	var incr *redis.IntCmd
	_, err := c.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, k)
		p.Expire(ctx, k, ttl)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(incr.Val()), nil
}

// Reset forgets key.
func (c *RedisCounter) Reset(ctx context.Context, key string) error {
	return c.Client.Del(ctx, c.Prefix+"count:"+key).Err()
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
	m       map[string]models.Conversation
	swept   time.Time
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
	l := &LocalConversations{backing: backing, now: now, m: make(map[string]models.Conversation, len(all))}
	for _, c := range all {
		l.m[c.OpenID] = c
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
	return c, nil
}

// SaveConversation stores c in the database, then serves it from memory.
func (l *LocalConversations) SaveConversation(ctx context.Context, c models.Conversation) error {
	if err := l.backing.SaveConversation(ctx, c); err != nil {
		return err
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[c.OpenID] = c
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
	l.mu.Lock()
	_, ok := l.m[openID]
	delete(l.m, openID)
	l.mu.Unlock()
	if !ok {
		return nil // nothing of this resident's is in the database either
	}
	return l.backing.DeleteConversation(ctx, openID)
}
