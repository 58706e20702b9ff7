package models

import "time"

// Wish categories (stored as codes; WishCategoryLabel gives the Chinese name).
// A wish's Team starts as its category, so staff teams are organised by category.
const (
	WishCatParenting  = "parenting"
	WishCatAdolescent = "adolescent"
	WishCatElderly    = "elderly"
	WishCatService    = "service"
	WishCatLife       = "life"
	WishCatHealth     = "health"
	WishCatActivity   = "activity"
	WishCatPolicy     = "policy"
	WishCatOther      = "other"
)

// WishCategories lists every category, for staff; residents choose among the
// first six (WishResidentCategories). 生活帮扶, 健康咨询 and 政策咨询 came first
// and stay for the wishes and staff teams that use them.
var WishCategories = []string{WishCatParenting, WishCatAdolescent, WishCatElderly, WishCatActivity, WishCatService,
	WishCatOther, WishCatLife, WishCatHealth, WishCatPolicy}

// WishResidentCategories are the categories residents choose from (1–6), in order.
var WishResidentCategories = WishCategories[:6]

var wishCategoryLabels = map[string]string{
	WishCatParenting: "育儿", WishCatAdolescent: "青春期", WishCatElderly: "养老", WishCatService: "协会服务",
	WishCatLife: "生活帮扶", WishCatHealth: "健康咨询", WishCatActivity: "活动建议",
	WishCatPolicy: "政策咨询", WishCatOther: "其他",
}

// WishCategoryLabel returns the Chinese name of a category ("其他" for unknown codes).
func WishCategoryLabel(code string) string {
	if l, ok := wishCategoryLabels[code]; ok {
		return l
	}
	return wishCategoryLabels[WishCatOther]
}

// WishCategoryByLabel finds a category by its Chinese name or code.
func WishCategoryByLabel(s string) (string, bool) {
	for code, l := range wishCategoryLabels {
		if s == l || s == code {
			return code, true
		}
	}
	return "", false
}

// WishStatus is where a wish stands: 待受理 → 已受理 → 办理中 → 已办结, or 不予受理.
type WishStatus string

// Wish statuses.
const (
	WishPending    WishStatus = "pending"
	WishAccepted   WishStatus = "accepted"
	WishInProgress WishStatus = "in_progress"
	WishDone       WishStatus = "done"
	WishRejected   WishStatus = "rejected"
)

// WishStatuses lists every status in lifecycle order.
var WishStatuses = []WishStatus{WishPending, WishAccepted, WishInProgress, WishDone, WishRejected}

// WishOpenStatuses are the statuses that still need staff work.
var WishOpenStatuses = []WishStatus{WishPending, WishAccepted, WishInProgress}

var wishStatusLabels = map[WishStatus]string{
	WishPending: "待受理", WishAccepted: "已受理", WishInProgress: "办理中", WishDone: "已办结", WishRejected: "不予受理",
}

// WishStatusLabel returns the Chinese name of a status.
func WishStatusLabel(s WishStatus) string {
	if l, ok := wishStatusLabels[s]; ok {
		return l
	}
	return string(s)
}

// Wish is one resident's wish or suggestion on the 心愿墙. Its ID is the number
// residents see (#N). Contact is personal information: masked everywhere except
// after an audited "reveal".
type Wish struct {
	ID       uint64 `gorm:"primaryKey"`
	OpenID   string `gorm:"type:varchar(64);index:idx_wishes_open_time,priority:1"`
	Text     string `gorm:"type:text"`
	Category string `gorm:"type:varchar(16)"`
	Contact  string `gorm:"type:varchar(128)"`
	// Public is the resident's consent to show the wish, anonymised, on the 回音壁.
	Public bool
	// WallHidden lets staff keep a public wish off the 回音壁 (e.g. it identifies someone).
	WallHidden bool
	// PublicReply is the answer as the 回音壁 shows it, written by staff with
	// names and numbers left out; the reply sent to the resident is never shown.
	PublicReply string     `gorm:"type:text"`
	Status      WishStatus `gorm:"type:varchar(16);index:idx_wishes_status_time,priority:1"`
	// Team is the staff team responsible (initially the category).
	Team       string `gorm:"type:varchar(32);index"`
	AssignedTo string `gorm:"type:varchar(64);index"` // staff UserID, or empty
	Reason     string `gorm:"type:text"`              // why it was not accepted (不予受理)
	ReplyCount int    // number of staff replies so far
	Rating     int    // 1–5 after 办结, 0 = not rated
	RatedAt    *time.Time
	// FollowedUpAt is when staff recorded calling back a resident who gave a low rating.
	FollowedUpAt *time.Time
	AcceptedAt   *time.Time
	FinishedAt   *time.Time // 已办结 or 不予受理
	CreatedAt    time.Time  `gorm:"index:idx_wishes_open_time,priority:2;index:idx_wishes_status_time,priority:2"`
	UpdatedAt    time.Time
}

// WishReply is one staff reply to a wish, numbered 1, 2, … per wish. Each reply is
// sent to the resident through the outbox with the key "wishreply:<wish>:<n>".
type WishReply struct {
	ID        uint64 `gorm:"primaryKey"`
	WishID    uint64 `gorm:"uniqueIndex:idx_wish_replies_n,priority:1"`
	N         int    `gorm:"uniqueIndex:idx_wish_replies_n,priority:2"`
	StaffID   string `gorm:"type:varchar(64)"`
	StaffName string `gorm:"type:varchar(64)"`
	Text      string `gorm:"type:text"`
	CreatedAt time.Time
}

// Wish history actions.
const (
	WishActCreate = "create"
	WishActStatus = "status"
	WishActReply  = "reply"
	WishActAssign = "assign"
	WishActWall   = "wall"
	WishActRate   = "rate"
	// WishActFollowUp records staff calling back after a low rating.
	WishActFollowUp = "followup"
	// WishActCategory records staff correcting a wish's category.
	WishActCategory = "category"
)

// WishLowRating is the highest rating that counts as low: staff call the resident back.
const WishLowRating = 3

// WishEvent is one row of a wish's history: who did what, and when.
type WishEvent struct {
	ID         uint64     `gorm:"primaryKey"`
	WishID     uint64     `gorm:"index"`
	Actor      string     `gorm:"type:varchar(64)"` // staff UserID, or "resident"
	ActorName  string     `gorm:"type:varchar(64)"`
	Action     string     `gorm:"type:varchar(16)"`
	FromStatus WishStatus `gorm:"type:varchar(16)"`
	ToStatus   WishStatus `gorm:"type:varchar(16)"`
	Note       string     `gorm:"type:varchar(512)"`
	CreatedAt  time.Time
}

// WishQuota counts a resident's wishes per China calendar day. The daily limit is
// enforced by a conditional update of this row, so two wishes sent at the same
// moment cannot both slip under it.
type WishQuota struct {
	OpenID string `gorm:"type:varchar(64);primaryKey"`
	Day    string `gorm:"type:varchar(10);primaryKey"` // 2006-01-02 in China time
	N      int
}

// WishFilter selects wishes for the staff inbox.
type WishFilter struct {
	Statuses []WishStatus // empty: any
	Category string       // empty: any
	// Scoped restricts to Team or AssignedTo (a staff member's view); admins are not scoped.
	Scoped     bool
	Team       string
	AssignedTo string
	// Wishes still pending and created before AcceptBy, or still open and created
	// before FinishBy, are overdue: they are listed first.
	AcceptBy, FinishBy time.Time
	OverdueOnly        bool
	// LowRated keeps wishes rated 1…WishLowRating; NotFollowedUp those not yet called back.
	LowRated      bool
	NotFollowedUp bool
	Limit         int
}

// WishChange is one staff change to a wish, applied in one transaction: the update
// applies only while the wish is still in status From (otherwise ECONFLICT), the
// reply (if any) gets the next number, the history row is written, and the
// notices built by Notices are enqueued in the outbox.
type WishChange struct {
	ID         uint64
	From       WishStatus // the status the change was decided on
	To         WishStatus // the new status (equal to From when the status does not change)
	Reason     *string    // set Reason (不予受理)
	AssignTo   *string
	Team       *string
	WallHidden *bool
	// PublicReply sets the 回音壁 version of the answer.
	PublicReply *string
	FollowedUp  bool // set FollowedUpAt to At
	Category    *string
	Reply       *WishReply // appended; WishID and N are filled by the store
	Event       WishEvent  // WishID, FromStatus, ToStatus and CreatedAt are filled by the store
	At          time.Time
	// Notices builds what the change tells, from the changed wish and the reply number (0 without a reply).
	Notices func(w Wish, replyN int) []Notice
}
