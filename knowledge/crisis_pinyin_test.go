package knowledge

import "testing"

// TestCrisisPinyin: a crisis typed in pinyin (the input method left behind)
// is still a crisis; an everyday question in pinyin is still not.
func TestCrisisPinyin(t *testing.T) {
	for _, tc := range []struct {
		text string
		want CrisisKind
	}{
		{"wo laogong da wo 现在还在打 救命", CrisisViolence},
		{"wo bu xiang huo le", CrisisSuicide},
		{"woxiangsi", CrisisSuicide},
		{"xin kou tong 出冷汗", CrisisMedical},
		{"haizi fashao le zenme ban", CrisisNone},
		{"wo xiang wen yi xia ren liu hou duo jiu neng xi zao", CrisisNone},
		{"HPV疫苗几岁打", CrisisNone},
	} {
		if got := DetectCrisis(tc.text); got != tc.want {
			t.Errorf("DetectCrisis(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
