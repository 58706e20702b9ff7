package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"familybot/models"
	"familybot/report"
	"familybot/store"
	"familybot/store/storetest"
)

// bj is a Beijing wall-clock time as a UTC instant.
func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, models.Beijing)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func ptr(t time.Time) *time.Time { return &t }

// scriptMonth writes a month of activity (November 2026, Beijing time) with
// activity just outside it on both sides.
func scriptMonth(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	db := s.DB.WithContext(ctx)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	msg := func(at, openID, kind string, route models.Route, cat, text string) {
		must(s.InsertMessages(ctx, []models.Message{{OpenID: openID, Kind: kind, Route: route, Category: cat, Text: text, CreatedAt: bj(at)}}))
	}
	// 10 messages in November from 4 residents; 1 on each side outside it.
	msg("2026-10-31 23:30", "r0", "text", models.RouteFAQ, "parenting", "宝宝发烧")    // October in Beijing
	msg("2026-11-01 00:10", "r1", "text", models.RouteFAQ, "parenting", "宝宝发烧怎么办") // November (Oct 31 UTC)
	msg("2026-11-03 10:00", "r1", "voice", models.RouteFAQ, "parenting", "宝宝拉肚子")
	msg("2026-11-05 10:00", "r2", "text", models.RouteFAQ, "elderly", "血压高")
	msg("2026-11-06 10:00", "r2", "text", models.RouteKeyword, "", "地址")
	msg("2026-11-07 10:00", "r3", "text", models.RouteCommand, "", "活动")
	msg("2026-11-08 10:00", "r3", "text", models.RouteFlow, "", "")
	msg("2026-11-09 10:00", "r3", "text", models.RouteFallback, "", "医保卡怎么办")
	msg("2026-11-10 10:00", "r4", "text", models.RouteFallback, "", "医保卡怎么办")
	msg("2026-11-11 10:00", "r4", "text", models.RouteCrisis, "", "")
	msg("2026-11-30 23:50", "r4", "text", models.RouteChat, "", "谢谢")
	msg("2026-11-12 10:00", "r5", "event", models.RouteEvent, "", "subscribe ") // not a resident's message
	msg("2026-12-01 00:05", "r6", "text", models.RouteFAQ, "elderly", "血压")     // December

	// Events: two held in November (one parent-child, one clinic), one cancelled, one in December.
	ev := func(title, cat string, status models.EventStatus, start string) models.Event {
		e := models.Event{Title: title, Category: cat, Status: status, StartAt: bj(start), EndAt: ptr(bj(start).Add(2 * time.Hour)), Capacity: 10}
		must(db.Create(&e).Error)
		return e
	}
	e1 := ev("绘本时光", models.EventParentChild, models.EventOpen, "2026-11-15 09:30")
	e2 := ev("义诊", models.EventClinic, models.EventOpen, "2026-11-20 09:00")
	ev("取消的讲座", models.EventElderly, models.EventCancelled, "2026-11-22 09:00")
	e4 := ev("十二月活动", models.EventParentChild, models.EventOpen, "2026-12-10 09:00")
	yes := true
	n := 0
	su := func(e models.Event, openID string, status models.SignupStatus, at string, f func(*models.Signup)) {
		n++
		x := models.Signup{EventID: e.ID, OpenID: openID, AttendeeKey: fmt.Sprintf("k%d", n), Status: status,
			CheckinCode: fmt.Sprintf("C%03d", n), CreatedAt: bj(at)}
		if status != models.SignupCancelled {
			x.Active = &yes
		}
		if f != nil {
			f(&x)
		}
		must(db.Create(&x).Error)
	}
	su(e1, "p1", models.SignupConfirmed, "2026-11-02 10:00", func(x *models.Signup) { x.CheckedInAt, x.ChildAgeMonths = ptr(bj("2026-11-15 09:20")), 18 })
	su(e1, "p2", models.SignupConfirmed, "2026-11-02 11:00", func(x *models.Signup) { x.ChildAgeMonths = 30 }) // no-show
	su(e1, "p3", models.SignupConfirmed, "2026-11-03 10:00", func(x *models.Signup) {
		x.PromotedAt, x.CheckedInAt, x.ChildAgeMonths = ptr(bj("2026-11-10 10:00")), ptr(bj("2026-11-15 09:25")), 8
	})
	su(e1, "p4", models.SignupCancelled, "2026-11-03 12:00", func(x *models.Signup) { x.CancelledAt = ptr(bj("2026-11-04 10:00")) })
	su(e2, "p1", models.SignupConfirmed, "2026-11-10 10:00", func(x *models.Signup) { x.CheckedInAt = ptr(bj("2026-11-20 09:05")) })
	su(e4, "p5", models.SignupConfirmed, "2026-11-25 10:00", nil)  // event not held yet: neither check-in nor no-show
	su(e4, "p6", models.SignupWaitlisted, "2026-11-26 10:00", nil) // waiting
	su(e1, "p0", models.SignupConfirmed, "2026-10-30 10:00", nil)  // October

	// Wishes.
	w := func(created string, f func(*models.Wish)) {
		x := models.Wish{OpenID: "w", Text: "希望多办讲座", Category: models.WishCatActivity, Status: models.WishPending, CreatedAt: bj(created)}
		if f != nil {
			f(&x)
		}
		must(db.Create(&x).Error)
	}
	w("2026-10-20 10:00", func(x *models.Wish) { // October, finished in November, rated 2, called back
		x.Status, x.ReplyCount, x.AcceptedAt, x.FinishedAt = models.WishDone, 1, ptr(bj("2026-10-21 10:00")), ptr(bj("2026-11-02 10:00"))
		x.Rating, x.RatedAt, x.FollowedUpAt = 2, ptr(bj("2026-11-03 10:00")), ptr(bj("2026-11-04 10:00"))
	})
	w("2026-11-01 10:00", func(x *models.Wish) { // accepted in 24 h, finished in 4 days, rated 5
		x.Status, x.ReplyCount, x.AcceptedAt, x.FinishedAt = models.WishDone, 1, ptr(bj("2026-11-02 10:00")), ptr(bj("2026-11-05 10:00"))
		x.Rating, x.RatedAt = 5, ptr(bj("2026-11-06 10:00"))
	})
	w("2026-11-05 10:00", func(x *models.Wish) { // accepted after 5 days (late), in progress
		x.Status, x.AcceptedAt = models.WishInProgress, ptr(bj("2026-11-10 10:00"))
	})
	w("2026-11-06 10:00", func(x *models.Wish) { x.Status, x.FinishedAt = models.WishRejected, ptr(bj("2026-11-07 10:00")) })
	w("2026-11-28 10:00", nil) // pending
	w("2026-09-01 10:00", func(x *models.Wish) {
		x.Status, x.ReplyCount, x.FinishedAt = models.WishDone, 1, ptr(bj("2026-09-03 10:00"))
	})

	// Crisis messages: two in November (one handled in 30 minutes), one in December.
	must(s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "c1", Kind: "suicide", Text: "x", CreatedAt: bj("2026-11-11 10:00"), HandledAt: ptr(bj("2026-11-11 10:30"))}))
	must(s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "c2", Kind: "medical", Text: "y", CreatedAt: bj("2026-11-12 10:00")}))
	must(s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "c3", Kind: "medical", Text: "z", CreatedAt: bj("2026-12-02 10:00")}))

	// Knowledge work.
	for _, a := range []struct{ action, at string }{{"kb.entry.create", "2026-11-04 10:00"}, {"kb.entry.save", "2026-11-05 10:00"},
		{"kb.entry.save", "2026-11-06 10:00"}, {"kb.entry.save", "2026-12-06 10:00"}} {
		must(db.Create(&models.AuditLog{Actor: "boss", Action: a.action, CreatedAt: bj(a.at)}).Error)
	}
	must(db.Create(&models.KBReview{EntryID: 1, ContentHash: "h", ReviewerID: "dr", CreatedAt: bj("2026-11-09 10:00")}).Error)
}

func TestReportOfAMonth(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		s.Now = func() time.Time { return bj("2026-12-06 12:00") }
		scriptMonth(t, s)
		r, err := report.Build(context.Background(), s, "2026-11-01", "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if r.Period.Label != "2026年11月" {
			t.Errorf("label %q", r.Period.Label)
		}
		e := r.Events
		if e.Held != 2 || e.Signups != 7 || e.Confirmed != 5 || e.CheckedIn != 3 || e.NoShows != 1 || e.WaitlistPromoted != 1 || e.Cancelled != 1 {
			t.Errorf("events %+v", e)
		}
		if e.CheckinRate == nil || *e.CheckinRate != 0.75 {
			t.Errorf("check-in rate %v, want 3 of 4 at events already over", e.CheckinRate)
		}
		if fmt.Sprint(e.HeldByCategory) != "[{亲子活动 1} {义诊 1}]" {
			t.Errorf("by category %v", e.HeldByCategory)
		}
		m := r.Messages
		if m.Total != 10 || m.Answered != 6 || m.Unanswered != 2 || m.Crisis != 1 || m.SmallTalk != 1 {
			t.Errorf("messages %+v", m)
		}
		if m.AnsweredRate == nil || *m.AnsweredRate != 0.75 {
			t.Errorf("answered rate %v", m.AnsweredRate)
		}
		if fmt.Sprint(m.ByArea) != "[{科学育儿 2} {青春健康 0} {老年保健 1} {协会服务 0}]" {
			t.Errorf("by area %v", m.ByArea)
		}
		if len(m.TopUnanswered) != 1 || m.TopUnanswered[0] != (report.Count{Label: "医保卡怎么办", N: 2}) {
			t.Errorf("top unanswered %v", m.TopUnanswered)
		}
		if r.Residents.Distinct != 4 || r.Residents.Families != 6 {
			t.Errorf("residents %+v", r.Residents)
		}
		if fmt.Sprint(r.Residents.ChildrenByAge) != "[{1岁以下 1} {1–2岁 1} {2–3岁 1} {3–6岁 0} {6岁及以上 0}]" {
			t.Errorf("children %v", r.Residents.ChildrenByAge)
		}
		w := r.Wishes
		if w.Received != 4 || w.Answered != 2 || w.Accepted != 2 || w.Finished != 2 || w.Rejected != 1 || w.AcceptedOnTime != 1 || w.FinishedOnTime != 2 {
			t.Errorf("wishes %+v", w)
		}
		if w.AvgRating == nil || *w.AvgRating != 3.5 || w.Ratings != [5]int{0, 1, 0, 0, 1} || w.LowRatings != 1 || w.LowFollowedUp != 1 {
			t.Errorf("ratings %v %v low %d (followed up %d)", w.AvgRating, w.Ratings, w.LowRatings, w.LowFollowedUp)
		}
		if w.MedianHoursToAccept == nil || *w.MedianHoursToAccept != (24+120)/2.0 {
			t.Errorf("median hours to accept %v", w.MedianHoursToAccept)
		}
		if w.AnsweredTotal != 4 {
			t.Errorf("answered since the start %d, want 4 (Sept, Oct, and two of November)", w.AnsweredTotal)
		}
		c := r.Crisis
		if c.Total != 2 || c.Unhandled != 1 || c.MedianMinutesToHandle == nil || *c.MedianMinutesToHandle != 30 {
			t.Errorf("crisis %+v", c)
		}
		if r.Knowledge != (report.Knowledge{Added: 1, Edited: 2, Reviewed: 1}) {
			t.Errorf("knowledge %+v", r.Knowledge)
		}
		if len(r.Months) != 12 || r.Months[11].Month != "2026-11" || r.Months[11].Messages != 10 || r.Months[10].Messages != 1 ||
			r.Months[11].Signups != 7 || r.Months[10].Signups != 1 || r.Months[11].Wishes != 4 {
			t.Errorf("months %+v", r.Months[10:])
		}
		// The contract scripts read.
		b, _ := json.Marshal(r)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		got := map[string]map[string]any{}
		for _, sec := range []string{"period", "events", "wishes", "messages", "residents"} {
			m := map[string]any{}
			if err := json.Unmarshal(raw[sec], &m); err != nil {
				t.Fatalf("%s: %v", sec, err)
			}
			got[sec] = m
		}
		for sec, keys := range map[string][]string{"period": {"from", "to"}, "events": {"held", "signups", "confirmed", "checked_in", "waitlist_promoted", "cancelled"},
			"wishes": {"received", "answered", "finished", "rejected", "avg_rating"}, "messages": {"total", "answered", "unanswered", "crisis"}, "residents": {"distinct"}} {
			for _, k := range keys {
				if _, ok := got[sec][k]; !ok {
					t.Errorf("JSON lacks %s.%s", sec, k)
				}
			}
		}

		// A quarter and a range label; a range the wrong way round is refused.
		if q, err := report.Build(context.Background(), s, "2026-10-01", "2026-12-31"); err != nil || q.Period.Label != "2026年第4季度" || q.Messages.Total != 12 {
			t.Errorf("quarter: %v %q %d", err, q.Period.Label, q.Messages.Total)
		}
		if _, err := report.Build(context.Background(), s, "2026-11-30", "2026-11-01"); !models.IsCode(err, models.EINVALID) {
			t.Errorf("reversed range: %v", err)
		}
	})
}
