package wishwall

import (
	"regexp"
	"strings"
)

// digitRun finds runs of digits (ASCII or full-width) that may be broken by
// single spaces or hyphens, optionally ending with the X of an ID card number:
// "13912345678", "139 1234 5678", "0851-12345678", "11010119900307123X".
var digitRun = regexp.MustCompile(`[0-9０-９](?:[ \-]?[0-9０-９]){6,}[Xx]?`)

// idNumber finds mainland ID card numbers (18 characters, or the old 15 digits).
var idNumber = regexp.MustCompile(`(^|[^0-9０-９])([1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]|[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})([^0-9０-９]|$)`)

// MaskNumbers hides the middle of every long number in text (phone numbers, ID
// card and bank card numbers), the way lists show them: 13912345678 becomes
// 139****5678. Numbers of 7–10 digits keep two digits at each end. Separators are kept.
func MaskNumbers(text string) string {
	return digitRun.ReplaceAllStringFunc(text, func(run string) string {
		rs := []rune(run)
		n := 0
		for _, r := range rs {
			if isDigitish(r) {
				n++
			}
		}
		if n < 7 {
			return run
		}
		head, tail := 3, 4
		if n < 11 {
			head, tail = 2, 2
		}
		var b strings.Builder
		i := 0
		for _, r := range rs {
			if !isDigitish(r) {
				b.WriteRune(r)
				continue
			}
			if i < head || i >= n-tail {
				b.WriteRune(r)
			} else {
				b.WriteRune('*')
			}
			i++
		}
		return b.String()
	})
}

// RedactIDNumbers replaces ID card numbers with a fixed marker. Wishes are stored
// this way: the association never needs a resident's ID number from the chat.
func RedactIDNumbers(text string) (string, bool) {
	found := false
	for {
		loc := idNumber.FindStringSubmatchIndex(text)
		if loc == nil {
			return text, found
		}
		found = true
		text = text[:loc[4]] + "[身份证号已隐藏]" + text[loc[5]:]
	}
}

func isDigitish(r rune) bool {
	return r >= '0' && r <= '9' || r >= '０' && r <= '９' || r == 'X' || r == 'x'
}

// HideNumbers removes every long number from text (for the public 回音壁, where
// not even a masked phone number belongs).
func HideNumbers(text string) string {
	return digitRun.ReplaceAllStringFunc(text, func(run string) string {
		n := 0
		for _, r := range run {
			if isDigitish(r) {
				n++
			}
		}
		if n < 7 {
			return run
		}
		return "（号码已隐去）"
	})
}
