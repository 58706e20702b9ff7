// Package staff keeps the admin's people: the staff list and its roles, their
// login sessions, and the audit log of what they did. The admin (handlers)
// reaches it through interfaces of its own; main wires it over the store.
package staff

import (
	"context"
	"time"

	"familybot/models"
)

// Store is what the staff service needs from storage (implemented by *store.Store).
type Store interface {
	GetStaff(ctx context.Context, userID string) (models.Staff, error)
	ListStaff(ctx context.Context) ([]models.Staff, error)
	SaveStaff(ctx context.Context, st models.Staff) error
	UpdateStaffRole(ctx context.Context, userID, role, team string) error
	DeleteStaff(ctx context.Context, userID string) error

	CreateSession(ctx context.Context, sess models.AdminSession) error
	GetSession(ctx context.Context, id string, now time.Time) (models.AdminSession, error)
	TouchSession(ctx context.Context, id string, now time.Time) error
	DeleteSession(ctx context.Context, id string) error
	PruneSessions(ctx context.Context, now time.Time) error
	CreateOAuthState(ctx context.Context, st models.OAuthState) error
	ConsumeOAuthState(ctx context.Context, state, binding string, now time.Time) (models.OAuthState, error)

	AddAudit(ctx context.Context, a models.AuditLog) error
	AddAuditSummary(ctx context.Context, a models.AuditLog) error
	FindAudit(ctx context.Context, f models.AuditFilter, offset, limit int) ([]models.AuditLog, int64, error)
}

// Service is the staff service.
type Service struct {
	Store Store
	Now   models.Clock
}

// Get returns a staff member, or ENOTFOUND.
func (s *Service) Get(ctx context.Context, userID string) (models.Staff, error) {
	return s.Store.GetStaff(ctx, userID)
}

// List returns every staff member, admins first.
func (s *Service) List(ctx context.Context) ([]models.Staff, error) { return s.Store.ListStaff(ctx) }

// Names maps every staff member's UserID to the name colleagues know them by.
func (s *Service) Names(ctx context.Context) (map[string]string, error) {
	list, err := s.Store.ListStaff(ctx)
	out := make(map[string]string, len(list))
	for _, st := range list {
		out[st.UserID] = st.Label()
	}
	return out, err
}

// Save adds a staff member or changes their name, role and team (EINVALID for
// a bad form). An existing member's role changes through UpdateStaffRole, which
// refuses to demote the last admin (ECONFLICT); then the name is saved.
func (s *Service) Save(ctx context.Context, st models.Staff) error {
	if err := st.Validate(); err != nil {
		return err
	}
	_, err := s.Store.GetStaff(ctx, st.UserID)
	switch {
	case err == nil:
		if err := s.Store.UpdateStaffRole(ctx, st.UserID, st.Role, st.Team); err != nil {
			return err
		}
		return s.Store.SaveStaff(ctx, st)
	case models.IsCode(err, models.ENOTFOUND):
		return s.Store.SaveStaff(ctx, st)
	}
	return err
}

// Enroll adds st unless someone with the same UserID is already on the list
// (whose name and role are then left as they are).
func (s *Service) Enroll(ctx context.Context, st models.Staff) error {
	if _, err := s.Store.GetStaff(ctx, st.UserID); err == nil {
		return nil
	}
	return s.Store.SaveStaff(ctx, st)
}

// Remove takes userID off the staff list and ends their sessions. Nobody
// removes themselves, and the last admin stays (ECONFLICT).
func (s *Service) Remove(ctx context.Context, by models.Staff, userID string) error {
	if userID == by.UserID {
		return models.Errorf(models.ECONFLICT, "不能移除自己。")
	}
	return s.Store.DeleteStaff(ctx, userID)
}
