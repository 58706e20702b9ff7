package knowledge

import (
	"familybot/models"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	fuzzOnce sync.Once
	fuzzIx   *Index
)

func fuzzIndex(t testing.TB) *Index {
	fuzzOnce.Do(func() { fuzzIx = NewIndex(mustFixture(t), DefaultOptions()) })
	return fuzzIx
}

// FuzzMatch: any message, however odd, gets a well-formed result.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"宝宝发烧了怎么办", "高血亚", "孫子晚上一直咳醒怎麼辦", "", "？？？", "\xff\xfe", "ＨＰＶ", "🙂🙂", strings.Repeat("啊", 500), "a\x00b", "嗯 就是 那个"} {
		f.Add(s)
	}
	ix := fuzzIndex(f)
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, models.Beijing)
	f.Fuzz(func(t *testing.T, q string) {
		r := ix.Match(q, now)
		if len(r.Top) > maxTop {
			t.Fatalf("%d candidates", len(r.Top))
		}
		if r.Decision != NoMatch && len(r.Top) == 0 {
			t.Fatalf("%s without candidates", r.Decision)
		}
		for i, c := range r.Top {
			if c.Entry == nil || !(c.Score >= 0 && c.Score <= 1) {
				t.Fatalf("candidate %d: %+v", i, c)
			}
			if i > 0 && c.Score > r.Top[i-1].Score {
				t.Fatalf("not best first: %v", r.Top)
			}
		}
		if !utf8.ValidString(r.Normalized) {
			t.Fatalf("normalized %q is not UTF-8", r.Normalized)
		}
	})
}

// FuzzDetectCrisis: never panics; Normalize is idempotent on what it returns.
func FuzzDetectCrisis(f *testing.F) {
	for _, s := range []string{"不想活了", "我想死你了", "笑死我了哈哈哈", "孩子吞了纽扣电池", "繼父對我做那種事", "", "\xff", "死死死死", strings.Repeat("想死", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch DetectCrisis(s) {
		case CrisisNone, CrisisSuicide, CrisisChildAbuse, CrisisViolence, CrisisMedical:
		default:
			t.Fatalf("unknown kind for %q", s)
		}
		if n := Normalize(s); Normalize(n) != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, Normalize(n))
		}
	})
}
