package store

import (
	"context"
	"errors"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// inboxAttempts is how often a kept message is tried before it is left to be pruned.
const inboxAttempts = 5

// PutInboxMessage keeps a message the webhook acknowledged before its answer was
// ready, leased to owner for lease. Keeping it twice changes nothing.
func (s *Store) PutInboxMessage(ctx context.Context, key, owner, payload string, lease time.Duration) error {
	now := s.Now()
	m := models.InboxMessage{MsgKey: key, Payload: payload, Owner: owner, LeaseUntil: now.Add(lease), CreatedAt: now}
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error
}

// DeleteInboxMessage forgets a message whose answer is queued.
func (s *Store) DeleteInboxMessage(ctx context.Context, key string) error {
	return s.DB.WithContext(ctx).Where("msg_key = ?", key).Delete(&models.InboxMessage{}).Error
}

// ClaimInboxMessages leases up to n kept messages whose owner's lease ran out
// (it stopped or died) to owner. Each is claimed by a conditional update, so
// two copies never take the same message.
func (s *Store) ClaimInboxMessages(ctx context.Context, owner string, lease time.Duration, n int) ([]models.InboxMessage, error) {
	now := s.Now()
	var due []models.InboxMessage
	err := s.DB.WithContext(ctx).Where("lease_until < ? AND attempts < ?", now, inboxAttempts).
		Order("created_at").Limit(n).Find(&due).Error
	if err != nil {
		return nil, err
	}
	var out []models.InboxMessage
	for _, m := range due {
		res := s.DB.WithContext(ctx).Model(&models.InboxMessage{}).
			Where("msg_key = ? AND lease_until < ? AND attempts = ?", m.MsgKey, now, m.Attempts).
			Updates(map[string]any{"owner": owner, "lease_until": now.Add(lease), "attempts": m.Attempts + 1})
		if res.Error != nil {
			return out, res.Error
		}
		if res.RowsAffected == 1 {
			m.Owner, m.LeaseUntil, m.Attempts = owner, now.Add(lease), m.Attempts+1
			out = append(out, m)
		}
	}
	return out, nil
}

// ClaimProcessedMessage claims a WeChat message key in the database (while Redis
// fails): true for the first caller, else false with what the first stored.
func (s *Store) ClaimProcessedMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error) {
	err := s.DB.WithContext(ctx).Create(&models.ProcessedMessage{Key: key, CreatedAt: s.Now()}).Error
	if err == nil {
		return true, models.ProcessedMessage{Key: key}, nil
	}
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, models.ProcessedMessage{}, err
	}
	var prev models.ProcessedMessage
	err = s.DB.WithContext(ctx).Where("msg_key = ?", key).Take(&prev).Error
	return false, prev, mapErr(err, "processed message")
}

// FinishProcessedMessage stores the reply of a claimed key for retries.
func (s *Store) FinishProcessedMessage(ctx context.Context, key, reply string, async bool) error {
	return s.DB.WithContext(ctx).Model(&models.ProcessedMessage{}).Where("msg_key = ?", key).
		Updates(map[string]any{"reply": reply, "done": true, "async": async}).Error
}

// PruneInbox deletes dedup claims older than a day (WeChat retries within
// 15 s) and kept messages that could not be answered in inboxAttempts tries.
func (s *Store) PruneInbox(ctx context.Context) (int64, error) {
	old := s.Now().Add(-24 * time.Hour)
	res := s.DB.WithContext(ctx).Where("created_at < ?", old).Delete(&models.ProcessedMessage{})
	if res.Error != nil {
		return 0, res.Error
	}
	n := res.RowsAffected
	res = s.DB.WithContext(ctx).Where("attempts >= ? AND created_at < ?", inboxAttempts, old).Delete(&models.InboxMessage{})
	return n + res.RowsAffected, res.Error
}
