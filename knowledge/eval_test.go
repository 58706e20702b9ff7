package knowledge

import (
	"familybot/models"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The evaluation set: residents' real ways of asking, written by the content
// authors in knowledge/testdata/eval_*.yaml. CI fails when a gate drops.
const (
	gateInScope   = 0.93 // Answer with the right category (issue: ≥ 93 %)
	gateRejection = 0.90 // out-of-scope questions get NoMatch
)

type evalItem struct {
	Q        string `yaml:"q"`
	Category string `yaml:"category"`
	Slug     string `yaml:"slug"`
}

var evalFiles = []string{"eval_parenting.yaml", "eval_adolescent.yaml", "eval_elderly.yaml", "eval_service.yaml", "eval_other.yaml", "eval_policy.yaml", "eval_pregnancy.yaml", "eval_gaps.yaml"}

func loadEval(t *testing.T) (entries []Entry, items map[string][]evalItem) {
	t.Helper()
	var missing []string
	for _, c := range Categories {
		if _, err := content.Open("content/" + c + ".yaml"); err != nil {
			missing = append(missing, "content/"+c+".yaml")
		}
	}
	for _, f := range evalFiles {
		if _, err := os.Stat(filepath.Join("testdata", f)); err != nil {
			missing = append(missing, "testdata/"+f)
		}
	}
	if len(missing) > 0 && os.Getenv("FAMILYBOT_EVAL_PARTIAL") == "" {
		t.Skipf("evaluation skipped until these files exist: %s", strings.Join(missing, ", "))
	}
	entries, err := Seed()
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	items = map[string][]evalItem{}
	for _, f := range evalFiles {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			continue
		}
		var list []evalItem
		if err := yaml.Unmarshal(data, &list); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, it := range list {
			items[it.Category] = append(items[it.Category], it)
		}
	}
	return entries, items
}

type tally struct{ n, answered, exact, clarify, clarifyHit int }

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func TestEval(t *testing.T) {
	entries, items := loadEval(t)
	ix := NewIndex(entries, DefaultOptions())
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, models.Beijing)
	slugs := map[string]bool{}
	for _, e := range ix.Entries() {
		slugs[e.Slug] = true
	}

	var total tally
	var fails []string
	cats := append([]string(nil), Categories...)
	for _, cat := range cats {
		var c tally
		for _, it := range items[cat] {
			if it.Slug != "" && !slugs[it.Slug] {
				t.Errorf("eval item %q expects unknown slug %s", it.Q, it.Slug)
			}
			r := ix.Match(it.Q, now)
			c.n++
			switch {
			case r.Decision == Answer && r.Top[0].Entry.Category == cat:
				c.answered++
				if r.Top[0].Entry.Slug == it.Slug {
					c.exact++
				} else {
					fails = append(fails, describe("wrong entry", it, r))
				}
			case r.Decision == Clarify:
				c.clarify++
				for _, cd := range r.Top {
					if cd.Entry.Slug == it.Slug {
						c.clarifyHit++
					}
				}
				fails = append(fails, describe("clarify", it, r))
			default:
				fails = append(fails, describe(r.Decision.String(), it, r))
			}
		}
		t.Logf("%-10s n=%3d  answer+category %3d (%s)  exact slug %3d (%s)  clarify %2d (%s, right entry offered %d)",
			cat, c.n, c.answered, pct(c.answered, c.n), c.exact, pct(c.exact, c.n), c.clarify, pct(c.clarify, c.n), c.clarifyHit)
		total.n += c.n
		total.answered += c.answered
		total.exact += c.exact
		total.clarify += c.clarify
		total.clarifyHit += c.clarifyHit
	}

	var rejected, nNone int
	for _, it := range items["none"] {
		nNone++
		r := ix.Match(it.Q, now)
		if r.Decision == NoMatch {
			rejected++
		} else {
			fails = append(fails, describe("out of scope not rejected", it, r))
		}
	}
	var crisisHit, benignFP int
	for _, it := range items["crisis"] {
		if DetectCrisis(it.Q) != CrisisNone {
			crisisHit++
		} else {
			fails = append(fails, fmt.Sprintf("crisis missed: %q", it.Q))
		}
	}
	for _, it := range items["benign"] {
		if k := DetectCrisis(it.Q); k != CrisisNone {
			benignFP++
			fails = append(fails, fmt.Sprintf("benign flagged as %s: %q", k, it.Q))
		}
	}
	sort.Strings(fails)
	for _, f := range fails {
		t.Log(f)
	}
	// Half-credit for a clarification that offers the right entry: reported, not gated.
	soft := float64(total.exact) + 0.5*float64(total.clarifyHit)
	summary := fmt.Sprintf("EVAL in-scope answer+category %d/%d (%s), exact slug %d/%d (%s), clarify %d (%s; with right entry %d, soft score %.1f%%), out-of-scope rejected %d/%d (%s), crisis %d/%d, benign false positives %d/%d",
		total.answered, total.n, pct(total.answered, total.n), total.exact, total.n, pct(total.exact, total.n),
		total.clarify, pct(total.clarify, total.n), total.clarifyHit, 100*soft/float64(max(total.n, 1)),
		rejected, nNone, pct(rejected, nNone), crisisHit, len(items["crisis"]), benignFP, len(items["benign"]))
	t.Log(summary)
	fmt.Println(summary)

	if float64(total.answered) < gateInScope*float64(total.n) {
		t.Errorf("in-scope accuracy %s is below the %.0f%% gate", pct(total.answered, total.n), gateInScope*100)
	}
	if float64(rejected) < gateRejection*float64(nNone) {
		t.Errorf("out-of-scope rejection %s is below the %.0f%% gate", pct(rejected, nNone), gateRejection*100)
	}
	if crisisHit != len(items["crisis"]) {
		t.Errorf("crisis recall %d/%d: every crisis must be detected", crisisHit, len(items["crisis"]))
	}
	if benignFP != 0 {
		t.Errorf("%d benign messages flagged as crisis", benignFP)
	}
}

func describe(what string, it evalItem, r Result) string {
	var top []string
	for _, c := range r.Top {
		top = append(top, fmt.Sprintf("%s %.2f", c.Entry.Slug, c.Score))
	}
	return fmt.Sprintf("%s: %q (want %s %s) read as %q → %s [%s]", what, it.Q, it.Category, it.Slug, r.Normalized, r.Decision, strings.Join(top, ", "))
}
