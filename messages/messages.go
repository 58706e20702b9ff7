// Package messages is the message log as staff read it: the last week's
// resident messages with the answers staff marked 答错了, the dashboard's
// figures, and the 人工 queue of residents waiting for a person.
package messages

import (
	"context"
	"time"

	"familybot/models"
)

// Store is what the message views need from storage (implemented by *store.Store).
type Store interface {
	ListRecentMessages(ctx context.Context, since time.Time, unansweredOnly bool, limit int) ([]models.Message, error)
	WrongAnswers(ctx context.Context, ids []uint64) (map[uint64]models.KBWrongAnswer, error)
	MarkWrongAnswer(ctx context.Context, id uint64, by string) (models.KBWrongAnswer, error)
	CountMessagesSince(ctx context.Context, since time.Time) (models.MessageStats, error)
	TopEntriesSince(ctx context.Context, since time.Time, limit int) ([]models.EntryCount, error)

	ListHandoffs(ctx context.Context, done bool, limit int) ([]models.Handoff, error)
	CountOpenHandoffs(ctx context.Context) (int64, error)
	CloseHandoff(ctx context.Context, id uint64, by, note string, at time.Time) error
	ListMessagesByOpenID(ctx context.Context, openID string, limit int) ([]models.Message, error)
	ListWishesByOpenID(ctx context.Context, openID string, limit int) ([]models.Wish, error)
	ListSignupsByOpenID(ctx context.Context, openID string, since time.Time) ([]models.Signup, error)
}

// Service is the message-log service.
type Service struct {
	Store Store
	Now   models.Clock
}

// The 居民留言 page shows the last week, at most recentLimit messages.
const (
	recentFor   = 7 * 24 * time.Hour
	recentLimit = 200
)

// Logged is one resident message as the log shows it.
type Logged struct {
	models.Message
	Wrong bool // staff marked the answer 答错了
}

// Unanswered reports whether the bot failed the resident: it fell back, or
// staff marked its answer wrong.
func (m Logged) Unanswered() bool { return m.Route == models.RouteFallback || m.Wrong }

// Recent returns the last week's messages, newest first; only the unanswered
// ones when unansweredOnly.
func (s *Service) Recent(ctx context.Context, unansweredOnly bool) ([]Logged, error) {
	list, err := s.Store.ListRecentMessages(ctx, s.Now.UTC().Add(-recentFor), unansweredOnly, recentLimit)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	wrong, err := s.Store.WrongAnswers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Logged, len(list))
	for i, m := range list {
		_, isWrong := wrong[m.ID]
		out[i] = Logged{Message: m, Wrong: isWrong}
	}
	return out, nil
}

// MarkWrong marks the bot's answer to message id as wrong (答错了), by staff
// UserID by: the question goes back to the unanswered list with the entry
// that answered it.
func (s *Service) MarkWrong(ctx context.Context, id uint64, by string) (models.KBWrongAnswer, error) {
	return s.Store.MarkWrongAnswer(ctx, id, by)
}

// Summary is the dashboard's account of the messages since a moment.
type Summary struct {
	Msgs models.MessageStats
	Top  []models.EntryCount // the entries answered most, at most five
}

// Since summarises the messages since since.
func (s *Service) Since(ctx context.Context, since time.Time) (Summary, error) {
	var sum Summary
	var err error
	if sum.Msgs, err = s.Store.CountMessagesSince(ctx, since); err != nil {
		return sum, err
	}
	sum.Top, err = s.Store.TopEntriesSince(ctx, since, 5)
	return sum, err
}
