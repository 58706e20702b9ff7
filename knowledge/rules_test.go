package knowledge

import (
	"familybot/models"
	"strings"
	"testing"
)

func TestMatchRule(t *testing.T) {
	rules := []Rule{
		{ID: 1, Name: "联系电话", Keywords: []string{"电话", "联系方式"}, Match: MatchEqual, Reply: "电话：{{phone}}", Priority: 10, Kind: models.RuleKeyword},
		{ID: 2, Name: "疫苗", Keywords: []string{"疫苗"}, Match: MatchContain, Reply: "疫苗接种请咨询社区", Priority: 1, Kind: models.RuleKeyword},
		{ID: 3, Name: "HPV疫苗", Keywords: []string{"hpv疫苗"}, Match: MatchContain, Reply: "HPV", Priority: 1, Kind: models.RuleKeyword},
		{ID: 4, Name: "紧急电话", Keywords: []string{"急救电话"}, Match: MatchContain, Reply: "120", Priority: 20, Kind: models.RuleKeyword},
		{ID: 5, Name: "欢迎语", Keywords: []string{"你好"}, Match: MatchContain, Reply: "欢迎", Kind: models.RuleWelcome},
		{ID: 6, Name: "疫苗2", Keywords: []string{"疫苗"}, Match: MatchContain, Reply: "重复", Priority: 1, Kind: models.RuleKeyword},
	}
	for _, tc := range []struct {
		text string
		want uint // 0: no rule
	}{
		{"电话", 1},
		{"電話", 1},         // traditional
		{"  电话？", 1},      // punctuation and spaces
		{"你们电话多少", 0},     // equal rules need the whole message
		{"宝宝打疫苗", 2},      // contain; lowest ID among equals
		{"九价ＨＰＶ疫苗几岁打", 3}, // longest keyword wins at equal priority
		{"急救电话是多少", 4},    // priority wins
		{"你好", 0},         // welcome rules never match text
		{"", 0},
	} {
		r, ok := MatchRule(rules, tc.text)
		switch {
		case tc.want == 0 && ok:
			t.Errorf("MatchRule(%q) = rule %d, want none", tc.text, r.ID)
		case tc.want != 0 && (!ok || r.ID != tc.want):
			t.Errorf("MatchRule(%q) = %v %v, want rule %d", tc.text, r, ok, tc.want)
		}
	}
}

func TestRuleConflicts(t *testing.T) {
	rules := []Rule{
		{ID: 1, Name: "联系电话", Keywords: []string{"电话"}, Match: MatchContain, Reply: "a", Priority: 10},
		{ID: 2, Name: "咨询电话", Keywords: []string{"咨询电话"}, Match: MatchEqual, Reply: "b", Priority: 1},
		{ID: 3, Name: "疫苗", Keywords: []string{"疫苗"}, Match: MatchContain, Reply: "c", Priority: 1},
		{ID: 4, Name: "疫苗2", Keywords: []string{"疫苗"}, Match: MatchContain, Reply: "d", Priority: 1},
		{ID: 5, Name: "地址", Keywords: []string{"地址"}, Match: MatchEqual, Reply: "e", Priority: 1},
		{ID: 6, Name: "空", Keywords: []string{"？？"}, Match: MatchEqual, Reply: "f", Priority: 1},
	}
	got := RuleConflicts(rules)
	joined := strings.Join(got, "\n")
	for _, want := range []string{"“咨询电话”同时被规则“咨询电话”（#2）和“联系电话”（#1）认领", "“疫苗”同时被规则“疫苗2”（#4）和“疫苗”（#3）认领", "编号更小", "规范化后为空"} {
		if !strings.Contains(joined, want) {
			t.Errorf("conflicts lack %q:\n%s", want, joined)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d conflicts, want 3:\n%s", len(got), joined)
	}
	if c := RuleConflicts(rules[4:5]); len(c) != 0 {
		t.Errorf("a lone rule conflicts: %v", c)
	}
}
