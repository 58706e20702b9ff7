package knowledge

import (
	"embed"
	"math"
	"strings"
	"sync"
)

// The statistical layer: a multinomial logistic regression over hashed
// character 1–3-grams of the prepared text (normalised, idioms cut out),
// fitted at start-up on the labelled corpus embedded below. Pure Go, nothing
// downloaded, deterministic: the same corpus gives the same model.
//
// The model is fitted on the training part of the corpus and on the
// regression list (the examples and messages written for the rules),
// never on the held-out part.
//
//go:embed crisisdata testdata/crisis_regression.tsv
var crisisData embed.FS

// crisisTrainingFiles are the labelled files the model is fitted on.
var crisisTrainingFiles = []string{"crisisdata/train.tsv", "crisisdata/train2.tsv", "crisisdata/train3.tsv", "crisisdata/train4.tsv", "testdata/crisis_regression.tsv"}

// crisisExample is one labelled message of the corpus.
type crisisExample struct {
	Kind      CrisisKind
	Emergency Emergency
	Person    Person
	Text      string
}

// parseCrisisTSV reads kind<TAB>emergency<TAB>person<TAB>text lines; blank
// lines, # comments and malformed lines are skipped.
func parseCrisisTSV(data string) []crisisExample {
	var out []crisisExample
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", 4)
		if len(f) != 4 || strings.TrimSpace(f[3]) == "" {
			continue
		}
		dash := func(s string) string {
			if s = strings.TrimSpace(s); s == "-" {
				return ""
			}
			return s
		}
		k := CrisisKind(dash(f[0]))
		if k == "none" {
			k = CrisisNone
		}
		out = append(out, crisisExample{Kind: k, Emergency: Emergency(dash(f[1])), Person: Person(dash(f[2])), Text: f[3]})
	}
	return out
}

const (
	modelBits    = 16 // 65,536 hashed features per class
	modelEpochs  = 60
	modelRate    = 0.3
	modelL2      = 1e-5
	modelClasses = 5
)

var modelKinds = [modelClasses]CrisisKind{CrisisNone, CrisisSuicide, CrisisChildAbuse, CrisisViolence, CrisisMedical}

// crisisModel is the fitted regression; a nil model never fires.
type crisisModel struct {
	w [modelClasses][]float32
	b [modelClasses]float64
	// threshold: the model fires when the probability of "none" is below it.
	threshold float64
}

// modelThreshold: fire only when the model gives "none" less than this
// probability. Chosen as the largest threshold whose false alarms, rules and
// model together, stay within 2 % in 5-fold cross-validation on the corpus's
// training part (TestCrisisCorpus logs the table and fails if the rule is
// broken): recall comes first, but above it false alarms on hard negatives
// that share words with crises climb fast. Random folds mix the writers;
// fitted without one writer's file and measured on it (TestCrisisScoreFile),
// false alarms climb above 0.65 (2026-12-06, batch 2 unseen: 2.0 % at 0.65,
// 4.5 % at 0.75), so the threshold stays at 0.65 though random folds allow 0.70.
const modelThreshold = 0.65

// modelMinRunes: the model decides alone only on texts at least this long.
const modelMinRunes = 8

var (
	modelOnce   sync.Once
	loadedModel *crisisModel
)

func defaultCrisisModel() *crisisModel {
	modelOnce.Do(func() {
		var ex []crisisExample
		for _, f := range crisisTrainingFiles {
			if data, err := crisisData.ReadFile(f); err == nil {
				ex = append(ex, parseCrisisTSV(string(data))...)
			}
		}
		ex = append(ex, everydayExamples()...)
		if len(ex) > 0 {
			loadedModel = trainCrisisModel(ex, modelThreshold)
		}
	})
	return loadedModel
}

// everydayExamples are the knowledge entries' own questions (how residents
// ask everyday things: 宝宝发烧怎么办, 独生子女费去哪领) as negatives, so the
// model learns what ordinary questions look like. Questions the rules take as
// a crisis (噎住了怎么急救 is the entry's, 噎住了 is a crisis) are left out.
func everydayExamples() []crisisExample {
	entries, err := Seed()
	if err != nil {
		return nil
	}
	var out []crisisExample
	for _, e := range entries {
		for _, q := range e.Questions {
			if crisisLex.assess(q, nil).Kind == CrisisNone {
				out = append(out, crisisExample{Kind: CrisisNone, Text: q})
			}
		}
	}
	return out
}

// modelFeatures are the hashed character 1–3-grams of prepared text ("|",
// an idiom cut out, breaks n-grams). The rules' concepts are deliberately not
// features: they were written from the training part, so the model would
// learn to trust them there and be left with nothing where they miss.
func modelFeatures(s string) []uint32 {
	rs := []rune(s)
	out := make([]uint32, 0, 3*len(rs))
	for i := range rs {
		// FNV-1a over the n-gram's runes, seeded with its length.
		h := uint32(2166136261)
		for n := 1; n <= 3 && i+n <= len(rs); n++ {
			r := rs[i+n-1]
			if r == '|' {
				break
			}
			h = (h ^ uint32(r)) * 16777619
			out = append(out, ((h^uint32(n))*16777619)&(1<<modelBits-1))
		}
	}
	return out
}

func trainCrisisModel(ex []crisisExample, threshold float64) *crisisModel {
	m := &crisisModel{threshold: threshold}
	for c := range m.w {
		m.w[c] = make([]float32, 1<<modelBits)
	}
	type sample struct {
		f []uint32
		y int
	}
	var data []sample
	for _, e := range ex {
		y := -1
		for c, k := range modelKinds {
			if k == e.Kind {
				y = c
			}
		}
		if y < 0 {
			continue
		}
		s, _ := crisisLex.prepare(e.Text)
		data = append(data, sample{modelFeatures(s), y})
	}
	// A fixed interleaving instead of random shuffling keeps the model
	// deterministic; the learning rate decays per epoch.
	order := make([]int, len(data))
	for i := range order {
		order[i] = (i * 7919) % len(data)
	}
	if len(data)%7919 == 0 {
		for i := range order {
			order[i] = i
		}
	}
	var p [modelClasses]float64
	for epoch := range modelEpochs {
		rate := modelRate / (1 + float64(epoch)*0.2)
		for _, i := range order {
			d := data[i]
			m.probs(d.f, &p)
			scale := 1 / math.Sqrt(float64(max(len(d.f), 1)))
			for c := range modelClasses {
				g := p[c]
				if c == d.y {
					g--
				}
				m.b[c] -= rate * g
				step := float32(rate * g * scale)
				for _, f := range d.f {
					m.w[c][f] -= step + float32(modelL2)*m.w[c][f]
				}
			}
		}
	}
	return m
}

func (m *crisisModel) probs(f []uint32, p *[modelClasses]float64) {
	scale := 1 / math.Sqrt(float64(max(len(f), 1)))
	top := math.Inf(-1)
	for c := range modelClasses {
		z := 0.0
		for _, x := range f {
			z += float64(m.w[c][x])
		}
		p[c] = m.b[c] + z*scale
		top = max(top, p[c])
	}
	sum := 0.0
	for c := range modelClasses {
		p[c] = math.Exp(p[c] - top)
		sum += p[c]
	}
	for c := range modelClasses {
		p[c] /= sum
	}
}

// verdict: the most likely crisis kind, when "none" is unlikely enough.
func (m *crisisModel) verdict(s string) (CrisisKind, bool) {
	if m == nil || s == "" {
		return CrisisNone, false
	}
	var p [modelClasses]float64
	m.probs(modelFeatures(s), &p)
	if p[0] >= m.threshold {
		return CrisisNone, false
	}
	best := 1
	for c := 2; c < modelClasses; c++ {
		if p[c] > p[best] {
			best = c
		}
	}
	return modelKinds[best], true
}
