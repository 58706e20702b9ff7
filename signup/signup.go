// Package signup holds the event sign-up rules: capacity, waitlist, cancellation,
// reminders, check-in and the retention of children's details, shared by the chat
// and the admin. The guarantees that must hold under load (no overbooking, one
// active sign-up per attendee, promotion from the waitlist in the same transaction
// as the cancellation) live in the store's transactions; this package decides
// what those transactions do and writes the messages they enqueue.
package signup

import (
	"context"
	"time"

	"familybot/memo"
	"familybot/models"
	"familybot/outbox"
)

// Rules the association can rely on.
const (
	// RetentionDays: the personal details of a sign-up are removed this many days after the event.
	RetentionDays = 30
	// MaxPerContact is how many active sign-ups one resident may hold for one event
	// (a parent with twins, a grown-up child with both elderly parents).
	MaxPerContact = 4
	// Reminders go to events starting between ReminderFrom and ReminderTo from now:
	// run hourly, every confirmed sign-up is reminded once, the day before or so.
	ReminderFrom = 12 * time.Hour
	ReminderTo   = 36 * time.Hour
	// Reminders are sent only between QuietEnd and QuietStart o'clock (Beijing time).
	// The 24-hour reminder window always contains such an hour, so nobody is skipped.
	QuietStart = 21
	QuietEnd   = 8
	// Check-in, by the code at the door or by scanning the event's QR code, is
	// accepted from CheckinEarly before the start until CheckinLate after the end.
	CheckinEarly = 2 * time.Hour
	CheckinLate  = 0
)

// Domain errors the chat and the admin turn into sentences. Compare with errors.Is.
var (
	ErrNotFound      = models.Errorf(models.ENOTFOUND, "没有这个活动")
	ErrNotOpen       = models.Errorf(models.ECONFLICT, "活动未开放报名")
	ErrEventCanceled = models.Errorf(models.ECONFLICT, "活动已取消")
	ErrStarted       = models.Errorf(models.ECONFLICT, "活动已开始或已结束，不能再报名")
	ErrFull          = models.Errorf(models.ECONFLICT, "名额和候补都已满")
	ErrTooMany       = models.Errorf(models.ECONFLICT, "同一微信号在本活动的报名已达上限")
	ErrConsent       = models.Errorf(models.EINVALID, "儿童活动需要监护人同意个人信息说明")
	ErrAgeRange      = models.Errorf(models.EINVALID, "孩子年龄不在活动要求范围内")
	ErrTooLate       = models.Errorf(models.ECONFLICT, "已过取消截止时间")
	ErrNotYours      = models.Errorf(models.ENOTFOUND, "没有找到这条报名")
	ErrCancelled     = models.Errorf(models.ECONFLICT, "报名已经取消")
	ErrNotConfirmed  = models.Errorf(models.ECONFLICT, "该报名尚未确认（候补或已取消），不能签到")
	ErrCheckedIn     = models.Errorf(models.ECONFLICT, "已经签到过了")
	ErrNotNow        = models.Errorf(models.ECONFLICT, "现在不在活动签到时间内")
)

// Service is the sign-up service.
type Service struct {
	Store  Store
	Notify *outbox.Notifier
	Now    models.Clock
	// UpcomingCache keeps the list residents see for UpcomingCache.TTL (zero:
	// not at all). Every change made through this Service forgets it, so only
	// other copies' changes (and the clock) may take that long to show; places
	// are always counted afresh, under a lock, when someone signs up.
	UpcomingCache memo.Recent[int, []EventView]
}

// Store is what sign-ups need from storage (implemented by *store.Store).
type Store interface {
	CreateEvent(ctx context.Context, ev *models.Event) error
	GetEvent(ctx context.Context, id uint) (models.Event, error)
	GetEvents(ctx context.Context, ids []uint) (map[uint]models.Event, error)
	ListEvents(ctx context.Context, from time.Time, statuses []models.EventStatus, limit int) ([]models.Event, error)
	UpdateEvent(ctx context.Context, id uint, fn func(ev *models.Event, n models.SignupCounts) error, promoted, moved models.SignupNotice) (models.Event, []models.Signup, error)
	CountSignupsSince(ctx context.Context, since time.Time) (int64, error)
	CancelEvent(ctx context.Context, id uint, reason string, notice models.SignupNotice) (int, error)
	CountSignups(ctx context.Context, ids []uint) (map[uint]models.SignupCounts, error)

	JoinEvent(ctx context.Context, su models.Signup, decide models.SignupDecision) (models.Signup, error)
	CancelSignup(ctx context.Context, id uint64, by string, check func(ev models.Event, su models.Signup) error, cancelled, promoted models.SignupNotice) (models.Signup, []models.Signup, error)
	GetSignup(ctx context.Context, id uint64) (models.Signup, error)
	ListSignups(ctx context.Context, eventID uint, statuses ...models.SignupStatus) ([]models.Signup, error)
	ListSignupsByOpenID(ctx context.Context, openID string, since time.Time) ([]models.Signup, error)
	WaitlistPosition(ctx context.Context, su models.Signup) (int, error)

	FindSignupByCode(ctx context.Context, eventID uint, code string) (models.Signup, error)
	SetEventQR(ctx context.Context, id uint, image string, until time.Time) error
	MarkCheckedIn(ctx context.Context, id uint64, at time.Time) (bool, error)
	RemindSignups(ctx context.Context, from, to time.Time, remind models.SignupNotice) (int, error)
	PurgeSignups(ctx context.Context, endedBefore time.Time) (int, error)
}

// EventView is an event with its counts.
type EventView struct {
	models.Event
	models.SignupCounts
}

// PlacesLeft is how many confirmed places are free.
func (v EventView) PlacesLeft() int { return max(v.Capacity-v.Confirmed, 0) }

// WaitlistLeft is how many waitlist places are free.
func (v EventView) WaitlistLeft() int { return max(v.WaitlistCap-v.Waitlisted, 0) }

// Full reports that a new sign-up would go to the waitlist (or nowhere).
func (v EventView) Full() bool { return v.PlacesLeft() == 0 || v.Waitlisted > 0 }

// Closed reports that nobody can sign up any more: no place and no waitlist place.
func (v EventView) Closed() bool { return v.Full() && v.WaitlistLeft() == 0 }
