package store

import (
	"context"
	"time"

	"familybot/models"

	"gorm.io/gorm"
)

// AddCrisisNote keeps what staff did about a crisis episode (a reply sent, a
// call made, a note); the message it names must exist.
func (s *Store) AddCrisisNote(ctx context.Context, n models.CrisisNote) error {
	if _, err := s.GetCrisisEvent(ctx, n.CrisisID); err != nil {
		return err
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.Now()
	}
	n.CreatedAt = n.CreatedAt.UTC()
	return s.DB.WithContext(ctx).Create(&n).Error
}

// ListCrisisNotes returns the notes kept on the given crisis messages, oldest first.
func (s *Store) ListCrisisNotes(ctx context.Context, crisisIDs []uint64) ([]models.CrisisNote, error) {
	var out []models.CrisisNote
	if len(crisisIDs) == 0 {
		return out, nil
	}
	err := s.DB.WithContext(ctx).Where("crisis_id IN ?", crisisIDs).Order("created_at, id").Find(&out).Error
	return out, err
}

// CrisisEpisode returns the crisis message id and every message of its
// episode, oldest first (just the one for a message kept before episodes).
func (s *Store) CrisisEpisode(ctx context.Context, id uint64) ([]models.CrisisEvent, error) {
	ev, err := s.GetCrisisEvent(ctx, id)
	if err != nil {
		return nil, err
	}
	if ev.Episode == "" {
		return []models.CrisisEvent{ev}, nil
	}
	var out []models.CrisisEvent
	err = s.DB.WithContext(ctx).Where("open_id = ? AND episode = ?", ev.OpenID, ev.Episode).Order("id").Find(&out).Error
	return out, err
}

// CloseCrisis marks the episode handled up to message id (as
// MarkCrisisHandled) and keeps the closing note, both or neither.
func (s *Store) CloseCrisis(ctx context.Context, id uint64, note models.CrisisNote) error {
	ev, err := s.GetCrisisEvent(ctx, id)
	if err != nil {
		return err
	}
	at := note.CreatedAt.UTC()
	return s.Tx(ctx, func(tx *gorm.DB) error {
		if err := markHandled(tx, ev, note.By, at); err != nil {
			return err
		}
		note.CrisisID, note.CreatedAt = id, at
		return tx.Create(&note).Error
	})
}

// LastMessageAt is when the resident last wrote to the official account
// (zero when never): WeChat lets us answer for 48 hours after it.
func (s *Store) LastMessageAt(ctx context.Context, openID string) (time.Time, error) {
	var m models.Message
	err := s.DB.WithContext(ctx).Where("open_id = ? AND kind <> ?", openID, "event").Order("created_at DESC").Limit(1).Find(&m).Error
	return m.CreatedAt, err
}

// SendCrisisReply queues a staff reply to the resident and keeps it with the
// episode, both or neither, in one transaction. The same reply queued again (a
// double tap, the same dedup key) is neither sent nor kept twice.
func (s *Store) SendCrisisReply(ctx context.Context, reply models.Notice, note models.CrisisNote) error {
	return s.Tx(ctx, func(tx *gorm.DB) error {
		if added, err := enqueue(tx, s.Now(), reply); err != nil || !added {
			return err
		}
		note.CreatedAt = note.CreatedAt.UTC()
		return tx.Create(&note).Error
	})
}
