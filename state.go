package main

import (
	"context"
	"time"

	"familybot/bot"
	"familybot/models"
	"familybot/store"
)

// missesFor is how long an unanswered question counts towards "two in a row".
const missesFor = time.Hour

// conversations keep a resident's place in a sign-up or wish flow:
// cache.LocalConversations (memory over the database) for one copy,
// cache.RedisConversations for several.
type conversations interface {
	GetConversation(ctx context.Context, openID string) (models.Conversation, error)
	SaveConversation(ctx context.Context, c models.Conversation) error
	DeleteConversation(ctx context.Context, openID string) error
}

// counter counts unanswered questions in a row: cache.MemoryCounter or cache.RedisCounter.
type counter interface {
	Incr(ctx context.Context, key string, ttl time.Duration) (int, error)
	Reset(ctx context.Context, key string) error
}

// engineState is what the engine reads and writes for each message. A plain
// question needs no database round trip on the reply path: conversation state
// and the count of misses live in memory or Redis, and the resident's last
// answer (for "没用") is written by the message recorder with its batch.
type engineState struct {
	*store.Store
	conversations conversations
	counter       counter
	recorder      *bot.BatchRecorder
}

func (s engineState) GetConversation(ctx context.Context, openID string) (models.Conversation, error) {
	return s.conversations.GetConversation(ctx, openID)
}

func (s engineState) SaveConversation(ctx context.Context, c models.Conversation) error {
	return s.conversations.SaveConversation(ctx, c)
}

func (s engineState) DeleteConversation(ctx context.Context, openID string) error {
	return s.conversations.DeleteConversation(ctx, openID)
}

// MarkAnswered starts the count of misses again; the recorder stores the
// answered entry from the message log.
func (s engineState) MarkAnswered(ctx context.Context, openID string, _ uint, _ time.Time) error {
	return s.counter.Reset(ctx, "miss:"+openID)
}

func (s engineState) AddMiss(ctx context.Context, openID string) (int, error) {
	return s.counter.Incr(ctx, "miss:"+openID, missesFor)
}

func (s engineState) ResetMisses(ctx context.Context, openID string) error {
	return s.counter.Reset(ctx, "miss:"+openID)
}

// GetResident first writes the queued message log, which holds the
// resident's last answer.
func (s engineState) GetResident(ctx context.Context, openID string) (models.Resident, error) {
	s.recorder.Flush()
	return s.Store.GetResident(ctx, openID)
}
