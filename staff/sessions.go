package staff

import (
	"context"
	"time"

	"familybot/models"
)

// Sessions: the browser holds a random token, the database its hash (the
// session's ID), so a copy of the database logs nobody in. A session ends after
// SessionIdle without a request or SessionMax after login, whichever comes
// first. The staff row is read on every request, so removing someone from the
// staff list locks them out at once.
const (
	SessionIdle = 2 * time.Hour
	SessionMax  = 12 * time.Hour
)

// touchEvery is how stale LastSeenAt may get before a request writes it again.
const touchEvery = time.Minute

// Session returns the live session with ID id and its staff member; ENOTFOUND
// when it expired, sat idle too long or its owner left the staff list.
func (s *Service) Session(ctx context.Context, id string) (models.AdminSession, models.Staff, error) {
	now := s.Now.UTC()
	sess, err := s.Store.GetSession(ctx, id, now)
	if err != nil {
		return models.AdminSession{}, models.Staff{}, err
	}
	if now.Sub(sess.LastSeenAt) > SessionIdle {
		return models.AdminSession{}, models.Staff{}, models.Errorf(models.ENOTFOUND, "登录已过期，请重新登录。")
	}
	st, err := s.Store.GetStaff(ctx, sess.UserID)
	if err != nil {
		return models.AdminSession{}, models.Staff{}, err
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		_ = s.Store.TouchSession(ctx, sess.ID, now)
	}
	return sess, st, nil
}

// Start opens session id (with CSRF token csrf) for userID if they are on the
// staff list (else ENOTFOUND), ending the session replaces (the browser's
// previous one, if any) and dropping expired sessions.
func (s *Service) Start(ctx context.Context, userID, id, csrf, replaces string) (models.Staff, models.AdminSession, error) {
	st, err := s.Store.GetStaff(ctx, userID)
	if err != nil {
		return models.Staff{}, models.AdminSession{}, err
	}
	if replaces != "" {
		_ = s.Store.DeleteSession(ctx, replaces)
	}
	now := s.Now.UTC()
	sess := models.AdminSession{ID: id, UserID: st.UserID, CSRF: csrf,
		ExpiresAt: now.Add(SessionMax), LastSeenAt: now, CreatedAt: now}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return models.Staff{}, models.AdminSession{}, err
	}
	_ = s.Store.PruneSessions(ctx, now)
	return st, sess, nil
}

// End ends session id (logout).
func (s *Service) End(ctx context.Context, id string) error { return s.Store.DeleteSession(ctx, id) }

// NewLoginState keeps a one-time WeCom login state, bound to binding (the hash
// of the pre-login cookie), valid for ttl.
func (s *Service) NewLoginState(ctx context.Context, state, binding, next string, ttl time.Duration) error {
	now := s.Now.UTC()
	return s.Store.CreateOAuthState(ctx, models.OAuthState{State: state, Binding: binding, Next: next,
		ExpiresAt: now.Add(ttl), CreatedAt: now})
}

// UseLoginState takes a login state once, whatever the outcome: EFORBID when
// it is unknown, expired or bound to another browser.
func (s *Service) UseLoginState(ctx context.Context, state, binding string) (models.OAuthState, error) {
	return s.Store.ConsumeOAuthState(ctx, state, binding, s.Now.UTC())
}
