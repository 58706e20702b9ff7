package store

import (
	"context"

	"familybot/models"

	"gorm.io/gorm/clause"
)

// MarkWrongAnswer marks the answer to message id as wrong, by staff user by.
// Only a question the knowledge base answered can be marked; marking twice
// keeps the first mark.
func (s *Store) MarkWrongAnswer(ctx context.Context, id uint64, by string) (models.KBWrongAnswer, error) {
	m, err := s.GetMessage(ctx, id)
	if err != nil {
		return models.KBWrongAnswer{}, err
	}
	if m.EntryID == 0 || m.Text == "" || m.Flagged {
		return models.KBWrongAnswer{}, models.Errorf(models.EINVALID, "这条留言不是用知识库条目回答的，不能标为答错了。")
	}
	w := models.KBWrongAnswer{MessageID: id, EntryID: m.EntryID, Score: m.Score, MarkedBy: by, MarkedAt: s.Now().UTC()}
	if err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&w).Error; err != nil {
		return w, err
	}
	return w, nil
}

// WrongAnswers returns the marks on the given messages, by message.
func (s *Store) WrongAnswers(ctx context.Context, ids []uint64) (map[uint64]models.KBWrongAnswer, error) {
	out := map[uint64]models.KBWrongAnswer{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var rows []models.KBWrongAnswer
		if err := s.DB.WithContext(ctx).Where("message_id IN ?", ids[:n]).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.MessageID] = r
		}
		ids = ids[n:]
	}
	return out, nil
}

// unansweredWhere is the one definition of an unanswered message: the bot
// fell back, or staff marked its answer wrong.
const unansweredWhere = "(route = ? OR id IN (SELECT message_id FROM kb_wrong_answers))"
