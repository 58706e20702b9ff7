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
		s, _ := crisisLex.prepare(line)
		var words []string
		for w, ts := range crisisLex.terms {
			if strings.Contains(s, w) {
				for _, tt := range ts {
					words = append(words, crisisLex.concepts[tt.concept]+":"+w)
				}
			}
		}
		sort.Strings(words)
		t.Logf("%q → %q\n  words (first parts): %v\n  verdict: %+v", line, s, words, AssessCrisis(line))
	}
}
