package knowledge

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestCrisisExplain shows, for each line of FAMILYBOT_CRISIS_EXPLAIN, the
// prepared text, the concepts found (with the word that found them) and the
// verdict — for reviewers changing crisis_concepts.txt:
//
//	FAMILYBOT_CRISIS_EXPLAIN='我妈吃了一整瓶安眠药 叫不太醒' go test ./knowledge -run CrisisExplain -v
func TestCrisisExplain(t *testing.T) {
	in := os.Getenv("FAMILYBOT_CRISIS_EXPLAIN")
	if in == "" {
		t.Skip("set FAMILYBOT_CRISIS_EXPLAIN to a message (one per line)")
	}
	for _, line := range strings.Split(in, "\n") {
		if line == "" {
			continue
		}
		s, ends := crisisLex.prepare(line)
		h := crisisLex.hits(s, ends)
		var concepts []string
		for id, n := range h {
			if n > 0 {
				concepts = append(concepts, crisisLex.concepts[id])
			}
		}
		sort.Strings(concepts)
		var rules []string
		for _, r := range crisisLex.rules {
			if r.fires(h) {
				rules = append(rules, r.line)
			}
		}
		t.Logf("%q → %q\n  concepts: %v\n  rules: %q\n  verdict: %+v", line, s, concepts, rules, AssessCrisis(line))
	}
}

// TestCrisisWordsMatchThemselves: every plain word of crisis_concepts.txt,
// sent as a message, is found as its own concept — so a change to Normalize,
// the lexicon or an alias that rewrites part of a word (冇 → 没有 once turned
// the 冇 alias into 没有 → 没, and 没有我大家 stopped matching) fails here.
func TestCrisisWordsMatchThemselves(t *testing.T) {
	section := ""
	n := 0
	for _, line := range strings.Split(crisisConceptsText, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = strings.TrimPrefix(strings.TrimSuffix(line, "]"), "[concept ")
			continue
		}
		id, ok := crisisLex.ids[section]
		if !ok || line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			if strings.ContainsAny(w, "~^") {
				continue
			}
			w = strings.TrimSuffix(w, "$")
			s, ends := crisisLex.prepare(w)
			if strings.Contains(s, "|") {
				continue // an idiom inside the word (累死, 笑死) is cut out by design
			}
			n++
			if !crisisLex.hits(s, ends).has(id) {
				t.Errorf("%s: the word %q, prepared as %q, is not found", section, w, s)
			}
		}
	}
	t.Logf("%d words checked", n)
}
