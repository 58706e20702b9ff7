package signup_test

import (
	"errors"
	"testing"

	"familybot/models"
	"familybot/signup"
)

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"13800138000", "13800138000", true},
		{"138 0013 8000", "13800138000", true},
		{"138-0013-8000", "13800138000", true},
		{"+8613800138000", "13800138000", true},
		{"１３９００００１１１１", "13900001111", true},
		{"12800138000", "", false}, // second digit 2
		{"1380013800", "", false},  // 10 digits
		{"138001380001", "", false},
		{"0571-12345678", "", false},
		{"张三", "", false},
	}
	for _, tc := range tests {
		got, ok := signup.ParsePhone(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"张三", true}, {" 欧阳 娜娜 ", true}, {"阿依古丽·买买提", true}, {"Lily Wang", true}, {"豆豆", true},
		{"", false}, {"张3", false}, {"13800138000", false}, {"<script>", false}, {"一二三四五六七八九十一二三四五六七八九十一", false},
	}
	for _, tc := range tests {
		if _, ok := signup.ParseName(tc.in, 20); ok != tc.ok {
			t.Errorf("ParseName(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
	}
}

func TestParseAge(t *testing.T) {
	tests := []struct {
		in     string
		months int
		err    error
	}{
		{"18个月", 18, nil},
		{"18月", 18, nil},
		{"十八个月", 18, nil},
		{"1岁半", 18, nil},
		{"一岁半", 18, nil},
		{"2岁", 24, nil},
		{"两岁", 24, nil},
		{"两岁了", 24, nil},
		{"2周岁", 24, nil},
		{"1岁3个月", 15, nil},
		{"1岁3月", 15, nil},
		{"一岁三个月", 15, nil},
		{"1.5岁", 18, nil},
		{"半岁", 6, nil},
		{"3个月大", 3, nil},
		{"二十四个月", 24, nil},
		{"１８个月", 18, nil},
		{"18", 0, signup.ErrAgeUnit},
		{"2", 0, signup.ErrAgeUnit},
		{"两三岁", 0, signup.ErrAgeBad},
		{"1岁13个月", 0, signup.ErrAgeBad},
		{"300个月", 0, signup.ErrAgeBad},
		{"豆豆", 0, signup.ErrAgeBad},
		{"", 0, signup.ErrAgeBad},
	}
	for _, tc := range tests {
		got, err := signup.ParseAge(tc.in)
		if !errors.Is(err, tc.err) || (err == nil && got != tc.months) {
			t.Errorf("ParseAge(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.months, tc.err)
		}
	}
}

func TestFormatAgeAndRange(t *testing.T) {
	for months, want := range map[int]string{0: "0个月", 18: "18个月", 24: "2岁", 30: "2岁半", 27: "2岁3个月"} {
		if got := signup.FormatAge(months); got != want {
			t.Errorf("FormatAge(%d) = %q, want %q", months, got, want)
		}
	}
	tests := []struct {
		lo, hi int
		want   string
	}{{12, 36, "1–3岁"}, {0, 36, "0–3岁"}, {6, 18, "6–18个月"}, {36, 0, "3岁以上"}}
	for _, tc := range tests {
		ev := models.Event{ForChild: true, ChildAgeMinMonths: tc.lo, ChildAgeMaxMonths: tc.hi}
		if got := signup.AgeRange(ev); got != tc.want {
			t.Errorf("AgeRange(%d,%d) = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestAttendeeKey(t *testing.T) {
	k := signup.AttendeeKey
	if k(false, "张三", "13800138000", "", 0) != k(false, " 张 三", "13800138000", "", 0) {
		t.Error("spacing changes the adult key")
	}
	if k(false, "张三", "13800138000", "", 0) == k(false, "李四", "13800138000", "", 0) {
		t.Error("a second family member with the same phone must get a place of their own")
	}
	if k(true, "张三", "13800138000", "豆豆", 18) != k(true, "李四", "13800138000", "豆豆", 19) {
		t.Error("one child signed up by either parent on one phone is one attendee")
	}
	if k(true, "张三", "13800138000", "豆豆", 18) == k(true, "张三", "13800138000", "果果", 18) {
		t.Error("twins must get two places")
	}
	if len(k(true, "", "13800138000", "", 18)) != 64 {
		t.Error("key is a sha256 hex")
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86": "'+86", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "张三": "张三", "": ""} {
		if got := signup.CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
