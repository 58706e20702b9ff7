package knowledge

import (
	"familybot/models"
	"fmt"
	"sync"
	"testing"
	"time"
)

var (
	benchOnce sync.Once
	benchIx   *Index
)

// syllables make synthetic words, so the 10,000 entries are not 52 copies of
// the same ones: every synthetic entry gets its own rare words besides the
// real vocabulary it is derived from.
var syllables = []rune("安邦采德恩方广浩嘉景康乐明宁朋清瑞盛泰文祥新一勇志舟")

func synthWord(i int) string {
	n := len(syllables)
	return string([]rune{syllables[i%n], syllables[(i/n)%n], syllables[(i/n/n)%n]})
}

// bench10k builds an index of 10,000 entries generated from the real ones.
func bench10k(b *testing.B) *Index {
	benchOnce.Do(func() {
		seed, err := Seed()
		if err != nil || len(seed) == 0 {
			seed = mustFixture(b)
		}
		entries := make([]Entry, 0, 10000)
		for i := 0; len(entries) < 10000; i++ {
			e := seed[i%len(seed)]
			e.ID = uint(i + 1)
			e.Slug = fmt.Sprintf("%s-%d", e.Slug, i)
			w := synthWord(i)
			e.Title = e.Title + w
			e.Questions = append([]string{w + e.Questions[0]}, e.Questions[1:]...)
			e.Keywords = append(append([]string(nil), e.Keywords...), w)
			entries = append(entries, e)
		}
		start := time.Now()
		benchIx = NewIndex(entries, DefaultOptions())
		b.Logf("built an index of %d entries in %v", benchIx.Len(), time.Since(start))
	})
	return benchIx
}

var benchQueries = []string{
	"娃一直吐奶咋整",
	"孫子晚上一直咳醒怎麼辦",
	"嗯就是那个我妈血糖有点高能不能吃粽子啊",
	"高血亚的标准是多少",
	"宝宝发烧38度5要不要紧",
	"今天天气怎么样",
	"你们电话多少",
	"青春期孩子叛逆不听话",
}

// BenchmarkMatch10k: one question against 10,000 entries, matched afresh
// (not from the index's memory of recent verdicts).
func BenchmarkMatch10k(b *testing.B) {
	ix := bench10k(b)
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, models.Beijing)
	for _, q := range benchQueries {
		ix.Match(q, now) // warm the segmenter and converters
	}
	i := 0
	for b.Loop() {
		ix.match(Normalize(benchQueries[i%len(benchQueries)]), now, false, Hint{})
		i++
	}
}

// BenchmarkMatch10kRepeated: the same questions again, as after an
// announcement, answered from the index's memory of recent verdicts.
func BenchmarkMatch10kRepeated(b *testing.B) {
	ix := bench10k(b)
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, models.Beijing)
	i := 0
	for b.Loop() {
		ix.Match(benchQueries[i%len(benchQueries)], now)
		i++
	}
}

// BenchmarkMatchSeed: one question against the real knowledge base.
func BenchmarkMatchSeed(b *testing.B) {
	seed, err := Seed()
	if err != nil || len(seed) == 0 {
		b.Skip("no content")
	}
	ix := NewIndex(seed, DefaultOptions())
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, models.Beijing)
	i := 0
	for b.Loop() {
		ix.match(Normalize(benchQueries[i%len(benchQueries)]), now, false, Hint{})
		i++
	}
}
