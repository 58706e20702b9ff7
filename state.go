package main

import (
	"context"
	"time"

	"familybot/models"
	"familybot/store"
)

// listsFor is how long the upcoming events and the 回音壁 are remembered.
const listsFor = 2 * time.Second

// conversations keep a resident's place in a sign-up or wish flow:
// cache.LocalConversations (memory over the database) for one copy,
// cache.RedisConversations for several.
type conversations interface {
	GetConversation(ctx context.Context, openID string) (models.Conversation, error)
	SaveConversation(ctx context.Context, c models.Conversation) error
	DeleteConversation(ctx context.Context, openID string) error
}

// engineState is the store the engine uses, with conversation state served
// from memory or Redis: a plain question needs no database round trip (the
// misses and the last answer are the engine's Recent, the message log and hit
// counts are written in batches by the recorder).
type engineState struct {
	*store.Store
	conversations conversations
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
