package store

import (
	"context"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RecordHandoff opens a request for a person for the resident, or counts one
// more on the request already waiting (one statement: the unique key on the
// open request decides, so two requests at once cannot open two), and writes
// the staff alerts about it in the same transaction; the alerts are written
// even when the request cannot be.
func (s *Store) RecordHandoff(ctx context.Context, openID, why string, alerts ...models.Notice) error {
	now := s.Now().UTC()
	open := true
	h := models.Handoff{OpenID: openID, Waiting: &open, Why: why, Requests: 1, LastAt: now, CreatedAt: now}
	return s.changeAndAlert(ctx, alerts, func(tx *gorm.DB, _ []models.Notice) error {
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "open_id"}, {Name: "waiting"}},
			DoUpdates: clause.Assignments(map[string]any{"requests": gorm.Expr("requests + 1"), "last_at": now}),
		}).Create(&h).Error
	})
}

// ListHandoffs lists open requests, oldest first (limit 0: 200), and the
// latest handled ones after them when done is set.
func (s *Store) ListHandoffs(ctx context.Context, done bool, limit int) ([]models.Handoff, error) {
	if limit <= 0 {
		limit = 200
	}
	var out []models.Handoff
	q := s.DB.WithContext(ctx).Where("waiting = ?", true).Order("created_at, id")
	if done {
		q = s.DB.WithContext(ctx).Where("waiting IS NULL").Order("done_at DESC, id DESC")
	}
	err := q.Limit(limit).Find(&out).Error
	return out, err
}

// CountOpenHandoffs counts residents waiting for a person.
func (s *Store) CountOpenHandoffs(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.Handoff{}).Where("waiting = ?", true).Count(&n).Error
	return n, err
}

// GetHandoff returns one request.
func (s *Store) GetHandoff(ctx context.Context, id uint64) (models.Handoff, error) {
	var h models.Handoff
	err := s.DB.WithContext(ctx).Take(&h, id).Error
	return h, mapErr(err, "handoff")
}

// CloseHandoff marks an open request 已联系; ECONFLICT when it was closed already.
func (s *Store) CloseHandoff(ctx context.Context, id uint64, by, note string, at time.Time) error {
	at = at.UTC()
	res := s.DB.WithContext(ctx).Model(&models.Handoff{}).Where("id = ? AND waiting = ?", id, true).
		Updates(map[string]any{"waiting": nil, "done_by": by, "done_at": at, "note": truncate(note, 512)})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		if _, err := s.GetHandoff(ctx, id); err != nil {
			return err
		}
		return models.Errorf(models.ECONFLICT, "这条请求已经有同事处理了")
	}
	return nil
}

// ListMessagesByOpenID returns a resident's latest messages, newest first.
func (s *Store) ListMessagesByOpenID(ctx context.Context, openID string, limit int) ([]models.Message, error) {
	var out []models.Message
	err := s.DB.WithContext(ctx).Where("open_id = ?", openID).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}
