package knowledge

import (
	"os"
	"strings"
	"testing"
)

// TestCrisisScoreFile measures rules + model on one training file the model
// is NOT fitted on (fitted on the other training files and the everyday
// questions), and lists its misses and false alarms with the layer that
// fired — how a writer's batch does before it is fitted, which says more
// about new writers than random folds do. For tuning on the training part:
//
//	FAMILYBOT_CRISIS_SCORE_FILE=crisisdata/train3.tsv go test ./knowledge -run CrisisScoreFile -v
//
// The held-out files are refused: they measure, they are not looked at.
func TestCrisisScoreFile(t *testing.T) {
	f := os.Getenv("FAMILYBOT_CRISIS_SCORE_FILE")
	if f == "" {
		t.Skip("set FAMILYBOT_CRISIS_SCORE_FILE to a training file, e.g. crisisdata/train3.tsv")
	}
	if strings.Contains(f, "heldout") {
		t.Fatalf("%s is held out: measure it with TestCrisisCorpus, never list its lines", f)
	}
	ex := mustReadCrisisTSV(t, f)
	var train []crisisExample
	for _, tf := range crisisTrainingFiles {
		if tf != f {
			train = append(train, mustReadCrisisTSV(t, tf)...)
		}
	}
	train = append(train, everydayExamples()...)
	m := trainCrisisModel(train, modelThreshold)
	sc := scoreCrisis(crisisLex, m, ex)
	t.Logf("%s, model not fitted on it: %s; rules only %s", f, sc.summary(), scoreCrisis(crisisLex, nil, ex).summary())
	for _, s := range sc.misses {
		t.Logf("miss: %s", s)
	}
	for _, s := range sc.alarms {
		t.Logf("alarm: %s", s)
	}
}
