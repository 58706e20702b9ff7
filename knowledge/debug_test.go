package knowledge

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDebugQuery prints how the matcher reads FAMILYBOT_DEBUG_Q (questions separated by "|").
func TestDebugQuery(t *testing.T) {
	qs := os.Getenv("FAMILYBOT_DEBUG_Q")
	if qs == "" {
		t.Skip("set FAMILYBOT_DEBUG_Q")
	}
	entries, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(entries, DefaultOptions())
	for _, q := range strings.Split(qs, "|") {
		norm := Normalize(q)
		var ts []string
		for _, qt := range ix.queryTerms(norm) {
			ts = append(ts, qt.raw+"="+qt.canonical+"/"+qt.how+"/"+strings.TrimRight(strings.TrimRight(ftoa(qt.weight), "0"), "."))
		}
		r := ix.Match(q, time.Now())
		t.Logf("%q → %q cut=%v terms=%v → %s", q, norm, seg.Cut(norm, true), ts, r.Decision)
		for _, c := range r.Top {
			t.Logf("    %.3f %s %s", c.Score, c.Entry.Slug, strings.Join(c.Why, "; "))
		}
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
