package knowledge

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"familybot/memo"

	"github.com/longbridgeapp/opencc"
)

var (
	t2sOnce sync.Once
	t2s     *opencc.OpenCC
)

// simplified converts traditional characters to simplified ones. The opencc
// dictionaries are embedded in the binary, so this works offline; should they
// ever fail to load, text passes through unchanged rather than failing.
func simplified(s string) string {
	t2sOnce.Do(loadT2S)
	if t2s == nil || isASCII(s) || alreadySimplified(s) {
		return s
	}
	out, err := t2s.Convert(s)
	if err != nil {
		return s
	}
	return out
}

// Simplified is text with traditional characters converted to simplified
// ones (孕婦 → 孕妇), nothing else changed: the bot reads who a message is
// about from it.
func Simplified(s string) string { return simplified(s) }

// Most messages are written in simplified characters already, and the
// conversion costs several microseconds even when it changes nothing. Each
// Han character the conversion would change on its own is marked once, at
// load; a text none of whose characters is marked is left as it is (the
// conversion's phrase tables only refine how marked characters convert).
var traditional [hanHigh - hanLow + 1]bool

const hanLow, hanHigh = 0x3400, 0x9FFF // CJK extension A and the unified ideographs

func loadT2S() {
	t2s, _ = opencc.New("t2s")
	if t2s == nil {
		return
	}
	for r := rune(hanLow); r <= hanHigh; r++ {
		if out, err := t2s.Convert(string(r)); err != nil || out != string(r) {
			traditional[r-hanLow] = true
		}
	}
}

// alreadySimplified reports whether s has nothing the conversion would change:
// no marked Han character and nothing outside ASCII, the Han range, CJK
// punctuation and the emoji planes that the marks do not cover.
func alreadySimplified(s string) bool {
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
		case r >= hanLow && r <= hanHigh:
			if traditional[r-hanLow] {
				return false
			}
		case r >= 0x3000 && r <= 0x303F, r >= 0x1F000 && r <= 0x1FAFF:
		default:
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Normalize prepares a resident's message for matching: traditional →
// simplified, full-width → half-width, lower case, punctuation and symbols
// folded to single spaces between clauses, colloquial forms rewritten (咋整 →
// 怎么办) and fillers removed (嗯, 那个, 就是, 请问, clause-final 呢/吧 …).
func Normalize(s string) string {
	return remembered(&normalized, s, normalize)
}

// remembered returns f(s), from m when s was seen recently; long texts are
// not remembered (they are rare and would crowd out the common ones).
func remembered[V any](m *memo.Bounded[string, V], s string, f func(string) V) V {
	if len(s) > maxMemo {
		return f(s)
	}
	if v, ok := m.Get(s); ok {
		return v
	}
	v := f(s)
	m.Put(s, v)
	return v
}

// The same text is normalised three times per message (crisis check, keyword
// rules, FAQ match) and popular questions recur, so results are remembered.
const (
	maxMemo  = 512
	memoSize = 4096
)

var normalized = memo.Bounded[string, string]{Max: memoSize}

func normalize(s string) string {
	s = foldWidth(s)
	s = simplified(s)
	s = foldPunct(s)
	s = lex.rewrite.Replace(s)
	s = lex.fillers.Replace(s)
	clauses := strings.Fields(s)
	out := clauses[:0]
	for _, c := range clauses {
		if c = trimClause(c); c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, " ")
}

// trimClause removes greetings at the start and particles at the end of one
// clause, and the clause itself when it is only an interjection.
func trimClause(c string) string {
	for changed := true; changed && c != ""; {
		changed = false
		if lex.alone[c] {
			return ""
		}
		for _, o := range lex.openers {
			if strings.HasPrefix(c, o) {
				c, changed = c[len(o):], true
				break
			}
		}
		r, size := utf8.DecodeLastRuneInString(c)
		if lex.particle[r] && !hasKeptSuffix(c) {
			c, changed = c[:len(c)-size], true
		}
	}
	return c
}

func hasKeptSuffix(c string) bool {
	for _, k := range lex.keep {
		if strings.HasSuffix(c, k) {
			return true
		}
	}
	return false
}

// foldWidth maps full-width ASCII and the ideographic space to their
// half-width forms and lower-cases letters.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		return unicode.ToLower(r)
	}, s)
}

// foldPunct turns punctuation, symbols (emoji included) and spacing into
// single spaces, drops invisible marks, and keeps a decimal point between
// digits (38.5度).
func foldPunct(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // no leading space
	var prev rune
	for i, r := range s {
		switch {
		case r == '.' && unicode.IsDigit(prev) && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteRune(r)
			space = false
		case r == utf8.RuneError || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsControl(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r):
			// variation selectors, zero-width joiners: invisible, not a boundary
		default:
			b.WriteRune(r)
			space = false
		}
		prev = r
	}
	return strings.TrimRight(b.String(), " ")
}
