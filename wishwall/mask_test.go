package wishwall

import "testing"

func TestMaskNumbers(t *testing.T) {
	cases := []struct{ in, want string }{
		{"电话13912345678", "电话139****5678"},
		{"139 1234 5678 找王阿姨", "139 **** 5678 找王阿姨"},
		{"139-1234-5678", "139-****-5678"},
		{"１３９１２３４５６７８", "１３９****５６７８"},
		{"座机0851-12345678", "座机085*-****5678"},
		{"座机 8123456", "座机 81***56"},
		{"身份证11010119900307123X", "身份证110***********123X"},
		{"卡号6222021234567890123", "卡号622************0123"},
		{"3楼302室，孩子6岁，2025年6月", "3楼302室，孩子6岁，2025年6月"},
		{"", ""},
	}
	for _, c := range cases {
		if got := MaskNumbers(c.in); got != c.want {
			t.Errorf("MaskNumbers(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactIDNumbers(t *testing.T) {
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
		got, found := RedactIDNumbers(c.in)
		if got != c.want || found != c.found {
			t.Errorf("RedactIDNumbers(%q) = %q, %v; want %q, %v", c.in, got, found, c.want, c.found)
		}
	}
}
