package knowledge

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

var (
	segOnce sync.Once
	seg     gse.Segmenter
)

// Warm loads the word segmenter's dictionary (gse's embedded simplified
// Chinese dictionary: no files, no network; a second or two and ~130 MB of
// heap, once per process). Call it at start-up so the first resident does not
// wait; everything else loads it lazily.
func Warm() {
	segOnce.Do(func() {
		seg.SkipLog = true
		// Our words (synonyms, domain terms, stop phrases) go in first, so that
		// they are cut whole and the dictionary's costly preparation runs once.
		// The dictionary never changes afterwards, so cutting is read-only and
		// safe for concurrent use. Text is converted to simplified before
		// cutting, so the traditional dictionary is not needed.
		var b strings.Builder
		for _, w := range append(append([]string(nil), lex.words...), seedKeywords()...) {
			fmt.Fprintf(&b, "%s %d\n", w, wordFreq)
		}
		if err := seg.LoadDictStr(b.String()); err != nil {
			panic("knowledge: gse dictionary: " + err.Error())
		}
		if err := seg.LoadDictEmbed("zh_s"); err != nil {
			panic("knowledge: gse dictionary: " + err.Error())
		}
	})
}

// seedKeywords are the keywords of the embedded content: the knowledge base's
// own vocabulary, so that questions are cut the way the entries are meant.
// Keywords staff add later still match as phrases and through their parts.
func seedKeywords() []string {
	entries, err := Seed()
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		for _, k := range e.Keywords {
			k = strings.ReplaceAll(Normalize(k), " ", "")
			if n := utf8.RuneCountInString(k); n >= 2 && n <= 6 && isHan(k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// wordFreq is the frequency given to our own words: common enough to win
// over splitting them, not so common that they swallow their neighbours.
const wordFreq = 3000

// term is one meaningful word of a text: canonical is what the index uses,
// raw what the text said; sub marks a word found inside a longer one.
type term struct {
	canonical, raw string
	sub            bool
}

// terms cuts normalised text into its meaningful words, mapped to canonical
// synonyms, in order, without repeats. Stop words and numbers are dropped.
func terms(norm string) []term {
	Warm()
	var out []term
	seen := map[string]bool{}
	for _, clause := range strings.Fields(norm) {
		for _, w := range seg.Cut(clause, true) {
			if !meaningful(w) {
				continue
			}
			c, _ := lex.canonical(w, norm)
			if lex.stop[c] || seen[c] {
				continue
			}
			seen[c] = true
			out = append(out, term{canonical: c, raw: w})
			for _, s := range subwords(w) {
				if c, _ := lex.canonical(s, norm); !seen[c] && !lex.stop[c] {
					seen[c] = true
					out = append(out, term{canonical: c, raw: s, sub: true})
				}
			}
		}
	}
	return out
}

// subwords cuts a longer word into the dictionary words it is made of,
// forwards and backwards by longest match (看电视 → 电视; 洗头发 → 洗头 头发;
// 今天天气 → 今天 天气), so that a question and an entry that cut the same
// phrase differently still share words. Lone characters are left out.
func subwords(w string) []string {
	rs := []rune(w)
	if len(rs) < 3 || len(rs) > 8 {
		return nil
	}
	isWord := func(i, j int) bool {
		if j-i < 2 || j-i == len(rs) {
			return false
		}
		return dictWord(string(rs[i:j]))
	}
	var out []string
	seen := map[string]bool{}
	add := func(i, j int) {
		s := string(rs[i:j])
		if !seen[s] && meaningful(s) {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := 0; i < len(rs); { // forward
		j := len(rs)
		for ; j > i+1 && !isWord(i, j); j-- {
		}
		if j > i+1 {
			add(i, j)
			i = j
		} else {
			i++
		}
	}
	for j := len(rs); j > 0; { // backward
		i := 0
		for ; i < j-1 && !isWord(i, j); i++ {
		}
		if i < j-1 {
			add(i, j)
			j = i
		} else {
			j--
		}
	}
	return out
}

// meaningful rejects stop words, numbers, lone Latin letters and lone
// characters not listed as meaningful: "38度5" says nothing about the topic
// that 发烧 does not.
func meaningful(w string) bool {
	if w == "" || lex.stop[w] {
		return false
	}
	if utf8.RuneCountInString(w) == 1 && w[0] >= utf8.RuneSelf && !lex.single[w] {
		if _, syn := lex.synonyms[w]; !syn {
			return false
		}
	}
	letters := 0
	for _, r := range w {
		switch {
		case unicode.IsDigit(r) || r == '.':
		case r < utf8.RuneSelf:
			letters++
		default:
			return true
		}
	}
	return letters > 1
}
