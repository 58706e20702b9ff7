package knowledge

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"
)

// TestSweep (temporary tuning aid) tries scoring constants on the eval set.
func TestSweep(t *testing.T) {
	if os.Getenv("FAMILYBOT_SWEEP") == "" {
		t.Skip()
	}
	entries, items := loadEval(t)
	ix := NewIndex(entries, DefaultOptions())
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, China)
	type res struct {
		ins, oos int
		cfg      string
	}
	nIn := 0
	for _, c := range Categories {
		nIn += len(items[c])
	}
	grid := []struct {
		p    *float64
		vals []float64
		name string
	}{
		{&unmatchedWeight, []float64{0.15}, "uw"},
		{&elsewhereWeight, []float64{0.2}, "ew"},
		{&evidenceScale, []float64{0.5}, "es"},
		{&centralFloor, []float64{0.1}, "cf"},
		{&nearestWeight, []float64{0.05}, "nw"},
		{&whoCentral, []float64{0, 0.3, 0.5, 0.7}, "wc"},
		{&phraseBonus, []float64{3}, "pb"},
		{&closeMargin, []float64{0.02}, "cm"},
		{&literalDiscount, []float64{0.9}, "ld"},
		{&centralTF, []float64{3, 4}, "ctf"},
		{&counterMin, []float64{0.3, 0.4, 0.5}, "cmin"},
		{&penaltySubject, []float64{0.6, 0.7, 0.8}, "ps"},
	}
	var all []res
	var rec func(i int, cfg string)
	rec = func(i int, cfg string) {
		if i == len(grid) {
			var r res
			for _, c := range Categories {
				for _, it := range items[c] {
					m := ix.Match(it.Q, now)
					if m.Decision == Answer && m.Top[0].Entry.Category == c {
						r.ins++
					}
				}
			}
			for _, it := range items["none"] {
				if ix.Match(it.Q, now).Decision == NoMatch {
					r.oos++
				}
			}
			r.cfg = cfg
			all = append(all, r)
			return
		}
		for _, v := range grid[i].vals {
			*grid[i].p = v
			rec(i+1, fmt.Sprintf("%s %s=%v", cfg, grid[i].name, v))
		}
	}
	rec(0, "")
	sort.SliceStable(all, func(i, j int) bool {
		si := float64(all[i].ins)/float64(nIn) + min(float64(all[i].oos)/float64(len(items["none"])), 0.95)
		sj := float64(all[j].ins)/float64(nIn) + min(float64(all[j].oos)/float64(len(items["none"])), 0.95)
		return si > sj
	})
	for _, r := range all[:min(len(all), 15)] {
		fmt.Printf("%s  in %d/%d (%.1f%%)  oos %d/%d\n", r.cfg, r.ins, nIn, 100*float64(r.ins)/float64(nIn), r.oos, len(items["none"]))
	}
}
