package store

import (
	"context"
	"slices"
	"strings"

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
