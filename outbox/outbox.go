// Package outbox addresses notices (models.Notice: to a resident with its
// template fallback, to staff with a link into the admin) and delivers the
// stored ones (customer-service messages, template messages, WeCom
// notifications to staff) with retry and back-off. It never sees the database:
// the store writes notices, inside the transaction of the change that causes
// them. Every copy of the bot runs a worker; each message is claimed in the
// database, so nothing is sent twice and nothing is skipped.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"familybot/models"
)

// Queue is the stored outbox the worker delivers from (store.Store). outbox
// depends on this interface, not on the store, so feature packages that enqueue
// never pull in the database.
type Queue interface {
	ClaimOutbox(ctx context.Context, worker string, n int, lease time.Duration) ([]models.OutboxMessage, error)
	MarkOutboxSent(ctx context.Context, id uint64, worker string) error
	MarkOutboxRetry(ctx context.Context, id uint64, worker string, next time.Time, errText string) error
	MarkOutboxFailed(ctx context.Context, id uint64, worker string, errText string) error
	SwitchOutboxToTemplate(ctx context.Context, id uint64, worker string) error
}

// Sender is the transport: the wechat package implements it against the real APIs.
type Sender interface {
	SendCustomerText(ctx context.Context, openID, text string) error
	SendTemplate(ctx context.Context, openID, templateID, url string, data map[string]string) error
	SendWeComTextCard(ctx context.Context, toUsers []string, title, description, url string) error
}

// Permanent marks an error that retrying cannot fix (unsubscribed, outside the 48-hour window …).
type Permanent struct {
	Code int64
	Err  error
}

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// ErrWindowClosed is wrapped in a Permanent when a customer message is refused
// because the resident has not written within 48 hours.
var ErrWindowClosed = errors.New("outside the 48-hour customer-service window")

// Worker delivers due messages.
type Worker struct {
	Store       Queue
	Sender      Sender
	ID          string        // this copy's name, for claims
	Lease       time.Duration // how long a claim lasts
	MaxAttempts int
	Batch       int
	Now         func() time.Time
	// Templates maps a template ID to its fields: template field (thing1 …) →
	// value (title, text, time, date, assoc), from official_account.templates.
	Templates map[string]map[string]string
	// Association is the name filled into an "assoc" field.
	Association string
	// Backoff returns the delay before attempt n+1 (n starts at 1).
	Backoff func(n int) time.Duration
	// OnResult is called after each delivery attempt (for metrics); may be nil.
	OnResult func(channel, outcome string)
}

// DefaultBackoff doubles from 10 s up to 30 min.
func DefaultBackoff(n int) time.Duration {
	d := 10 * time.Second << (n - 1)
	if n > 12 || d > 30*time.Minute {
		return 30 * time.Minute
	}
	return d
}

// RunOnce claims and delivers one batch; it returns how many were attempted.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	lease, batch, max := w.Lease, w.Batch, w.MaxAttempts
	if lease <= 0 {
		lease = time.Minute
	}
	if batch <= 0 {
		batch = 20
	}
	if max <= 0 {
		max = 8
	}
	backoff := w.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	msgs, err := w.Store.ClaimOutbox(ctx, w.ID, batch, lease)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		err := w.deliver(ctx, m)
		outcome := "sent"
		var perm *Permanent
		switch {
		case err == nil:
			err = w.Store.MarkOutboxSent(ctx, m.ID, w.ID)
		case errors.As(err, &perm) && errors.Is(perm, ErrWindowClosed) && m.Channel == models.ChannelCustomer && m.FallbackTemplate != "":
			outcome = "fallback_template"
			err = w.Store.SwitchOutboxToTemplate(ctx, m.ID, w.ID)
		case errors.As(err, &perm):
			outcome = "failed"
			err = w.Store.MarkOutboxFailed(ctx, m.ID, w.ID, err.Error())
		case m.Attempts+1 >= max:
			outcome = "failed"
			err = w.Store.MarkOutboxFailed(ctx, m.ID, w.ID, "gave up after "+fmt.Sprint(m.Attempts+1)+" attempts: "+err.Error())
		default:
			outcome = "retry"
			err = w.Store.MarkOutboxRetry(ctx, m.ID, w.ID, w.now().Add(backoff(m.Attempts+1)), err.Error())
		}
		if w.OnResult != nil {
			w.OnResult(string(m.Channel), outcome)
		}
		if err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

func (w *Worker) deliver(ctx context.Context, m models.OutboxMessage) error {
	if w.Sender == nil {
		return errors.New("no sender configured")
	}
	switch m.Channel {
	case models.ChannelCustomer:
		return w.Sender.SendCustomerText(ctx, m.To, m.Text)
	case models.ChannelTemplate:
		data := map[string]string{}
		if m.Data != "" {
			if err := jsonUnmarshal(m.Data, &data); err != nil {
				return &Permanent{Err: fmt.Errorf("bad template data: %v", err)}
			}
		}
		if len(data) == 0 {
			fields, ok := w.Templates[m.Template]
			if !ok || len(fields) == 0 {
				// WeChat fills no first/remark any more: a template without its
				// field map would arrive blank, so it is not sent at all.
				return &Permanent{Err: fmt.Errorf("template %s has no fields configured (official_account.templates.*.fields)", m.Template)}
			}
			data = TemplateData(fields, w.templateValues(m))
		}
		return w.Sender.SendTemplate(ctx, m.To, m.Template, m.URL, data)
	case models.ChannelWeCom:
		return w.Sender.SendWeComTextCard(ctx, strings.Split(m.To, "|"), m.Title, m.Text, m.URL)
	case models.ChannelWeComCard:
		return w.deliverCard(ctx, m)
	case models.ChannelWeComUpdate:
		return w.deliverCardUpdate(ctx, m)
	}
	return &Permanent{Err: fmt.Errorf("unknown channel %q", m.Channel)}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now().UTC()
}

// Run delivers until ctx ends, polling every interval.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := w.RunOnce(ctx)
			if err != nil || n == 0 || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
