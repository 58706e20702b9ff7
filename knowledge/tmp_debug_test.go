package knowledge

import (
	"os"
	"strings"
	"testing"
)

func TestTmpDebug(t *testing.T) {
	for _, line := range strings.Split(os.Getenv("DBG"), "\n") {
		if line == "" {
			continue
		}
		s, ends := crisisLex.prepare(line)
		h := crisisLex.match(s, ends)
		var names []string
		for id, n := range h {
			if n > 0 {
				names = append(names, crisisLex.concepts[id])
			}
		}
		var ws []string
		for w, ts := range crisisLex.terms {
			if strings.Contains(s, w) {
				for _, tt := range ts {
					ws = append(ws, crisisLex.concepts[tt.concept]+":"+w)
				}
			}
		}
		t.Logf("%q → %q %v %v → %+v", line, s, names, ws, crisisLex.assess(line, nil))
	}
}
