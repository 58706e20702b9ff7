package knowledge

import (
	"familybot/models"
	"testing"
	"time"
)

// A remembered verdict must follow the calendar: the seasonal heat-stroke
// entry (effective 2025-06-01, expiring 2025-09-01 in Beijing) is answered up to
// the last second of August and not from the first second of September, even
// when the same question was asked a moment before.
func TestRememberedVerdictsFollowTheCalendar(t *testing.T) {
	ix := fixtureIndex(t)
	q := "天热老人中暑了"
	for _, tc := range []struct {
		at   time.Time
		want Decision
	}{
		{summer, Answer},
		{time.Date(2025, 8, 31, 23, 59, 59, 0, models.Beijing), Answer},
		{time.Date(2025, 9, 1, 0, 0, 0, 0, models.Beijing), NoMatch},
		{time.Date(2025, 9, 2, 0, 0, 0, 0, models.Beijing), NoMatch},
		{summer, Answer},
		{time.Date(2025, 5, 31, 23, 59, 59, 0, models.Beijing), NoMatch},
		{time.Date(2025, 6, 1, 0, 0, 0, 0, models.Beijing), Answer},
	} {
		if r := ix.Match(q, tc.at); r.Decision != tc.want {
			t.Errorf("at %v: %s, want %s", tc.at, r.Decision, tc.want)
		}
	}
}

// Asking again gives exactly the verdict of a fresh match, and a caller that
// changes its result cannot change what the next resident is told.
func TestRememberedVerdictsEqualFreshOnes(t *testing.T) {
	ix := fixtureIndex(t)
	for _, q := range []string{"宝宝发烧了怎么办", "寶寶發燒怎麼辦", "发烧", "今天天气怎么样", "高血亚的标准是多少", "？？？"} {
		fresh := ix.match(Normalize(q), summer, true, Hint{})
		for range 2 { // the first answer is remembered, the second comes from memory
			if r := ix.Match(q, summer); len(r.Top) > 0 {
				r.Top[0] = Candidate{} // a careless caller
			}
		}
		again := ix.Match(q, summer)
		if again.Decision != fresh.Decision || again.Normalized != fresh.Normalized || len(again.Top) != len(fresh.Top) {
			t.Fatalf("%s: again %s/%d, fresh %s/%d", q, again.Decision, len(again.Top), fresh.Decision, len(fresh.Top))
		}
		for i := range fresh.Top {
			if again.Top[i].Entry != fresh.Top[i].Entry || again.Top[i].Score != fresh.Top[i].Score {
				t.Errorf("%s: candidate %d differs: %v %.3f, want %v %.3f", q, i,
					again.Top[i].Entry, again.Top[i].Score, fresh.Top[i].Entry, fresh.Top[i].Score)
			}
		}
	}
}

// Staff edits build a new index, which must not answer from the old one's memory.
func TestNewIndexForgetsOldVerdicts(t *testing.T) {
	entries := mustFixture(t)
	old := NewIndex(entries, DefaultOptions())
	if r := old.Match("宝宝发烧了怎么办", summer); r.Decision != Answer || r.Top[0].Entry.Slug != "parenting-fever" {
		t.Fatalf("fixture no longer answers the fever question: %s", r.Decision)
	}
	var edited []Entry
	for _, e := range entries {
		if e.Slug == "parenting-fever" {
			e.Disabled = true
		}
		edited = append(edited, e)
	}
	b := NewBase(old)
	b.Replace(NewIndex(edited, DefaultOptions()))
	r := b.Index().Match("宝宝发烧了怎么办", summer)
	for _, c := range r.Top {
		if c.Entry.Slug == "parenting-fever" {
			t.Fatalf("the disabled entry is still offered (%s)", r.Decision)
		}
	}
}

// Decide (the bot's path) reaches Match's decision without building the
// reasons; a verdict remembered by Decide does not rob staff of the reasons.
func TestDecideEqualsMatchWithoutReasons(t *testing.T) {
	ix := fixtureIndex(t)
	for _, q := range []string{"宝宝发烧了怎么办", "发烧", "今天天气怎么样", "高血亚的标准是多少", "我爸发烧两天了"} {
		d := ix.Decide(q, summer)
		m := ix.Match(q, summer)
		if d.Decision != m.Decision || len(d.Top) != len(m.Top) {
			t.Fatalf("%s: Decide %s/%d, Match %s/%d", q, d.Decision, len(d.Top), m.Decision, len(m.Top))
		}
		for i := range m.Top {
			if d.Top[i].Entry != m.Top[i].Entry || d.Top[i].Score != m.Top[i].Score {
				t.Errorf("%s: candidate %d differs", q, i)
			}
			if len(d.Top[i].Why) != 0 {
				t.Errorf("%s: Decide built reasons", q)
			}
			if len(m.Top[i].Why) == 0 {
				t.Errorf("%s: Match after Decide has no reasons for candidate %d", q, i)
			}
		}
	}
}

// Entries out of season must not take the places of live ones among the
// candidates scored in full: twenty expired copies of the fever entry leave
// the live one answering.
func TestExpiredEntriesDoNotCrowdOutLiveOnes(t *testing.T) {
	entries := mustFixture(t)
	var fever Entry
	for _, e := range entries {
		if e.Slug == "parenting-fever" {
			fever = e
		}
	}
	gone := time.Date(2025, 1, 1, 0, 0, 0, 0, models.Beijing)
	for i := range 2 * maxScored {
		e := fever
		e.ID, e.Slug, e.ExpiresAt = uint(1000+i), fever.Slug+"-old-"+string(rune('a'+i)), &gone
		entries = append(entries, e)
	}
	r := NewIndex(entries, DefaultOptions()).Decide("宝宝发烧了怎么办", summer)
	if r.Decision != Answer || r.Top[0].Entry.Slug != "parenting-fever" {
		t.Fatalf("with expired copies: %s", r.Decision)
	}
}
