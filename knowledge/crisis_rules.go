package knowledge

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// The crisis rules are rules over concepts (who, harm, violence, sexual
// abuse, medical signs), kept in a plain text file so that staff and
// reviewers can read and change them; see the file's header for the format.
//
//go:embed crisis_concepts.txt
var crisisConceptsText string

var crisisLex = mustParseCrisisLexicon(crisisConceptsText)

// gapWindow is how far (in bytes of normalised text, about 10 Han
// characters) the second part of an A~B word may follow the first.
const gapWindow = 30

// nearWindow is A^B's: at most one Han character between (打了我, 打过孩子 but
// not 打翻了 孩子).
const nearWindow = 3

// crisisTerm is one word of a concept, as the matcher looks for it.
type crisisTerm struct {
	concept int
	rest    []string // A~B~C: the parts after the first, in order
	window  []int    // how far each part may follow the one before, in bytes
	end     bool     // A$: at the end of a clause
}

type ruleAtom struct {
	any []int // any of these concepts
	min int   // how many different words (C*2), 1 by default
	not bool
}

type crisisRule struct {
	kind      CrisisKind
	emergency Emergency
	atoms     []ruleAtom
	line      string // as written, for tests and reviewers
}

type crisisLexicon struct {
	concepts []string       // id → name
	ids      map[string]int // name → id
	terms    map[string][]crisisTerm
	lens     []int         // the byte lengths of first parts, longest first
	starts   map[rune]bool // runes a first part begins with
	alias    *strings.Replacer
	idiom    *strings.Replacer
	rules    []crisisRule
	pinyin   crisisPinyinWords // pinyin typed for the words (see crisis_pinyin.go)
}

func mustParseCrisisLexicon(text string) *crisisLexicon {
	l, err := parseCrisisLexicon(text)
	if err != nil {
		panic("knowledge: crisis_concepts.txt: " + err.Error())
	}
	return l
}

// crisisWord normalises a word of the file as messages are normalised, so
// that a word written in traditional characters or with a filler still
// matches.
func crisisWord(w string) string {
	return strings.ReplaceAll(Normalize(w), " ", "")
}

func parseCrisisLexicon(text string) (*crisisLexicon, error) {
	l := &crisisLexicon{ids: map[string]int{}, terms: map[string][]crisisTerm{}}
	aliases, err := parseCrisisAliases(text)
	if err != nil {
		return nil, err
	}
	// Words are prepared as messages are (normalised, then the aliases), so a
	// word still matches when Normalize or an alias rewrites part of it
	// (没有我大家: a message's 冇/没有 comes out as 没).
	l.alias = strings.NewReplacer(aliases...)
	word := func(w string) string { return l.alias.Replace(crisisWord(w)) }
	var idioms []string
	var firsts []string // first parts of words, in the file's order
	section := ""
	var ruleLines []string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			if name, ok := strings.CutPrefix(section, "concept "); ok {
				name = strings.TrimSpace(name)
				if _, dup := l.ids[name]; dup {
					return nil, fmt.Errorf("line %d: concept %s defined twice", n+1, name)
				}
				l.ids[name] = len(l.concepts)
				l.concepts = append(l.concepts, name)
			}
			continue
		}
		switch {
		case section == "alias":
		case section == "idiom":
			for _, w := range strings.Fields(line) {
				idioms = append(idioms, word(w), "|")
			}
		case section == "rules":
			ruleLines = append(ruleLines, line)
		case strings.HasPrefix(section, "concept "):
			id := len(l.concepts) - 1
			for _, w := range strings.Fields(line) {
				t := crisisTerm{concept: id}
				if strings.HasSuffix(w, "$") {
					t.end, w = true, strings.TrimSuffix(w, "$")
				}
				var window []int
				for _, r := range w {
					switch r {
					case '~':
						window = append(window, gapWindow)
					case '^':
						window = append(window, nearWindow)
					}
				}
				parts := strings.FieldsFunc(w, func(r rune) bool { return r == '~' || r == '^' })
				if len(parts) != len(window)+1 {
					return nil, fmt.Errorf("line %d: empty part in %q", n+1, w)
				}
				t.window = window
				for i := range parts {
					p := crisisWord(parts[i])
					// A word that loses characters to Normalize (活着就是 → 活着:
					// 就是 is a filler) would match far more than written.
					if utf8.RuneCountInString(p) < utf8.RuneCountInString(parts[i]) {
						return nil, fmt.Errorf("line %d: %q is normalised to %q: write the normalised form", n+1, parts[i], p)
					}
					parts[i] = l.alias.Replace(p)
				}
				t.rest = parts[1:]
				if _, seen := l.terms[parts[0]]; !seen {
					firsts = append(firsts, parts[0])
				}
				l.terms[parts[0]] = append(l.terms[parts[0]], t)
			}
		default:
			return nil, fmt.Errorf("line %d: outside any section", n+1)
		}
	}
	for _, line := range ruleLines {
		r, err := l.parseRule(line)
		if err != nil {
			return nil, err
		}
		l.rules = append(l.rules, r)
	}
	seen := map[int]bool{}
	l.starts = map[rune]bool{}
	for w := range l.terms {
		if !seen[len(w)] {
			seen[len(w)] = true
			l.lens = append(l.lens, len(w))
		}
		r, _ := utf8.DecodeRuneInString(w)
		l.starts[r] = true
	}
	sort.Sort(sort.Reverse(sort.IntSlice(l.lens)))
	l.idiom = strings.NewReplacer(longestFirst(idioms)...)
	l.pinyin = pinyinWordsOf(l.terms, firsts)
	for _, name := range []string{"present", "guard_prevention", "guard_past", "guard_info", "guard_fiction", "guard_joke", "pet", "peer", "on_scene", "remote", "death_wish", "pregnancy", "stroke_weak", "stroke_sign", "chest_sign", "choke_weak", "choking_sign", "drowning_sign", "seizure_eyes", "seizure_shake", "overdose_sign", "toxic_household", "poison_substance", "sharp_object", "fall_impact", "burn_sign", "allergy_sign", "allergy_red", "sugar", "breathing_sign", "bleeding_sign", "unconscious_weak", "despair", "hit_other", "sex_touch", "sex_assault", "online_coercion", "genital_injury", "secrecy_strong", "who_self_victim", "self_harm_self", "third_intent", "child_writer_cue", "secrecy", "event_abuse",
		"victim_other", "guard_model", "guard_hypothetical", "guard_over", "guard_content", "toddler", "guard_fine", "lethal_ask", "infant", "young_infant", "child", "teen", "partner", "elder", "other_person"} {
		if _, ok := l.ids[name]; !ok {
			return nil, fmt.Errorf("concept %s is used by the code but not defined", name)
		}
	}
	return l, nil
}

// parseCrisisAliases reads the [alias] section: from, to pairs, normalised.
func parseCrisisAliases(text string) ([]string, error) {
	var aliases []string
	section := ""
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		case section == "alias":
			from, to, ok := strings.Cut(line, "=>")
			if !ok {
				return nil, fmt.Errorf("line %d: alias without =>", n+1)
			}
			aliases = append(aliases, crisisWord(strings.TrimSpace(from)), crisisWord(strings.TrimSpace(to)))
		}
	}
	return aliases, nil
}

func (l *crisisLexicon) parseRule(line string) (crisisRule, error) {
	head, body, ok := strings.Cut(line, "=")
	if !ok {
		return crisisRule{}, fmt.Errorf("rule %q: no =", line)
	}
	kind, em, _ := strings.Cut(strings.TrimSpace(head), "/")
	r := crisisRule{kind: CrisisKind(kind), emergency: Emergency(em), line: line}
	switch r.kind {
	case CrisisSuicide, CrisisChildAbuse, CrisisViolence, CrisisMedical:
	default:
		return r, fmt.Errorf("rule %q: unknown kind %s", line, kind)
	}
	for _, f := range strings.Fields(body) {
		a := ruleAtom{min: 1}
		if strings.HasPrefix(f, "!") {
			a.not, f = true, f[1:]
		}
		if base, ok := strings.CutSuffix(f, "*2"); ok {
			a.min, f = 2, base
		}
		for _, name := range strings.Split(f, "|") {
			id, ok := l.ids[name]
			if !ok {
				return r, fmt.Errorf("rule %q: unknown concept %s", line, name)
			}
			a.any = append(a.any, id)
		}
		r.atoms = append(r.atoms, a)
	}
	if len(r.atoms) == 0 {
		return r, fmt.Errorf("rule %q: no concepts", line)
	}
	return r, nil
}

// prepare turns a message into the text the concepts are looked for in:
// normalised, aliases rewritten and idioms cut out (each leaves a "|", which
// no word contains, so nothing matches across it), then spaces removed so
// that dictated or spaced-out words (我 想 自 杀) still match; ends marks the
// byte offsets where a clause ended.
func (l *crisisLexicon) prepare(text string) (s string, ends map[int]bool) {
	n := l.alias.Replace(Normalize(emojiWords.Replace(text)))
	if p := l.pinyin.rewrite(n); p != n {
		n = l.alias.Replace(p)
	}
	n = l.idiom.Replace(n)
	if !strings.Contains(n, " ") {
		return n, nil
	}
	ends = map[int]bool{}
	var b strings.Builder
	b.Grow(len(n))
	clauses := strings.Split(n, " ")
	for _, clause := range clauses {
		if b.Len() > 0 {
			ends[b.Len()] = true
		}
		b.WriteString(clause)
	}
	s = b.String()
	// Words spelt across spaces (xiang si, 不想 或了) are rewritten too; the
	// clause ends no longer line up then, and are dropped.
	if a := l.alias.Replace(s); a != s {
		return a, nil
	}
	// Spaced-out typing (我 想 自 杀) has clauses of a character or two:
	// words may run across them. Otherwise a word must not (孩子不听话就打 我不同意
	// does not say 打我).
	if utf8.RuneCountInString(s) <= 2*len(clauses) {
		return s, nil
	}
	return s, ends
}

// emojiWords: Normalize drops emoji as symbols, but some say what the words
// do not (我准备好了💊💊💊).
var emojiWords = strings.NewReplacer(
	"💊", "药", "🔪", "刀", "🗡", "刀", "🪢", "绳子", "⚰", "死", "💀", "死", "☠", "死", "🩸", "血", "🚑", "急救",
	"🔥", "火", "🌊", "水", "🏢", "楼", "🌉", "桥", "🥀", "凋谢",
)

// conceptHits counts, per concept, the different places one of its words
// occurs (overlapping words of one concept count once).
type conceptHits []uint8

func (h conceptHits) has(id int) bool { return h[id] > 0 }

func (l *crisisLexicon) match(s string, ends map[int]bool) conceptHits {
	hits := make(conceptHits, len(l.concepts))
	lastEnd := make([]int, len(l.concepts))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !l.starts[r] {
			i += size
			continue
		}
		for _, n := range l.lens {
			j := i + n
			if j > len(s) || (j < len(s) && !utf8.RuneStart(s[j])) {
				continue
			}
			ts, ok := l.terms[s[i:j]]
			if !ok || crossesEnd(i, j, ends) {
				continue
			}
			for _, t := range ts {
				end, ok := t.matchAt(s, j, ends)
				if !ok {
					continue
				}
				if hits[t.concept] == 0 || i >= lastEnd[t.concept] {
					if hits[t.concept] < 255 {
						hits[t.concept]++
					}
					lastEnd[t.concept] = end
				}
			}
		}
		i += size
	}
	return hits
}

func crossesEnd(i, j int, ends map[int]bool) bool {
	if ends == nil {
		return false
	}
	for k := i + 1; k < j; k++ {
		if ends[k] {
			return true
		}
	}
	return false
}

// matchAt checks the rest of a word whose first part ended at j; it returns
// where the whole word ends.
func (t crisisTerm) matchAt(s string, j int, ends map[int]bool) (int, bool) {
	for i, p := range t.rest {
		window := s[j:min(len(s), j+t.window[i]+len(p))]
		k := strings.Index(window, p)
		// A^B stays within one clause (考砸了 我 is not 砸了我).
		if k < 0 || (t.window[i] == nearWindow && crossesEnd(j-1, j+k+len(p), ends)) {
			return 0, false
		}
		j += k + len(p)
	}
	if t.end && j != len(s) && !ends[j] && s[j] != '|' {
		return 0, false
	}
	return j, true
}

func (r crisisRule) fires(h conceptHits) bool {
	for _, a := range r.atoms {
		n := 0
		for _, id := range a.any {
			n += int(h[id])
		}
		if (n >= a.min) == a.not {
			return false
		}
	}
	return true
}

// has reports whether a concept by name was found; names are checked at load.
func (l *crisisLexicon) has(h conceptHits, name string) bool { return h.has(l.ids[name]) }

func (l *crisisLexicon) hasAll(h conceptHits, names ...string) bool {
	for _, n := range names {
		if !l.has(h, n) {
			return false
		}
	}
	return true
}

func (l *crisisLexicon) hasAny(h conceptHits, names ...string) bool {
	for _, n := range names {
		if l.has(h, n) {
			return true
		}
	}
	return false
}
