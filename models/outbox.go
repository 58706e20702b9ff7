package models

import "time"

// OutboxChannel is how an outbox message travels.
type OutboxChannel string

// Outbox channels.
const (
	ChannelCustomer OutboxChannel = "customer" // 公众号客服消息 (inside the 48-hour window)
	ChannelTemplate OutboxChannel = "template" // 公众号模板消息
	ChannelWeCom    OutboxChannel = "wecom"    // 企业微信应用消息 (textcard) to staff
	// ChannelWeComCard is a card with buttons to staff; Data holds its CardSubject.
	ChannelWeComCard OutboxChannel = "wecom_card"
	// ChannelWeComUpdate replaces a sent card's buttons; Data holds a CardUpdate.
	ChannelWeComUpdate OutboxChannel = "wecom_update"
)

// ToStaff reports whether the channel reaches staff (WeCom UserIDs, or a
// card's task) rather than a resident.
func (c OutboxChannel) ToStaff() bool {
	return c == ChannelWeCom || c == ChannelWeComCard || c == ChannelWeComUpdate
}

// OutboxStatus is where an outbox message is in its delivery.
type OutboxStatus string

// Outbox states.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed" // permanent: recorded and shown to staff, not retried
)

// OutboxMessage is one outbound message, written in the same transaction as the
// change that causes it and delivered afterwards, retried with back-off. It is
// made from a Notice (Notice.Message), nowhere else.
type OutboxMessage struct {
	ID uint64 `gorm:"primaryKey"`
	// DedupKey makes enqueueing idempotent (Notice.DedupKey, e.g.
	// "promote:signup:42"); unique. It is never read back for its parts: Kind
	// and the subject columns say what the message is about.
	DedupKey string        `gorm:"type:varchar(191);uniqueIndex"`
	Kind     NoticeKind    `gorm:"type:varchar(32)"`
	Channel  OutboxChannel `gorm:"type:varchar(16)"`
	// SubjectKind and SubjectID name what the message is about (a wish, a
	// sign-up, a crisis message); empty for messages about nothing stored.
	SubjectKind SubjectKind `gorm:"type:varchar(16);index:idx_outbox_subject,priority:1"`
	SubjectID   uint64      `gorm:"index:idx_outbox_subject,priority:2"`
	To          string      `gorm:"type:varchar(255)"` // openid, or WeCom UserIDs joined by |
	Text        string      `gorm:"type:text"`         // customer-service text, or textcard description
	Title       string      `gorm:"type:varchar(255)"` // textcard / template title
	URL         string      `gorm:"type:varchar(1024)"`
	Template    string      `gorm:"type:varchar(128)"` // template id
	Data        string      `gorm:"type:text"`         // template data JSON, a card's subject or update
	// Fallback template (used when a customer message fails with the 48-hour error).
	FallbackTemplate string       `gorm:"type:varchar(128)"`
	Status           OutboxStatus `gorm:"type:varchar(16);index:idx_outbox_due,priority:1"`
	Attempts         int
	NextAt           time.Time `gorm:"index:idx_outbox_due,priority:2"`
	ClaimedBy        string    `gorm:"type:varchar(64)"`
	ClaimedUntil     time.Time
	LastError        string `gorm:"type:varchar(512)"`
	SentAt           *time.Time
	CreatedAt        time.Time
}

// About is what the message is about (zero when nothing stored).
func (m OutboxMessage) About() Subject { return Subject{Kind: m.SubjectKind, ID: m.SubjectID} }
