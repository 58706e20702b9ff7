package privacy

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Every format the security test found unmasked (issue 14), and the ones that already held.
func TestMask(t *testing.T) {
	cases := []struct{ in, want string }{
		// mobile numbers
		{"电话13912345678", "电话139****5678"},
		{"139 1234 5678 找王阿姨", "139 **** 5678 找王阿姨"},
		{"139-1234-5678", "139-****-5678"},
		{"139－1234－5608", "139－****－5608"},
		{"139.1234.5604", "139.****.5604"},
		{"139 - 1234 - 5678", "139 - **** - 5678"},
		{"139  1234  5678", "139  ****  5678"},
		{"139—1234—5678", "139—****—5678"},
		{"139–1234–5678", "139–****–5678"},
		{"139_1234_5678", "139_****_5678"},
		{"139/1234/5678", "139/****/5678"},
		{"139，1234，5678", "139，****，5678"},
		{"139、1234、5678", "139、****、5678"},
		{"139*1234*5678", "139******5678"},
		{"139·1234·5678", "139·****·5678"},
		{"1 3 9 1 2 3 4 5 6 7 8", "1 3 9 * * * * 5 6 7 8"},
		{"电话：139\n1234\n5678", "电话：139\n****\n5678"},
		{"１３９１２３４５６７８", "１３９****５６７８"},
		{"１３９－１２３４－５６７８", "１３９－****－５６７８"},
		{"一三九一二三四五六七八", "一三九****五六七八"},
		{"幺三九 幺二三四 五六七八", "幺三九 **** 五六七八"},
		{"一八六两三四五六七八九", "一八六****六七八九"},
		{"139一二三四5678", "139****5678"},
		{"+86 139 1234 5678", "+86 139 **** 5678"},
		{"+8613912345678", "+86139****5678"},
		{"86-13912345678", "86-139****5678"},
		{"0086 13912345678", "0086 139****5678"},
		{"（+86）139 1234 5678", "（+86）139 **** 5678"},
		{"电话13912345678x", "电话139****5678x"},
		{"两个号码13912345678和15800001111", "两个号码139****5678和158****1111"},
		// landlines
		{"座机0571-12345678", "座机0571-****5678"},
		{"(0571)12345678", "(0571)****5678"},
		{"0571 1234 5678", "0571 **** 5678"},
		{"010-87654321", "010-****4321"},
		{"057112345678", "0571****5678"},
		{"座机 8123456", "座机 81***56"},
		// ID and bank card numbers
		{"身份证11010119900307123X", "身份证110***********123X"},
		{"身份证110101 19900307 123x", "身份证110*** ******** 123x"},
		{"老身份证110101900307123", "老身份证110********7123"},
		{"卡号6222021234567890123", "卡号622************0123"},
		{"卡号 6222 0212 3456 7890", "卡号 622* **** **** 7890"},
		// ordinary quantities stay
		{"3楼302室，孩子6岁，2025年6月", "3楼302室，孩子6岁，2025年6月"},
		{"活动2025-06-01 09:30开始，费用3600元", "活动2025-06-01 09:30开始，费用3600元"},
		{"2025/06/01、2025.06.15", "2025/06/01、2025.06.15"},
		{"体温38.5度，心率120，血压130/85", "体温38.5度，心率120，血压130/85"},
		{"活动编号12，报名3人，78岁", "活动编号12，报名3人，78岁"},
		{"补贴1,380,000元", "补贴1,380,000元"},
		{"一二三四五，上山打老虎", "一二三四五，上山打老虎"},
		{"两个孩子，一个三岁", "两个孩子，一个三岁"},
		{"1920x1080", "1920x1080"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := Mask(c.want); got != c.want {
			t.Errorf("Mask is not idempotent on %q: %q", c.want, got)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{"13912345678": "139****5678", "0571-12345678": "0571-****5678", "12345": "****", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHide(t *testing.T) {
	cases := []struct{ in, want string }{
		{"谢谢！有事打139－1234－5608", "谢谢！有事打（号码已隐去）"},
		{"电话+86 139 1234 5678。", "电话（号码已隐去）。"},
		{"一三九一二三四五六七八找我", "（号码已隐去）找我"},
		{"2025年6月1日 09:30 见，3600元", "2025年6月1日 09:30 见，3600元"},
	}
	for _, c := range cases {
		if got := Hide(c.in); got != c.want {
			t.Errorf("Hide(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactIDs(t *testing.T) {
	cases := []struct {
		in, want string
		found    bool
	}{
		{"我的身份证110101199003071234请查", "我的身份证[身份证号已隐藏]请查", true},
		{"号码11010119900307123x。", "号码[身份证号已隐藏]。", true},
		{"老身份证110101900307123", "老身份证[身份证号已隐藏]", true},
		{"电话13912345678", "电话13912345678", false},
		{"两个110101199003071234和220102198512120011", "两个[身份证号已隐藏]和[身份证号已隐藏]", true},
	}
	for _, c := range cases {
		got, found := RedactIDs(c.in)
		if got != c.want || found != c.found {
			t.Errorf("RedactIDs(%q) = %q, %v; want %q, %v", c.in, got, found, c.want, c.found)
		}
	}
}

// The ways a digit can be written, by value.
var digitForms = [10][]string{
	{"0", "０", "零", "〇"}, {"1", "１", "一", "幺"}, {"2", "２", "二", "两"}, {"3", "３", "三"}, {"4", "４", "四"},
	{"5", "５", "五"}, {"6", "６", "六"}, {"7", "７", "七"}, {"8", "８", "八"}, {"9", "９", "九"},
}

var separators = []string{"", "", " ", "  ", "\n", "-", " - ", "－", "—", "–", "_", "/", ".", "，", "、", "*", "·", "\u3000", "（", "）", "。"}

var prefixes = []string{"", "", "+86", "+86 ", "86", "86-", "0086 ", "＋８６"}

// mobileIn writes a random mobile number the way a resident might: digits in any
// form, cut into random groups with random separators, maybe a prefix and words around.
func mobileIn(r *rand.Rand) (text, digits string) {
	d := []byte{'1', byte('3' + r.IntN(7))}
	for len(d) < 11 {
		d = append(d, byte('0'+r.IntN(10)))
	}
	var b strings.Builder
	b.WriteString([]string{"", "电话", "我的号码是", "打", "找王阿姨 "}[r.IntN(5)])
	b.WriteString(prefixes[r.IntN(len(prefixes))])
	style := r.IntN(4) // one form for the whole number, or (3) mixed
	for i, c := range d {
		forms := digitForms[c-'0']
		f := style
		if style == 3 || f >= len(forms) {
			f = r.IntN(len(forms))
		}
		b.WriteString(forms[f])
		if i < 10 && r.IntN(3) == 0 {
			b.WriteString(separators[r.IntN(len(separators))])
		}
	}
	b.WriteString([]string{"", "，谢谢", "。", " 晚上打"}[r.IntN(4)])
	return b.String(), string(d)
}

// survives reports whether the number's 11 digits can still be read in text.
func survives(text, digits string) bool {
	var b strings.Builder
	for _, r := range text {
		if v, ok := digitValue(r); ok {
			b.WriteByte(v)
		}
	}
	all := b.String()
	return strings.Contains(all, digits[:7]) || strings.Contains(all, digits[3:])
}

// A property test: 20 000 generated formats, none leaves its middle digits readable
// after Mask, none leaves any after Hide, and masking twice changes nothing.
func TestMaskGeneratedFormats(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2026))
	for range 20000 {
		text, digits := mobileIn(r)
		if survives("0086"+digits[:3]+digits[7:], digits) {
			continue // the kept digits alone happen to spell it
		}
		m := Mask(text)
		if survives(m, digits) {
			t.Fatalf("Mask(%q) = %q: %s survives", text, m, digits)
		}
		if Mask(m) != m {
			t.Fatalf("Mask not idempotent: %q → %q → %q", text, m, Mask(m))
		}
		if h := Hide(text); strings.ContainsAny(h, "0123456789０１２３４５６７８９") && survives(h, digits) {
			t.Fatalf("Hide(%q) = %q", text, h)
		}
	}
}

// FuzzMask: any text, mixed with a mobile number, never keeps the number whole,
// masking is idempotent and never panics.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"", "139－1234－5608", "一三九 一二三四 五六七八", "x1X2", "2025-06-01", "\xff13912345678"} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, around string, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 7))
		num, digits := mobileIn(r)
		cut := len(around) / 2
		text := around[:cut] + " " + num + " " + around[cut:]
		m := Mask(text)
		if Mask(m) != m {
			t.Fatalf("Mask not idempotent on %q: %q → %q", text, m, Mask(m))
		}
		if strings.Contains(strings.ReplaceAll(m, " ", ""), digits) {
			t.Fatalf("Mask(%q) = %q keeps %s", text, m, digits)
		}
	})
}

// Mask runs on every logged message and every row of the staff lists.
func BenchmarkMask(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"question", "宝宝发烧38.5度了，2025-06-01开始的，需要去医院吗？"},
		{"with-number", "我想报名周六上午9:30的讲座，电话139－1234－5608，两个孩子，一个三岁"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Mask(c.text)
			}
		})
	}
}
