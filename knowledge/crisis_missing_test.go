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
