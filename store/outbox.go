package store

import (
	"context"
	"strings"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// EnqueueTx adds an outbound message inside the caller's transaction, so the
// message exists exactly when the change that caused it commits. A second
// enqueue with the same DedupKey is ignored.
func EnqueueTx(tx *gorm.DB, m *models.OutboxMessage, now time.Time) error {
	if m.Status == "" {
		m.Status = models.OutboxPending
	}
	if m.NextAt.IsZero() {
		m.NextAt = now
	}
	if m.ClaimedUntil.IsZero() {
		m.ClaimedUntil = time.Unix(0, 0).UTC()
	}
	m.CreatedAt = now
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(m).Error
}

// EnqueueInTx is EnqueueTx with the store's clock (outbox.Queue).
func (s *Store) EnqueueInTx(tx *gorm.DB, m *models.OutboxMessage) error {
	return EnqueueTx(tx, m, s.Now())
}

// Handle returns the gorm handle, for callers that open their own transaction.
func (s *Store) Handle() *gorm.DB { return s.DB }

// Enqueue adds an outbound message on its own.
func (s *Store) Enqueue(ctx context.Context, m *models.OutboxMessage) error {
	return EnqueueTx(s.DB.WithContext(ctx), m, s.Now())
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
func (s *Store) ListOutbox(ctx context.Context, status string, limit int) ([]models.OutboxMessage, error) {
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

// ListOutboxByKeyPrefix lists the messages whose DedupKey starts with one of
// prefixes (e.g. "wishreply:12:"), oldest first: what one wish or sign-up caused.
func (s *Store) ListOutboxByKeyPrefix(ctx context.Context, prefixes []string, limit int) ([]models.OutboxMessage, error) {
	if len(prefixes) == 0 {
		return nil, nil
	}
	q := s.DB.WithContext(ctx).Model(&models.OutboxMessage{})
	cond := s.DB.Where("dedup_key LIKE ? ESCAPE '!'", likePrefix(prefixes[0]))
	for _, p := range prefixes[1:] {
		cond = cond.Or("dedup_key LIKE ? ESCAPE '!'", likePrefix(p))
	}
	var out []models.OutboxMessage
	err := q.Where(cond).Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// likePrefix escapes LIKE's wildcards in p with "!" (the one escape both SQLite
// and MySQL accept the same way) and appends %.
func likePrefix(p string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(p) + "%"
}
