package wechat

import (
	"context"
	"encoding/json"
	"time"

	"familybot/bot"
	"familybot/models"
)

// Inbox keeps the messages the webhook acknowledged with "success" before
// their answer was ready (store.Store).
type Inbox interface {
	PutInboxMessage(ctx context.Context, key, owner, payload string, lease time.Duration) error
	DeleteInboxMessage(ctx context.Context, key string) error
	ClaimInboxMessages(ctx context.Context, owner string, lease time.Duration, n int) ([]models.InboxMessage, error)
}

// inboxLease outlasts the bot's 30 s budget: a message still leased has an owner
// that is alive and working on it.
const inboxLease = 2 * time.Minute

// keep writes the message to the inbox before the webhook says "success". The
// write gets a short time of its own: WeChat gives up at 5 s. When the
// database cannot take it, the message is still finished by this copy, and
// shutdown waits for it (Drain).
func (w *Webhook) keep(key string, in bot.Inbound) bool {
	if w.Inbox == nil {
		return false
	}
	payload, err := json.Marshal(in)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	if err := w.Inbox.PutInboxMessage(ctx, key, w.Owner, string(payload), inboxLease); err != nil {
		w.logWarn("could not keep a late message in the inbox", err)
		return false
	}
	return true
}

// release forgets a kept message once its answer is queued.
func (w *Webhook) release(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.Inbox.DeleteInboxMessage(ctx, key); err != nil {
		// Its lease runs out and another copy answers it again: the answer's
		// outbox key is the same, so the resident still gets it once.
		w.logWarn("could not clear a message from the inbox", err)
	}
}

// Recover takes over kept messages whose owner stopped before answering them
// (on start and periodically, on every copy), runs the bot on each and queues
// its answer. It returns how many it took.
func (w *Webhook) Recover(ctx context.Context) (int, error) {
	if w.Inbox == nil {
		return 0, nil
	}
	msgs, err := w.Inbox.ClaimInboxMessages(ctx, w.Owner, inboxLease, 50)
	for _, m := range msgs {
		var in bot.Inbound
		if json.Unmarshal([]byte(m.Payload), &in) != nil || in.OpenID == "" {
			w.release(m.MsgKey) // nothing anyone could answer
			continue
		}
		w.background(func() {
			w.deliver(context.Background(), m.MsgKey, in.OpenID, w.handle(context.Background(), in))
			w.release(m.MsgKey)
		})
	}
	return len(msgs), err
}
