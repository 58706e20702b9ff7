package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"familybot/models"

	"gorm.io/gorm"
)

// ---- Sign-ups ----

// JoinEvent adds su (EventID, OpenID, AttendeeKey and the details set by the
// caller) under the event's row lock. decide sees the locked event and its counts
// and returns the status to give. When the attendee already holds an active
// sign-up, it returns that sign-up and models.ErrDuplicateSignup and changes nothing.
// The unique key (event, attendee, active) backs this up in the database.
func (s *Store) JoinEvent(ctx context.Context, su models.Signup, decide models.SignupDecision) (models.Signup, error) {
	var out models.Signup
	err := s.lockedTx(ctx, func(tx *gorm.DB) error {
		out = models.Signup{}
		ev, err := lockEvent(tx, su.EventID)
		if err != nil {
			return err
		}
		var dup models.Signup
		err = tx.Where("event_id = ? AND attendee_key = ? AND active = ?", ev.ID, su.AttendeeKey, true).Take(&dup).Error
		switch {
		case err == nil:
			out = dup
			return models.ErrDuplicateSignup
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		n, err := countSignups(tx, ev.ID, su.OpenID)
		if err != nil {
			return err
		}
		status, err := decide(ev, n)
		if err != nil {
			return err
		}
		code, err := freeCheckinCode(tx, ev.ID)
		if err != nil {
			return err
		}
		now := s.Now()
		row := su
		row.ID, row.Status, row.Active, row.CheckinCode = 0, status, new(true), code
		row.CreatedAt, row.UpdatedAt = now, now
		if err := tx.Create(&row).Error; err != nil {
			return mapErr(err, "sign-up")
		}
		out = row
		return nil
	})
	if errors.Is(err, models.ErrDuplicateSignup) {
		return out, err
	}
	if err != nil {
		return models.Signup{}, err
	}
	return out, nil
}

// freeCheckinCode picks a code not yet used at the event (under the event lock,
// so nobody else can take it before the insert; the unique index backs this up).
func freeCheckinCode(tx *gorm.DB, eventID uint) (string, error) {
	for range 10 {
		code := newCheckinCode()
		var n int64
		if err := tx.Model(&models.Signup{}).Where("event_id = ? AND checkin_code = ?", eventID, code).Count(&n).Error; err != nil {
			return "", err
		}
		if n == 0 {
			return code, nil
		}
	}
	return "", errors.New("no free check-in code after 10 tries")
}

// countSignups counts an event's sign-ups by state, and openID's active ones when given.
func countSignups(tx *gorm.DB, eventID uint, openID string) (models.SignupCounts, error) {
	var n models.SignupCounts
	var rows []struct {
		Status models.SignupStatus
		N      int
	}
	if err := tx.Model(&models.Signup{}).Select("status, count(*) AS n").Where("event_id = ?", eventID).
		Group("status").Scan(&rows).Error; err != nil {
		return n, err
	}
	for _, r := range rows {
		switch r.Status {
		case models.SignupConfirmed:
			n.Confirmed = r.N
		case models.SignupWaitlisted:
			n.Waitlisted = r.N
		case models.SignupCancelled:
			n.Cancelled = r.N
		}
	}
	if openID != "" {
		var mine int64
		if err := tx.Model(&models.Signup{}).Where("event_id = ? AND open_id = ? AND active = ?", eventID, openID, true).
			Count(&mine).Error; err != nil {
			return n, err
		}
		n.Mine = int(mine)
	}
	return n, nil
}

// CountSignups returns the counts of each event (events without sign-ups get zeros).
func (s *Store) CountSignups(ctx context.Context, ids []uint) (map[uint]models.SignupCounts, error) {
	out := map[uint]models.SignupCounts{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		EventID uint
		Status  models.SignupStatus
		N       int
		In      int
	}
	err := s.DB.WithContext(ctx).Model(&models.Signup{}).
		Select("event_id, status, count(*) AS n, count(checked_in_at) AS `in`").
		Where("event_id IN ?", ids).Group("event_id, status").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		c := out[r.EventID]
		switch r.Status {
		case models.SignupConfirmed:
			c.Confirmed = r.N
		case models.SignupWaitlisted:
			c.Waitlisted = r.N
		case models.SignupCancelled:
			c.Cancelled = r.N
		}
		c.CheckedIn += r.In
		out[r.EventID] = c
	}
	return out, nil
}

// cancelRow cancels one active sign-up by a conditional update (never through
// Model(&x).Update, which would also rewrite x.Status in memory).
func cancelRow(tx *gorm.DB, id uint64, by string, now time.Time) error {
	res := tx.Model(&models.Signup{}).Where("id = ? AND active = ?", id, true).Updates(map[string]any{
		"status": models.SignupCancelled, "active": nil, "cancelled_at": now, "cancelled_by": by, "updated_at": now,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return models.Errorf(models.ECONFLICT, "报名已经取消")
	}
	return nil
}

// CancelSignup cancels sign-up id under its event's row lock. check may refuse
// (not the owner, past the deadline …) seeing the locked event and the sign-up;
// cancelled, when given, builds a message to the sign-up's contact. When a confirmed place is freed, the first waitlisted sign-ups are promoted in
// the same transaction and told through promoted; any error while promoting rolls
// the whole cancellation back. It returns the sign-up as it was before cancelling
// and the promoted sign-ups.
func (s *Store) CancelSignup(ctx context.Context, id uint64, by string, check func(ev models.Event, su models.Signup) error, cancelled, promoted models.SignupNotice) (models.Signup, []models.Signup, error) {
	var before models.Signup
	var ups []models.Signup
	// Which event to lock: read outside the transaction (it never changes), so
	// that nothing is read inside before the lock is held.
	var eventID uint
	if err := s.DB.WithContext(ctx).Model(&models.Signup{}).Where("id = ?", id).Select("event_id").Take(&eventID).Error; err != nil {
		return models.Signup{}, nil, mapErr(err, "sign-up")
	}
	err := s.lockedTx(ctx, func(tx *gorm.DB) error {
		ups = nil
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		var su models.Signup
		if err := tx.Take(&su, id).Error; err != nil {
			return mapErr(err, "sign-up")
		}
		if check != nil {
			if err := check(ev, su); err != nil {
				return err
			}
		}
		if su.Active == nil {
			return models.Errorf(models.ECONFLICT, "报名已经取消")
		}
		now := s.Now()
		if err := cancelRow(tx, id, by, now); err != nil {
			return err
		}
		if cancelled != nil {
			if _, err := enqueue(tx, now, cancelled(ev, su)); err != nil {
				return err
			}
		}
		before = su
		ups, err = promote(tx, ev, now, promoted)
		return err
	})
	if err != nil {
		return models.Signup{}, nil, err
	}
	return before, ups, nil
}

// promote fills free confirmed places from the waitlist, oldest first, while the
// event is open and has not started. The caller holds the event's row lock. Any
// error of the waitlist query is returned (and rolls the caller back): an error
// is never taken for an empty waitlist.
func promote(tx *gorm.DB, ev models.Event, now time.Time, build models.SignupNotice) ([]models.Signup, error) {
	if ev.Status != models.EventOpen || !now.Before(ev.StartAt) {
		return nil, nil
	}
	var out []models.Signup
	for {
		var confirmed int64
		if err := tx.Model(&models.Signup{}).Where("event_id = ? AND status = ?", ev.ID, models.SignupConfirmed).
			Count(&confirmed).Error; err != nil {
			return nil, err
		}
		if confirmed >= int64(ev.Capacity) {
			return out, nil
		}
		var w models.Signup
		err := tx.Where("event_id = ? AND status = ?", ev.ID, models.SignupWaitlisted).Order("id").Take(&w).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the waitlist: %w", err)
		}
		res := tx.Model(&models.Signup{}).Where("id = ? AND status = ?", w.ID, models.SignupWaitlisted).
			Updates(map[string]any{"status": models.SignupConfirmed, "promoted_at": now, "updated_at": now})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected != 1 {
			return nil, fmt.Errorf("promoting sign-up %d: %d rows changed", w.ID, res.RowsAffected)
		}
		w.Status, w.PromotedAt = models.SignupConfirmed, &now
		if build != nil {
			if _, err := enqueue(tx, now, build(ev, w)); err != nil {
				return nil, err
			}
		}
		out = append(out, w)
	}
}

// GetSignup returns one sign-up.
func (s *Store) GetSignup(ctx context.Context, id uint64) (models.Signup, error) {
	var su models.Signup
	err := s.DB.WithContext(ctx).Take(&su, id).Error
	return su, mapErr(err, "sign-up")
}

// ListSignups lists an event's sign-ups in arrival order; statuses filters (none: all).
func (s *Store) ListSignups(ctx context.Context, eventID uint, statuses ...models.SignupStatus) ([]models.Signup, error) {
	db := s.DB.WithContext(ctx).Where("event_id = ?", eventID)
	if len(statuses) > 0 {
		db = db.Where("status IN ?", statuses)
	}
	var out []models.Signup
	err := db.Order("id").Find(&out).Error
	return out, err
}

// ListSignupsByOpenID lists the sign-ups a resident made for events starting at
// or after since, soonest event first.
func (s *Store) ListSignupsByOpenID(ctx context.Context, openID string, since time.Time) ([]models.Signup, error) {
	var out []models.Signup
	err := s.DB.WithContext(ctx).Model(&models.Signup{}).
		Joins("JOIN events ON events.id = signups.event_id").
		Where("signups.open_id = ? AND events.start_at >= ?", openID, since).
		Order("events.start_at, signups.id").Find(&out).Error
	return out, err
}

// WaitlistPosition returns the 1-based place of a waitlisted sign-up in its event's queue.
func (s *Store) WaitlistPosition(ctx context.Context, su models.Signup) (int, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.Signup{}).
		Where("event_id = ? AND status = ? AND id <= ?", su.EventID, models.SignupWaitlisted, su.ID).Count(&n).Error
	return int(n), err
}

// FindSignupByCode returns the event's sign-up with the check-in code.
func (s *Store) FindSignupByCode(ctx context.Context, eventID uint, code string) (models.Signup, error) {
	var su models.Signup
	err := s.DB.WithContext(ctx).Where("event_id = ? AND checkin_code = ?", eventID, code).Take(&su).Error
	return su, mapErr(err, "sign-up")
}

// MarkCheckedIn records attendance of a confirmed sign-up once: it reports
// false when the sign-up was already checked in or is not confirmed.
func (s *Store) MarkCheckedIn(ctx context.Context, id uint64, at time.Time) (bool, error) {
	res := s.DB.WithContext(ctx).Model(&models.Signup{}).
		Where("id = ? AND status = ? AND checked_in_at IS NULL", id, models.SignupConfirmed).
		Updates(map[string]any{"checked_in_at": at, "updated_at": at})
	return res.RowsAffected == 1, res.Error
}

// RemindSignups sends, through remind, one reminder to each confirmed sign-up of
// the open events starting in (from, to] that has none yet. Each sign-up is
// claimed by a conditional update (reminded_at IS NULL, exactly one row) in the
// same transaction as the enqueue, so copies running at once never remind twice
// and a crash never leaves a claim without its message. It returns how many
// reminders this call enqueued.
func (s *Store) RemindSignups(ctx context.Context, from, to time.Time, remind models.SignupNotice) (int, error) {
	var evs []models.Event
	if err := s.DB.WithContext(ctx).Where("status = ? AND start_at > ? AND start_at <= ?", models.EventOpen, from, to).
		Find(&evs).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, ev := range evs {
		var due []models.Signup
		if err := s.DB.WithContext(ctx).Where("event_id = ? AND status = ? AND reminded_at IS NULL", ev.ID, models.SignupConfirmed).
			Order("id").Find(&due).Error; err != nil {
			return n, err
		}
		for _, su := range due {
			claimed := false
			err := s.lockedTx(ctx, func(tx *gorm.DB) error {
				now := s.Now()
				res := tx.Model(&models.Signup{}).
					Where("id = ? AND status = ? AND reminded_at IS NULL", su.ID, models.SignupConfirmed).
					Updates(map[string]any{"reminded_at": now, "updated_at": now})
				if res.Error != nil {
					return res.Error
				}
				if claimed = res.RowsAffected == 1; !claimed {
					return nil // another copy reminded it, or it was cancelled meanwhile
				}
				_, err := enqueue(tx, now, remind(ev, su))
				return err
			})
			if err != nil {
				return n, err
			}
			if claimed {
				n++
			}
		}
	}
	return n, nil
}

// PurgeSignups removes the personal details (names, phone, the child's nickname
// and age, the attendee key) from every sign-up of events that ended before
// endedBefore, keeping state, check-in and times for statistics. It returns how
// many sign-ups it cleared.
func (s *Store) PurgeSignups(ctx context.Context, endedBefore time.Time) (int, error) {
	// An event without an end is taken to end three hours after it starts (models.Event.End).
	sub := s.DB.WithContext(ctx).Model(&models.Event{}).Select("id").
		Where("(end_at IS NOT NULL AND end_at < ?) OR (end_at IS NULL AND start_at < ?)", endedBefore, endedBefore.Add(-3*time.Hour))
	now := s.Now()
	res := s.DB.WithContext(ctx).Model(&models.Signup{}).Where("purged_at IS NULL AND event_id IN (?)", sub).
		Updates(map[string]any{
			"name": "", "phone": "", "child_name": "", "child_age_months": 0,
			"attendee_key": gorm.Expr("NULL"), "purged_at": now, "updated_at": now,
		})
	return int(res.RowsAffected), res.Error
}
