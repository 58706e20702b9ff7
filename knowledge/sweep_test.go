package knowledge

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"
)

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
	var all []res
	nIn := 0
	for _, c := range Categories {
		nIn += len(items[c])
	}
	for _, uw := range []float64{0.15, 0.2, 0.25, 0.35} {
		for _, pb := range []float64{3} {
			for _, cf := range []float64{0.05, 0.1, 0.2} {
				for _, es := range []float64{0.5, 1, 2} {
					for _, cm := range []float64{0.01, 0.02, 0.05} {
						for _, ld := range []float64{0.8, 0.9, 0.95} {
							literalDiscount = ld
							for _, ctf := range []float64{4} {
								unmatchedWeight, phraseBonus, centralFloor, evidenceScale, closeMargin, centralTF = uw, pb, cf, es, cm, ctf
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
								r.cfg = fmt.Sprintf("uw=%v pb=%v cf=%v es=%v cm=%v ctf=%v ld=%v", uw, pb, cf, es, cm, ctf, ld)
								all = append(all, r)
							}
						}
					}
				}
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		si := float64(all[i].ins)/float64(nIn) + min(float64(all[i].oos)/float64(len(items["none"])), 0.95)
		sj := float64(all[j].ins)/float64(nIn) + min(float64(all[j].oos)/float64(len(items["none"])), 0.95)
		return si > sj
	})
	for _, r := range all {
		fmt.Printf("%s  in %d/%d (%.1f%%)  oos %d/%d\n", r.cfg, r.ins, nIn, 100*float64(r.ins)/float64(nIn), r.oos, len(items["none"]))
	}
}
