package knowledge

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"孫子晚上一直咳醒怎麼辦", "孙子晚上一直咳醒怎么办"},
		{"娃一直吐奶咋整", "娃一直吐奶怎么办"},
		{"嗯就是那个我妈血糖有点高能不能吃粽子啊", "我妈血糖有点高能不能吃粽子"},
		{"请问，宝宝发烧了怎么办呢？", "宝宝发烧了怎么办"},
		{"ＨＰＶ疫苗　几岁打？", "hpv疫苗 几岁打"},
		{"体温３８.５度😭😭", "体温38.5度"},
		{"你好，在吗？孩子总去网吧", "孩子总去网吧"},
		{"额，额头发烫", "额头发烫"},
		{"我想问一下 啥是手足口病", "什么是手足口病"},
		{"  ", ""},
		{"👍", ""},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTermsMapSynonyms(t *testing.T) {
	words := func(s string) []string { return canonicalWords(s) }
	for _, tc := range []struct {
		in   string
		want []string // must all be present
	}{
		{"娃拉稀", []string{"宝宝", "腹泻"}},
		{"小孩拉肚子", []string{"宝宝", "腹泻"}},
		{"老爷子中风了", []string{"老人", "中风"}},
		{"我爸脑卒中", []string{"老人", "中风"}},
		{"宝宝发热", []string{"宝宝", "发烧"}},
		{"我妈血压高", []string{"老人", "高血压"}},
		{"来例假肚子疼", []string{"月经", "痛经"}},
	} {
		got := words(tc.in)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("terms(%q) = %v, missing %s", tc.in, got, w)
			}
		}
	}
	// 肚子疼 is 痛经 only when a period is mentioned.
	if got := words("吃坏了肚子疼"); slices.Contains(got, "痛经") {
		t.Errorf("肚子疼 without a period read as 痛经: %v", got)
	}
}

func TestLexiconIsConsistent(t *testing.T) {
	if _, err := parseLexicon(lexiconText, synonymsText); err != nil {
		t.Fatal(err)
	}
	if _, err := parseLexicon(lexiconText, "发烧 = 发热\n发热烧 = 发热\n"); err == nil {
		t.Error("a variant in two groups was accepted")
	}
	for w := range lex.stop {
		if _, syn := lex.synonyms[w]; syn {
			t.Errorf("%s is both a stop word and a synonym", w)
		}
	}
}
