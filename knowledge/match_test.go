package knowledge

import (
	"familybot/models"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var summer = time.Date(2025, 7, 1, 10, 0, 0, 0, models.Beijing)

func fixtureIndex(t testing.TB) *Index {
	t.Helper()
	return NewIndex(mustFixture(t), DefaultOptions())
}

func TestMatch(t *testing.T) {
	ix := fixtureIndex(t)
	for _, tc := range []struct {
		q        string
		decision Decision
		slug     string // the answer, or the best candidate for Clarify
		why      string // a reason staff should see
	}{
		{"宝宝发烧了怎么办", Answer, "parenting-fever", "发烧"},
		{"寶寶發燒怎麼辦", Answer, "parenting-fever", "发烧"},
		{"娃发热咋整", Answer, "parenting-fever", "发热→发烧"},
		{"嗯就是那个我家娃一直拉稀啊", Answer, "parenting-diarrhea", "拉稀→腹泻"},
		{"高血亚的标准是多少", Answer, "elderly-hypertension", "高血亚→高血压（拼音）"},
		{"我妈血压有点高要紧吗", Answer, "elderly-hypertension", "高血压"},
		{"我爸发烧两天了", Answer, "elderly-fever", "发烧"},
		{"来例假肚子疼得厉害", Answer, "adolescent-period-pain", "痛经"},
		{"你们电话多少", Answer, "service-phone", "电话"},
		{"天热老人中暑了", Answer, "elderly-heatstroke", "中暑"},
		{"发烧", Clarify, "", ""},
		{"今天天气怎么样", NoMatch, "", ""},
		{"猫咪拉肚子怎么办", NoMatch, "", ""},
		{"股票发烧友交流群", NoMatch, "", ""},
		{"电脑中毒了怎么办", NoMatch, "", ""},
		{"给我写一首诗", NoMatch, "", ""},
		{"", NoMatch, "", ""},
		{"？？？", NoMatch, "", ""},
	} {
		t.Run(tc.q, func(t *testing.T) {
			r := ix.Match(tc.q, summer)
			if r.Decision != tc.decision {
				t.Fatalf("decision %s, want %s; %s", r.Decision, tc.decision, explain(r))
			}
			if tc.slug != "" && r.Top[0].Entry.Slug != tc.slug {
				t.Fatalf("top %s, want %s; %s", r.Top[0].Entry.Slug, tc.slug, explain(r))
			}
			if tc.why != "" && !strings.Contains(strings.Join(r.Top[0].Why, "；"), tc.why) {
				t.Errorf("why %v lacks %q", r.Top[0].Why, tc.why)
			}
			for _, c := range r.Top {
				if c.Score < 0 || c.Score > 1 {
					t.Errorf("score %v outside 0..1", c.Score)
				}
			}
			if len(r.Top) > 5 {
				t.Errorf("%d candidates", len(r.Top))
			}
		})
	}
}

func explain(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "read as %q:", r.Normalized)
	for _, c := range r.Top {
		fmt.Fprintf(&b, " [%s %.2f %s]", c.Entry.Slug, c.Score, strings.Join(c.Why, "；"))
	}
	return b.String()
}

func TestClarifyOffersTheCloseCandidates(t *testing.T) {
	r := fixtureIndex(t).Match("发烧", summer)
	if r.Decision != Clarify || len(r.Top) < 2 || len(r.Top) > 3 {
		t.Fatalf("%s %s", r.Decision, explain(r))
	}
	got := map[string]bool{}
	for _, c := range r.Top {
		got[c.Entry.Slug] = true
	}
	if !got["parenting-fever"] || !got["elderly-fever"] {
		t.Fatalf("both fever entries should be offered: %s", explain(r))
	}
}

func TestCounterExampleDropsTheEntry(t *testing.T) {
	ix := fixtureIndex(t)
	// 老人发烧怎么办 is a counter-example of the baby fever entry.
	r := ix.Match("老人发烧怎么办", summer)
	for _, c := range r.Top {
		if c.Entry.Slug == "parenting-fever" && (c.Score != 0 || !strings.Contains(strings.Join(c.Why, ""), "反例“老人发烧怎么办”")) {
			t.Fatalf("counter-example did not drop the entry: %s", explain(r))
		}
	}
	if r.Decision != Answer || r.Top[0].Entry.Slug != "elderly-fever" {
		t.Fatalf("%s %s", r.Decision, explain(r))
	}
	// Without the counter-example, the baby entry is still considered.
	entries := mustFixture(t)
	entries[1].CounterExamples = nil
	r = NewIndex(entries, DefaultOptions()).Match("老人发烧怎么办", summer)
	found := false
	for _, c := range r.Top {
		found = found || (c.Entry.Slug == "parenting-fever" && c.Score > 0)
	}
	if !found {
		t.Fatalf("baby entry not considered at all: %s", explain(r))
	}
}

func TestDatesAndDisabled(t *testing.T) {
	ix := fixtureIndex(t)
	for _, tc := range []struct {
		at   time.Time
		want Decision
	}{
		{time.Date(2025, 5, 31, 12, 0, 0, 0, models.Beijing), NoMatch},
		{summer, Answer},
		{time.Date(2025, 9, 1, 0, 0, 0, 0, models.Beijing), NoMatch},
	} {
		r := ix.Match("天热老人中暑了", tc.at)
		if r.Decision != tc.want {
			t.Errorf("at %v: %s, want %s; %s", tc.at, r.Decision, tc.want, explain(r))
		}
	}
	if ix.Len() != 7 {
		t.Errorf("Len %d, want 7 (the disabled entry is skipped)", ix.Len())
	}
	if _, ok := ix.Entry(8); ok {
		t.Error("the disabled entry is reachable by ID")
	}
	if e, ok := ix.Entry(1); !ok || e.Slug != "elderly-hypertension" {
		t.Errorf("Entry(1) = %v %v", e, ok)
	}
	if r := ix.Match("宝宝体检活动报名", summer); r.Decision == Answer && r.Top[0].Entry.Slug == "parenting-old-campaign" {
		t.Error("disabled entry answered")
	}
}

func TestAnswerIsReturnedExactlyAsWritten(t *testing.T) {
	entries := mustFixture(t)
	entries[1].Answer = "  1. 多喝水 🙂\n2. 觀察精神 "
	r := NewIndex(entries, DefaultOptions()).Match("宝宝发烧了怎么办", summer)
	if r.Decision != Answer || r.Top[0].Entry.Answer != entries[1].Answer {
		t.Fatalf("answer changed: %q", r.Top[0].Entry.Answer)
	}
}

func TestThresholdsDecide(t *testing.T) {
	entries := mustFixture(t)
	strict := NewIndex(entries, Options{AnswerThreshold: 0.99, ClarifyThreshold: 0.98})
	if r := strict.Match("宝宝发烧了怎么办", summer); r.Decision == Answer {
		t.Errorf("answered above a 0.99 threshold: %s", explain(r))
	}
	lax := NewIndex(entries, Options{AnswerThreshold: 0.05, ClarifyThreshold: 0.01})
	if r := lax.Match("宝宝发烧了怎么办", summer); r.Decision != Answer {
		t.Errorf("lax thresholds: %s", explain(r))
	}
}

func TestBaseSwapsWhileReading(t *testing.T) {
	entries := mustFixture(t)
	b := NewBase(NewIndex(entries, DefaultOptions()))
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if r := b.Index().Match("娃拉稀", summer); r.Decision != Answer {
					t.Errorf("concurrent match: %s", explain(r))
					return
				}
			}
		}()
	}
	for i := 0; i < 3; i++ {
		b.Replace(NewIndex(entries, DefaultOptions()))
	}
	wg.Wait()
}

func TestEmptyIndexAndNumbering(t *testing.T) {
	empty := NewIndex(nil, Options{})
	if r := empty.Match("宝宝发烧", summer); r.Decision != NoMatch || empty.Len() != 0 {
		t.Fatalf("empty index: %+v", r)
	}
	if o := empty.Options(); o != DefaultOptions() {
		t.Errorf("zero options became %+v, want the defaults", o)
	}
	// Entries straight from YAML have no IDs: they are numbered in order.
	ix := fixtureIndex(t)
	for i, e := range ix.Entries() {
		if got, ok := ix.Entry(e.ID); !ok || got.Slug != e.Slug || e.ID != uint(i+1) {
			t.Errorf("entry %d: ID %d", i, e.ID)
		}
	}
}
