package privacy

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Kinds of personal number.
const (
	kindMobile   = iota + 1 // 1[3-9] + 9 digits
	kindLandline            // 0 + area code + 7–8 digits
	kindID                  // 18-character (or old 15-digit) ID card number
	kindCard                // 16–19-digit bank card in groups of ≥ 4
	kindLong                // any other unbroken run of ≥ 7 digits
)

// digit is one digit-like character found in the text.
type digit struct {
	v     byte // '0'–'9' or 'X' (an ID card's check character)
	start int  // byte offsets of the character in the text
	end   int
	group int // index of its unbroken run (no separator between its digits)
}

// match is one personal number: digits [from, to) of a chain; prefix digits
// (86 or 0086) before from are left visible by Mask and removed by Hide.
type match struct {
	kind       int
	prefixFrom int
	from, to   int
}

// digitValue reads one digit in any of the forms residents type or dictate.
func digitValue(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte('0' + r - '０'), true
	}
	switch r {
	case '零', '〇', '○':
		return '0', true
	case '一', '幺', '壹':
		return '1', true
	case '二', '两', '贰':
		return '2', true
	case '三', '叁':
		return '3', true
	case '四', '肆':
		return '4', true
	case '五', '伍':
		return '5', true
	case '六', '陆':
		return '6', true
	case '七', '柒':
		return '7', true
	case '八', '捌':
		return '8', true
	case '九', '玖':
		return '9', true
	}
	return 0, false
}

// isSpace is spacing that may sit between the digit groups of one number (a
// line break too: a number typed over two lines is still the number).
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' || r == '\u00a0'
}

// isMark is punctuation people put between the groups of one number.
func isMark(r rune) bool {
	switch r {
	case '-', '－', '—', '–', '‐', '‑', '―', '_', '＿', '/', '／', '.', '．', '。', ',', '，', '、',
		'*', '＊', '·', '•', '・', '(', ')', '（', '）':
		return true
	}
	return false
}

// joins reports whether gap (the text between two digits) keeps them in one
// number: only spacing and at most three marks, e.g. " - ", "  ", "）", "—".
func joins(gap string) bool {
	if utf8.RuneCountInString(gap) > 6 {
		return false
	}
	marks := 0
	for _, r := range gap {
		switch {
		case isSpace(r):
		case isMark(r):
			marks++
		default:
			return false
		}
	}
	return marks <= 3
}

// scan finds the digits of text, split into chains (digits joined by nothing
// or by a separator gap); each chain's digits carry their group index.
func scan(text string) [][]digit {
	var chains [][]digit
	var cur []digit
	group, prevEnd := 0, -1
	for i, r := range text {
		v, ok := digitValue(r)
		if !ok && (r == 'X' || r == 'x' || r == 'Ｘ') && len(cur) > 0 && cur[len(cur)-1].end == i && cur[len(cur)-1].v != 'X' {
			v, ok = 'X', true // only directly after a digit, as an ID card's last character
		}
		if !ok {
			continue
		}
		d := digit{v: v, start: i, end: i + utf8.RuneLen(r)}
		switch {
		case prevEnd == i:
			if cur[len(cur)-1].v == 'X' { // "3x4": the X was not an ID check character
				group++
			}
		case prevEnd >= 0 && joins(text[prevEnd:i]):
			group++
		default:
			if len(cur) > 0 {
				chains = append(chains, cur)
			}
			cur, group = nil, 0
		}
		d.group = group
		cur = append(cur, d)
		prevEnd = d.end
	}
	if len(cur) > 0 {
		chains = append(chains, cur)
	}
	return chains
}

// find returns the personal numbers in one chain, left to right.
func find(ch []digit) []match {
	var out []match
	groupStart := func(i int) bool { return i == 0 || ch[i-1].group != ch[i].group }
	// A number may end where a group ends, or just before an X ("5678x").
	groupEnd := func(i int) bool { return i == len(ch) || ch[i-1].group != ch[i].group || ch[i].v == 'X' }
	covered := 0
	for i := 0; i < len(ch); i++ {
		if i < covered || !groupStart(i) {
			continue
		}
		// A number may follow 86 / 0086 inside one unbroken group.
		for _, skip := range []int{0, 2, 4} {
			from := i + skip
			if skip > 0 && !prefixAt(ch, i, skip) {
				continue
			}
			if m, ok := numberAt(ch, from, groupEnd); ok {
				m.prefixFrom = i
				out = append(out, m)
				covered = m.to
				i = m.to - 1
				break
			}
		}
	}
	// Any other unbroken run of 7 or more digits (a local number, a QQ number …).
	for i := 0; i < len(ch); {
		j := i
		for j < len(ch) && ch[j].group == ch[i].group {
			j++
		}
		if j-i >= 7 && !overlaps(out, i, j) {
			out = append(out, match{kind: kindLong, prefixFrom: i, from: i, to: j})
		}
		i = j
	}
	slices.SortFunc(out, func(a, b match) int { return a.from - b.from })
	return out
}

func prefixAt(ch []digit, i, n int) bool {
	if i+n > len(ch) {
		return false
	}
	var b strings.Builder
	for _, d := range ch[i : i+n] {
		if d.group != ch[i].group {
			return false
		}
		b.WriteByte(d.v)
	}
	p := b.String()
	return p == "86" || p == "0086"
}

func overlaps(ms []match, from, to int) bool {
	for _, m := range ms {
		if m.prefixFrom < to && from < m.to {
			return true
		}
	}
	return false
}

// numberAt tries each kind of number starting at digit from and ending where a group ends.
func numberAt(ch []digit, from int, groupEnd func(int) bool) (match, bool) {
	var s [19]byte
	var cuts uint32 // bit i: a new group starts at s[i]
	n, shortest, run := 0, len(s), 0
	for to := from + 1; to <= len(ch) && n < len(s); to++ {
		if to > from+1 && ch[to-1].group != ch[to-2].group {
			cuts |= 1 << n
			run = 0
		}
		s[n], n, run = ch[to-1].v, n+1, run+1
		if !groupEnd(to) {
			continue
		}
		shortest = min(shortest, run)
		if k := kindOf(string(s[:n]), cuts, shortest); k != 0 {
			return match{kind: k, from: from, to: to}, true
		}
	}
	return match{}, false
}

// kindOf classifies one candidate digit string; cuts marks where its groups
// start, shortest is the length of its shortest group.
func kindOf(s string, cuts uint32, shortest int) int {
	split := cuts != 0
	if x := strings.IndexByte(s, 'X'); x >= 0 && x != len(s)-1 {
		return 0
	}
	switch n := len(s); {
	case n == 18 && isID(s[:17]+"0", 6, true):
		return kindID
	case n == 15 && !split && isID(s, 6, false):
		return kindID
	case s[n-1] == 'X':
		return 0
	case n == 11 && s[0] == '1' && s[1] >= '3':
		return kindMobile
	case isLandline(s, cuts):
		return kindLandline
	case n >= 16 && n <= 19 && s[0] != '0' && split && shortest >= 4:
		return kindCard // "6222 0212 3456 7890"; an amount's groups of three are not
	}
	return 0
}

// isLandline: 010 or 02x + 8 digits, or a 4-digit area code + 7–8 digits; the
// area code written in one piece (so a run of dates such as 06/01、2025.06.15
// is not a phone number) and the local number not starting with 0.
func isLandline(s string, cuts uint32) bool {
	n := len(s)
	if n < 11 || n > 12 || s[0] != '0' {
		return false
	}
	area := 4
	switch s[1] {
	case '0':
		return false
	case '1':
		if s[2] != '0' {
			return false
		}
		area = 3
	case '2':
		area = 3
	}
	if area == 3 && n != 11 || cuts&(1<<area-2) != 0 {
		return false
	}
	return s[area] != '0'
}

// isID checks the region's first digit and the birth date of an ID number.
func isID(s string, at int, century bool) bool {
	if s[0] < '1' || s[0] > '9' {
		return false
	}
	if century {
		if c := s[at : at+2]; c != "19" && c != "20" {
			return false
		}
		at += 2
	}
	m, d := s[at+2:at+4], s[at+4:at+6]
	return m >= "01" && m <= "12" && d >= "01" && d <= "31"
}
