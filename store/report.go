package store

import (
	"context"
	"time"

	"familybot/models"
	"familybot/report"
)

// The service report's reads (report.Source). Each is one aggregate or a
// narrow column list over an indexed time range; the report runs a few dozen
// of them, on demand, for staff.

var residentKinds = []string{"text", "voice"}

// MessageCounts counts residents' text and voice messages by route and category.
func (s *Store) MessageCounts(ctx context.Context, from, to time.Time) ([]report.RouteCount, error) {
	var out []report.RouteCount
	err := s.DB.WithContext(ctx).Model(&models.Message{}).
		Where("created_at >= ? AND created_at < ? AND kind IN ?", from.UTC(), to.UTC(), residentKinds).
		Select("route, category, count(*) AS n").Group("route, category").Scan(&out).Error
	return out, err
}

// DistinctResidents counts residents who sent a text or voice message.
func (s *Store) DistinctResidents(ctx context.Context, from, to time.Time) (int, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.Message{}).
		Where("created_at >= ? AND created_at < ? AND kind IN ?", from.UTC(), to.UTC(), residentKinds).
		Distinct("open_id").Count(&n).Error
	return int(n), err
}

// TopAnswered lists the entries answered most often, with their titles.
func (s *Store) TopAnswered(ctx context.Context, from, to time.Time, n int) ([]report.Count, error) {
	var out []report.Count
	err := s.DB.WithContext(ctx).Table("messages AS m").
		Select("COALESCE(k.title, '') AS label, count(*) AS n").
		Joins("LEFT JOIN kb_entries AS k ON k.id = m.entry_id").
		Where("m.entry_id > 0 AND m.route = ? AND m.created_at >= ? AND m.created_at < ?", models.RouteFAQ, from.UTC(), to.UTC()).
		Group("m.entry_id, k.title").Order("n DESC, m.entry_id").Limit(n).Scan(&out).Error
	return out, err
}

// TopUnanswered lists the questions most often left to the fallback, as
// stored (the message log keeps them with numbers masked).
func (s *Store) TopUnanswered(ctx context.Context, from, to time.Time, n int) ([]report.Count, error) {
	var out []report.Count
	err := s.DB.WithContext(ctx).Model(&models.Message{}).
		Select("text AS label, count(*) AS n").
		Where("route = ? AND text <> '' AND created_at >= ? AND created_at < ?", models.RouteFallback, from.UTC(), to.UTC()).
		Group("text").Order("n DESC, label").Limit(n).Scan(&out).Error
	return out, err
}

// SignupsMade returns the sign-ups made in the period (no names, no phones).
func (s *Store) SignupsMade(ctx context.Context, from, to time.Time) ([]report.SignupRow, error) {
	var rows []struct {
		OpenID         string
		Status         models.SignupStatus
		PromotedAt     *time.Time
		CheckedInAt    *time.Time
		ChildAgeMonths int
		StartAt        time.Time
		EndAt          *time.Time
	}
	err := s.DB.WithContext(ctx).Table("signups AS su").
		Select("su.open_id, su.status, su.promoted_at, su.checked_in_at, su.child_age_months, e.start_at, e.end_at").
		Joins("JOIN events AS e ON e.id = su.event_id").
		Where("su.created_at >= ? AND su.created_at < ?", from.UTC(), to.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := make([]report.SignupRow, len(rows))
	for i, r := range rows {
		end := r.StartAt
		if r.EndAt != nil {
			end = *r.EndAt
		}
		out[i] = report.SignupRow{OpenID: r.OpenID, Status: r.Status, Promoted: r.PromotedAt != nil,
			CheckedIn: r.CheckedInAt != nil, EventEnded: !now.Before(end), ChildAgeMonths: r.ChildAgeMonths}
	}
	return out, nil
}

// EventsHeld returns the events, not cancelled, that started in the period.
func (s *Store) EventsHeld(ctx context.Context, from, to time.Time) ([]models.Event, error) {
	var out []models.Event
	err := s.DB.WithContext(ctx).Select("id, category, start_at, end_at, status").
		Where("status = ? AND start_at >= ? AND start_at < ? AND start_at <= ?", models.EventOpen, from.UTC(), to.UTC(), s.Now()).
		Find(&out).Error
	return out, err
}

// WishesTouched returns wishes made, accepted, finished or rated in the period, without their text.
func (s *Store) WishesTouched(ctx context.Context, from, to time.Time) ([]models.Wish, error) {
	var out []models.Wish
	f, t := from.UTC(), to.UTC()
	err := s.DB.WithContext(ctx).
		Select("id, category, status, reply_count, rating, rated_at, followed_up_at, accepted_at, finished_at, created_at").
		Where("(created_at >= ? AND created_at < ?) OR (accepted_at >= ? AND accepted_at < ?) OR (finished_at >= ? AND finished_at < ?) OR (rated_at >= ? AND rated_at < ?)",
			f, t, f, t, f, t, f, t).
		Find(&out).Error
	return out, err
}

// WishesAnsweredBefore counts every wish made before to that got a reply, 办结 or 不予受理.
func (s *Store) WishesAnsweredBefore(ctx context.Context, to time.Time) (int, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.Wish{}).
		Where("created_at < ? AND (reply_count > 0 OR finished_at IS NOT NULL)", to.UTC()).Count(&n).Error
	return int(n), err
}

// CrisisEvents returns the period's crisis messages: kind and times, never the text.
func (s *Store) CrisisEvents(ctx context.Context, from, to time.Time) ([]models.CrisisEvent, error) {
	var out []models.CrisisEvent
	err := s.DB.WithContext(ctx).Select("id, kind, handled_at, created_at").
		Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC()).Find(&out).Error
	return out, err
}

// AuditCounts counts audit-log rows by action.
func (s *Store) AuditCounts(ctx context.Context, from, to time.Time, actions []string) (map[string]int, error) {
	var rows []struct {
		Action string
		N      int
	}
	err := s.DB.WithContext(ctx).Model(&models.AuditLog{}).
		Where("created_at >= ? AND created_at < ? AND action IN ?", from.UTC(), to.UTC(), actions).
		Select("action, count(*) AS n").Group("action").Scan(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.Action] = r.N
	}
	return out, err
}

// KBReviews counts the doctors' reviews recorded in the period.
func (s *Store) KBReviews(ctx context.Context, from, to time.Time) (int, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.KBReview{}).
		Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC()).Count(&n).Error
	return int(n), err
}

var _ report.Source = (*Store)(nil)
