package knowledge

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// Pinyin tolerance: residents type with pinyin input methods and voice, so a
// wrong character usually sounds like the right one (高血亚 for 高血压, 发少
// for 发烧). Words of the index are keyed by their toneless pinyin; a stretch
// of the question that is not a known word but sounds like one counts as that
// word, at a discount.

const (
	pinyinDiscount = 0.85
	maxPinyinRunes = 5
	maxReadings    = 8 // reading combinations kept per word (多音字)
)

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Heteronym = true
	return a
}()

// readings returns the toneless readings of one character, folded so that
// common accent confusions (zh/z, ch/c, sh/s, -ng/-n) sound alike; nil for
// anything that is not a Han character.
func readings(r rune) []string {
	if !unicode.Is(unicode.Han, r) {
		return nil
	}
	ps := pinyin.SinglePinyin(r, pinyinArgs)
	out := ps[:0:0]
	seen := map[string]bool{}
	for _, p := range ps {
		p = foldPinyin(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func foldPinyin(p string) string {
	for _, f := range [][2]string{{"zh", "z"}, {"ch", "c"}, {"sh", "s"}} {
		if strings.HasPrefix(p, f[0]) {
			p = f[1] + p[len(f[0]):]
			break
		}
	}
	return strings.TrimSuffix(p, "g") // ang→an, eng→en, ing→in, ong→on
}

// pinyinKeys lists the keys a word can be heard as, or nil when it has a
// non-Han character or is outside 2..maxPinyinRunes characters.
func pinyinKeys(word string) []string {
	rs := []rune(word)
	if len(rs) < 2 || len(rs) > maxPinyinRunes {
		return nil
	}
	keys := []string{""}
	for i, r := range rs {
		rd := readings(r)
		if len(rd) == 0 {
			return nil
		}
		var next []string
		for _, k := range keys {
			for _, p := range rd {
				if len(next) < maxReadings {
					if i > 0 {
						next = append(next, k+" "+p)
					} else {
						next = append(next, p)
					}
				}
			}
		}
		keys = next
	}
	return keys
}
