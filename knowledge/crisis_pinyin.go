package knowledge

import (
	"strings"
	"unicode"
)

// Messages typed in pinyin without choosing characters (wo laogong da wo
// 现在还在打 救命: a phone's input method left behind, or a keyboard without
// one) still say a crisis. Runs of pinyin are rewritten into the characters
// of the crisis words they spell, so the concepts and the model see them;
// everything else stays as typed.

// maxPinyinTokens: how many space-separated tokens one word may span
// (diao xia lai → 掉下来).
const maxPinyinTokens = 6

// crisisPinyinWords: toneless pinyin without spaces → the word. Only words
// of two to six Han characters: a single syllable is too ambiguous.
type crisisPinyinWords map[string]string

// addPinyinWord records the readings of a word of the lexicon; the first
// word to claim a reading keeps it (the file's order, so deterministic).
func (p crisisPinyinWords) add(word string) {
	rs := []rune(word)
	if len(rs) < 2 || len(rs) > 6 {
		return
	}
	combos := []string{""}
	for _, r := range rs {
		if !unicode.Is(unicode.Han, r) {
			return
		}
		ps := readings(r)
		if len(ps) == 0 {
			return
		}
		var next []string
		for _, c := range combos {
			for _, s := range ps {
				if len(next) < 4 {
					next = append(next, c+s)
				}
			}
		}
		combos = next
	}
	for _, c := range combos {
		if _, ok := p[c]; !ok {
			p[c] = word
		}
	}
}

// rewrite turns the pinyin in normalised text (clauses separated by
// spaces) into words: at each token, the longest run of whole tokens, or a
// token on its own, that spells a word of the lexicon. Text without a run
// of two latin letters is returned as it is.
func (p crisisPinyinWords) rewrite(s string) string {
	if len(p) == 0 || !hasLatinRun(s) {
		return s
	}
	toks := strings.Split(s, " ")
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); {
		if !isPinyinToken(toks[i]) {
			out = append(out, toks[i])
			i++
			continue
		}
		matched := false
		key := ""
		best, bestJ := "", 0
		for j := i; j < len(toks) && j < i+maxPinyinTokens && isPinyinToken(toks[j]); j++ {
			key += toks[j]
			if w, ok := p[key]; ok {
				best, bestJ = w, j+1
			}
		}
		if best != "" {
			out = append(out, best)
			i, matched = bestJ, true
		}
		if !matched {
			out = append(out, p.rewriteToken(toks[i]))
			i++
		}
	}
	return strings.Join(out, " ")
}

// rewriteToken: inside one token typed without spaces (laogongdawo), the
// longest word at each place; letters no word starts at are kept.
func (p crisisPinyinWords) rewriteToken(t string) string {
	var b strings.Builder
	for i := 0; i < len(t); {
		w, n := "", 0
		for j := len(t); j > i+3; j-- {
			if v, ok := p[t[i:j]]; ok {
				w, n = v, j-i
				break
			}
		}
		if n == 0 {
			b.WriteByte(t[i])
			i++
			continue
		}
		b.WriteString(w)
		i += n
	}
	return b.String()
}

func isPinyinToken(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 'a' || t[i] > 'z' {
			return false
		}
	}
	return true
}

func hasLatinRun(s string) bool {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			if n++; n >= 2 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

// pinyinWordsOf lists the words a lexicon's pinyin rewriting knows: its
// concepts' words (A~B and A^B also as AB: 叫~不应 as 叫不应, 打^我 as 打我).
func pinyinWordsOf(terms map[string][]crisisTerm, order []string) crisisPinyinWords {
	p := crisisPinyinWords{}
	for _, first := range order {
		for _, t := range terms[first] {
			p.add(first)
			if len(t.rest) > 0 {
				p.add(first + strings.Join(t.rest, ""))
			}
		}
	}
	return p
}
