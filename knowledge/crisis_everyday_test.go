package knowledge

import "testing"

// TestCrisisCarerExhaustion: a carer worn out by nights and work (快撑不住了,
// 熬不住了) is for the chat layer's warm reply, not a crisis; the same
// exhaustion with a wish to die still is one. Kept out of the regression list,
// which the model is fitted on: as a negative there it would teach the model
// that 撑不住 is harmless.
func TestCrisisCarerExhaustion(t *testing.T) {
	for text, want := range map[string]CrisisKind{
		"照顾我爸快撑不住了 他半夜老起来 我白天还得上班": CrisisNone,
		"我妈晚上老起来 我白天要上班 真的熬不住了":    CrisisNone,
		"照顾我爸快撑不住了 白天还得上班 真想一死了之":  CrisisSuicide,
	} {
		if got := AssessCrisis(text).Kind; got != want {
			t.Errorf("AssessCrisis(%q).Kind = %q, want %q", text, got, want)
		}
	}
}
