package knowledge

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// qtoken is one segment of a question clause, with its position in runes.
type qtoken struct {
	text      string
	start     int // rune offset in the clause
	n         int // length in runes
	canonical string
	synonym   bool
	skip      bool // stop word or number
	known     bool // some entry uses the canonical word
}

// queryTerms reads the normalised question into weighted words: words the
// index knows (directly or through a synonym), words heard through pinyin,
// and words no entry uses, which lower every entry's coverage.
func (ix *Index) queryTerms(norm string) []qterm {
	Warm()
	var out []qterm
	seen := map[string]bool{}
	addTerm := func(t qterm) {
		if seen[t.canonical] {
			return
		}
		seen[t.canonical] = true
		out = append(out, t)
	}
	for _, clause := range strings.Fields(norm) {
		toks := ix.cutClause(clause, norm)
		heard := ix.hear(clause, toks)
		for i, tk := range toks {
			if _, replaced := heard[i]; tk.skip || replaced {
				continue
			}
			t := qterm{canonical: tk.canonical, raw: tk.text, id: -1, mult: 1}
			if tk.synonym {
				t.how = "synonym"
			}
			if id, ok := ix.vocab[tk.canonical]; ok {
				t.id, t.weight = id, ix.idf[id]
			} else {
				t.weight = ix.unseen
				if tk.n == 1 {
					t.weight /= 2 // a lone unknown character is often a leftover of a typo
				}
			}
			addTerm(t)
		}
		for _, h := range heardTerms(heard) {
			addTerm(h)
		}
	}
	return out
}

func (ix *Index) cutClause(clause, norm string) []qtoken {
	words := seg.Cut(clause, true)
	toks := make([]qtoken, 0, len(words))
	pos := 0
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		tk := qtoken{text: w, start: pos, n: n}
		pos += n
		if strings.TrimSpace(w) == "" || lex.stop[w] || !meaningful(w) {
			tk.skip = true
		} else {
			tk.canonical, tk.synonym = lex.canonical(w, norm)
			tk.skip = lex.stop[tk.canonical]
			_, tk.known = ix.vocab[tk.canonical]
		}
		toks = append(toks, tk)
	}
	return toks
}

// heardMap records, per token index, the pinyin term that replaced it.
type heardMap map[int]qterm

// hear looks for stretches of the clause that are not words the index knows
// but sound like one (高血亚 → 高血压). Known words of two or more characters
// are never replaced.
func (ix *Index) hear(clause string, toks []qtoken) heardMap {
	if len(ix.pinyin) == 0 {
		return nil
	}
	unknownAt := false
	for _, tk := range toks {
		if !tk.skip && !tk.known {
			unknownAt = true
		}
	}
	if !unknownAt {
		return nil
	}
	rs := []rune(clause)
	owner := make([]int, len(rs)) // rune → token index
	for i, tk := range toks {
		for k := tk.start; k < tk.start+tk.n && k < len(rs); k++ {
			owner[k] = i
		}
	}
	var heard heardMap
	rd := make([][]string, len(rs))
	for i := 0; i < len(rs); {
		found := false
		for n := min(maxPinyinRunes, len(rs)-i); n >= 2 && !found; n-- {
			first, last := owner[i], owner[i+n-1]
			if !ix.hearable(toks[first:last+1]) {
				continue
			}
			for k := i; k < i+n; k++ {
				if rd[k] == nil {
					rd[k] = readings(rs[k])
				}
			}
			id, ok := ix.lookupPinyin(rd[i : i+n])
			if !ok {
				continue
			}
			word := ix.wordOf(id)
			if strings.Contains(clause, word) {
				continue
			}
			if heard == nil {
				heard = heardMap{}
			}
			t := qterm{canonical: word, raw: string(rs[i : i+n]), id: id, weight: ix.idf[id], mult: pinyinDiscount, how: "pinyin"}
			for k := first; k <= last; k++ {
				heard[k] = t
			}
			i, found = i+n, true
		}
		if !found {
			i++
		}
	}
	return heard
}

// hearable: a stretch may be re-heard when it has an unknown word and no known
// word of two or more characters.
func (ix *Index) hearable(toks []qtoken) bool {
	unknown := false
	for _, tk := range toks {
		if tk.known && tk.n >= 2 {
			return false
		}
		if !tk.skip && !tk.known {
			unknown = true
		}
	}
	return unknown
}

func (ix *Index) lookupPinyin(rd [][]string) (int32, bool) {
	keys := []string{""}
	for i, ps := range rd {
		if len(ps) == 0 {
			return 0, false
		}
		var next []string
		for _, k := range keys {
			for _, p := range ps {
				if len(next) >= maxReadings*4 {
					break
				}
				if i > 0 {
					next = append(next, k+" "+p)
				} else {
					next = append(next, p)
				}
			}
		}
		keys = next
	}
	for _, k := range keys {
		if ids := ix.pinyin[k]; len(ids) > 0 {
			// Several words sound alike: take the one most entries use.
			best := ids[0]
			for _, id := range ids[1:] {
				if len(ix.postings[id]) > len(ix.postings[best]) {
					best = id
				}
			}
			return best, true
		}
	}
	return 0, false
}

func (ix *Index) wordOf(id int32) string { return ix.words[id] }

func heardTerms(h heardMap) []qterm {
	keys := make([]int, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]qterm, 0, len(keys))
	for _, k := range keys {
		out = append(out, h[k])
	}
	return out
}
