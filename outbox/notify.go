package outbox

import (
	"context"
	"encoding/json"
	"strings"

	"familybot/models"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// Enqueuer writes notices that no stored change causes (store.Store); the
// notices a change causes are handed to the store method making the change,
// which writes them in its own transaction.
type Enqueuer interface {
	Enqueue(ctx context.Context, notices ...models.Notice) error
}

// Notifier addresses notices: who is on duty, where the admin is, which
// template each kind of resident notice falls back to. It builds every notice
// the outbox sends; the store writes them.
type Notifier struct {
	Store     Enqueuer
	OnDuty    []string // WeCom UserIDs
	PublicURL string   // prefix for admin links
	// Templates are the template IDs, by kind, sent instead of a
	// customer-service message outside the 48-hour window.
	Templates map[models.TemplateKind]string
}

// ToResident addresses a customer-service notice to a resident, with no
// template to fall back to: a resident silent for 48 hours does not get it.
func ToResident(openID string, m models.Notice) models.Notice {
	m.Channel, m.To, m.Fallback = models.ChannelCustomer, []string{openID}, ""
	return m
}

// ToResident addresses a customer-service notice to a resident; when the
// 48-hour window has closed and tmpl is configured, the worker sends that
// template instead. A nil Notifier addresses it without a template.
func (n *Notifier) ToResident(openID string, tmpl models.TemplateKind, m models.Notice) models.Notice {
	m = ToResident(openID, m)
	if n != nil && tmpl != models.TemplateNone {
		m.Fallback = n.Templates[tmpl]
	}
	return m
}

// ToStaff addresses a WeCom notice to the given staff, linking to the admin
// page link ("/admin/wishes/12"). A new wish and a crisis message come as a
// card with buttons (受理 / 转给我, 我来跟进); one whose subject's id stays
// unknown goes as a plain textcard (models.Notice.Message). It returns none
// when nobody is to be told (or n is nil).
func (n *Notifier) ToStaff(to []string, link string, m models.Notice) []models.Notice {
	if n == nil || len(to) == 0 {
		return nil
	}
	m.Channel, m.To, m.URL = models.ChannelWeCom, to, strings.TrimRight(n.PublicURL, "/")+link
	if (m.Kind == models.NoticeWishNew || m.Kind == models.NoticeCrisisAlert) && m.About.Kind != "" {
		m.Channel = models.ChannelWeComCard
	}
	return []models.Notice{m}
}

// ToOnDuty is ToStaff to the staff on duty.
func (n *Notifier) ToOnDuty(link string, m models.Notice) []models.Notice {
	if n == nil {
		return nil
	}
	return n.ToStaff(n.OnDuty, link, m)
}

// AlertStaff tells the staff on duty at once (bot.Alerter); link is the admin page.
func (n *Notifier) AlertStaff(ctx context.Context, link string, m models.Notice) error {
	if msgs := n.ToOnDuty(link, m); len(msgs) > 0 {
		return n.Store.Enqueue(ctx, msgs...)
	}
	return nil
}

// SendResident sends a resident a customer-service text on its own, with no
// template fallback (wechat.Later: an answer that missed the webhook's reply).
func (n *Notifier) SendResident(ctx context.Context, openID string, m models.Notice) error {
	return n.Store.Enqueue(ctx, ToResident(openID, m))
}
