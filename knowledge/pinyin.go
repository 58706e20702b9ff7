package knowledge

import (
	"strings"
	"sync"
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

// readings returns the toneless readings of one character (all of them:
// 血 is xue and xie); nil for anything that is not a Han character.
func readings(r rune) []string {
	if !unicode.Is(unicode.Han, r) {
		return nil
	}
	if v, ok := allReadings.Load(r); ok {
		return v.([]string)
	}
	ps := pinyin.SinglePinyin(r, pinyinArgs)
	allReadings.Store(r, ps)
	return ps
}

// go-pinyin formats each reading with regular expressions; the readings of a
// character never change, so they are kept.
var allReadings, usualReadings sync.Map // rune → []string

// primaryReading is the usual reading of a character of the question: a
// resident typing pinyin picks a character by the sound they mean, and the
// wrong character is read the usual way (周六 is zhou liu, not zhou lu).
func primaryReading(r rune) []string {
	if !unicode.Is(unicode.Han, r) {
		return nil
	}
	if v, ok := usualReadings.Load(r); ok {
		return v.([]string)
	}
	ps := pinyin.SinglePinyin(r, pinyin.NewArgs())
	if len(ps) > 1 {
		ps = ps[:1]
	}
	usualReadings.Store(r, ps)
	return ps
}

// foldPinyin makes common accent confusions (zh/z, ch/c, sh/s, -ng/-n) sound
// alike. Only words of three or more characters are heard with folding: for
// two, too many real words collide (上分 and 伤风).
func foldPinyin(p string) string {
	for _, f := range [][2]string{{"zh", "z"}, {"ch", "c"}, {"sh", "s"}} {
		if strings.HasPrefix(p, f[0]) {
			p = f[1] + p[len(f[0]):]
			break
		}
	}
	return strings.TrimSuffix(p, "g") // ang→an, eng→en, ing→in, ong→on
}

// pinyinKeys lists the keys a word can be heard as: "=" and its exact
// readings, and for words of three or more characters "~" and the folded
// readings. nil when it has a non-Han character or is outside
// 2..maxPinyinRunes characters.
func pinyinKeys(word string) []string {
	rs := []rune(word)
	if len(rs) < 2 || len(rs) > maxPinyinRunes {
		return nil
	}
	rd := make([][]string, len(rs))
	for i, r := range rs {
		if rd[i] = readings(r); len(rd[i]) == 0 {
			return nil
		}
	}
	return combineKeys(rd, maxReadings)
}

// combineKeys builds the exact and (from three syllables) folded keys of a
// sequence of readings, at most limit combinations.
func combineKeys(rd [][]string, limit int) []string {
	combos := []string{""}
	for i, ps := range rd {
		var next []string
		for _, k := range combos {
			for _, p := range ps {
				if len(next) == limit {
					break
				}
				if i > 0 {
					k2 := k + " " + p
					next = append(next, k2)
				} else {
					next = append(next, p)
				}
			}
		}
		combos = next
	}
	keys := make([]string, 0, 2*len(combos))
	for _, c := range combos {
		keys = append(keys, "="+c)
		if len(rd) >= 3 {
			f := strings.Fields(c)
			for i := range f {
				f[i] = foldPinyin(f[i])
			}
			keys = append(keys, "~"+strings.Join(f, " "))
		}
	}
	return keys
}
