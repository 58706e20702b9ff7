package signup

import (
	"context"
	"errors"
	"time"
)

// sinceCounter is the store method SignupsSince needs. It is asserted rather than
// added to Store so that this file stands alone; *store.Store implements it.
type sinceCounter interface {
	CountSignupsSince(ctx context.Context, since time.Time) (int64, error)
}

// SignupsSince counts the sign-ups made since since that are confirmed or
// waitlisted now (the admin dashboard's "本周报名").
func (s *Service) SignupsSince(ctx context.Context, since time.Time) (int64, error) {
	sc, ok := s.Store.(sinceCounter)
	if !ok {
		return 0, errors.New("signup: the store cannot count sign-ups by date")
	}
	return sc.CountSignupsSince(ctx, since)
}
