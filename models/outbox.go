package models

import "time"

// Outbox channels.
const (
	ChannelCustomer = "customer" // 公众号客服消息 (inside the 48-hour window)
	ChannelTemplate = "template" // 公众号模板消息
	ChannelWeCom    = "wecom"    // 企业微信应用消息 (textcard) to staff
	// ChannelWeComCard is a card with buttons to staff; Data holds its CardSubject.
	ChannelWeComCard = "wecom_card"
	// ChannelWeComUpdate replaces a sent card's buttons; Data holds a CardUpdate.
	ChannelWeComUpdate = "wecom_update"
)

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed" // permanent: recorded and shown to staff, not retried
)

// OutboxMessage is one outbound message, written in the same transaction as the
// change that causes it and delivered afterwards, retried with back-off.
type OutboxMessage struct {
	ID uint64 `gorm:"primaryKey"`
	// DedupKey makes enqueueing idempotent (e.g. "promote:signup:42"); unique.
	DedupKey string `gorm:"type:varchar(191);uniqueIndex"`
	Channel  string `gorm:"type:varchar(16)"`
	To       string `gorm:"type:varchar(255)"` // openid, or WeCom UserIDs joined by |
	Text     string `gorm:"type:text"`         // customer-service text, or textcard description
	Title    string `gorm:"type:varchar(255)"` // textcard / template title
	URL      string `gorm:"type:varchar(1024)"`
	Template string `gorm:"type:varchar(128)"` // template id
	Data     string `gorm:"type:text"`         // template data JSON
	// Fallback template (used when a customer message fails with the 48-hour error).
	FallbackTemplate string `gorm:"type:varchar(128)"`
	Status           string `gorm:"type:varchar(16);index:idx_outbox_due,priority:1"`
	Attempts         int
	NextAt           time.Time `gorm:"index:idx_outbox_due,priority:2"`
	ClaimedBy        string    `gorm:"type:varchar(64)"`
	ClaimedUntil     time.Time
	LastError        string `gorm:"type:varchar(512)"`
	SentAt           *time.Time
	CreatedAt        time.Time
}
