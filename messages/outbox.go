package messages

import (
	"context"

	"familybot/models"
	"familybot/wishwall"
)

// OutboxStore is what the 发送失败 views need from storage (implemented by *store.Store).
type OutboxStore interface {
	ListOutbox(ctx context.Context, status models.OutboxStatus, limit int) ([]models.OutboxMessage, error)
	ListNotices(ctx context.Context, about models.Subject, kinds []models.NoticeKind, limit int) ([]models.OutboxMessage, error)
	OutboxStats(ctx context.Context) (map[string]int64, error)
	RequeueOutbox(ctx context.Context, id uint64) error
}

// Outbox is the outbound side of the log: what the outbox could not deliver,
// what a resident was sent about a wish, and sending a failed message again.
type Outbox struct {
	Store OutboxStore
}

// failedShown bounds the 发送失败 list.
const failedShown = 100

// Failed returns the latest messages the outbox gave up on, and how many
// messages are in each state.
func (o *Outbox) Failed(ctx context.Context) ([]models.OutboxMessage, map[string]int64, error) {
	list, err := o.Store.ListOutbox(ctx, models.OutboxFailed, failedShown)
	if err != nil {
		return nil, nil, err
	}
	stats, err := o.Store.OutboxStats(ctx)
	return list, stats, err
}

// Stats is how many messages are in each state (pending, sent, failed).
func (o *Outbox) Stats(ctx context.Context) (map[string]int64, error) {
	return o.Store.OutboxStats(ctx)
}

// Retry puts a failed message back in the queue.
func (o *Outbox) Retry(ctx context.Context, id uint64) error { return o.Store.RequeueOutbox(ctx, id) }

// WishNotices returns what the resident was sent about wish id: replies and
// status changes, in the order the store keeps them.
func (o *Outbox) WishNotices(ctx context.Context, id uint64) ([]models.OutboxMessage, error) {
	return o.Store.ListNotices(ctx, models.WishSubject(id), wishwall.ResidentNotices, 50)
}
