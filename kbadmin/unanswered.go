package kbadmin

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"
)

// The questions the bot could not answer: the list looks back UnansweredDays
// and shows at most unansweredLimit groups.
const (
	UnansweredDays  = 30
	unansweredLimit = 100
)

// maxVariant bounds a question added to an entry as it was asked.
const maxVariant = 100

// Unanswered lists what the bot could not answer, grouped as the matcher reads
// it, newest first.
func (s *Service) Unanswered(ctx context.Context) ([]models.UnansweredGroup, error) {
	return s.Store.ListUnansweredGroups(ctx, s.Now.UTC().Add(-UnansweredDays*24*time.Hour), unansweredLimit)
}

// UnansweredMessage returns the resident's message id if the bot did not
// answer it (it fell back, or staff marked the answer 答错了); else ENOTFOUND.
func (s *Service) UnansweredMessage(ctx context.Context, id uint64) (models.Message, error) {
	notFound := models.Errorf(models.ENOTFOUND, "没有找到这条居民提问。")
	if id == 0 {
		return models.Message{}, notFound
	}
	m, err := s.Store.GetMessage(ctx, id)
	if err != nil {
		return m, err
	}
	unanswered := m.Route == models.RouteFallback
	if !unanswered { // or its answer was marked 答错了
		wrong, err := s.Store.WrongAnswers(ctx, []uint64{m.ID})
		if err != nil {
			return m, err
		}
		_, unanswered = wrong[m.ID]
	}
	if !unanswered || strings.TrimSpace(m.Text) == "" {
		return m, notFound
	}
	return m, nil
}

// Ignore takes the question in message id off the list (until a resident asks
// it again), for staff UserID by.
func (s *Service) Ignore(ctx context.Context, id uint64, by string) (models.Message, error) {
	m, err := s.UnansweredMessage(ctx, id)
	if err != nil {
		return m, err
	}
	return m, s.Store.MarkUnansweredHandled(ctx, m.Text, models.HandledIgnored, by, 0)
}

// Append adds the question in message id, numbers masked, to entry entryID as
// a new variant (unless the entry already has it), and takes it off the list.
// A question too long to be a variant is EINVALID.
func (s *Service) Append(ctx context.Context, id uint64, entryID uint, by string) (knowledge.Entry, models.Message, error) {
	m, err := s.UnansweredMessage(ctx, id)
	if err != nil {
		return knowledge.Entry{}, m, err
	}
	if entryID == 0 {
		return knowledge.Entry{}, m, models.Errorf(models.EINVALID, "请选择要加入的条目。")
	}
	row, err := s.Store.GetKBEntry(ctx, entryID)
	if err != nil {
		return knowledge.Entry{}, m, err
	}
	e := knowledge.EntryFromRow(row)
	q := privacy.Mask(strings.TrimSpace(m.Text))
	if utf8.RuneCountInString(q) > maxVariant {
		return e, m, models.Errorf(models.EINVALID, "这个问题太长（超过100字），不适合直接作为问法。请用“加为新条目”或在条目里写一个简短的问法。")
	}
	known := false
	for _, have := range e.Questions {
		known = known || knowledge.Normalize(have) == knowledge.Normalize(q)
	}
	if !known {
		e.Questions = append(e.Questions, q)
		if _, err := s.Store.SaveKBEntry(ctx, e, true); err != nil {
			return e, m, err
		}
	}
	return e, m, s.Store.MarkUnansweredHandled(ctx, m.Text, models.HandledAppended, by, e.ID)
}
