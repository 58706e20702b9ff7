package signup

import (
	"context"
	"time"

	"familybot/models"
)

// What the admin needs beyond the roster: one sign-up in full, where else a
// check-in code belongs, and the check-in QR code kept on the event.

// Signup returns one sign-up as stored, phone number in full (the admin
// records who revealed it), or ENOTFOUND.
func (s *Service) Signup(ctx context.Context, id uint64) (models.Signup, error) {
	return s.Store.GetSignup(ctx, id)
}

// nearby is how far apart in time two events may start for a check-in code
// typed at one to be looked for at the other.
const nearby = 72 * time.Hour

// CodeElsewhere finds another event, starting within three days of event id,
// where code belongs to a confirmed sign-up: staff who opened the wrong event
// at a weekend with several sessions are told where the resident belongs.
// Codes are unique per event only, so only nearby events are asked.
func (s *Service) CodeElsewhere(ctx context.Context, id uint, code string) (models.Event, bool) {
	ev, err := s.Store.GetEvent(ctx, id)
	if err != nil {
		return models.Event{}, false
	}
	near, err := s.Store.ListEvents(ctx, ev.StartAt.Add(-nearby), nil, 50)
	if err != nil {
		return models.Event{}, false
	}
	for _, other := range near {
		if other.ID == id || other.Status == models.EventCancelled || other.StartAt.After(ev.StartAt.Add(nearby)) {
			continue
		}
		if su, err := s.Store.FindSignupByCode(ctx, other.ID, code); err == nil && su.Status == models.SignupConfirmed {
			return other, true
		}
	}
	return models.Event{}, false
}

// SetCheckinQR keeps the address of event id's check-in QR code, valid until until.
func (s *Service) SetCheckinQR(ctx context.Context, id uint, image string, until time.Time) error {
	return s.Store.SetEventQR(ctx, id, image, until)
}
