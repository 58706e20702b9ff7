package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// enqueue writes notices inside the caller's transaction, so each exists
// exactly when the change that caused it commits. A notice whose dedup key is
// already stored is ignored; enqueue reports whether n was new.
func enqueue(tx *gorm.DB, now time.Time, notices ...models.Notice) (bool, error) {
	added := false
	for _, n := range notices {
		m := n.Message()
		m.Status, m.NextAt, m.ClaimedUntil, m.CreatedAt = models.OutboxPending, now, time.Unix(0, 0).UTC(), now
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m)
		if res.Error != nil {
			return added, res.Error
		}
		added = added || res.RowsAffected > 0
	}
	return added, nil
}

// Enqueue writes notices on their own (outbox.Enqueuer), for the ones no
// stored change causes: staff alerts, answers sent after the webhook replied.
func (s *Store) Enqueue(ctx context.Context, notices ...models.Notice) error {
	_, err := enqueue(s.DB.WithContext(ctx), s.Now(), notices...)
	return err
}

// changeAndAlert makes a change and writes the staff alerts it causes in one
// transaction; change may fill in the alerts' subject (on a copy: when the
// change fails, the alerts are written on their own as they came, a subject
// without its id dropped, because a person must look).
func (s *Store) changeAndAlert(ctx context.Context, alerts []models.Notice, change func(tx *gorm.DB, alerts []models.Notice) error) error {
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		mine := slices.Clone(alerts)
		if err := change(tx, mine); err != nil {
			return err
		}
		_, err := enqueue(tx, s.Now(), mine...)
		return err
	})
	if err != nil && len(alerts) > 0 {
		if _, aerr := enqueue(s.DB.WithContext(ctx), s.Now(), alerts...); aerr != nil {
			return errors.Join(err, aerr)
		}
	}
	return err
}

// ClaimOutbox leases up to n due messages to worker until now+lease. Each row is
// claimed by a conditional update, so two copies never take the same message and
// a message whose worker died is taken again when its lease runs out.
func (s *Store) ClaimOutbox(ctx context.Context, worker string, n int, lease time.Duration) ([]models.OutboxMessage, error) {
	now := s.Now()
	var ids []uint64
	err := s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("status = ? AND next_at <= ? AND claimed_until < ?", models.OutboxPending, now, now).
		Order("next_at, id").Limit(n).Pluck("id", &ids).Error
	if err != nil {
		return nil, err
	}
	var out []models.OutboxMessage
	for _, id := range ids {
		res := s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).
			Where("id = ? AND status = ? AND claimed_until < ?", id, models.OutboxPending, now).
			Updates(map[string]any{"claimed_by": worker, "claimed_until": now.Add(lease)})
		if res.Error != nil {
			return out, res.Error
		}
		if res.RowsAffected != 1 {
			continue
		}
		var m models.OutboxMessage
		if err := s.DB.WithContext(ctx).Take(&m, id).Error; err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// MarkOutboxSent records a delivery.
func (s *Store) MarkOutboxSent(ctx context.Context, id uint64, worker string) error {
	now := s.Now()
	return s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND claimed_by = ?", id, worker).
		Updates(map[string]any{"status": models.OutboxSent, "sent_at": &now, "attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error
}

// MarkOutboxRetry schedules another attempt at next.
func (s *Store) MarkOutboxRetry(ctx context.Context, id uint64, worker string, next time.Time, errText string) error {
	return s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND claimed_by = ?", id, worker).
		Updates(map[string]any{"next_at": next, "attempts": gorm.Expr("attempts + 1"), "last_error": truncate(errText, 500),
			"claimed_until": time.Unix(0, 0).UTC()}).Error
}

// MarkOutboxFailed records a permanent failure (shown to staff, never retried).
func (s *Store) MarkOutboxFailed(ctx context.Context, id uint64, worker string, errText string) error {
	return s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND claimed_by = ?", id, worker).
		Updates(map[string]any{"status": models.OutboxFailed, "attempts": gorm.Expr("attempts + 1"), "last_error": truncate(errText, 500)}).Error
}

// SwitchOutboxToTemplate turns a customer message into its fallback template message.
func (s *Store) SwitchOutboxToTemplate(ctx context.Context, id uint64, worker string) error {
	return s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND claimed_by = ?", id, worker).
		Updates(map[string]any{"channel": models.ChannelTemplate, "template": gorm.Expr("fallback_template"),
			"claimed_until": time.Unix(0, 0).UTC(), "attempts": gorm.Expr("attempts + 1")}).Error
}

// OutboxStats counts messages by status.
func (s *Store) OutboxStats(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).Select("status, count(*) as n").Group("status").Scan(&rows).Error
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}

// ListOutbox lists messages in a status, newest first.
func (s *Store) ListOutbox(ctx context.Context, status models.OutboxStatus, limit int) ([]models.OutboxMessage, error) {
	var out []models.OutboxMessage
	err := s.DB.WithContext(ctx).Where("status = ?", status).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

// ListNotices lists the messages of the given kinds about one subject, oldest
// first: what one wish or sign-up caused.
func (s *Store) ListNotices(ctx context.Context, about models.Subject, kinds []models.NoticeKind, limit int) ([]models.OutboxMessage, error) {
	if about.IsZero() || len(kinds) == 0 {
		return nil, nil
	}
	var out []models.OutboxMessage
	err := s.DB.WithContext(ctx).Where("subject_kind = ? AND subject_id = ? AND kind IN ?", about.Kind, about.ID, kinds).
		Order("id").Limit(limit).Find(&out).Error
	return out, err
}
