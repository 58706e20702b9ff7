package cache

import (
	"context"
	"encoding/json"
	"time"

	"familybot/models"

	"github.com/redis/go-redis/v9"
)

// RedisDedup claims WeChat message keys in Redis (SET NX), so a retry that lands
// on any copy is recognised. It implements the webhook's Dedup.
type RedisDedup struct {
	Client redis.UniversalClient
	Prefix string
	TTL    time.Duration // how long a key is remembered (WeChat retries within 15 s)
}

type dedupRecord struct {
	Reply string `json:"r"`
	Done  bool   `json:"d"`
	Async bool   `json:"a"`
}

func (d *RedisDedup) ttl() time.Duration {
	if d.TTL <= 0 {
		return time.Hour
	}
	return d.TTL
}

// ClaimMessage returns claimed=true for the first caller of key.
func (d *RedisDedup) ClaimMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error) {
	k := d.Prefix + "dedup:" + key
	ok, err := d.Client.SetNX(ctx, k, `{}`, d.ttl()).Result()
	if err != nil {
		return false, models.ProcessedMessage{}, err
	}
	if ok {
		return true, models.ProcessedMessage{Key: key}, nil
	}
	raw, err := d.Client.Get(ctx, k).Result()
	if err != nil {
		return false, models.ProcessedMessage{}, err
	}
	return false, recordOf(key, raw), nil
}

// FinishMessage stores the reply for retries.
func (d *RedisDedup) FinishMessage(ctx context.Context, key, reply string, async bool) error {
	return d.Client.Set(ctx, d.Prefix+"dedup:"+key, finishedRecord(reply, async), d.ttl()).Err()
}

// RedisConversations keeps conversation state in Redis with the flow's TTL, so the
// next message of a resident may land on any copy. Within a message (a Visit in
// ctx) it is read from what was fetched on arrival and written after the reply.
type RedisConversations struct {
	Client redis.UniversalClient
	Prefix string
	Now    func() time.Time
}

func (r *RedisConversations) key(openID string) string { return conversationKey(r.Prefix, openID) }

func (r *RedisConversations) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// GetConversation returns the unexpired conversation, or ENOTFOUND.
func (r *RedisConversations) GetConversation(ctx context.Context, openID string) (models.Conversation, error) {
	raw, ok, err := getString(ctx, r.Client, r.key(openID))
	if err != nil {
		return models.Conversation{}, err
	}
	if !ok {
		return models.Conversation{}, models.Errorf(models.ENOTFOUND, "conversation not found")
	}
	var c models.Conversation
	if err := json.Unmarshal([]byte(raw), &c); err != nil || !c.ExpiresAt.After(r.now()) {
		return models.Conversation{}, models.Errorf(models.ENOTFOUND, "conversation not found")
	}
	return c, nil
}

// SaveConversation stores c until c.ExpiresAt.
func (r *RedisConversations) SaveConversation(ctx context.Context, c models.Conversation) error {
	ttl := c.ExpiresAt.Sub(r.now())
	if ttl <= 0 {
		return r.DeleteConversation(ctx, c.OpenID)
	}
	b, _ := json.Marshal(c)
	return setString(ctx, r.Client, r.key(c.OpenID), string(b), ttl)
}

// DeleteConversation ends the conversation.
func (r *RedisConversations) DeleteConversation(ctx context.Context, openID string) error {
	return delKeys(ctx, r.Client, r.key(openID))
}
