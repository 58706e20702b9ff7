package store

import (
	"context"
	"time"

	"familybot/models"
	"familybot/privacy"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// GetConversation returns the resident's unexpired conversation, or ENOTFOUND.
func (s *Store) GetConversation(ctx context.Context, openID string) (models.Conversation, error) {
	var c models.Conversation
	err := s.DB.WithContext(ctx).Where("open_id = ? AND expires_at > ?", openID, s.Now()).Take(&c).Error
	return c, mapErr(err, "conversation")
}

// ListConversations returns every unexpired conversation (loaded at start when
// conversation state is served from memory).
func (s *Store) ListConversations(ctx context.Context) ([]models.Conversation, error) {
	var out []models.Conversation
	err := s.DB.WithContext(ctx).Where("expires_at > ?", s.Now()).Find(&out).Error
	return out, err
}

// SaveConversation creates or replaces the resident's conversation.
func (s *Store) SaveConversation(ctx context.Context, c models.Conversation) error {
	c.UpdatedAt = s.Now()
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&c).Error
}

// DeleteConversation ends the resident's conversation.
func (s *Store) DeleteConversation(ctx context.Context, openID string) error {
	return s.DB.WithContext(ctx).Where("open_id = ?", openID).Delete(&models.Conversation{}).Error
}

// InsertMessages stores a batch of message records, their numbers masked
// (privacy.Mask): the log is read by staff and must never hold a whole phone number.
func (s *Store) InsertMessages(ctx context.Context, msgs []models.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	for i := range msgs {
		msgs[i].Text = privacy.Mask(msgs[i].Text)
	}
	return s.DB.WithContext(ctx).CreateInBatches(msgs, 250).Error
}

// ListUnanswered returns recent unanswered questions (fallback answers and
// answers marked 答错了), newest first.
func (s *Store) ListUnanswered(ctx context.Context, since time.Time, limit int) ([]models.Message, error) {
	var out []models.Message
	err := s.DB.WithContext(ctx).Where(unansweredWhere+" AND created_at >= ? AND text <> ''", models.RouteFallback, since).
		Order("created_at DESC").Limit(limit).Find(&out).Error
	return out, err
}

// RecordCrisis stores a flagged crisis message and, in the same transaction,
// the alerts about it: an alert about a crisis message whose id is not known
// yet is about this one. When the message cannot be stored the alerts are
// still written, without their subject: a person must look.
func (s *Store) RecordCrisis(ctx context.Context, c models.CrisisEvent, alerts ...models.Notice) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.Now()
	}
	return s.changeAndAlert(ctx, alerts, func(tx *gorm.DB, alerts []models.Notice) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		for i := range alerts {
			if alerts[i].About == (models.Subject{Kind: models.SubjectCrisis}) {
				alerts[i].About.ID = c.ID
			}
		}
		return nil
	})
}

// PruneConversations deletes expired conversations (their data may hold names and phone numbers).
func (s *Store) PruneConversations(ctx context.Context) (int64, error) {
	res := s.DB.WithContext(ctx).Where("expires_at <= ?", s.Now()).Delete(&models.Conversation{})
	return res.RowsAffected, res.Error
}
