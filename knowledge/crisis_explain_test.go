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
