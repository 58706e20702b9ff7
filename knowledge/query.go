package knowledge

import (
	"sort"
	"strings"
	"unicode"
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

// readQuery reads the normalised question into weighted words: words the
// index knows (directly or through a synonym), words heard through pinyin,
// and words no entry uses, which lower every entry's coverage. parts are the
// parts of its longer known words (洗澡水温 → 洗澡, 水温), which count for an
// entry that has the parts but not the whole.
func (ix *Index) readQuery(norm string) (out, parts []qterm) {
	Warm()
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
			} else if subs := ix.knownSubwords(tk.text, norm); len(subs) > 0 {
				for _, s := range subs {
					addTerm(s)
				}
				continue
			} else {
				t.weight = ix.unseen
				if tk.n == 1 {
					t.weight /= 2 // a lone unknown character is often a leftover of a typo
				}
			}
			addTerm(t)
			if t.id >= 0 && tk.n >= 3 {
				for _, p := range ix.knownSubwords(tk.text, norm) {
					if p.id >= 0 && p.id != t.id {
						p.parent = t.id
						parts = append(parts, p)
					}
				}
			}
		}
		for _, h := range heardTerms(heard) {
			addTerm(h)
		}
	}
	return out, parts
}

func (ix *Index) cutClause(clause, norm string) []qtoken {
	words := seg.Cut(clause, true)
	toks := make([]qtoken, 0, len(words))
	pos := 0
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		tk := qtoken{text: w, start: pos, n: n}
		pos += n
		if !meaningful(w) {
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

// knownSubwords reads an unknown longer word as the words it is made of
// (看电视 → 电视, 汽车保险 → 汽车 保险) when at least one of them is an index
// word; index words count at a discount.
func (ix *Index) knownSubwords(w, norm string) []qterm {
	var out []qterm
	known := false
	for _, s := range subwords(w) {
		c, _ := lex.canonical(s, norm)
		t := qterm{canonical: c, raw: w, id: -1, weight: ix.unseen, mult: 1}
		if id, ok := ix.vocab[c]; ok {
			t.id, t.weight, t.mult, t.how = id, ix.idf[id], subwordDiscount, "part"
			known = true
		}
		out = append(out, t)
	}
	if !known {
		return nil
	}
	return out
}

// subwordDiscount: a word found inside a longer unknown word is weaker evidence.
const subwordDiscount = 0.8

// heardMap records, per token index, the pinyin term that replaced it.
type heardMap map[int]qterm

// hear looks for runs of whole tokens that are not words the index knows but
// sound like one (高血亚 → 高血压, 早练 → 早恋). A run holds no stop word and no
// known word of two or more characters, and has at least one unknown word.
func (ix *Index) hear(clause string, toks []qtoken) heardMap {
	if len(ix.pinyin) == 0 {
		return nil
	}
	heard := ix.hearLong(clause, toks)
	for a := 0; a < len(toks); {
		if _, done := heard[a]; done {
			a++
			continue
		}
		found := false
		// the longest run starting at a first
		end, runes := a, 0
		for end < len(toks) && hearable(toks[end]) && runes+toks[end].n <= maxPinyinRunes {
			if _, done := heard[end]; done {
				break
			}
			runes += toks[end].n
			end++
		}
		for b := end; b > a && !found; b-- {
			run := toks[a:b]
			if !hasUnknown(run) {
				continue
			}
			var word []rune
			for _, tk := range run {
				word = append(word, []rune(tk.text)...)
			}
			if len(word) < 2 {
				continue
			}
			rd := make([][]string, len(word))
			for k, r := range word {
				rd[k] = primaryReading(r)
			}
			id, ok := ix.lookupPinyin(rd)
			if !ok {
				continue
			}
			if heard == nil {
				heard = heardMap{}
			}
			t := qterm{canonical: ix.words[id], raw: string(word), id: id, weight: ix.idf[id], mult: pinyinDiscount, how: "pinyin"}
			for k := a; k < b; k++ {
				heard[k] = t
			}
			a, found = b, true
		}
		if !found {
			a++
		}
	}
	return heard
}

// hearLong finds words of three or more characters heard across token
// boundaries: a typo often changes how the clause is cut (肠胶痛哭 is cut
// 肠胶|痛哭, yet 肠胶痛 is 肠绞痛). Three syllables rarely collide by chance.
// A window must touch an unknown word; every token it touches is replaced.
func (ix *Index) hearLong(clause string, toks []qtoken) heardMap {
	rs := []rune(clause)
	owner := make([]int, len(rs))
	for i, tk := range toks {
		for k := tk.start; k < tk.start+tk.n && k < len(rs); k++ {
			owner[k] = i
		}
	}
	var heard heardMap
	for i := 0; i < len(rs); {
		found := false
		for n := min(maxPinyinRunes, len(rs)-i); n >= 3 && !found; n-- {
			first, last := owner[i], owner[i+n-1]
			touchesUnknown := false
			for k := first; k <= last; k++ {
				touchesUnknown = touchesUnknown || hearable(toks[k]) && !toks[k].known
			}
			if !touchesUnknown {
				continue
			}
			word := string(rs[i : i+n])
			if _, known := ix.vocab[word]; known {
				continue
			}
			rd := make([][]string, n)
			for k, r := range rs[i : i+n] {
				rd[k] = primaryReading(r)
			}
			id, ok := ix.lookupPinyin(rd)
			if !ok {
				continue
			}
			if heard == nil {
				heard = heardMap{}
			}
			t := qterm{canonical: ix.words[id], raw: word, id: id, weight: ix.idf[id], mult: pinyinDiscount, how: "pinyin"}
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

// hearable: a token may be part of a misheard word when it is not a stop word,
// not a known word of two or more characters and not a word of the
// dictionary: 吃晚饭 is taken as written, though it sounds like 吃完饭.
func hearable(tk qtoken) bool {
	return tk.text != "" && !lex.stop[tk.text] && !(tk.known && tk.n >= 2) && isHan(tk.text) && !(tk.n >= 2 && dictWord(tk.text))
}

// dictWord reports whether the segmenter's dictionary has w as a word.
func dictWord(w string) bool {
	f, _, ok := seg.Find(w)
	return ok && f > 0 // Find also reports prefixes of words, with no frequency
}

func hasUnknown(run []qtoken) bool {
	for _, tk := range run {
		if !tk.known {
			return true
		}
	}
	return false
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func (ix *Index) lookupPinyin(rd [][]string) (int32, bool) {
	for _, ps := range rd {
		if len(ps) == 0 {
			return 0, false
		}
	}
	keys := combineKeys(rd, maxReadings)
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
