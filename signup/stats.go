package signup

import (
	"context"
	"time"
)

// SignupsSince counts the sign-ups made since since that are confirmed or
// waitlisted now (the admin dashboard's "本周报名").
func (s *Service) SignupsSince(ctx context.Context, since time.Time) (int64, error) {
	return s.Store.CountSignupsSince(ctx, since)
}
