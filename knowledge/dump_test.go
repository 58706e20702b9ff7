package knowledge

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestEvalDump writes per-item features to FAMILYBOT_EVAL_DUMP for tuning.
func TestEvalDump(t *testing.T) {
	path := os.Getenv("FAMILYBOT_EVAL_DUMP")
	if path == "" {
		t.Skip("set FAMILYBOT_EVAL_DUMP")
	}
	entries, items := loadEval(t)
	ix := NewIndex(entries, DefaultOptions())
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, China)
	var b strings.Builder
	b.WriteString("cat\tok\trank\ts1\ts2\tcover\tcentral\ttext\tphrase\tsubj\tq\ttop\n")
	for _, cat := range []string{"parenting", "adolescent", "elderly", "service", "none"} {
		for _, it := range items[cat] {
			r := ix.Match(it.Q, now)
			// rank of the right entry among all scored candidates
			rank := -1
			for i, c := range r.Top {
				if c.Entry.Slug == it.Slug {
					rank = i
				}
			}
			var s1, s2 float64
			var f features
			top := ""
			if len(r.Top) > 0 {
				s1, f, top = r.Top[0].Score, r.Top[0].feat, r.Top[0].Entry.Slug
			}
			if len(r.Top) > 1 {
				s2 = r.Top[1].Score
			}
			ok := len(r.Top) > 0 && r.Top[0].Entry.Slug == it.Slug
			fmt.Fprintf(&b, "%s\t%v\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%v\t%v\t%s\t%s\n", cat, ok, rank, s1, s2, f.matched, f.central, f.text, f.phrase != "", f.subject, it.Q, top)
		}
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
}
