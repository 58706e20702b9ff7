package handlers

import (
	"context"

	"familybot/models"
)

// NavCounts are the badges on the nav tabs, so work waiting anywhere shows on
// every page.
type NavCounts struct {
	Failed   int64 // messages the outbox gave up on (发送失败)
	LowRated int64 // low-rated wishes nobody has called back yet (心愿)
}

// navCounts counts what the nav shows for st. A count that cannot be read is
// left at zero: the page itself matters more than its badge.
func (s *Server) navCounts(ctx context.Context, st models.Staff) NavCounts {
	var n NavCounts
	if stats, err := s.Store.OutboxStats(ctx); err == nil {
		n.Failed = stats[models.OutboxFailed]
	}
	if s.Wishes != nil {
		n.LowRated, _ = s.Wishes.LowRatedWaiting(ctx, st)
	}
	return n
}
