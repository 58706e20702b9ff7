package store

import (
	"context"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// GetStaff returns a staff member, or ENOTFOUND.
func (s *Store) GetStaff(ctx context.Context, userID string) (models.Staff, error) {
	var st models.Staff
	err := s.DB.WithContext(ctx).Where("user_id = ?", userID).Take(&st).Error
	return st, mapErr(err, "staff")
}

// ListStaff returns every staff member, admins first.
func (s *Store) ListStaff(ctx context.Context) ([]models.Staff, error) {
	var out []models.Staff
	err := s.DB.WithContext(ctx).Order("role, user_id").Find(&out).Error
	return out, err
}

// SaveStaff creates or updates a staff member (name, role, team).
func (s *Store) SaveStaff(ctx context.Context, st models.Staff) error {
	if err := st.Validate(); err != nil {
		return err
	}
	now := s.Now().UTC()
	st.CreatedAt, st.UpdatedAt = now, now
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "role", "team", "updated_at"}),
	}).Create(&st).Error
}

// DeleteStaff removes a staff member and ends their sessions. Removing or
// demoting the last admin is refused (ECONFLICT), so the admin cannot lock itself out.
func (s *Store) DeleteStaff(ctx context.Context, userID string) error {
	return s.Tx(ctx, func(tx *gorm.DB) error {
		var st models.Staff
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ?", userID).Take(&st).Error; err != nil {
			return mapErr(err, "staff")
		}
		if st.IsAdmin() {
			if err := lastAdminCheck(tx, userID); err != nil {
				return err
			}
		}
		if err := tx.Where("user_id = ?", userID).Delete(&models.Staff{}).Error; err != nil {
			return err
		}
		return tx.Where("user_id = ?", userID).Delete(&models.AdminSession{}).Error
	})
}

// UpdateStaffRole changes role and team; demoting the last admin is refused.
func (s *Store) UpdateStaffRole(ctx context.Context, userID, role, team string) error {
	return s.Tx(ctx, func(tx *gorm.DB) error {
		var st models.Staff
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ?", userID).Take(&st).Error; err != nil {
			return mapErr(err, "staff")
		}
		st.Role, st.Team = role, team
		if err := st.Validate(); err != nil {
			return err
		}
		if role != models.RoleAdmin {
			if err := lastAdminCheck(tx, userID); err != nil {
				return err
			}
		}
		return tx.Model(&models.Staff{}).Where("user_id = ?", userID).
			Updates(map[string]any{"role": role, "team": team, "updated_at": s.Now().UTC()}).Error
	})
}

func lastAdminCheck(tx *gorm.DB, except string) error {
	var others int64
	if err := tx.Model(&models.Staff{}).Where("role = ? AND user_id <> ?", models.RoleAdmin, except).Count(&others).Error; err != nil {
		return err
	}
	if others == 0 {
		return models.Errorf(models.ECONFLICT, "至少要保留一名管理员")
	}
	return nil
}

// CreateSession stores a new admin session.
func (s *Store) CreateSession(ctx context.Context, sess models.AdminSession) error {
	return s.DB.WithContext(ctx).Create(&sess).Error
}

// GetSession returns an unexpired session by its hashed ID, or ENOTFOUND.
func (s *Store) GetSession(ctx context.Context, id string, now time.Time) (models.AdminSession, error) {
	var sess models.AdminSession
	err := s.DB.WithContext(ctx).Where("id = ? AND expires_at > ?", id, now.UTC()).Take(&sess).Error
	return sess, mapErr(err, "session")
}

// TouchSession records activity (for the idle timeout).
func (s *Store) TouchSession(ctx context.Context, id string, now time.Time) error {
	return s.DB.WithContext(ctx).Model(&models.AdminSession{}).Where("id = ?", id).Update("last_seen_at", now.UTC()).Error
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.DB.WithContext(ctx).Where("id = ?", id).Delete(&models.AdminSession{}).Error
}

// PruneSessions drops expired sessions and login states.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) error {
	if err := s.DB.WithContext(ctx).Where("expires_at < ?", now.UTC()).Delete(&models.AdminSession{}).Error; err != nil {
		return err
	}
	return s.DB.WithContext(ctx).Where("expires_at < ?", now.UTC()).Delete(&models.OAuthState{}).Error
}

// CreateOAuthState stores a one-time login state.
func (s *Store) CreateOAuthState(ctx context.Context, st models.OAuthState) error {
	return s.DB.WithContext(ctx).Create(&st).Error
}

// ConsumeOAuthState takes a login state once: the row is deleted on the first
// attempt whatever its outcome, so a replayed state always fails. It must also be
// unexpired and bound to binding (the hash of the pre-login cookie); else EFORBID.
func (s *Store) ConsumeOAuthState(ctx context.Context, state, binding string, now time.Time) (models.OAuthState, error) {
	var st models.OAuthState
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("state = ?", state).Take(&st).Error; err != nil {
			return models.Errorf(models.EFORBID, "unknown login state")
		}
		res := tx.Where("state = ?", state).Delete(&models.OAuthState{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.Errorf(models.EFORBID, "login state already used")
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	if st.Binding != binding || !now.Before(st.ExpiresAt) {
		return st, models.Errorf(models.EFORBID, "login state expired or not bound to this browser")
	}
	return st, nil
}

// AddAudit appends an audit record.
func (s *Store) AddAudit(ctx context.Context, a models.AuditLog) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.Now()
	}
	a.CreatedAt = a.CreatedAt.UTC()
	a.Detail = truncate(a.Detail, 500)
	return s.DB.WithContext(ctx).Create(&a).Error
}

// ListAudit returns the latest audit records.
func (s *Store) ListAudit(ctx context.Context, limit int) ([]models.AuditLog, error) {
	out, _, err := s.FindAudit(ctx, models.AuditFilter{}, 0, limit)
	return out, err
}

// The admin's read models: statistics and lists over other aggregates' tables,
// kept here so the admin pages have one place to look.

// CountMessagesSince summarises the message log since since.
func (s *Store) CountMessagesSince(ctx context.Context, since time.Time) (models.MessageStats, error) {
	var rows []struct {
		Route models.Route
		N     int64
	}
	err := s.DB.WithContext(ctx).Model(&models.Message{}).Where("created_at >= ?", since.UTC()).
		Select("route, count(*) AS n").Group("route").Scan(&rows).Error
	var st models.MessageStats
	for _, r := range rows {
		st.Total += r.N
		switch r.Route {
		case models.RouteFAQ, models.RouteKeyword, models.RouteClarify:
			st.Questions += r.N
		case models.RouteFallback:
			st.Questions += r.N
			st.Unanswered += r.N
		}
	}
	if err != nil {
		return st, err
	}
	err = s.DB.WithContext(ctx).Model(&models.Message{}).
		Where("created_at >= ? AND route <> ? AND id IN (SELECT message_id FROM kb_wrong_answers)", since.UTC(), models.RouteFallback).
		Count(&st.Wrong).Error
	st.Unanswered += st.Wrong
	return st, err
}

// TopEntriesSince returns the FAQ entries answered most often since since.
func (s *Store) TopEntriesSince(ctx context.Context, since time.Time, limit int) ([]models.EntryCount, error) {
	var out []models.EntryCount
	err := s.DB.WithContext(ctx).Table("messages AS m").
		Select("m.entry_id AS entry_id, k.title AS title, count(*) AS n").
		Joins("LEFT JOIN kb_entries AS k ON k.id = m.entry_id").
		Where("m.entry_id > 0 AND m.created_at >= ?", since.UTC()).
		Group("m.entry_id, k.title").Order("n DESC, m.entry_id").Limit(limit).Scan(&out).Error
	return out, err
}

// ListRecentMessages returns resident messages since since, newest first.
func (s *Store) ListRecentMessages(ctx context.Context, since time.Time, unansweredOnly bool, limit int) ([]models.Message, error) {
	db := s.DB.WithContext(ctx).Where("created_at >= ? AND kind <> ?", since.UTC(), "event")
	if unansweredOnly {
		db = db.Where(unansweredWhere, models.RouteFallback)
	}
	var out []models.Message
	err := db.Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// ListCrisisEvents returns crisis messages, unhandled first, then newest first.
func (s *Store) ListCrisisEvents(ctx context.Context, limit int) ([]models.CrisisEvent, error) {
	var out []models.CrisisEvent
	err := s.DB.WithContext(ctx).Order("CASE WHEN handled_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC").
		Limit(limit).Find(&out).Error
	return out, err
}

// GetCrisisEvent returns one crisis message, or ENOTFOUND.
func (s *Store) GetCrisisEvent(ctx context.Context, id uint64) (models.CrisisEvent, error) {
	var c models.CrisisEvent
	err := s.DB.WithContext(ctx).Take(&c, id).Error
	return c, mapErr(err, "crisis event")
}

// CountUnhandledCrisis counts crisis messages nobody has handled yet.
func (s *Store) CountUnhandledCrisis(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.CrisisEvent{}).Where("handled_at IS NULL").Count(&n).Error
	return n, err
}

// MarkCrisisHandled records who handled a crisis message, and the messages of
// its episode up to it (not any that came after, which staff have not seen);
// the first one wins (ECONFLICT after).
func (s *Store) MarkCrisisHandled(ctx context.Context, id uint64, by string, at time.Time) error {
	ev, err := s.GetCrisisEvent(ctx, id)
	if err != nil {
		return err
	}
	return markHandled(s.DB.WithContext(ctx), ev, by, at.UTC())
}

// markHandled is MarkCrisisHandled on db (a transaction, for CloseCrisis).
func markHandled(db *gorm.DB, ev models.CrisisEvent, by string, at time.Time) error {
	id := ev.ID
	q := db.Model(&models.CrisisEvent{}).Where("handled_at IS NULL")
	if ev.Episode == "" {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("open_id = ? AND episode = ? AND id <= ?", ev.OpenID, ev.Episode, id)
	}
	res := q.Updates(map[string]any{"handled_by": by, "handled_at": &at})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ECONFLICT, "already handled")
	}
	return nil
}

// RequeueOutbox puts a failed outbound message back in the queue (a staff decision,
// after fixing what made it fail). Only failed messages can be requeued.
func (s *Store) RequeueOutbox(ctx context.Context, id uint64) error {
	now := s.Now().UTC()
	res := s.DB.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND status = ?", id, models.OutboxFailed).
		Updates(map[string]any{"status": models.OutboxPending, "next_at": now, "attempts": 0, "claimed_until": time.Unix(0, 0).UTC()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENOTFOUND, "failed message not found")
	}
	return nil
}
