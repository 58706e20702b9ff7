// Package privacy finds personal numbers in free text — mobile and landline
// numbers, ID card and bank card numbers — however they are written: ASCII,
// full-width or Chinese numerals (一三九, 幺 for 1, 两 for 2), split by any
// spacing or punctuation, with a +86 / 86 / 0086 prefix. Mask hides the middle
// of each for staff lists, the message log and exports; Hide removes them for
// public pages; RedactIDs replaces ID card numbers. It imports nothing of ours.
package privacy

import "strings"

// keep says how many digits at each end of a match stay visible.
func keep(kind int, ch []digit, m match) (head, tail int) {
	n := m.to - m.from
	switch {
	case kind == kindLandline && ch[m.from+1].v <= '2':
		return 3, 4 // 010, 020–029
	case kind == kindLandline:
		return 4, 4
	case n < 11:
		return 2, 2
	}
	return 3, 4
}

// Mask hides the middle of every personal number in text, keeping its ends and
// the way it was written: 13912345678 → 139****5678, 139－1234－5608 →
// 139－****－5608, 一三九一二三四五六七八 → 一三九****五六七八, 0571-12345678 →
// 0571-****5678, an ID number → 110***********123X. A prefix such as +86 stays.
// Masking masked text changes nothing.
func Mask(text string) string {
	return rewrite(text, func(b *strings.Builder, ch []digit, m match, pos int) int {
		head, tail := keep(m.kind, ch, m)
		for i := m.from; i < m.to; i++ {
			d := ch[i]
			b.WriteString(text[pos:d.start])
			if i-m.from < head || m.to-i <= tail {
				b.WriteString(text[d.start:d.end])
			} else {
				b.WriteByte('*')
			}
			pos = d.end
		}
		return pos
	})
}

// Hide replaces every personal number (with its prefix) by a short note, for
// public pages where not even a masked number belongs.
func Hide(text string) string {
	return rewrite(text, func(b *strings.Builder, ch []digit, m match, pos int) int {
		start := ch[m.prefixFrom].start
		if start > 0 && (text[start-1] == '+') {
			start--
		} else if strings.HasSuffix(text[:start], "＋") {
			start -= len("＋")
		}
		if start < pos {
			start = pos
		}
		b.WriteString(text[pos:start])
		b.WriteString("（号码已隐去）")
		return ch[m.to-1].end
	})
}

// MaskPhone masks a field that holds one phone number (a sign-up's phone):
// 13912345678 → 139****5678; a value too short to mask part of is hidden whole.
func MaskPhone(p string) string {
	if m := Mask(p); m != p || p == "" {
		return m
	}
	return "****"
}

// RedactIDs replaces ID card numbers with a fixed marker and reports whether it
// found any. Wishes are stored this way: the association never needs a
// resident's ID number from the chat.
func RedactIDs(text string) (string, bool) {
	found := false
	out := rewrite(text, func(b *strings.Builder, ch []digit, m match, pos int) int {
		if m.kind != kindID {
			return pos
		}
		found = true
		b.WriteString(text[pos:ch[m.from].start])
		b.WriteString("[身份证号已隐藏]")
		return ch[m.to-1].end
	})
	return out, found
}

// rewrite copies text, letting fn write each match (from pos on) and return
// where copying resumes.
func rewrite(text string, fn func(b *strings.Builder, ch []digit, m match, pos int) int) string {
	chains := scan(text)
	if len(chains) == 0 {
		return text
	}
	var b strings.Builder
	pos := 0
	for _, ch := range chains {
		for _, m := range find(ch) {
			pos = fn(&b, ch, m, pos)
		}
	}
	if pos == 0 && b.Len() == 0 {
		return text
	}
	b.WriteString(text[pos:])
	return b.String()
}
