package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"familybot/knowledge"
)

// who is the subject a message names, with an age in months when it gives one.
type who struct {
	Subject knowledge.Subject
	Months  int
	// Words are the words that named the subject, to tell "那三个月的呢" (only
	// a new subject) from a question of its own.
	Words []string
}

// ageRE finds an age: 8个月, 十一个多月, 1岁半, 78岁, 15周岁, 今年七十八.
var ageRE = regexp.MustCompile(`([0-9]{1,3}|[一二两三四五六七八九十百]{1,4})\s*(个多月|个半月|个月|岁半|周岁|岁)|今年\s*([0-9]{1,3}|[一二三四五六七八九十]{2,4})`)

// subjectWords name a subject, longest first within each group; checked in order.
var subjectWords = []struct {
	s     knowledge.Subject
	words []string
}{
	{knowledge.SubjectMother, []string{"生老大", "生老二", "生二胎", "怀二胎", "怀二宝", "刚生完孩子", "刚生完宝宝", "刚生完", "生完孩子", "坐月子", "月子里", "产后", "剖腹产", "顺产", "哺乳期", "我在喂奶", "在喂奶", "喂奶期间", "怀孕", "孕妇", "孕期", "备孕", "宝妈", "新妈妈"}},
	{knowledge.SubjectTeen, []string{"初一", "初二", "初三", "高一", "高二", "高三", "初中", "高中", "中学生", "中考", "高考", "青春期", "青少年", "我们班", "班上", "同学"}},
	// Grandparents who write help raise small grandchildren: 0–3 unless an age says otherwise.
	{knowledge.SubjectInfant, []string{"新生儿", "小婴儿", "婴儿", "宝宝", "小宝", "月龄", "满月", "孙子", "孙女", "外孙", "外孙女"}},
	{knowledge.SubjectChild, []string{"小学", "幼儿园", "我老大", "我家老大", "老大", "大宝", "儿子", "女儿", "闺女", "孩子", "小孩", "娃"}},
	// Grandparents name themselves (我是他奶奶): a child's word decides first.
	{knowledge.SubjectElder, []string{"我爸", "我妈", "老爸", "老妈", "老伴", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷", "老爷子", "老太太", "老头子", "老头", "老太婆", "老人家", "老父亲", "老母亲", "老两口", "老人", "老年人", "公公", "婆婆", "岳父", "岳母", "父亲", "母亲", "长辈"}},
}

// motherTopics are what only the mother herself has (叶酸吃到几个月, 糖耐要空腹吗,
// 乳腺炎能吃什么药): they make her the subject when no one else is named, and
// stay the topic of the message.
var motherTopics = []string{"叶酸", "夜酸", "产检", "建档", "糖耐", "孕吐", "胎动", "堵奶", "乳腺炎", "涨奶", "奶水", "恶露", "月子", "月字"}

// pregnantWeeksRE is how far along a pregnancy is: 24周, 孕24周, 怀孕三十周.
var pregnantWeeksRE = regexp.MustCompile(`(孕|怀孕)?([0-9]{1,2}|[一二三四五六七八九十]{1,3})\+?[0-9]?\s*(周|週)`)

// babyAgeWords make "3周" a baby's age, not a pregnancy: 宝宝出生3周.
var babyAgeWords = []string{"出生", "宝宝", "生下来", "满月", "新生儿", "早产"}

// reportWords after an elder's word make the elder the one who says, not the
// one asked about: 我婆婆说要打他屁股, 婆婆让我喝骨头汤.
var reportWords = []string{"说", "让", "不让", "叫", "非要", "坚持", "天天让", "总让", "老说", "觉得", "要我", "逼我", "帮我带", "给我"}

// notSubject: the word names someone who is not the one asked about — an
// elder reporting advice (婆婆说), 老大 inside 老大爷.
func notSubject(text, word string) bool {
	if word == "老大" && containsAnyWord(text, []string{"老大爷", "老大娘", "老大妈"}) {
		return true
	}
	if youngWriter(text) {
		return false // 我妈不让我玩手机: a teenager about a parent
	}
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return true // every mention is a report
		}
		rest := text[i+j+len(word):]
		if !elderWord(word) || !hasPrefixAny(rest, reportWords) {
			return false
		}
		i += j + len(word)
	}
}

func elderWord(word string) bool {
	for _, g := range subjectWords {
		if g.s == knowledge.SubjectElder {
			return containsExact(word, g.words)
		}
	}
	return false
}

func hasPrefixAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// youngWords in a message with 我爸/我妈 mean a young writer talking about a
// parent, not about an elder: 我妈不让我玩手机.
var youngWords = []string{"上学", "作业", "老师", "学校", "手机", "游戏", "考试", "我们班", "同学", "初", "高中"}

// detectWho reads who a message is about. An age decides over words (我家宝宝
// 8个月 → a baby; 我女儿12岁 → a teen); "我15岁" is the writer, a teen.
func detectWho(text string) who {
	var w who
	text = knowledge.Simplified(text) // 孕婦 is 孕妇
	if m := pregnantWeeksRE.FindString(text); m != "" && !containsAnyWord(text, babyAgeWords) {
		w.Subject, w.Words = knowledge.SubjectMother, []string{m} // 我24周了: the writer is pregnant
	}
	if m := ageRE.FindStringSubmatch(text); m != nil && w.Subject == "" {
		if m[3] != "" { // 今年七十八: years
			m[1], m[2] = m[3], "岁"
		}
		n := chineseNumber(m[1])
		months := 0
		switch m[2] {
		case "个月", "个多月":
			months = n
		case "个半月":
			months = n + 1
		case "岁半":
			months = n*12 + 6
		default:
			months = n * 12
		}
		if n > 0 {
			w.Months, w.Words = months, []string{m[0]}
			w.Subject = subjectForMonths(months, strings.Contains(text, "我"+m[0]) || strings.Contains(text, "我今年"))
		}
	}
	for _, g := range subjectWords {
		for _, word := range g.words {
			if !strings.Contains(text, word) || notSubject(text, word) {
				continue
			}
			w.Words = append(w.Words, word)
			if w.Subject == knowledge.SubjectSelf && g.s == knowledge.SubjectMother {
				w.Subject = g.s // 我37岁 怀孕了: the writer, pregnant
				continue
			}
			if w.Subject != "" {
				continue // an age said it already; the word is still not a topic
			}
			s := g.s
			if s == knowledge.SubjectElder && (word == "我爸" || word == "我妈") && youngWriter(text) {
				s = knowledge.SubjectTeen // a young writer: most likely a teenager
			}
			w.Subject = s
		}
	}
	if w.Subject == "" && containsAnyWord(text, motherTopics) {
		w.Subject = knowledge.SubjectMother
	}
	return w
}

// subjectForMonths is the area an age belongs to: 0–3 parenting, 10–19
// adolescent, 60 and over elderly. Between them only the writer's own age
// says something (an adult asking for themselves).
func subjectForMonths(months int, self bool) knowledge.Subject {
	years := months / 12
	switch {
	case months <= 36:
		return knowledge.SubjectInfant
	case years < 10:
		return knowledge.SubjectChild
	case years < 20:
		return knowledge.SubjectTeen
	case years >= 60:
		return knowledge.SubjectElder
	case self:
		return knowledge.SubjectSelf
	}
	return ""
}

// youngWriter: a message about 我爸/我妈 that sounds like a child or teen
// writing about a parent (跟我爸妈说话, 我妈不让我玩手机).
func youngWriter(text string) bool {
	return containsAnyWord(text, youngWords) || containsAnyWord(text, []string{"我爸妈", "跟我爸", "跟我妈", "和我爸", "和我妈", "被我爸", "被我妈", "我爸不让", "我妈不让", "我妈老是", "我爸老是"})
}

func containsAnyWord(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// chineseNumber reads 8, 十一, 七十八, 两; 0 when it cannot.
func chineseNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	digits := map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	total, cur := 0, 0
	for _, r := range s {
		switch {
		case r == '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur = 0
		case r == '百':
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur = 0
		default:
			d, ok := digits[r]
			if !ok {
				return 0
			}
			cur = d
		}
	}
	return total + cur
}

// subjectLabel is how a reply names a subject.
func subjectLabel(s knowledge.Subject, months int) string {
	switch s {
	case knowledge.SubjectInfant:
		if months > 0 && months < 24 {
			return strconv.Itoa(months) + "个月的宝宝"
		}
		if months > 0 {
			return strconv.Itoa(months/12) + "岁的宝宝"
		}
		return "宝宝"
	case knowledge.SubjectChild:
		return "孩子"
	case knowledge.SubjectTeen:
		return "青春期的孩子"
	case knowledge.SubjectElder:
		if months >= 60*12 {
			return strconv.Itoa(months/12) + "岁的老人"
		}
		return "家里的老人"
	case knowledge.SubjectMother:
		return "孕产期的妈妈"
	case knowledge.SubjectSelf:
		return "您自己"
	}
	return ""
}

// setSubject makes w the conversation's subject.
func (e *Engine) setSubject(ctx context.Context, w who) {
	convOf(ctx).update(ctx, func(c *convContext) { c.Subject, c.Months = w.Subject, w.Months })
}

// hint is the matcher hint for a question: who it names (which then becomes
// the conversation's subject), else who the conversation was about.
func (e *Engine) hint(ctx context.Context, text string) knowledge.Hint {
	e.noteYoung(ctx, text)
	if w := detectWho(text); w.Subject != "" {
		e.setSubject(ctx, w)
		return knowledge.Hint{Subject: w.Subject, Override: true}
	}
	return knowledge.Hint{Subject: e.context(ctx).Subject}
}

// carriedMargin: a question that names no one is matched as about the
// conversation's subject, unless without it another entry wins by this much
// (来月经肚子疼能吃布洛芬吗 after questions about a baby is about periods).
const carriedMargin = 0.05

// carriedStrong is the score an answer without the carried subject needs to
// set it aside: 二甲双胍饭前吃还是饭后吃 after 我妈有糖尿病 must not become a
// teenager's diet because the words alone lean that way.
const carriedStrong = 0.8

// decide matches a question with its hint. A subject carried from earlier
// messages gives way to a clearly better answer without it, and is then
// forgotten.
func (e *Engine) decide(ctx context.Context, text string, h knowledge.Hint) (knowledge.Result, knowledge.Hint) {
	ix := e.KB.Index()
	res := ix.DecideWith(text, e.now(), h)
	if h.Subject == "" || h.Override {
		return res, h
	}
	plain := ix.Decide(text, e.now())
	if plain.Decision == knowledge.Answer && plain.Top[0].Score >= carriedStrong && (len(res.Top) == 0 || res.Decision != knowledge.Answer ||
		res.Top[0].Entry.ID != plain.Top[0].Entry.ID && plain.Top[0].Score-res.Top[0].Score >= carriedMargin) {
		convOf(ctx).update(ctx, func(c *convContext) { c.Subject, c.Months = "", 0 })
		return plain, knowledge.Hint{}
	}
	return res, h
}

// advancedAge is how old a pregnant writer is when pregnancy is 高龄 (35 and over).
const advancedAge = 35

// withAgeNote adds what a pregnant writer's own age means to the question:
// "我37岁了 第一次怀孕 要多做哪些检查" is a question about 高龄孕妇.
func withAgeNote(text string, w who) string {
	if w.Subject == knowledge.SubjectMother && w.Months >= advancedAge*12 && w.Months < 56*12 {
		return text + " 高龄孕妇"
	}
	return text
}

// teenWriterWords are a child or teen writing about themselves.
var teenWriterWords = []string{"我们班", "我同学", "我班主任", "我们老师", "我们学校", "我初一", "我初二", "我初三", "我高一", "我高二", "我高三",
	"我上初", "我读初", "我上高", "我读高", "我要中考", "我马上中考", "我中考", "我要高考", "我高考"}

// teenAgeRE is a writer giving their own age as a teenager: 我才15, 我今年十四岁.
var teenAgeRE = regexp.MustCompile(`我(才|今年|已经|都)?\s*(1[0-8]|十[一二三四五六七八]?)\s*(岁|周岁)?([^0-9个周天点号月年斤块元分万]|$)`)

// teenWriter: the message sounds like a child or teen writing about their
// own life (我妈又偷看我手机了, 我才15).
func teenWriter(text string) bool {
	if containsAnyWord(text, teenWriterWords) || teenAgeRE.MatchString(text) {
		return true
	}
	school := []string{"模考", "考砸", "成绩", "分数", "排名", "中考", "高考", "班主任"}
	return containsAnyWord(text, []string{"我爸", "我妈"}) && (youngWriter(text) || containsAnyWord(text, school)) && !containsAnyWord(text, []string{"孙子", "孙女", "外孙", "我孩子", "我儿子", "我女儿", "我家孩子"})
}

// noteYoung remembers a young writer for the conversation and reports
// whether the writer is one.
func (e *Engine) noteYoung(ctx context.Context, text string) bool {
	if teenWriter(text) {
		if cs := convOf(ctx); cs != nil && !cs.get(ctx).Young {
			cs.update(ctx, func(c *convContext) { c.Young = true })
		}
		return true
	}
	if cs := convOf(ctx); cs != nil {
		return cs.get(ctx).Young
	}
	return false
}
