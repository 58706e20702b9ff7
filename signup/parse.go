package signup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What residents type, checked the same way in the chat and the admin.

var mobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// ParsePhone accepts a mainland mobile number, with spaces, dashes or a +86 prefix,
// and returns its 11 digits.
func ParsePhone(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\u3000':
			return -1
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "+")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	return s, mobileRE.MatchString(s)
}

// ParseName accepts a person's name or a child's nickname: letters (Chinese or
// Latin), spaces and the middle dot, up to max characters.
func ParseName(s string, max int) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	if n == 0 || n > max {
		return s, false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '·' && r != '•' && r != '.' {
			return s, false
		}
	}
	return s, true
}

// Age errors.
var (
	ErrAgeUnit = errors.New("age without a unit") // "18": months or years?
	ErrAgeBad  = errors.New("not an age")
)

var (
	cnNum    = `[0-9]+|[零〇一二两三四五六七八九十]+`
	ageYears = regexp.MustCompile(`^(` + cnNum + `|[0-9]+\.[0-9]+)(?:周岁|岁)(半|(` + cnNum + `)个?月)?$`)
	ageMonth = regexp.MustCompile(`^(` + cnNum + `)个?(?:半)?月$`)
	ageBare  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
)

// ParseAge reads a child's age as parents write it ("18个月", "1岁半", "2岁",
// "两岁", "1岁3个月", "1.5岁", "半岁") and returns it in months (0–216).
func ParseAge(s string) (int, error) {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '．':
			return '.'
		}
		return r
	}, s)
	for _, suffix := range []string{"左右", "多", "了", "啦", "大", "整"} {
		s = strings.TrimSuffix(s, suffix)
	}
	s = strings.Replace(s, "个多月", "个月", 1)
	months := -1
	switch {
	case s == "半岁":
		months = 6
	case ageBare.MatchString(s):
		return 0, ErrAgeUnit
	case ageYears.MatchString(s):
		m := ageYears.FindStringSubmatch(s)
		if strings.Contains(m[1], ".") {
			f, err := strconv.ParseFloat(m[1], 64)
			if err != nil || m[2] != "" {
				return 0, ErrAgeBad
			}
			months = int(f*12 + 0.5)
			break
		}
		y, ok := cnInt(m[1])
		if !ok {
			return 0, ErrAgeBad
		}
		months = y * 12
		switch {
		case m[2] == "半":
			months += 6
		case m[3] != "":
			extra, ok := cnInt(m[3])
			if !ok || extra > 11 {
				return 0, ErrAgeBad
			}
			months += extra
		}
	case ageMonth.MatchString(s):
		m, ok := cnInt(ageMonth.FindStringSubmatch(s)[1])
		if !ok {
			return 0, ErrAgeBad
		}
		months = m
	}
	if months < 0 || months > 216 {
		return 0, ErrAgeBad
	}
	return months, nil
}

// cnInt reads 0–999 written in digits or in Chinese numerals (两, 十八, 二十四).
func cnInt(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0 && n < 1000
	}
	digit := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		d, ok := digit[rs[0]]
		return d, ok
	case len(rs) == 2 && rs[0] == '十':
		d, ok := digit[rs[1]]
		return 10 + d, ok
	case len(rs) == 2 && rs[1] == '十':
		d, ok := digit[rs[0]]
		return d * 10, ok && d > 0
	case len(rs) == 3 && rs[1] == '十':
		a, ok1 := digit[rs[0]]
		b, ok2 := digit[rs[2]]
		return a*10 + b, ok1 && ok2 && a > 0
	}
	return 0, false
}

// AttendeeKey identifies who attends, for the one-active-sign-up-per-attendee
// rule, without keeping the details in the key: a hash of the phone with the
// attendee's name (adult events) or with the child's nickname, or the child's age
// when no nickname was given (children's events). A second family member, or a
// second child of the same parent, gets a different key and a place of their own.
func AttendeeKey(forChild bool, name, phone, childName string, childAgeMonths int) string {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	var k string
	switch {
	case !forChild:
		k = "adult|" + phone + "|" + norm(name)
	case childName != "":
		k = "child|" + phone + "|" + norm(childName)
	default:
		k = "child|" + phone + "|age:" + strconv.Itoa(childAgeMonths)
	}
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}
