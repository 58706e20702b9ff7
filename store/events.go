package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"strings"
	"time"

	"familybot/models"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Events and sign-ups. Every change to an event's sign-ups (join, cancel,
// promotion, capacity change, calling the event off) first takes the event row
// with SELECT … FOR UPDATE, so those changes run one at a time per event and the
// capacity check, the insert and the promotion see the same numbers. SQLite has no
// row locks, but its single connection serialises whole transactions, which gives
// the same guarantee. Messages caused by a change are enqueued in the same
// transaction (enqueue): the outbox worker delivers them after commit.

const checkinAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I

func newCheckinCode() string {
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = checkinAlphabet[int(b[i])%len(checkinAlphabet)]
	}
	return string(b)
}

// lockedTx runs fn in a transaction for the lock-first pattern above.
//
// On MySQL it runs at READ COMMITTED. At InnoDB's default REPEATABLE READ, every
// plain SELECT of a transaction reads the snapshot taken at its first plain
// SELECT: a read made before the event lock was granted would let the waitlist
// query see a sign-up another transaction has since promoted or cancelled (the
// concurrency test caught exactly that). At READ COMMITTED each statement sees
// everything committed before it, and the event lock orders the writers.
//
// It runs fn again (up to three times in all) when MySQL reports a deadlock or a
// lock wait timeout: concurrent inserts into the outbox's unique index can
// deadlock in InnoDB, and the victim's work is simply redone.
func (s *Store) lockedTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var opts []*sql.TxOptions
	if s.Driver == "mysql" {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = s.DB.WithContext(ctx).Transaction(fn, opts...)
		var me *mysql.MySQLError
		if !errors.As(err, &me) || (me.Number != 1213 && me.Number != 1205) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

// lockEvent reads the event row FOR UPDATE.
func lockEvent(tx *gorm.DB, id uint) (models.Event, error) {
	var ev models.Event
	err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&ev, id).Error
	return ev, mapErr(err, "event")
}

// CreateEvent stores a new event.
func (s *Store) CreateEvent(ctx context.Context, ev *models.Event) error {
	now := s.Now()
	ev.CreatedAt, ev.UpdatedAt = now, now
	return mapErr(s.DB.WithContext(ctx).Create(ev).Error, "event")
}

// GetEvent returns one event.
func (s *Store) GetEvent(ctx context.Context, id uint) (models.Event, error) {
	var ev models.Event
	err := s.DB.WithContext(ctx).Take(&ev, id).Error
	return ev, mapErr(err, "event")
}

// GetEvents returns the events with the given ids (missing ones are left out).
func (s *Store) GetEvents(ctx context.Context, ids []uint) (map[uint]models.Event, error) {
	out := map[uint]models.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	var evs []models.Event
	if err := s.DB.WithContext(ctx).Where("id IN ?", ids).Find(&evs).Error; err != nil {
		return nil, err
	}
	for _, ev := range evs {
		out[ev.ID] = ev
	}
	return out, nil
}

// ListEvents lists events starting at or after from, soonest first; statuses
// filters by state (none: all).
func (s *Store) ListEvents(ctx context.Context, from time.Time, statuses []models.EventStatus, limit int) ([]models.Event, error) {
	db := s.DB.WithContext(ctx).Where("start_at >= ?", from)
	if len(statuses) > 0 {
		db = db.Where("status IN ?", statuses)
	}
	if limit > 0 {
		db = db.Limit(limit)
	}
	var out []models.Event
	err := db.Order("start_at, id").Find(&out).Error
	return out, err
}

// UpdateEvent changes an event under its row lock. fn edits the event (and may
// refuse, seeing the current counts). When an open event's time or place
// changes, every active sign-up is told through moved; when the change makes
// room, waitlisted sign-ups are promoted and told through promoted. All in the
// same transaction.
func (s *Store) UpdateEvent(ctx context.Context, id uint, fn func(ev *models.Event, n models.SignupCounts) error, promoted, moved models.SignupNotice) (models.Event, []models.Signup, error) {
	var out models.Event
	var ups []models.Signup
	err := s.lockedTx(ctx, func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, id)
		if err != nil {
			return err
		}
		n, err := countSignups(tx, id, "")
		if err != nil {
			return err
		}
		before := ev
		if err := fn(&ev, n); err != nil {
			return err
		}
		now := s.Now()
		ev.ID, ev.UpdatedAt = id, now
		retimed := !before.StartAt.Equal(ev.StartAt) || !before.End().Equal(ev.End())
		if retimed { // check-ins made for the old time, and the QR code made for it, no longer hold
			ev.CheckinQR, ev.CheckinQRUntil = "", nil
			if err := tx.Model(&models.Signup{}).Where("event_id = ? AND checked_in_at IS NOT NULL", id).
				Update("checked_in_at", nil).Error; err != nil {
				return err
			}
		}
		if err := tx.Save(&ev).Error; err != nil {
			return err
		}
		if !before.StartAt.Equal(ev.StartAt) { // whoever was reminded is reminded again before the new time
			if err := tx.Model(&models.Signup{}).Where("event_id = ? AND active = ?", id, true).
				Update("reminded_at", nil).Error; err != nil {
				return err
			}
		}
		if ups, err = promote(tx, ev, now, promoted); err != nil {
			return err
		}
		if moved != nil && before.Status == models.EventOpen && ev.Status == models.EventOpen && movedEvent(before, ev) {
			// Those just promoted were told the new details with their place.
			skip := map[uint64]bool{}
			for _, su := range ups {
				skip[su.ID] = true
			}
			var active []models.Signup
			if err := tx.Where("event_id = ? AND active = ?", id, true).Order("id").Find(&active).Error; err != nil {
				return err
			}
			for _, su := range active {
				if skip[su.ID] {
					continue
				}
				if _, err := enqueue(tx, now, moved(ev, su)); err != nil {
					return err
				}
			}
		}
		out = ev
		return err
	})
	if err != nil {
		return models.Event{}, nil, err
	}
	return out, ups, nil
}

// SetEventQR records the event's check-in QR code. It leaves updated_at alone:
// making a code is not an edit, and must not make an open edit form stale.
func (s *Store) SetEventQR(ctx context.Context, id uint, image string, until time.Time) error {
	res := s.DB.WithContext(ctx).Model(&models.Event{}).Where("id = ?", id).
		UpdateColumns(map[string]any{"checkin_qr": image, "checkin_qr_until": until.UTC()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENOTFOUND, "event not found")
	}
	return nil
}

// movedEvent reports whether residents signed up for a need to hear about b:
// another start, end or place.
func movedEvent(a, b models.Event) bool {
	sameEnd := (a.EndAt == nil) == (b.EndAt == nil) && (a.EndAt == nil || a.EndAt.Equal(*b.EndAt))
	return !a.StartAt.Equal(b.StartAt) || !sameEnd || strings.TrimSpace(a.Place) != strings.TrimSpace(b.Place)
}

// CancelEvent calls the event off: every active sign-up is cancelled and told
// through notice, in one transaction. It returns how many were told.
func (s *Store) CancelEvent(ctx context.Context, id uint, reason string, notice models.SignupNotice) (int, error) {
	n := 0
	err := s.lockedTx(ctx, func(tx *gorm.DB) error {
		n = 0
		ev, err := lockEvent(tx, id)
		if err != nil {
			return err
		}
		if ev.Status == models.EventCancelled {
			return models.Errorf(models.ECONFLICT, "活动已经取消")
		}
		now := s.Now()
		if err := tx.Model(&models.Event{}).Where("id = ?", id).
			Updates(map[string]any{"status": models.EventCancelled, "updated_at": now, "cancel_reason": truncate(reason, 255),
				"cancelled_at": now}).Error; err != nil {
			return err
		}
		ev.Status, ev.CancelReason, ev.CancelledAt = models.EventCancelled, truncate(reason, 255), &now
		var active []models.Signup
		if err := tx.Where("event_id = ? AND active = ?", id, true).Order("id").Find(&active).Error; err != nil {
			return err
		}
		for _, su := range active {
			if err := cancelRow(tx, su.ID, models.CancelledByEvent, now); err != nil {
				return err
			}
			if notice != nil {
				if _, err := enqueue(tx, now, notice(ev, su)); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	return n, err
}
