package knowledge

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Candidate is one entry the matcher considered, with its 0..1 score and the
// reasons, in Chinese, that staff see when they check a match.
type Candidate struct {
	Entry *Entry
	Score float64
	Why   []string
}

// Decision is what the bot should do with a question.
type Decision int

const (
	// NoMatch: no entry answers the question; say so honestly.
	NoMatch Decision = iota
	// Answer: Top[0] is a clear winner.
	Answer
	// Clarify: Top holds the 1–3 close candidates to ask about, by number.
	Clarify
)

func (d Decision) String() string {
	switch d {
	case Answer:
		return "answer"
	case Clarify:
		return "clarify"
	}
	return "no_match"
}

// Result is the matcher's verdict on one question.
type Result struct {
	Decision Decision
	// Top is best first, at most 5 (for Clarify only the close ones, for
	// NoMatch whatever came nearest, for staff to see).
	Top []Candidate
	// Normalized is the question as the matcher read it.
	Normalized string
}

const (
	maxQueryRunes = 200 // longer messages are cut: WeChat text is short, and matching must stay fast
	maxTop        = 5
	maxClarify    = 3
	// closeMargin: candidates within this score of the best are "close", and
	// a question with two close candidates is asked back rather than guessed.
	closeMargin = 0.1
	// Penalties, multiplied into the score.
	penaltySubject  = 0.7 // the question is about another group (老人 vs 宝宝)
	penaltyOfftopic = 0.3 // the question names a subject the entry never does (猫咪)
)

// qterm is one meaningful word of the question.
type qterm struct {
	canonical, raw string
	id             int32 // -1 when no entry uses the word
	weight         float64
	mult           float64 // 1, or pinyinDiscount when heard rather than read
	how            string  // "", "synonym", "pinyin"
}

type scratch struct {
	acc     []float32
	touched []int32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// Match finds the entry that answers query at now. It is safe for concurrent use.
func (ix *Index) Match(query string, now time.Time) Result {
	norm := Normalize(truncateRunes(query, maxQueryRunes))
	res := Result{Normalized: norm}
	q := ix.queryTerms(norm)
	if len(q) == 0 || len(ix.docs) == 0 {
		return res
	}
	var total float64
	for _, t := range q {
		total += t.weight
	}

	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	if cap(sc.acc) < len(ix.docs) {
		sc.acc = make([]float32, len(ix.docs))
	}
	acc := sc.acc[:len(ix.docs)]
	touched := sc.touched[:0]
	for _, t := range q {
		if t.id < 0 {
			continue
		}
		w := float32(t.weight * t.mult)
		for _, p := range ix.postings[t.id] {
			if acc[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			acc[p.doc] += w * p.sat
		}
	}
	sort.Slice(touched, func(i, j int) bool { return acc[touched[i]] > acc[touched[j]] })

	var top []Candidate
	for _, d := range touched {
		cover := float64(acc[d]) / total
		// Penalties only lower a score, so once coverage alone cannot beat
		// the fifth best, nothing further down can.
		if len(top) == maxTop && cover <= top[maxTop-1].Score {
			break
		}
		e := &ix.entries[d]
		if !e.Live(now) {
			continue
		}
		c, ok := ix.score(d, q, cover, total)
		if !ok {
			continue
		}
		top = insertTop(top, c)
	}
	for _, d := range touched {
		acc[d] = 0
	}
	sc.touched = touched
	res.Top = top
	res.Decision, res.Top = ix.decide(top)
	return res
}

// score refines an entry's coverage of the question into the final score.
func (ix *Index) score(d int32, q []qterm, cover, total float64) (Candidate, bool) {
	dc := &ix.docs[d]
	c := Candidate{Entry: &ix.entries[d]}
	var matched []string
	for _, t := range q {
		if dc.words[t.canonical] {
			switch t.how {
			case "synonym":
				matched = append(matched, t.raw+"→"+t.canonical)
			case "pinyin":
				matched = append(matched, t.raw+"→"+t.canonical+"（拼音）")
			default:
				matched = append(matched, t.canonical)
			}
		}
	}
	c.Why = append(c.Why, "命中："+strings.Join(matched, "、"))

	// How much of one title, question or keyword the question covers: a
	// question that shares one word of a long variant is a weak match.
	best := 0.0
	for _, texts := range [][][]string{dc.texts, dc.keywords} {
		for _, text := range texts {
			best = max(best, ix.textCover(text, q))
		}
	}
	score := cover * (0.5 + 0.5*best)
	c.Why = append(c.Why, fmt.Sprintf("问题覆盖 %.0f%%，条目问法覆盖 %.0f%%", cover*100, best*100))

	if qs := querySubjects(q); len(qs) > 0 && len(dc.subjects) > 0 && !overlaps(qs, dc.subjects) {
		score *= penaltySubject
		c.Why = append(c.Why, "对象不符："+strings.Join(sortedKeys(qs), "、"))
	}
	for _, t := range q {
		if lex.offtopic[t.canonical] && !dc.words[t.canonical] {
			score *= penaltyOfftopic
			c.Why = append(c.Why, "无关话题："+t.raw)
			break
		}
	}
	if len(dc.counter) > 0 {
		pos, neg := 0.0, 0.0
		for _, text := range dc.texts {
			pos = max(pos, ix.dice(text, q, total))
		}
		for _, text := range dc.counter {
			neg = max(neg, ix.dice(text, q, total))
		}
		if neg > pos {
			return c, false // closer to a look-alike the entry must not answer
		}
	}
	c.Score = clamp01(score)
	return c, true
}

// decide turns the ranked candidates into a decision.
func (ix *Index) decide(top []Candidate) (Decision, []Candidate) {
	if len(top) == 0 || top[0].Score < ix.opts.ClarifyThreshold {
		return NoMatch, top
	}
	n := 1
	for n < len(top) && n < maxClarify && top[n].Score >= ix.opts.ClarifyThreshold && top[0].Score-top[n].Score < closeMargin {
		n++
	}
	if top[0].Score >= ix.opts.AnswerThreshold && n == 1 {
		return Answer, top
	}
	return Clarify, top[:n]
}

func insertTop(top []Candidate, c Candidate) []Candidate {
	i := sort.Search(len(top), func(i int) bool {
		return top[i].Score < c.Score || (top[i].Score == c.Score && top[i].Entry.ID > c.Entry.ID)
	})
	if i >= maxTop {
		return top
	}
	if len(top) < maxTop {
		top = append(top, Candidate{})
	}
	copy(top[i+1:], top[i:])
	top[i] = c
	return top
}

// textCover is the idf share of text's words that the question contains.
func (ix *Index) textCover(text []string, q []qterm) float64 {
	var hit, all float64
	for _, w := range text {
		x := ix.weight(w)
		all += x
		for _, t := range q {
			if t.canonical == w {
				hit += x * t.mult
				break
			}
		}
	}
	if all == 0 {
		return 0
	}
	return hit / all
}

// dice is the weighted Dice similarity of the question and one text.
func (ix *Index) dice(text []string, q []qterm, qTotal float64) float64 {
	var hit, all float64
	for _, w := range text {
		x := ix.weight(w)
		all += x
		for _, t := range q {
			if t.canonical == w {
				hit += x
				break
			}
		}
	}
	if all+qTotal == 0 {
		return 0
	}
	return 2 * hit / (all + qTotal)
}

func (ix *Index) weight(w string) float64 {
	if id, ok := ix.vocab[w]; ok {
		return ix.idf[id]
	}
	return ix.unseen
}

func querySubjects(q []qterm) map[string]bool {
	var out map[string]bool
	for _, t := range q {
		if g, ok := lex.subject[t.canonical]; ok {
			if out == nil {
				out = map[string]bool{}
			}
			out[g] = true
		}
	}
	return out
}

func overlaps(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func clamp01(x float64) float64 { return min(1, max(0, x)) }

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
