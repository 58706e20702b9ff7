package wechat

import (
	"strings"
	"unicode/utf8"
)

// MaxReplyBytes is WeChat's limit for a passive text reply (and a customer-service text).
const MaxReplyBytes = 2048

// Sanitize makes text safe to put in XML: valid UTF-8, no control characters
// except tab and newline, no characters XML 1.0 forbids.
func Sanitize(s string) string {
	if clean(s) {
		return strings.TrimSpace(s)
	}
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r == '\r':
			continue
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			continue
		case r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// clean reports whether s is valid UTF-8 without anything Sanitize removes.
func clean(s string) bool {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r == utf8.RuneError:
			return false // invalid bytes, or U+FFFD itself: let the slow path decide
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return false
		case r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			return false
		}
	}
	return true
}

// Split returns the first part of s that fits in max bytes, cut on a rune boundary
// (preferably at a line break), and the rest as follow-up messages.
func Split(s string, max int) (first string, rest []string) {
	parts := splitAll(s, max)
	if len(parts) == 0 {
		return "", nil
	}
	return parts[0], parts[1:]
}

func splitAll(s string, max int) []string {
	var out []string
	for len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if nl := strings.LastIndex(s[:cut], "\n"); nl > max/2 {
			cut = nl + 1
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}
