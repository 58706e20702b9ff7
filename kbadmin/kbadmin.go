// Package kbadmin is the staff's side of the knowledge base: the entry list
// with its filters and 没用 figures, editing entries, turning the questions the
// bot could not answer into entries, the medical review, and the keyword
// rules. The matcher itself is knowledge's; storage is the store's.
package kbadmin

import (
	"context"
	"time"

	"familybot/knowledge"
	"familybot/models"
)

// Store is what the knowledge admin needs from storage (implemented by *store.Store).
type Store interface {
	ListKBEntryRows(ctx context.Context) ([]models.KBEntry, error)
	GetKBEntry(ctx context.Context, id uint) (models.KBEntry, error)
	SaveKBEntry(ctx context.Context, e knowledge.Entry, staff bool) (knowledge.Entry, error)

	GetMessage(ctx context.Context, id uint64) (models.Message, error)
	WrongAnswers(ctx context.Context, ids []uint64) (map[uint64]models.KBWrongAnswer, error)
	ListUnansweredGroups(ctx context.Context, since time.Time, limit int) ([]models.UnansweredGroup, error)
	MarkUnansweredHandled(ctx context.Context, text, action, by string, entryID uint) error

	ListKBReviewStates(ctx context.Context, now time.Time) ([]knowledge.ReviewRow, error)
	ListKBReviews(ctx context.Context, entryID uint) ([]models.KBReview, error)
	RecordKBReview(ctx context.Context, in models.KBReviewInput) (models.KBReview, error)

	ListKBRuleRows(ctx context.Context) ([]models.KBRule, error)
	ListKBRules(ctx context.Context) ([]knowledge.Rule, error)
	GetKBRule(ctx context.Context, id uint) (models.KBRule, error)
	SaveKBRule(ctx context.Context, r knowledge.Rule, origin string) (knowledge.Rule, error)
	SetKBRuleEnabled(ctx context.Context, id uint, enabled bool) error
	DeleteKBRule(ctx context.Context, id uint) error
}

// Service is the knowledge admin service.
type Service struct {
	Store Store
	Now   models.Clock
}

// Failing reports whether residents found an answer useless often enough to
// flag it: at least three said 没用, and they are at least a fifth of the
// answers given.
func Failing(unhelpful, hits int) bool {
	return hits > 0 && unhelpful >= 3 && unhelpful*5 >= hits
}

// Entry returns one entry's row, or ENOTFOUND.
func (s *Service) Entry(ctx context.Context, id uint) (models.KBEntry, error) {
	return s.Store.GetKBEntry(ctx, id)
}

// Update saves staff's edit of an existing entry (EINVALID: content the
// matcher cannot use).
func (s *Service) Update(ctx context.Context, e knowledge.Entry) error {
	_, err := s.Store.SaveKBEntry(ctx, e, true)
	return err
}

// Created is what creating an entry did.
type Created struct {
	Entry knowledge.Entry
	// From is the unanswered question the entry was made from (ID 0: none, or
	// it is no longer on the list); Unmarked is why it could not be taken off
	// the list (the entry is saved all the same).
	From     models.Message
	Unmarked error
}

// Create saves a new entry written by staff (ECONFLICT: the slug is taken;
// EINVALID). Made from the unanswered question in message from (0: none), it
// takes that question off the list.
func (s *Service) Create(ctx context.Context, e knowledge.Entry, from uint64, by string) (Created, error) {
	saved, err := s.Store.SaveKBEntry(ctx, e, true)
	if err != nil {
		return Created{}, err
	}
	out := Created{Entry: saved}
	if from == 0 {
		return out, nil
	}
	if m, err := s.UnansweredMessage(ctx, from); err == nil {
		out.From = m
		out.Unmarked = s.Store.MarkUnansweredHandled(ctx, m.Text, models.HandledAdded, by, saved.ID)
	}
	return out, nil
}

// Reviews returns an entry's medical reviews, newest first.
func (s *Service) Reviews(ctx context.Context, entryID uint) ([]models.KBReview, error) {
	return s.Store.ListKBReviews(ctx, entryID)
}
