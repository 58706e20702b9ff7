package store

import (
	"context"
	"time"

	"familybot/models"
)

// CountSignupsSince counts the sign-ups made at or after since that still hold a
// place or a waitlist place (those cancelled since are left out), for the
// dashboard's weekly figure. It scans the week's rows by created_at; the table
// stays small (details are purged 30 days after each event), so no index is kept
// for it.
func (s *Store) CountSignupsSince(ctx context.Context, since time.Time) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.Signup{}).
		Where("created_at >= ? AND status IN ?", since.UTC(), []models.SignupStatus{models.SignupConfirmed, models.SignupWaitlisted}).
		Count(&n).Error
	return n, err
}
