package knowledge

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// The word lists are plain text so that staff and reviewers can read and
// change them without reading Go.
var (
	//go:embed lexicon.txt
	lexiconText string
	//go:embed synonyms.txt
	synonymsText string
)

// synonym maps a variant to its canonical word, optionally only when one of
// the context words occurs in the same message.
type synonym struct {
	canonical string
	context   []string
}

type lexicon struct {
	rewrite  *strings.Replacer
	fillers  *strings.Replacer
	openers  []string // longest first
	alone    map[string]bool
	particle map[rune]bool
	keep     []string
	stop     map[string]bool
	single   map[string]bool    // lone characters that carry meaning
	offtopic map[string]string  // word → "animal" or "topic"
	subject  map[string]string  // word as written → group
	who      map[string]bool    // words that name a person, never a topic
	compat   map[[2]string]bool // general group, specific group
	category map[string]string  // entry category → subject group
	synonyms map[string]synonym
	words    []string // every synonym and domain word, for the segmenter's dictionary
}

var lex = mustParseLexicon(lexiconText, synonymsText)

func mustParseLexicon(words, syns string) *lexicon {
	l, err := parseLexicon(words, syns)
	if err != nil {
		panic("knowledge: " + err.Error())
	}
	return l
}

func parseLexicon(words, syns string) (*lexicon, error) {
	l := &lexicon{
		alone: map[string]bool{}, particle: map[rune]bool{}, stop: map[string]bool{}, single: map[string]bool{},
		offtopic: map[string]string{}, subject: map[string]string{}, who: map[string]bool{}, compat: map[[2]string]bool{}, category: map[string]string{}, synonyms: map[string]synonym{},
	}
	var rewrites, fillers []string
	expand := map[string]string{} // subject words that bring their synonyms
	section := ""
	for n, line := range strings.Split(words, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]")
			continue
		}
		if section == "rewrite" {
			from, to, ok := strings.Cut(line, "=>")
			if !ok {
				return nil, fmt.Errorf("lexicon.txt line %d: want \"from => to\"", n+1)
			}
			rewrites = append(rewrites, strings.TrimSpace(from), strings.TrimSpace(to))
			continue
		}
		if section == "compatible" || section == "category" {
			f := strings.Fields(line)
			if len(f) != 2 {
				return nil, fmt.Errorf("lexicon.txt line %d: want two words", n+1)
			}
			if section == "category" {
				l.category[f[0]] = f[1]
			} else {
				l.compat[[2]string{f[0], f[1]}] = true
			}
			continue
		}
		for _, w := range strings.Fields(line) {
			switch {
			case section == "filler":
				fillers = append(fillers, w, "")
			case section == "opener":
				l.openers = append(l.openers, w)
			case section == "alone":
				l.alone[w] = true
			case section == "particle":
				for _, r := range w {
					l.particle[r] = true
				}
			case section == "keep":
				l.keep = append(l.keep, w)
			case section == "stop":
				l.stop[w] = true
			case section == "single":
				for _, r := range w {
					l.single[string(r)] = true
				}
			case strings.HasPrefix(section, "offtopic "):
				l.offtopic[w] = strings.TrimPrefix(section, "offtopic ")
				l.words = append(l.words, w)
			case section == "who":
				l.who[w] = true
			case strings.HasPrefix(section, "subject "):
				g := strings.TrimPrefix(section, "subject ")
				if base, ok := strings.CutSuffix(w, "*"); ok {
					expand[base] = g
					w = base
				}
				l.subject[w] = g
			default:
				return nil, fmt.Errorf("lexicon.txt line %d: unknown section %q", n+1, section)
			}
		}
	}
	l.rewrite = strings.NewReplacer(longestFirst(rewrites)...)
	l.fillers = strings.NewReplacer(longestFirst(fillers)...)
	sort.Slice(l.openers, func(i, j int) bool { return len(l.openers[i]) > len(l.openers[j]) })
	for w := range l.stop {
		l.words = append(l.words, w)
	}
	if err := l.parseSynonyms(syns); err != nil {
		return nil, err
	}
	for v, s := range l.synonyms {
		if g, ok := expand[s.canonical]; ok && len(s.context) == 0 {
			if _, set := l.subject[v]; !set {
				l.subject[v] = g
			}
		}
	}
	sort.Strings(l.words)
	return l, nil
}

func (l *lexicon) parseSynonyms(text string) error {
	for n, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, rest, hasEq := strings.Cut(line, "=")
		if !hasEq {
			l.words = append(l.words, strings.Fields(line)...)
			continue
		}
		canon := strings.TrimSpace(head)
		variants, context, _ := strings.Cut(rest, "@")
		if canon == "" || strings.Contains(canon, " ") {
			return fmt.Errorf("synonyms.txt line %d: want one canonical word before =", n+1)
		}
		l.words = append(l.words, canon)
		ctx := strings.Fields(context)
		for _, v := range strings.Fields(variants) {
			if prev, dup := l.synonyms[v]; dup {
				return fmt.Errorf("synonyms.txt line %d: %s is already a variant of %s", n+1, v, prev.canonical)
			}
			if v == canon {
				continue
			}
			l.synonyms[v] = synonym{canonical: canon, context: ctx}
			l.words = append(l.words, v)
		}
	}
	for v, s := range l.synonyms {
		if t, chained := l.synonyms[s.canonical]; chained && len(s.context) == 0 {
			return fmt.Errorf("synonyms.txt: %s maps to %s, which is itself a variant of %s", v, s.canonical, t.canonical)
		}
	}
	return nil
}

// compatibleSpecific reports whether a question about the groups q may be
// about an entry about the groups e: they share a group or two compatible
// ones. Both are already reduced by specific (once per entry when the index is
// built, once per question).
func (l *lexicon) compatibleSpecific(q, e map[string]bool) bool {
	for a := range q {
		for b := range e {
			if a == b || l.compat[[2]string{a, b}] || l.compat[[2]string{b, a}] {
				return true
			}
		}
	}
	return false
}

// specific drops a general group when a more specific one is present.
func (l *lexicon) specific(groups map[string]bool) map[string]bool {
	out := make(map[string]bool, len(groups))
	for g := range groups {
		general := false
		for h := range groups {
			general = general || l.compat[[2]string{g, h}]
		}
		if !general {
			out[g] = true
		}
	}
	return out
}

// canonical maps a token to the word the index uses. text is the whole
// normalised message, for context-dependent synonyms.
func (l *lexicon) canonical(tok, text string) (string, bool) {
	s, ok := l.synonyms[tok]
	if !ok {
		return tok, false
	}
	if len(s.context) > 0 && !containsAny(text, s.context) {
		return tok, false
	}
	return s.canonical, true
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// longestFirst orders old/new pairs so that strings.Replacer, which takes the
// first listed match at a position, prefers the longest one.
func longestFirst(pairs []string) []string {
	type pair struct{ from, to string }
	ps := make([]pair, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		ps = append(ps, pair{pairs[i], pairs[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].from) > len(ps[j].from) })
	out := make([]string, 0, len(pairs))
	for _, p := range ps {
		out = append(out, p.from, p.to)
	}
	return out
}

// wordNames reports whether the entry's title, questions or keywords name the
// subject group g themselves (not through the entry's category).
func (l *lexicon) wordNames(e Entry, g string) bool {
	for _, s := range append(append([]string{e.Title}, e.Questions...), e.Keywords...) {
		for _, t := range terms(Normalize(s)) {
			if l.subject[t.raw] == g && !t.sub {
				return true
			}
		}
	}
	return false
}
