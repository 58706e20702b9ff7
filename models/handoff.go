package models

import "time"

// Why a resident was handed to a person.
const (
	HandoffAsked  = "resident" // they asked (人工, 转人工, the menu's 联系我们 …)
	HandoffMisses = "misses"   // the bot missed twice in a row
)

// Handoff is a resident waiting for a person to get in touch, until staff mark
// it 已联系. One resident has at most one open request: idx_handoffs_open is
// unique over (open_id, waiting), and Waiting is true while waiting and NULL once
// handled (NULLs are distinct in unique indexes on MySQL and SQLite), so asking
// again while waiting counts on the same request.
type Handoff struct {
	ID        uint64 `gorm:"primaryKey"`
	OpenID    string `gorm:"type:varchar(64);uniqueIndex:idx_handoffs_open,priority:1"`
	Waiting   *bool  `gorm:"uniqueIndex:idx_handoffs_open,priority:2"`
	Why       string `gorm:"type:varchar(16)"`
	Requests  int    // how many times they asked while waiting
	LastAt    time.Time
	DoneBy    string `gorm:"type:varchar(64)"` // staff name
	DoneAt    *time.Time
	Note      string    `gorm:"type:varchar(512)"` // what staff did, never sent to the resident
	CreatedAt time.Time `gorm:"index"`
}
