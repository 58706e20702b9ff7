package store

import (
	"context"
	"time"

	"familybot/models"
)

// FollowCrisis records by as following a crisis message up (我来跟进 on the
// WeCom card) unless someone already does or it has been handled: the first tap
// wins, in the database. It returns the message as it now stands, so the caller
// can tell who has it, and whether this call recorded by.
func (s *Store) FollowCrisis(ctx context.Context, id uint64, by string, at time.Time) (models.CrisisEvent, bool, error) {
	at = at.UTC()
	res := s.DB.WithContext(ctx).Model(&models.CrisisEvent{}).
		Where("id = ? AND followed_at IS NULL AND handled_at IS NULL", id).
		Updates(map[string]any{"followed_by": by, "followed_at": &at})
	if res.Error != nil {
		return models.CrisisEvent{}, false, res.Error
	}
	// The update always changes followed_at from NULL, so MySQL counts the row too.
	ev, err := s.GetCrisisEvent(ctx, id)
	return ev, res.RowsAffected == 1, err
}
