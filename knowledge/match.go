package knowledge

import (
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
	maxScored     = 20 // entries scored in full, by BM25 evidence
)

// qterm is one meaningful word of the question.
type qterm struct {
	canonical, raw string
	id             int32 // -1 when no entry uses the word
	weight         float64
	mult           float64 // 1, or pinyinDiscount when heard rather than read
	how            string  // "", "synonym", "pinyin", "part"
	parent         int32   // for a part of a longer known word: that word's id
}

type scratch struct {
	acc     []float32
	touched []int32
	live    []int32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// query is a question as read for matching.
type query struct {
	terms    []qterm
	parts    []qterm         // parts of its longer known words
	total    float64         // weight of all its words
	compact  string          // normalised without spaces, for keyword phrases
	subjects map[string]bool // who it is about
	specific map[string]bool // subjects without the general groups a specific one covers
}

// Match finds the entry that answers the question at now. It is safe for
// concurrent use.
func (ix *Index) Match(question string, now time.Time) Result {
	return ix.lookup(question, now, true, Hint{})
}

// Decide is Match without the reasons (Candidate.Why), which only staff read:
// the same decision and candidates, for the bot's reply path.
func (ix *Index) Decide(question string, now time.Time) Result {
	return ix.lookup(question, now, false, Hint{})
}

// Hint is what the conversation knows beyond the question itself.
type Hint struct {
	// Subject is who the conversation is about; it counts when the question
	// names no one itself.
	Subject Subject
	// Override makes Subject replace whoever the question names: "那三个月的呢"
	// asks the last question again about someone else.
	Override bool
	// Category is the topic's category: a follow-up stays in its area, so
	// entries of other categories are marked down a little.
	Category string
}

// SubjectMother is a pregnant woman or a new mother (about herself).
const SubjectMother Subject = "mother"

// subjectGroups maps a Subject to the lexicon's subject group; the writer
// (SubjectSelf) and the others name no group.
var subjectGroups = map[Subject]string{
	SubjectInfant: "infant", SubjectChild: "child", SubjectTeen: "teen",
	SubjectElder: "elderly", SubjectMother: "pregnant",
}

// DecideWith is Decide with what the conversation knows.
func (ix *Index) DecideWith(question string, now time.Time, h Hint) Result {
	return ix.lookup(question, now, false, h)
}

func (ix *Index) lookup(question string, now time.Time, explain bool, h Hint) Result {
	norm := Normalize(truncateRunes(question, maxQueryRunes))
	key := norm
	if h != (Hint{}) {
		key = norm + "\x00" + h.key()
	}
	if res, ok := ix.verdicts.get(key, now, explain); ok {
		return res
	}
	res := ix.match(norm, now, explain, h)
	from, until := ix.liveSpan(now)
	ix.verdicts.put(key, res, explain, from, until)
	return res
}

func (h Hint) key() string {
	o := "+"
	if h.Override {
		o = "!"
	}
	return string(h.Subject) + o + h.Category
}

// restrictPenalty marks down further, when the message itself says who it is
// about (我刚生完孩子, 我爸78岁了), entries about another group.
const restrictPenalty = 0.6

// topicPenalty marks down, in a follow-up, entries outside the topic's category.
const topicPenalty = 0.85

// match scores a normalised question against every live entry; explain adds
// the reasons staff see.
func (ix *Index) match(norm string, now time.Time, explain bool, h Hint) Result {
	res := Result{Normalized: norm}
	q := &query{compact: strings.ReplaceAll(norm, " ", "")}
	q.terms, q.parts = ix.readQuery(norm)
	if len(q.terms) == 0 || len(ix.docs) == 0 {
		return res
	}
	for _, t := range q.terms {
		q.total += t.weight
		w := t.raw
		if t.how == "pinyin" {
			w = t.canonical // the typo itself names no one
		}
		if g, ok := lex.subject[w]; ok {
			if q.subjects == nil {
				q.subjects = map[string]bool{}
			}
			q.subjects[g] = true
		}
	}
	if g, ok := subjectGroups[h.Subject]; ok && (h.Override || len(q.subjects) == 0) {
		// A pregnant woman or new mother asks about herself: her cold, her
		// medicine, her weight are not a baby's (the entries about her are
		// marked by the words of [subject pregnant]).
		q.subjects = map[string]bool{g: true}
	}
	q.specific = lex.specific(q.subjects)

	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	if cap(sc.acc) < len(ix.docs) {
		sc.acc = make([]float32, len(ix.docs))
	}
	acc := sc.acc[:len(ix.docs)]
	touched := sc.touched[:0]
	for _, t := range q.terms {
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
	// scored in full. Selecting them beats sorting thousands of postings.
	// Entries out of season or expired take no place among them.
	live := sc.live[:0]
	for _, d := range touched {
		if ix.entries[d].Live(now) {
			live = append(live, d)
		}
	}
	best := selectTop(live, acc, maxScored)
	for _, d := range touched {
		acc[d] = 0
	}
	sc.touched, sc.live = touched, live

	cands := make([]Candidate, 0, len(best))
	nearest := 0.0
	for _, d := range best {
		c := ix.score(d, q)
		cands = append(cands, c)
		nearest = max(nearest, c.feat.text)
	}
	// Between entries that share the same words, the one with a variant
	// phrased most like the question wins: the others lose a little, relative
	// to the best phrased one, which keeps its score.
	var top []Candidate
	for _, c := range cands {
		if nearest > 0 {
			c.Score *= 1 - nearestWeight*(1-c.feat.text/nearest)
		}
		if h.Category != "" && c.Entry.Category != h.Category {
			c.Score *= topicPenalty
		}
		if h.Override && c.feat.subject {
			c.Score *= restrictPenalty
		}
		top = insertTop(top, c)
	}
	for i := range top {
		if explain {
			top[i].Why = ix.explain(top[i], q)
		}
	}
	res.Decision, res.Top = ix.decide(top)
	return res
}

// decide turns the ranked candidates into a decision: a clear winner above
// the answer threshold is answered; a winner with close runners-up, or a best
// candidate below the answer threshold, is asked back with the candidates at
// or above the clarify threshold (close ones only when the best is confident);
// anything weaker is no match. Runners-up from another category count as
// close from further away: "发烧" about a baby or an elderly parent is worth
// asking, 吃辅食 from two baby entries is not.
func (ix *Index) decide(top []Candidate) (Decision, []Candidate) {
	if len(top) == 0 || top[0].Score < ix.opts.ClarifyThreshold {
		return NoMatch, top
	}
	confident := top[0].Score >= ix.opts.AnswerThreshold
	close := func(c Candidate) bool {
		gap := top[0].Score - c.Score
		return gap < closeMargin || (gap < crossMargin && c.Entry.Category != top[0].Entry.Category)
	}
	n := 1
	for n < len(top) && n < maxClarify && top[n].Score >= ix.opts.ClarifyThreshold && (!confident || close(top[n])) {
		n++
	}
	if confident && n == 1 {
		return Answer, top
	}
	return Clarify, top[:n]
}

// selectTop returns the k documents with the most evidence, best first (ties
// by position), without sorting them all.
func selectTop(docs []int32, acc []float32, k int) []int32 {
	top := make([]int32, 0, k+1)
	better := func(a, b int32) bool { return acc[a] > acc[b] || (acc[a] == acc[b] && a < b) }
	for _, d := range docs {
		if len(top) == k && !better(d, top[k-1]) {
			continue
		}
		i := sort.Search(len(top), func(i int) bool { return better(d, top[i]) })
		top = append(top, 0)
		copy(top[i+1:], top[i:])
		top[i] = d
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
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

// truncateRunes cuts s to at most n characters.
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
