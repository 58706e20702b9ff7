package outbox

import (
	"context"
	"encoding/json"
	"strings"

	"familybot/models"

	"gorm.io/gorm"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// Notifier enqueues messages to residents and to staff on duty.
type Notifier struct {
	Store     Queue
	OnDuty    []string // WeCom UserIDs
	PublicURL string   // prefix for admin links
	// WishReplyTemplate etc. are the template IDs used outside the 48-hour window.
	Templates map[string]string
}

// AlertStaff sends a WeCom textcard to the staff on duty (bot.Alerter); an alert
// about a crisis message is a card with a 我来跟进 button.
func (n *Notifier) AlertStaff(ctx context.Context, dedupKey, title, text, link string) error {
	return n.AlertStaffTx(n.Store.Handle().WithContext(ctx), dedupKey, title, text, link)
}

// AlertStaffTx is AlertStaff inside the caller's transaction.
func (n *Notifier) AlertStaffTx(tx *gorm.DB, dedupKey, title, text, link string) error {
	if len(n.OnDuty) == 0 {
		return nil
	}
	m := &models.OutboxMessage{
		DedupKey: dedupKey, Channel: models.ChannelWeCom, To: strings.Join(n.OnDuty, "|"),
		Title: title, Text: text, URL: strings.TrimRight(n.PublicURL, "/") + link,
	}
	if s, ok := crisisSubject(tx, dedupKey, link); ok { // a crisis alert carries 我来跟进
		m.Channel, m.Data = models.ChannelWeComCard, s.JSON()
	}
	return n.Store.EnqueueInTx(tx, m)
}

// ToResidentTx enqueues a customer-service text to a resident inside tx; when the
// 48-hour window has closed and templateKind names a configured template, the
// worker sends that template instead.
func (n *Notifier) ToResidentTx(tx *gorm.DB, dedupKey, openID, title, text, templateKind string) error {
	return n.Store.EnqueueInTx(tx, &models.OutboxMessage{
		DedupKey: dedupKey, Channel: models.ChannelCustomer, To: openID,
		Title: title, Text: text, FallbackTemplate: n.Templates[templateKind],
	})
}

// ToResident is ToResidentTx on its own.
func (n *Notifier) ToResident(ctx context.Context, dedupKey, openID, title, text, templateKind string) error {
	return n.ToResidentTx(n.Store.Handle().WithContext(ctx), dedupKey, openID, title, text, templateKind)
}
