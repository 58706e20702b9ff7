package models

import "time"

// InboxMessage is a resident's message the webhook acknowledged with "success"
// before its answer was ready: WeChat will not send it again, so it is kept
// here until the answer is queued, and any copy finishes it if its owner stops
// (the lease runs out). Rows live for seconds; Payload is the inbound message.
type InboxMessage struct {
	MsgKey     string    `gorm:"type:varchar(191);primaryKey"`
	Payload    string    `gorm:"type:text"`
	Owner      string    `gorm:"type:varchar(64)"`
	LeaseUntil time.Time `gorm:"index"`
	Attempts   int
	CreatedAt  time.Time
}
