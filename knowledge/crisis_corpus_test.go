package knowledge

import (
	"fmt"
	"os"
	"testing"
)

func mustReadCrisisTSV(t testing.TB, path string) []crisisExample {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ex := parseCrisisTSV(string(data))
	if len(ex) == 0 {
		t.Fatalf("%s: no examples", path)
	}
	return ex
}

// TestCrisisRegression: every example of issue 10 (missed crises, wrong
// replies, guard cases), the earlier tests' positives and negatives, and one
// per concept class — all of them, kind, emergency and who is at risk.
func TestCrisisRegression(t *testing.T) {
	ex := mustReadCrisisTSV(t, "testdata/crisis_regression.tsv")
	ok := 0
	for _, e := range ex {
		c := AssessCrisis(e.Text)
		switch {
		case c.Kind != e.Kind:
			t.Errorf("%q: kind %q, want %q (%+v)", e.Text, c.Kind, e.Kind, c)
		case e.Emergency != "" && c.Emergency != e.Emergency:
			t.Errorf("%q: emergency %q, want %q (%+v)", e.Text, c.Emergency, e.Emergency, c)
		case e.Person != "" && c.Person != e.Person:
			t.Errorf("%q: person %q, want %q (%+v)", e.Text, c.Person, e.Person, c)
		default:
			ok++
		}
	}
	t.Logf("crisis regression list: %d/%d", ok, len(ex))
}

func TestCrisisWho(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Crisis
	}{
		{"我继父晚上老是进我房间摸我 我不敢说", Crisis{Kind: CrisisChildAbuse, Person: PersonSelf, Subject: SubjectSelf, ChildWriter: true}},
		{"儿子说要跳楼", Crisis{Kind: CrisisSuicide, Person: PersonWorried, Subject: SubjectChild}},
		{"我妈吃了一整瓶安眠药 叫不太醒", Crisis{Kind: CrisisMedical, Emergency: EmergencyPoisoning, Person: PersonPresent, Subject: SubjectElder}},
		{"我吃了一整瓶安眠药", Crisis{Kind: CrisisSuicide, Emergency: EmergencyPoisoning, Person: PersonSelf, Subject: SubjectSelf}},
		{"我才13岁 他让我别告诉别人", Crisis{}},
		{"宝宝才20天 发烧38度5", Crisis{Kind: CrisisMedical, Emergency: EmergencyInfant, Person: PersonPresent, Subject: SubjectInfant}},
	} {
		got := AssessCrisis(tc.text)
		got.Layer = ""
		if got != tc.want {
			t.Errorf("AssessCrisis(%q) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}

func BenchmarkAssessCrisis(b *testing.B) {
	msgs := []string{"嗯就是那个我妈血糖有点高能不能吃粽子啊", "我继父晚上老是进我房间摸我 我不敢说", "孩子发烧39度 精神还可以 要去医院吗", "活著沒意思"}
	defaultCrisisModel()
	b.Run("memo", func(b *testing.B) {
		for b.Loop() {
			AssessCrisis(msgs[0])
		}
	})
	b.Run("cold", func(b *testing.B) {
		i := 0
		for b.Loop() {
			assessCrisis(msgs[i%len(msgs)])
			i++
		}
	})
}

var _ = fmt.Sprint
