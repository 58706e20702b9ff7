package knowledge

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// who fills Subject, Person and ChildWriter: who the words say is at risk,
// relative to the writer, which decides the words of the reply.
func (l *crisisLexicon) who(c *Crisis, h conceptHits, s string) {
	c.Subject = l.subject(h)
	c.ChildWriter = l.has(h, "child_writer_cue") || childAge(s)
	selfVictim := l.has(h, "who_self_victim")
	onScene := l.hasAny(h, "on_scene", "present") && !l.has(h, "remote")
	someone := func() {
		if onScene {
			c.Person = PersonPresent
		} else {
			c.Person = PersonWorried
		}
	}
	switch c.Kind {
	case CrisisSuicide:
		// The writer's own words unless they tell of someone else's
		// (儿子说要跳楼, 我女儿手臂上全是划痕): family named in passing (孩子不给我见
		// 我活着还有什么意思) does not make it someone else's.
		if l.has(h, "self_harm_self") || !(l.has(h, "third_intent") || othersFirst(s)) || (!l.has(h, "third_intent") && joinTheDead.MatchString(s)) {
			c.Subject, c.Person = SubjectSelf, PersonSelf
			break
		}
		if c.Subject == SubjectSelf {
			c.Subject = SubjectOther
		}
		someone()
		if c.Emergency != EmergencyNone {
			// 我女儿说不想活了 刚发消息说吃了一瓶药: the first steps are for the helper.
			c.Person = PersonPresent
		}
	case CrisisChildAbuse:
		// A child telling of themselves, unless a parent or carer names the
		// child (我女儿说, 孩子身上).
		if c.ChildWriter || !l.hasAny(h, "child", "infant", "teen") || (selfVictim && !l.has(h, "child")) {
			c.ChildWriter = c.ChildWriter || selfVictim || l.hasAny(h, "sex_touch", "secrecy", "secrecy_strong")
			c.Subject, c.Person = SubjectSelf, PersonSelf
			break
		}
		if c.Subject != SubjectInfant && c.Subject != SubjectTeen {
			c.Subject = SubjectChild
		}
		someone()
	case CrisisViolence:
		// The writer is the one hurt or threatened unless only someone else is
		// (打孩子, 我闺蜜被家暴了, 楼下有人拿刀砍人, 我朋友说她前男友要弄死她).
		if selfVictim || !(l.hasAny(h, "hit_other", "victim_other", "adult_victim", "parent_victim") || (!writerInvolved(s) && (l.has(h, "peer") || strings.Contains(s, "有人") || strings.Contains(s, "有个")))) {
			c.Subject, c.Person = SubjectSelf, PersonSelf
			break
		}
		if c.Subject == SubjectSelf {
			c.Subject = SubjectOther
		}
		someone()
	case CrisisMedical:
		// With nobody named, signs the writer cannot have written about
		// themselves (a seizure, unconscious, choking) are someone's with them.
		switch {
		// A sign only the one who has it feels (手有点麻) is the writer's own.
		case c.Subject == SubjectSelf && (strings.Contains(s, "我") || !onlyWitnessed[c.Emergency] || l.has(h, "felt_sign")):
			c.Person = PersonSelf
		case l.has(h, "remote"):
			// 我爸打电话说胸口疼得厉害 他自己在家 我在单位
			c.Person = PersonWorried
		default:
			c.Person = PersonPresent
		}
		if c.Person != PersonSelf && c.Subject == SubjectSelf {
			c.Subject = SubjectUnknown
		}
	}
	if c.Emergency == EmergencyInfant {
		c.Subject = SubjectInfant
	}
}

// joinTheDead is the writer wishing to go with, or to, someone gone (真想跟儿子
// 一起去了, 我想去陪她了): the one named is the one lost, the writer the one at risk.
var joinTheDead = regexp.MustCompile(`(跟|和|随|陪)(着)?[^，。,.]{0,4}一(起|块)(去|走)|去(找|陪)(他|她|儿子|女儿|孩子|闺女|老伴)`)

// othersWords name someone other than the writer; "我" before one of them
// (我女儿, 我妈) is possessive.
var othersWords = []string{"儿子", "女儿", "闺女", "孩子", "小孩", "娃", "孙子", "孙女", "外孙", "学生", "同学", "同桌", "好朋友", "好闺蜜", "朋友", "闺蜜", "网友", "老公", "老婆", "丈夫", "妻子", "媳妇", "男朋友", "女朋友", "对象",
	"妈", "爸", "母亲", "父亲", "奶奶", "爷爷", "外婆", "外公", "姥姥", "姥爷", "老伴", "婆婆", "公公", "姐", "妹", "哥", "弟", "邻居", "同事", "老太太", "老人", "他", "她", "有人", "有个"}

// othersFirst reports whether the message speaks of someone else before it
// speaks of the writer (我女儿说她不想活了, 邻居老太太说她活够了) rather than of
// the writer first (我想死 我妈不知道).
func othersFirst(s string) bool {
	for i := 0; i < len(s); {
		rest := s[i:]
		if strings.HasPrefix(rest, "我") {
			after := rest[len("我"):]
			after = strings.TrimPrefix(strings.TrimPrefix(after, "的"), "家")
			owned := false
			for _, w := range othersWords {
				if strings.HasPrefix(after, w) {
					owned = true
					break
				}
			}
			if !owned {
				return false
			}
			return true
		}
		for _, w := range othersWords {
			if strings.HasPrefix(rest, w) {
				return true
			}
		}
		_, size := utf8.DecodeRuneInString(rest)
		i += size
	}
	return false
}

// writerInvolved reports whether the writer appears other than as the owner
// of someone (我朋友, 我姐): 我好怕, 打我, 我躲在.
func writerInvolved(s string) bool {
	for i := strings.Index(s, "我"); i >= 0; {
		after := strings.TrimPrefix(strings.TrimPrefix(s[i+len("我"):], "的"), "家")
		owned := strings.HasPrefix(after, "们")
		for _, w := range othersWords {
			owned = owned || strings.HasPrefix(after, w)
		}
		if !owned {
			return true
		}
		next := strings.Index(s[i+len("我"):], "我")
		if next < 0 {
			break
		}
		i += len("我") + next
	}
	return false
}

var onlyWitnessed = map[Emergency]bool{
	EmergencySeizure: true, EmergencyUnconscious: true, EmergencyChoking: true, EmergencyHeadInjury: true,
	EmergencyDrowning: true, EmergencyInfant: true, EmergencyStroke: true, EmergencySwallowed: true,
}

func (l *crisisLexicon) subject(h conceptHits) Subject {
	switch {
	case l.has(h, "young_infant") || (l.has(h, "infant") && !l.has(h, "child")):
		return SubjectInfant
	case l.has(h, "teen"):
		return SubjectTeen
	case l.has(h, "child") || l.has(h, "infant"):
		return SubjectChild
	case l.has(h, "elder"):
		return SubjectElder
	case l.has(h, "partner"):
		return SubjectPartner
	case l.has(h, "other_person"):
		return SubjectOther
	}
	return SubjectSelf
}

// childAge reports whether the writer gives an age under 18 (我才13岁,
// 我今年十二岁).
func childAge(s string) bool {
	for _, lead := range []string{"我才", "我今年", "我只有", "我现在", "本人"} {
		i := strings.Index(s, lead)
		if i < 0 {
			continue
		}
		rest := s[i+len(lead):]
		j := strings.Index(rest, "岁")
		if j <= 0 || j > 9 {
			continue
		}
		if n, ok := chineseNumber(rest[:j]); ok && n >= 5 && n < 18 {
			return true
		}
	}
	return false
}

// youngInfantAge reports whether a baby's age is given as under about 3
// months: 才20天, 出生十天, 40天大, 两个月的宝宝 ("发烧3天" is a duration, not an age).
func youngInfantAge(s string) bool {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || strings.HasPrefix(s[j:], "十") || strings.ContainsRune("一二两三四五六七八九", firstRune(s[j:]))) {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
		}
		if j == i {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		n, ok := chineseNumber(s[i:j])
		before, after := s[:i], s[j:]
		i = j
		if !ok || n <= 0 {
			continue
		}
		age := strings.HasSuffix(before, "才") || strings.HasSuffix(before, "宝宝") || strings.HasSuffix(before, "出生") || strings.HasSuffix(before, "刚") || strings.HasSuffix(before, "只有")
		switch {
		case strings.HasPrefix(after, "天"):
			rest := after[len("天"):]
			if n <= 90 && (age || strings.HasPrefix(rest, "大") || strings.HasPrefix(rest, "的宝宝") || strings.HasPrefix(rest, "的孩子") || strings.HasPrefix(rest, "宝宝") || strings.HasPrefix(rest, "的婴儿") || strings.HasPrefix(rest, "的娃")) {
				return true
			}
		case strings.HasPrefix(after, "周"), strings.HasPrefix(after, "个星期"):
			if n <= 12 && (age || strings.Contains(after, "大") || strings.Contains(after, "宝宝") || strings.Contains(after, "孩子")) && !strings.Contains(before, "孕") {
				return true
			}
		case strings.HasPrefix(after, "个月"), strings.HasPrefix(after, "月"):
			if n < 3 && (age || strings.Contains(after, "大") || strings.Contains(after, "宝宝") || strings.Contains(after, "孩子")) {
				return true
			}
		}
	}
	return false
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// chineseNumber reads 13, 十三 or 十 (up to 99).
func chineseNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	digits := map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	if utf8.RuneCountInString(s) > 3 {
		return 0, false
	}
	n, cur := 0, 0
	for _, r := range s {
		switch {
		case r == '十':
			if cur == 0 {
				cur = 1
			}
			n, cur = n+cur*10, 0
		case digits[r] > 0:
			cur = digits[r]
		default:
			return 0, false
		}
	}
	return n + cur, true
}
