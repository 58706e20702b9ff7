package knowledge

import (
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

// Warm loads the word segmenter's dictionary (about a second and ~130 MB of
// heap, once per process). Call it at start-up so the first resident does not
// wait; everything else loads it lazily.
func Warm() {
	segOnce.Do(func() {
		seg.SkipLog = true
		// The simplified dictionary embedded in gse: no files, no network.
		// Text is converted to simplified before cutting, so zh_t is not needed.
		if err := seg.LoadDictEmbed("zh_s"); err != nil {
			panic("knowledge: gse dictionary: " + err.Error())
		}
		// Our words (synonyms, domain terms, stop phrases) are cut whole.
		// The dictionary only grows here, before any use, so cutting is read-only.
		for _, w := range lex.words {
			switch f, _, ok := seg.Find(w); {
			case !ok:
				seg.AddToken(w, wordFreq)
			case f < wordFreq:
				seg.ReAddToken(w, wordFreq)
			}
		}
		seg.CalcToken()
	})
}

// wordFreq is the frequency given to our own words: common enough to win
// over splitting them, not so common that they swallow their neighbours.
const wordFreq = 3000

// term is one meaningful word of a text: canonical is what the index uses,
// raw what the text said.
type term struct {
	canonical, raw string
}

// terms cuts normalised text into its meaningful words, mapped to canonical
// synonyms, in order, without repeats. Stop words and numbers are dropped.
func terms(norm string) []term {
	Warm()
	var out []term
	seen := map[string]bool{}
	for _, clause := range strings.Fields(norm) {
		for _, w := range seg.Cut(clause, true) {
			w = strings.TrimSpace(w)
			if w == "" || lex.stop[w] || !meaningful(w) {
				continue
			}
			c, _ := lex.canonical(w, norm)
			if lex.stop[c] || seen[c] {
				continue
			}
			seen[c] = true
			out = append(out, term{canonical: c, raw: w})
		}
	}
	return out
}

// meaningful rejects numbers and lone Latin letters: "38度5" says nothing about
// the topic that 发烧 does not.
func meaningful(w string) bool {
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
