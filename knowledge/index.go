package knowledge

import (
	"math"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Options are the matcher's confidence bounds, both on the 0..1 score.
type Options struct {
	// AnswerThreshold is the score from which a clear winner is answered.
	AnswerThreshold float64
	// ClarifyThreshold is the score below which nothing is offered at all.
	ClarifyThreshold float64
}

// DefaultOptions are the thresholds tuned on the evaluation set
// (knowledge/testdata/eval_*.yaml); config.yaml's defaults match them.
func DefaultOptions() Options { return Options{AnswerThreshold: 0.55, ClarifyThreshold: 0.3} }

// Field weights: a word in the title or the keywords says more about an
// entry than a word in one of its question variants.
const (
	weightTitle    = 2.0
	weightKeyword  = 2.0
	weightQuestion = 1.0
	// saturation is BM25's k1 on the weighted term frequency: a word used
	// once in one variant counts 1/(1+k), a word used throughout nearly 1.
	saturation = 0.5
)

// Index is an immutable search structure over live-able entries. Build it
// once with NewIndex and rebuild it when staff edit; Base swaps it for
// concurrent readers.
type Index struct {
	opts     Options
	entries  []Entry
	byID     map[uint]int
	docs     []doc
	vocab    map[string]int32 // canonical word → term id
	words    []string         // term id → canonical word
	idf      []float64
	postings [][]posting // term id → entries using it
	pinyin   map[string][]int32
	unseen   float64     // weight of a question word no entry uses
	bounds   []time.Time // when an entry becomes effective or expires, sorted
	verdicts verdicts    // recent verdicts, see verdicts.go
}

type posting struct {
	doc int32
	sat float32 // saturated, field-weighted frequency in 0..1
}

// doc is what the matcher needs of one entry beyond the postings.
type doc struct {
	texts    []text            // title and question variants
	keywords []text            // one per keyword
	counter  [][]string        // counter-examples, as canonical words
	phrases  []string          // keywords, normalised, without spaces
	tf       map[int32]float64 // field-weighted frequency per index word
	raw      map[string]bool   // words as the entry writes them, before synonyms
	subjects map[string]bool   // who the entry is about (lexicon's subject groups)
	specific map[string]bool   // subjects without the general groups a specific one covers
}

// text is one title, question or keyword as index words, with its idf mass.
type text struct {
	ids []int32
	sum float64
}

// NewIndex builds the index. Disabled entries are skipped; entries expired or
// not yet effective are kept and filtered at match time, so a seasonal entry
// comes back without a rebuild. When no entry has an ID (straight from Seed),
// they are numbered 1..n in order.
func NewIndex(entries []Entry, opts Options) *Index {
	if opts.AnswerThreshold <= 0 {
		opts.AnswerThreshold = DefaultOptions().AnswerThreshold
	}
	if opts.ClarifyThreshold <= 0 || opts.ClarifyThreshold > opts.AnswerThreshold {
		opts.ClarifyThreshold = math.Min(DefaultOptions().ClarifyThreshold, opts.AnswerThreshold)
	}
	numbered := true
	for _, e := range entries {
		numbered = numbered && e.ID == 0
	}
	ix := &Index{opts: opts, byID: map[uint]int{}, vocab: map[string]int32{}, pinyin: map[string][]int32{}}
	for i, e := range entries {
		if e.Disabled {
			continue
		}
		if numbered {
			e.ID = uint(i + 1)
		}
		n := int32(len(ix.entries))
		ix.entries = append(ix.entries, e)
		ix.byID[e.ID] = int(n)
		d := doc{tf: map[int32]float64{}, raw: map[string]bool{}, subjects: map[string]bool{}}
		if g, ok := lex.category[e.Category]; ok {
			d.subjects[g] = true
		}
		add := func(s string, w float64) text {
			var ts text
			for _, t := range terms(Normalize(s)) {
				fw := w
				id := ix.termID(t.canonical)
				if t.sub {
					fw /= 2 // 电视 inside 看电视 says less than 电视 itself
				} else {
					ts.ids = append(ts.ids, id)
				}
				d.tf[id] += fw
				d.raw[t.raw] = true
				if g, ok := lex.subject[t.raw]; ok && !t.sub {
					d.subjects[g] = true
				}
			}
			return ts
		}
		d.texts = append(d.texts, add(e.Title, weightTitle))
		for _, q := range e.Questions {
			d.texts = append(d.texts, add(q, weightQuestion))
		}
		for _, k := range e.Keywords {
			kt := add(k, weightKeyword)
			d.keywords = append(d.keywords, kt)
			// A keyword found verbatim is strong evidence, unless it is all
			// function words (做什么, 怎么用) that any question may contain.
			if p := strings.ReplaceAll(Normalize(k), " ", ""); utf8.RuneCountInString(p) >= 2 && len(kt.ids) > 0 {
				d.phrases = append(d.phrases, p)
			}
		}
		for _, c := range e.CounterExamples {
			d.counter = append(d.counter, canonicalWords(c))
		}
		if d.subjects["pregnant"] && !d.subjects["child"] && !lex.wordNames(e, "infant") {
			// About the mother alone (孕妇感冒能吃什么药): not a baby's entry,
			// though its category is the 0–3 area's.
			delete(d.subjects, "infant")
		}
		d.specific = lex.specific(d.subjects)
		ix.docs = append(ix.docs, d)
		for id, f := range d.tf {
			ix.postings[id] = append(ix.postings[id], posting{doc: n, sat: float32(f / (f + saturation))})
		}
	}
	// BM25's idf over entries; a word no entry uses weighs like a rare one,
	// but not the rarest: residents add details (粽子, 38度5) the entries lack.
	N := float64(len(ix.docs))
	ix.idf = make([]float64, len(ix.postings))
	for id, ps := range ix.postings {
		df := float64(len(ps))
		ix.idf[id] = math.Log(1 + (N-df+0.5)/(df+0.5))
	}
	for i := range ix.docs {
		for _, ts := range [][]text{ix.docs[i].texts, ix.docs[i].keywords} {
			for k := range ts {
				for _, id := range ts[k].ids {
					ts[k].sum += ix.idf[id]
				}
			}
		}
	}
	ix.unseen = math.Log(1 + (N-2+0.5)/(2+0.5))
	if ix.unseen < 1 {
		ix.unseen = 1
	}
	for w, id := range ix.vocab {
		for _, k := range pinyinKeys(w) {
			ix.pinyin[k] = append(ix.pinyin[k], id)
		}
	}
	for v, s := range lex.synonyms {
		if id, ok := ix.vocab[s.canonical]; ok && len(s.context) == 0 {
			for _, k := range pinyinKeys(v) {
				ix.pinyin[k] = append(ix.pinyin[k], id)
			}
		}
	}
	for k, ids := range ix.pinyin {
		ix.pinyin[k] = uniqueIDs(ids)
	}
	ix.bounds = liveBounds(ix.entries)
	ix.verdicts.m.Max = verdictsSize
	return ix
}

func (ix *Index) termID(t string) int32 {
	id, ok := ix.vocab[t]
	if !ok {
		id = int32(len(ix.postings))
		ix.vocab[t] = id
		ix.words = append(ix.words, t)
		ix.postings = append(ix.postings, nil)
	}
	return id
}

// canonicalWords are the index words of a text, without words found inside
// longer ones.
func canonicalWords(text string) []string {
	var out []string
	for _, t := range terms(Normalize(text)) {
		if !t.sub {
			out = append(out, t.canonical)
		}
	}
	return out
}

func uniqueIDs(ids []int32) []int32 {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

// Entry returns the indexed entry with that ID; disabled entries are not indexed.
func (ix *Index) Entry(id uint) (*Entry, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return &ix.entries[i], true
}

// Len is the number of indexed (not disabled) entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Entries returns the indexed entries; callers must not modify them.
func (ix *Index) Entries() []Entry { return ix.entries }

// Options returns the thresholds the index decides with.
func (ix *Index) Options() Options { return ix.opts }

// Base holds the current index for concurrent readers; staff edits build a
// new index and Replace swaps it in atomically.
type Base struct{ ix atomic.Pointer[Index] }

// NewBase returns a Base serving ix.
func NewBase(ix *Index) *Base {
	b := &Base{}
	b.ix.Store(ix)
	return b
}

// Index returns the current index.
func (b *Base) Index() *Index { return b.ix.Load() }

// Replace makes ix the current index.
func (b *Base) Replace(ix *Index) { b.ix.Store(ix) }
