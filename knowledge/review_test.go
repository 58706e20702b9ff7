package knowledge

import (
	"familybot/models"
	"testing"
	"time"
)

func TestReviewStateOf(t *testing.T) {
	day := func(s string) *time.Time {
		d, err := time.ParseInLocation(dateLayout, s, models.Beijing)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	base := Entry{Title: "宝宝发烧了怎么办", Answer: "多喝水", SeeDoctor: "3月龄以下直接就医", Source: "国家卫健委",
		Questions: []string{"娃发烧了"}, Facets: map[Facet]string{FacetMedicine: "按说明书"}}
	reviewed := base
	reviewed.ReviewedAt = day("2026-01-10")
	hash := ReviewHash(base)
	now := *day("2026-06-01")

	edit := func(f func(*Entry)) Entry { e := reviewed; f(&e); return e }
	cases := []struct {
		name string
		e    Entry
		hash string
		now  time.Time
		want ReviewState
	}{
		{"never reviewed", base, "", now, ReviewNever},
		{"reviewed, unchanged", reviewed, hash, now, ReviewOK},
		{"answer edited after the review", edit(func(e *Entry) { e.Answer += "，不要捂汗" }), hash, now, ReviewChanged},
		{"see-doctor line edited", edit(func(e *Entry) { e.SeeDoctor = "" }), hash, now, ReviewChanged},
		{"follow-up answer edited", edit(func(e *Entry) { e.Facets = map[Facet]string{FacetMedicine: "布洛芬"} }), hash, now, ReviewChanged},
		{"only a new way of asking: advice unchanged", edit(func(e *Entry) { e.Questions = append(e.Questions, "孩子烧起来了") }), hash, now, ReviewOK},
		{"a year after the review", reviewed, hash, *day("2027-01-10"), ReviewDue},
		{"the day before a year", reviewed, hash, *day("2027-01-09"), ReviewOK},
		{"policy entry at its review date", edit(func(e *Entry) { e.ReviewBy = day("2026-06-01") }), hash, now, ReviewPolicyDue},
		{"policy entry before its review date", edit(func(e *Entry) { e.ReviewBy = day("2026-12-31") }), hash, now, ReviewOK},
	}
	for _, c := range cases {
		if got := ReviewStateOf(c.e, c.hash, c.now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
		if got := ReviewStateOf(c.e, c.hash, c.now); got.InQueue() != (c.want != ReviewOK) {
			t.Errorf("%s: InQueue %v", c.name, got.InQueue())
		}
	}
	if due := ReviewDueAt(edit(func(e *Entry) { e.ReviewBy = day("2026-09-01") })); due == nil || !due.Equal(*day("2026-09-01")) {
		t.Errorf("due = %v, want the policy review date", due)
	}
}

func TestReviewByParsed(t *testing.T) {
	es, err := ParseYAML([]byte(`
- slug: service-childcare-subsidy
  category: service
  title: 育儿补贴怎么领
  questions: [育儿补贴怎么领, 一年3600怎么申请, 育儿补贴去哪办]
  keywords: [育儿补贴]
  answer: 向孩子户籍所在地申请。
  see_doctor: ""
  source: 《育儿补贴制度实施方案》（2025）
  effective_from: ""
  expires_at: ""
  review_by: 2026-12-31
  reviewed_at: ""
  reviewer: ""
`))
	if err != nil {
		t.Fatal(err)
	}
	if es[0].ReviewBy == nil || es[0].ReviewBy.In(models.Beijing).Format(dateLayout) != "2026-12-31" {
		t.Fatalf("review_by = %v", es[0].ReviewBy)
	}
	out, err := MarshalYAML(es)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseYAML(out)
	if err != nil || back[0].ReviewBy == nil || !back[0].ReviewBy.Equal(*es[0].ReviewBy) {
		t.Fatalf("review_by lost in a round trip: %v %v", err, back)
	}
}
