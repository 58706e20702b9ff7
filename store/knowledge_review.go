package store

import (
	"context"
	"time"

	"familybot/knowledge"
	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RecordKBReview records a review against the version the reviewer read. If
// the entry changed meanwhile, nothing is recorded (ECONFLICT): a review holds
// only for the words the doctor actually saw.
func (s *Store) RecordKBReview(ctx context.Context, in models.KBReviewInput) (models.KBReview, error) {
	var rev models.KBReview
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		var row models.KBEntry
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, in.EntryID).Error; err != nil {
			return mapErr(err, "entry")
		}
		if knowledge.ReviewHash(knowledge.EntryFromRow(row)) != in.Hash {
			return models.Errorf(models.ECONFLICT, "这条内容在您查看后被修改过，请刷新页面，看过新内容后再审核。")
		}
		now := s.Now().UTC()
		rev = models.KBReview{EntryID: row.ID, ContentHash: in.Hash, ReviewerID: in.By.UserID,
			ReviewerName: in.By.Label(), Note: in.Note, CreatedAt: now}
		if err := tx.Create(&rev).Error; err != nil {
			return err
		}
		// UpdateColumns: a review changes no content, so the edit form's version
		// (UpdatedAt) stays valid for an admin editing at the same time.
		return tx.Model(&models.KBEntry{}).Where("id = ?", row.ID).UpdateColumns(map[string]any{
			"reviewed_at": now, "reviewer": in.By.Label(), "reviewed_hash": in.Hash,
		}).Error
	})
	return rev, err
}

// ListKBReviews returns an entry's reviews, newest first.
func (s *Store) ListKBReviews(ctx context.Context, entryID uint) ([]models.KBReview, error) {
	var out []models.KBReview
	err := s.DB.WithContext(ctx).Where("entry_id = ?", entryID).Order("id desc").Find(&out).Error
	return out, err
}

// ListKBReviewStates returns every enabled entry with its review state at now.
func (s *Store) ListKBReviewStates(ctx context.Context, now time.Time) ([]knowledge.ReviewRow, error) {
	var rows []models.KBEntry
	if err := s.DB.WithContext(ctx).Where("disabled = ?", false).Order("category, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]knowledge.ReviewRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, knowledge.ReviewRowOf(r, now))
	}
	return out, nil
}
