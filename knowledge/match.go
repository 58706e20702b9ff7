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
	feat  features
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
	maxScored     = 40 // entries scored in full, by BM25 evidence
	// counterMin: a counter-example rules an entry out only when the question
	// is really like it, not when both share little more than 宝宝.
	counterMin = 0.4
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
	compact := strings.ReplaceAll(norm, " ", "")
	q := ix.queryTerms(norm)
	if len(q) == 0 || len(ix.docs) == 0 {
		return res
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
	// Only the entries with the most evidence (BM25 over the known words) are
	// scored in full.
	sort.Slice(touched, func(i, j int) bool {
		a, b := acc[touched[i]], acc[touched[j]]
		return a > b || (a == b && touched[i] < touched[j])
	})
	var top []Candidate
	for n, d := range touched {
		if n == maxScored {
			break
		}
		if !ix.entries[d].Live(now) {
			continue
		}
		if c, ok := ix.score(d, q, compact); ok {
			top = insertTop(top, c)
		}
	}
	for _, d := range touched {
		acc[d] = 0
	}
	sc.touched = touched
	res.Decision, res.Top = ix.decide(top)
	return res
}

// features are what the score is made of, kept for tuning and for Why.
type features struct {
	matched   float64 // BM25 evidence: idf × saturated frequency of the shared words
	unmatched float64 // idf of the question's words the entry does not use
	central   float64 // how central to the entry the most central shared word is
	text      float64 // best share of one title/question/keyword the question covers
	phrase    string  // a keyword found verbatim in the question
	subject   bool    // question about another group than the entry
	offtopic  string  // a subject the entry never mentions
}

// Scoring constants, tuned on the evaluation set.
var (
	// unmatchedWeight: residents add details the entries lack (粽子, 38度5,
	// 凌晨三点), so a word the entry does not use counts against it less than
	// a shared word counts for it.
	unmatchedWeight = 0.15
	// phraseBonus is the evidence of a keyword found verbatim.
	phraseBonus = 3.0
	// centralFloor is the share of the score left when the matched words are
	// all peripheral to the entry.
	centralFloor = 0.1
	// centralTF is the weighted frequency at which a word is fully central:
	// the title plus one variant, or a keyword plus one variant.
	centralTF = 4.0
	// evidenceScale keeps one weak shared word from looking like certainty.
	evidenceScale = 0.5
	// literalDiscount applies to a word the entry only uses through a synonym.
	literalDiscount = 0.9
	// closeMargin: candidates within this score of the best are "close", and
	// a question with two close candidates is asked back rather than guessed.
	closeMargin = 0.02
)

// combine turns features into the 0..1 score: how much of the question the
// entry explains, times how central the shared words are to the entry. A
// question must hit something central: "今天星期几" shares 星期 with one
// variant of the exercise entry and must not pass.
func (f features) combine() float64 {
	m := f.matched
	if f.phrase != "" {
		m += phraseBonus
	}
	s := m / (m + unmatchedWeight*f.unmatched + evidenceScale)
	s *= centralFloor + (1-centralFloor)*f.central
	if f.subject {
		s *= penaltySubject
	}
	if f.offtopic != "" {
		s *= penaltyOfftopic
	}
	return clamp01(s)
}

// score computes an entry's features for the question; false when the
// question is closer to one of the entry's counter-examples.
func (ix *Index) score(d int32, q []qterm, compact string) (Candidate, bool) {
	dc := &ix.docs[d]
	c := Candidate{Entry: &ix.entries[d]}
	var f features
	var matched []string
	var total float64
	for _, t := range q {
		total += t.weight
		tf, ok := dc.tf[t.canonical]
		if !ok {
			f.unmatched += t.weight
			continue
		}
		mult := t.mult
		if !dc.raw[t.raw] {
			// Matched through a synonym only: a hair less than the entry's own
			// word, so 宝宝 prefers the entry that says 宝宝 over one that says 女儿.
			mult *= literalDiscount
		}
		f.matched += t.weight * mult * tf / (tf + saturation)
		f.central = max(f.central, min(1, tf/centralTF)*t.mult)
		switch t.how {
		case "synonym":
			matched = append(matched, t.raw+"→"+t.canonical)
		case "pinyin":
			matched = append(matched, t.raw+"→"+t.canonical+"（拼音）")
		case "part":
			matched = append(matched, t.raw+"→"+t.canonical+"（部分）")
		default:
			matched = append(matched, t.canonical)
		}
	}
	for _, p := range dc.phrases {
		if strings.Contains(compact, p) {
			f.phrase, f.central = p, 1
			break
		}
	}
	for _, texts := range [][][]string{dc.texts, dc.keywords} {
		for _, text := range texts {
			f.text = max(f.text, ix.textCover(text, q))
		}
	}
	if qs := querySubjects(q); len(qs) > 0 && len(dc.subjects) > 0 && !overlaps(qs, dc.subjects) {
		f.subject = true
	}
	human := len(querySubjects(q)) > 0
	for _, t := range q {
		kind, off := lex.offtopic[t.canonical]
		if _, named := dc.tf[t.canonical]; off && !named && (kind == "animal" || !human) {
			f.offtopic = t.raw
			break
		}
	}
	if len(dc.counter) > 0 {
		pos, neg, which := 0.0, 0.0, ""
		for _, texts := range [][][]string{dc.texts, dc.keywords} {
			for _, text := range texts {
				pos = max(pos, ix.dice(text, q, total))
			}
		}
		for i, text := range dc.counter {
			if s := ix.dice(text, q, total); s > neg {
				neg, which = s, c.Entry.CounterExamples[i]
			}
		}
		if neg > pos && neg >= counterMin {
			return c, false // closer to a look-alike the entry must not answer
		}
		_ = which
	}
	c.Score, c.feat = f.combine(), f
	c.Why = append(c.Why, "命中："+strings.Join(matched, "、"))
	if f.phrase != "" {
		c.Why = append(c.Why, "关键词："+f.phrase)
	}
	c.Why = append(c.Why, fmt.Sprintf("证据 %.1f，未解释 %.1f，核心程度 %.0f%%，最接近的问法覆盖 %.0f%%", f.matched, f.unmatched, f.central*100, f.text*100))
	if f.subject {
		c.Why = append(c.Why, "对象不符")
	}
	if f.offtopic != "" {
		c.Why = append(c.Why, "无关话题："+f.offtopic)
	}
	return c, true
}

// decide turns the ranked candidates into a decision: a clear winner above
// the answer threshold is answered; a winner with close runners-up, or a best
// candidate below the answer threshold, is asked back with the candidates at
// or above the clarify threshold (close ones only when the best is confident);
// anything weaker is no match.
func (ix *Index) decide(top []Candidate) (Decision, []Candidate) {
	if len(top) == 0 || top[0].Score < ix.opts.ClarifyThreshold {
		return NoMatch, top
	}
	confident := top[0].Score >= ix.opts.AnswerThreshold
	n := 1
	for n < len(top) && n < maxClarify && top[n].Score >= ix.opts.ClarifyThreshold &&
		(!confident || top[0].Score-top[n].Score < closeMargin) {
		n++
	}
	if confident && n == 1 {
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
