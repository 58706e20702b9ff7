package knowledge

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestExplain shows how the real knowledge base reads the questions in
// FAMILYBOT_EXPLAIN (separated by "|"), for whoever tunes the word lists:
//
//	FAMILYBOT_EXPLAIN='娃拉稀|高血亚' go test ./knowledge -run TestExplain -v
func TestExplain(t *testing.T) {
	qs := os.Getenv("FAMILYBOT_EXPLAIN")
	if qs == "" {
		t.Skip("set FAMILYBOT_EXPLAIN to see how questions are read")
	}
	entries, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(entries, DefaultOptions())
	for _, q := range strings.Split(qs, "|") {
		r := ix.Match(q, time.Now())
		var words []string
		terms, _ := ix.readQuery(r.Normalized)
		for _, w := range terms {
			words = append(words, w.raw+"→"+w.canonical)
		}
		t.Logf("%q read as %q, words %v: %s", q, r.Normalized, words, r.Decision)
		for _, c := range r.Top {
			t.Logf("    %.3f %s %s", c.Score, c.Entry.Slug, strings.Join(c.Why, "；"))
		}
	}
}
