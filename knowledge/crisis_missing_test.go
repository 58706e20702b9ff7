package knowledge

import "testing"

// TestMissingMinor: a parent whose child is missing at night is recognised
// (the reply needs 110 first); a child who is merely late, a story and a
// prevention question are not.
func TestMissingMinor(t *testing.T) {
	for text, want := range map[string]bool{
		"已经凌晨一点了 我儿子还没回家 打电话也不接 怎么办": true,
		"女儿一晚上没回来 电话关机":              true,
		"孩子离家出走了 到现在都联系不上":           true,
		"我15岁的儿子半夜跑出去了 找不到他":         true,
		"儿子还没回家 今天补课":                false,
		"怎么预防孩子离家出走":                 false,
		"去年孩子离家出走过一次 现在好了":           false,
		"老公还没回家 打电话也不接":              false,
	} {
		if got := MissingMinor(text); got != want {
			t.Errorf("MissingMinor(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestMissingPerson: an elder with dementia or a vulnerable adult who is
// missing or unreachable is recognised (110 first, no 24-hour wait); a lost
// thing, an elder merely late, a prevention question, a past event and a
// missing child (MissingMinor's) are not.
func TestMissingPerson(t *testing.T) {
	for text, want := range map[string]Subject{
		"我妈又找不到了 出门一个小时了 她有老年痴呆":     SubjectElder,
		"我爸有阿尔茨海默 早上出去到现在没回来 电话也不接":  SubjectElder,
		"奶奶认知障碍 在菜市场走丢了":             SubjectElder,
		"我弟弟智力障碍 出门三个小时了 联系不上":       SubjectOther,
		"我爷爷有点糊涂 今天出门三个小时还没回来 电话打不通": SubjectElder,
		"我妈有老年痴呆 钥匙又找不到了":            SubjectUnknown,
		"我爸出门买菜还没回来":                 SubjectUnknown,
		"我妈又找不到了 出门一个小时了":            SubjectElder, // an elder named as lost, before any illness is said
		"我妈说她的老花镜不见了 我帮她找找":          SubjectUnknown,
		"老年痴呆的老人怎么防止走丢":              SubjectUnknown,
		"去年我妈老年痴呆走丢过一次 后来找到了":        SubjectUnknown,
	} {
		got, ok := MissingPerson(text)
		if ok != (want != SubjectUnknown) || got != want {
			t.Errorf("MissingPerson(%q) = %q, %v, want %q", text, got, ok, want)
		}
	}
}
