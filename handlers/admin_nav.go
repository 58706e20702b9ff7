package handlers

import (
	"context"

	"familybot/models"
)

// NavCounts are the badges on the nav tabs, so work waiting anywhere shows on
// every page.
type NavCounts struct {
	Failed     int64 // messages the outbox gave up on (发送失败)
	LowRated   int64 // low-rated wishes nobody has called back yet (心愿)
	OpenWishes int64 // wishes still to be done that st may see (心愿)
	Unanswered int64 // questions the bot could not answer, not yet dealt with (留言)
	Handoffs   int64 // residents waiting for a person (人工)
}

// navCounts counts what the nav shows for st. A count that cannot be read is
// left at zero: the page itself matters more than its badge.
func (s *Server) navCounts(ctx context.Context, st models.Staff) NavCounts {
	var n NavCounts
	if s.Outbox != nil {
		if stats, err := s.Outbox.Stats(ctx); err == nil {
			n.Failed = stats[string(models.OutboxFailed)]
		}
	}
	if s.Wishes != nil {
		n.LowRated, _ = s.Wishes.LowRatedWaiting(ctx, st)
		if counts, _, err := s.Wishes.Counts(ctx, st); err == nil {
			for _, status := range models.WishOpenStatuses {
				n.OpenWishes += counts[status]
			}
		}
	}
	// The same list as 未能回答的问题 in the knowledge base, so the two numbers agree.
	if s.Knowledge != nil {
		if gs, err := s.Knowledge.Unanswered(ctx); err == nil {
			n.Unanswered = int64(len(gs))
		}
	}
	if s.Handoffs != nil {
		n.Handoffs, _ = s.Handoffs.OpenHandoffs(ctx)
	}
	return n
}
