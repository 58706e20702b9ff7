package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Event categories.
const (
	EventParentChild = "parent_child" // 向日葵亲子小屋
	EventParentClass = "parent_class" // 家长课堂、沟通之道
	EventYouth       = "youth"        // 青春健康
	EventElderly     = "elderly"      // 老年健康讲座
	EventClinic      = "clinic"       // 义诊
	EventMemberDay   = "member_day"   // 5.29 会员活动日
	EventOther       = "other"
)

// EventCategories maps each category to the name residents and staff read.
var EventCategories = map[string]string{
	EventParentChild: "亲子活动",
	EventParentClass: "家长课堂",
	EventYouth:       "青春健康",
	EventElderly:     "老年健康",
	EventClinic:      "义诊",
	EventMemberDay:   "会员活动日",
	EventOther:       "其他活动",
}

// EventStatus is where an event stands: draft, open or cancelled.
type EventStatus string

// Event states.
const (
	EventDraft     EventStatus = "draft"     // being prepared; residents do not see it
	EventOpen      EventStatus = "open"      // published: listed and open for sign-up until it starts
	EventCancelled EventStatus = "cancelled" // called off; everyone signed up was told
)

// Event is one session residents sign up for. Times are UTC.
type Event struct {
	ID          uint      `gorm:"primaryKey"`
	Title       string    `gorm:"type:varchar(128)"`
	Category    string    `gorm:"type:varchar(16)"`
	Audience    string    `gorm:"type:varchar(255)"` // who it is for, e.g. "1–3岁宝宝及一位家长"
	Bring       string    `gorm:"type:varchar(255)"` // what to bring
	Description string    `gorm:"type:text"`
	Place       string    `gorm:"type:varchar(255)"`
	StartAt     time.Time `gorm:"index:idx_events_status_start,priority:2"`
	EndAt       *time.Time
	// CancelDeadline is the last moment a resident may cancel in the chat (nil: until the start).
	CancelDeadline *time.Time
	Capacity       int // confirmed places
	WaitlistCap    int // waitlist places (0: no waitlist)
	// ForChild events sign up a child with a parent: the child's nickname and age
	// are asked, after the guardian's consent, and checked against the age range.
	ForChild          bool
	ChildAgeMinMonths int
	ChildAgeMaxMonths int         // 0: no upper limit
	Status            EventStatus `gorm:"type:varchar(16);index:idx_events_status_start,priority:1"`
	// CheckinQR is the image address of the event's check-in QR code (scene
	// checkin_<ID>), valid until CheckinQRUntil; empty until staff make one.
	CheckinQR      string `gorm:"type:varchar(512)"`
	CheckinQRUntil *time.Time
	// CancelReason is what staff gave as the reason when they called the event off.
	CancelReason string `gorm:"type:varchar(255)"`
	CancelledAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Validate checks what staff typed, all problems at once, in Chinese.
func (e *Event) Validate() error {
	var probs []string
	e.Title = strings.TrimSpace(e.Title)
	switch n := utf8.RuneCountInString(e.Title); {
	case n == 0:
		probs = append(probs, "活动名称不能为空")
	case n > 60:
		probs = append(probs, "活动名称不能超过60个字")
	}
	if _, ok := EventCategories[e.Category]; !ok {
		probs = append(probs, "活动类别无效")
	}
	if e.StartAt.IsZero() {
		probs = append(probs, "请填写开始时间")
	}
	if e.EndAt != nil && !e.EndAt.After(e.StartAt) {
		probs = append(probs, "结束时间必须晚于开始时间")
	}
	if e.CancelDeadline != nil && e.CancelDeadline.After(e.StartAt) {
		probs = append(probs, "取消截止时间不能晚于开始时间")
	}
	if e.Capacity < 1 || e.Capacity > 10000 {
		probs = append(probs, "名额必须在1到10000之间")
	}
	if e.WaitlistCap < 0 || e.WaitlistCap > 10000 {
		probs = append(probs, "候补名额必须在0到10000之间")
	}
	if e.ForChild {
		if e.ChildAgeMinMonths < 0 || e.ChildAgeMaxMonths < 0 || e.ChildAgeMaxMonths > 216 {
			probs = append(probs, "儿童年龄范围必须在0到216个月之间")
		} else if e.ChildAgeMaxMonths != 0 && e.ChildAgeMaxMonths < e.ChildAgeMinMonths {
			probs = append(probs, "儿童最大月龄不能小于最小月龄")
		}
	} else if e.ChildAgeMinMonths != 0 || e.ChildAgeMaxMonths != 0 {
		probs = append(probs, "只有亲子（儿童）活动才能设置儿童年龄范围")
	}
	for _, f := range []struct{ v, name string }{{e.Audience, "适合对象"}, {e.Bring, "携带物品"}, {e.Place, "地点"}} {
		if utf8.RuneCountInString(f.v) > 120 {
			probs = append(probs, f.name+"不能超过120个字")
		}
	}
	switch e.Status {
	case EventDraft, EventOpen, EventCancelled:
	default:
		probs = append(probs, "活动状态无效")
	}
	if len(probs) > 0 {
		return Errorf(EINVALID, "%s", strings.Join(probs, "；"))
	}
	return nil
}

// End returns when the event ends (three hours after the start when no end was given).
func (e Event) End() time.Time {
	if e.EndAt != nil {
		return *e.EndAt
	}
	return e.StartAt.Add(3 * time.Hour)
}

// CancelBy returns the last moment a resident may cancel.
func (e Event) CancelBy() time.Time {
	if e.CancelDeadline != nil {
		return *e.CancelDeadline
	}
	return e.StartAt
}

// SignupStatus is where a sign-up stands: a place, a wait, or cancelled.
type SignupStatus string

// Sign-up states.
const (
	SignupConfirmed  SignupStatus = "confirmed"
	SignupWaitlisted SignupStatus = "waitlisted"
	SignupCancelled  SignupStatus = "cancelled"
)

// Who cancelled a sign-up.
const (
	CancelledByResident = "resident"
	CancelledByStaff    = "staff"
	CancelledByEvent    = "event" // the whole event was called off
)

// ConsentVersion names the guardian notice a parent agreed to; stored with each child sign-up.
const ConsentVersion = "child-2025-1"

// Signup is one attendee's place (or waitlist place) at an event. The resident
// who wrote is the contact (OpenID, Phone); the attendee is Name for adult events
// and the child (ChildName) for children's events, where Name is the guardian.
//
// One attendee holds at most one active sign-up per event: idx_signups_attendee
// is unique over (event, attendee key, active), and Active is true while the
// sign-up counts and NULL once cancelled (NULLs are distinct in unique indexes on
// both MySQL and SQLite, so cancelled rows never block signing up again).
type Signup struct {
	ID          uint64       `gorm:"primaryKey"`
	EventID     uint         `gorm:"uniqueIndex:idx_signups_attendee,priority:1;uniqueIndex:idx_signups_code,priority:1;index:idx_signups_event_status,priority:1"`
	OpenID      string       `gorm:"type:varchar(64);index"`
	AttendeeKey string       `gorm:"type:varchar(64);uniqueIndex:idx_signups_attendee,priority:2"` // hash of who attends; NULL once purged
	Active      *bool        `gorm:"uniqueIndex:idx_signups_attendee,priority:3"`
	Status      SignupStatus `gorm:"type:varchar(16);index:idx_signups_event_status,priority:2"`
	Name        string       `gorm:"type:varchar(64)"` // attendee (adult events) or guardian (children's events)
	Phone       string       `gorm:"type:varchar(20)"` // contact mobile; masked everywhere but the CSV export
	// Children's details, kept only with the guardian's consent, purged 30 days after the event.
	ChildName      string `gorm:"type:varchar(32)"`
	ChildAgeMonths int
	ConsentVersion string `gorm:"type:varchar(16)"`
	ConsentAt      *time.Time
	// CheckinCode is shown to confirmed attendees and typed in by staff at the door.
	CheckinCode string `gorm:"type:varchar(8);uniqueIndex:idx_signups_code,priority:2"`
	CheckedInAt *time.Time
	RemindedAt  *time.Time
	PromotedAt  *time.Time // moved from the waitlist to a confirmed place
	CancelledAt *time.Time
	CancelledBy string     `gorm:"type:varchar(16)"`
	PurgedAt    *time.Time // personal details removed after the retention period
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Attendee is the name shown for who attends.
func (s Signup) Attendee() string {
	if s.ChildName != "" {
		return s.ChildName
	}
	return s.Name
}

// SignupCounts are an event's sign-ups by state.
type SignupCounts struct {
	Confirmed  int
	Waitlisted int
	Cancelled  int
	CheckedIn  int
	// Mine is the active sign-ups of one contact (filled by JoinEvent only).
	Mine int
}

// SignupNotice builds the notice about one sign-up (promotion, reminder,
// cancellation). Store methods call it inside their transaction and enqueue the
// result there; it must not touch the database.
type SignupNotice func(ev Event, su Signup) Notice

// SignupDecision picks the status of a new sign-up (SignupConfirmed or
// SignupWaitlisted) from the locked event and its current counts, or refuses
// with an error. It runs inside the store's transaction.
type SignupDecision func(ev Event, n SignupCounts) (status SignupStatus, err error)

// ErrDuplicateSignup means the attendee already holds an active sign-up for the event.
var ErrDuplicateSignup = Errorf(ECONFLICT, "已报名，无需重复报名")
