package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"familybot/models"
	"familybot/store"
)

const (
	// missesFor is how long an unanswered question counts towards "two in a row".
	missesFor = time.Hour
	// answerFor is how long the last answer can still be called "没用" (the
	// engine asks for no more than two hours).
	answerFor = 3 * time.Hour
	// listsFor is how long the upcoming events and the 回音壁 are remembered.
	listsFor = 2 * time.Second
)

// conversations keep a resident's place in a sign-up or wish flow:
// cache.LocalConversations (memory over the database) for one copy,
// cache.RedisConversations for several.
type conversations interface {
	GetConversation(ctx context.Context, openID string) (models.Conversation, error)
	SaveConversation(ctx context.Context, c models.Conversation) error
	DeleteConversation(ctx context.Context, openID string) error
}

// fastState keeps short-lived facts about a resident (misses in a row, the
// last answer): cache.MemoryState or cache.RedisState.
type fastState interface {
	Incr(ctx context.Context, key string, ttl time.Duration) (int, error)
	Set(ctx context.Context, key, value string, ttl time.Duration) error
	Get(ctx context.Context, key string) (string, bool, error)
	Del(ctx context.Context, keys ...string) error
}

// engineState is what the engine reads and writes for each message. A plain
// question needs no database round trip: conversation state, the count of
// misses and the last answer (for "没用") live in memory or Redis, and the
// message log and hit counts are written in batches by the recorder.
type engineState struct {
	*store.Store
	conversations conversations
	fast          fastState
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

// MarkAnswered remembers the answer and starts the count of misses again.
func (s engineState) MarkAnswered(ctx context.Context, openID string, entryID uint, at time.Time) error {
	v := strconv.FormatUint(uint64(entryID), 10) + " " + strconv.FormatInt(at.UnixMilli(), 10)
	if err := s.fast.Set(ctx, "answer:"+openID, v, answerFor); err != nil {
		return err
	}
	return s.fast.Del(ctx, "miss:"+openID)
}

func (s engineState) AddMiss(ctx context.Context, openID string) (int, error) {
	return s.fast.Incr(ctx, "miss:"+openID, missesFor)
}

func (s engineState) ResetMisses(ctx context.Context, openID string) error {
	return s.fast.Del(ctx, "miss:"+openID)
}

func (s engineState) ClearLastEntry(ctx context.Context, openID string) error {
	return s.fast.Del(ctx, "answer:"+openID)
}

// GetResident returns the stored resident with the last answer from the fast state.
func (s engineState) GetResident(ctx context.Context, openID string) (models.Resident, error) {
	r, err := s.Store.GetResident(ctx, openID)
	if err != nil {
		return r, err
	}
	r.LastEntryID, r.LastEntryAt = 0, time.Time{}
	v, ok, err := s.fast.Get(ctx, "answer:"+openID)
	if err != nil || !ok {
		return r, err
	}
	id, at, _ := strings.Cut(v, " ")
	n, err1 := strconv.ParseUint(id, 10, 64)
	ms, err2 := strconv.ParseInt(at, 10, 64)
	if err1 == nil && err2 == nil {
		r.LastEntryID, r.LastEntryAt = uint(n), time.UnixMilli(ms).UTC()
	}
	return r, nil
}
