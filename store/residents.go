package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Each resident update is one statement touching only its own columns: no read
// first, and two messages of one resident never overwrite each other's changes.

func (s *Store) upsertResident(ctx context.Context, r models.Resident, set clause.Set) error {
	now := s.Now()
	r.CreatedAt, r.UpdatedAt = now, now
	set = append(set, clause.Assignment{Column: clause.Column{Name: "updated_at"}, Value: now})
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "open_id"}},
		DoUpdates: set,
	}).Create(&r).Error
}

// MarkAnswered records the FAQ entry just answered (for "没用") and clears misses.
func (s *Store) MarkAnswered(ctx context.Context, openID string, entryID uint, at time.Time) error {
	return s.upsertResident(ctx, models.Resident{OpenID: openID, Subscribed: true, LastEntryID: entryID, LastEntryAt: at},
		clause.Set{{Column: clause.Column{Name: "misses"}, Value: 0},
			{Column: clause.Column{Name: "last_entry_id"}, Value: entryID},
			{Column: clause.Column{Name: "last_entry_at"}, Value: at}})
}

// AddMiss counts one unanswered question in a row and returns the new count.
func (s *Store) AddMiss(ctx context.Context, openID string) (int, error) {
	err := s.upsertResident(ctx, models.Resident{OpenID: openID, Subscribed: true, Misses: 1},
		clause.Set{{Column: clause.Column{Name: "misses"}, Value: gorm.Expr("misses + 1")}})
	if err != nil {
		return 0, err
	}
	var r models.Resident
	err = s.DB.WithContext(ctx).Select("misses").Where("open_id = ?", openID).Take(&r).Error
	return r.Misses, err
}

// ResetMisses starts the count of unanswered questions again.
func (s *Store) ResetMisses(ctx context.Context, openID string) error {
	return s.DB.WithContext(ctx).Model(&models.Resident{}).Where("open_id = ?", openID).
		Updates(map[string]any{"misses": 0, "updated_at": s.Now()}).Error
}

// ClearLastEntry forgets the last answer (its feedback was taken).
func (s *Store) ClearLastEntry(ctx context.Context, openID string) error {
	return s.DB.WithContext(ctx).Model(&models.Resident{}).Where("open_id = ?", openID).
		Updates(map[string]any{"last_entry_id": 0, "updated_at": s.Now()}).Error
}

// SetSubscribed records a follow or unfollow.
func (s *Store) SetSubscribed(ctx context.Context, openID string, subscribed bool) error {
	return s.upsertResident(ctx, models.Resident{OpenID: openID, Subscribed: subscribed},
		clause.Set{{Column: clause.Column{Name: "subscribed"}, Value: subscribed}})
}

// AddKBHits adds answer counts per entry (summed by the message recorder), in
// one statement.
func (s *Store) AddKBHits(ctx context.Context, hits map[uint]int) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]uint, 0, len(hits))
	for id := range hits {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	args := make([]any, 0, 2*len(ids))
	b.WriteString("hits + CASE id")
	for _, id := range ids {
		b.WriteString(" WHEN ? THEN ?")
		args = append(args, id, hits[id])
	}
	b.WriteString(" ELSE 0 END")
	return s.DB.WithContext(ctx).Model(&models.KBEntry{}).Where("id IN ?", ids).
		UpdateColumn("hits", gorm.Expr(b.String(), args...)).Error
}
