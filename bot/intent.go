package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"familybot/signup"
)

// What a resident means, read from the whole sentence rather than from an
// exact command word: "绘本那个报个名 报名1", "報名1", "算了 帮我取消吧",
// "取消报名三", "我想提个建议哈". These helpers only rewrite or classify the
// text; the commands and flows do the work.

// tradPairs are the traditional characters residents type (or their phones
// convert to), each followed by its simplified form. Folding them lets the
// commands, parsers and the knowledge base read 報名1, 確認, 一歲半; names keep
// their meaning (張偉 → 张伟).
const tradPairs = "報报確确認认歲岁個个動动單单許许願愿開开關关說说請请這这裡里嗎吗麼么幾几點点還还們们號号碼码電电話话機机醫医藥药發发燒烧孫孙媽妈爺爷寶宝兒儿張张偉伟劉刘陳陈楊杨黃黄趙赵吳吴鄭郑謝谢東东車车時时間间會会長长課课聽听帶带讓让對对沒没為为給给問问題题後后從从過过邊边歡欢類类別别當当愛爱見见親亲婦妇護护產产檢检預预約约聯联繫系員员務务協协參参頭头"

var (
	traditional = strings.NewReplacer(strings.Split(tradPairs, "")...)
	tradChars   = func() string {
		r := []rune(tradPairs)
		var b strings.Builder
		for i := 0; i < len(r); i += 2 {
			b.WriteRune(r[i])
		}
		return b.String()
	}()
)

// toSimplified folds traditional characters; text without any stays as it is.
func toSimplified(s string) string {
	if strings.ContainsAny(s, tradChars) {
		return traditional.Replace(s)
	}
	return s
}

// intentLeads are what residents put before what they mean: 算了 帮我取消吧,
// 嗯 取消, 那 我的报名.
var intentLeads = []string{"算了", "那就", "那个", "那", "嗯", "哦", "噢", "喔", "好的", "好", "对", "唉", "哎", "就是", "还是", "麻烦", "请"}

// intentTails are particles after what they mean: 我想提个建议哈.
var intentTails = []string{"哈", "呀", "啊", "吧", "哦", "嘛", "呗", "啦", "哈哈"}

// plainIntent is text without the lead and tail words and the spaces and
// punctuation around them; "" when nothing else is left.
func plainIntent(text string) string {
	t := normalizeCommand(text)
	for changed := true; changed; {
		changed = false
		t = strings.TrimFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
		for _, w := range intentLeads {
			if rest, ok := strings.CutPrefix(t, w); ok && rest != "" {
				t, changed = rest, true
				break
			}
		}
		for _, w := range intentTails {
			if rest, ok := strings.CutSuffix(t, w); ok && rest != "" {
				t, changed = rest, true
				break
			}
		}
	}
	return t
}

// cnNumbers are the numbers residents write in characters after a command (取消报名三).
var cnNumbers = map[string]string{"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "十": "10"}

// arabicArgs turns an argument written in characters into digits: 三 → 3.
func arabicArgs(args string) string {
	if n, ok := cnNumbers[strings.TrimSuffix(strings.TrimSpace(args), "号")]; ok {
		return n
	}
	return args
}

// signupInText finds "报名 1" (or 报1, 报明1) inside a longer message: 绘本那个报个名 报名1,
// 再报个绘本的 报名1. It returns the command text from there on ("报名 1 …");
// "取消报名 1" is a cancellation, "报名3个孩子" and "一年报3次" are not sign-ups.
var (
	signupInTextRE = regexp.MustCompile(`(^|[^消])(报名|报明)[ :：]?([0-9]+|[一二两三四五六七八九十])([ ，,。！!]|号|$)`)
	shortSignupRE  = regexp.MustCompile(`(^|[ ，,。])(报)[ ]?([0-9]+)()([ ，,。！!]|$)`)
)

func signupInText(text string) (string, bool) {
	t := normalizeCommand(text)
	locs := signupInTextRE.FindAllStringSubmatchIndex(t, -1)
	if len(locs) == 0 {
		locs = shortSignupRE.FindAllStringSubmatchIndex(t, -1)
	}
	if len(locs) == 0 {
		return "", false
	}
	m := locs[len(locs)-1]
	if rest := t[m[7]:]; strings.HasPrefix(rest, "号") && len(rest) > len("号") && !strings.ContainsAny(rest[len("号"):len("号")+1], " ，,。！!") {
		// 报名12号的亲子阅读: a date with the event's name after it, not event 12.
		return "报名 " + t[m[6]:], true
	}
	num := arabicArgs(t[m[6]:m[7]])
	return "报名 " + num + strings.TrimPrefix(t[m[7]:], "号"), true
}

// genericTitleWords are pairs of characters too common to tell one event from another.
var genericTitleWords = map[string]bool{"活动": true, "报名": true, "亲子": true, "家长": true, "孩子": true, "宝宝": true,
	"老年": true, "老人": true, "健康": true, "社区": true, "协会": true, "讲座": true, "好好": true, "说话": true, "时光": true}

// titleWords are the pairs of Chinese characters of an event's title a
// resident may use to name it (绘本, 课堂, 义诊).
func titleWords(title string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
		rs := []rune(part)
		for i := 0; i+1 < len(rs); i++ {
			if w := string(rs[i : i+2]); !genericTitleWords[w] {
				out = append(out, w)
			}
		}
	}
	return out
}

// mentionedEvent is the one open event the text names by a word of its
// title ("绘本那个", "家长课堂"); ok=false when none, or more than one, is named.
func (e *Engine) mentionedEvent(ctx context.Context, text string) (signup.EventView, bool) {
	if e.Signups == nil {
		return signup.EventView{}, false
	}
	evs, err := e.Signups.Upcoming(ctx, 20)
	if err != nil {
		return signup.EventView{}, false
	}
	best, bestN, tie := signup.EventView{}, 0, false
	for _, v := range evs {
		n := 0
		for _, w := range titleWords(v.Title) {
			if strings.Contains(text, w) {
				n++
			}
		}
		switch {
		case n > bestN:
			best, bestN, tie = v, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	return best, bestN > 0 && !tie
}

// isQuestion reports whether text asks something rather than says it.
func isQuestion(text string) bool {
	return signupQuestion(text) || containsAnyWord(text, []string{"行不", "行吗", "可以吗", "能去", "能报", "还能", "咋", "啥", "几个"})
}

// hanName reports whether s could be a person's name: two to four Chinese
// characters with none of the words a sentence is made of.
func hanName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 2 && n <= 4 && isHan(s) && !notNames[s] && !strings.ContainsAny(s, sentenceChars)
}

// sentenceChars are characters that make a sentence, hardly ever a name.
const sentenceChars = "我你他她们的了吗呢吧啊去要想个那这么什怎报名写叫排第几取消再能会没就都还过啥咋呀哈嘛喔哦嗯谁"

// nameRE finds a name given in a sentence: 我叫张伟, 名字写李娜, 她叫李娜, 姓名：王芳.
var nameRE = regexp.MustCompile(`(?:我叫|她叫|他叫|叫做|名字写|名字是|名字叫|名字|姓名是|姓名|写上|写成)[:：\s]*([\p{Han}·]{2,4})`)

// nameStops end a name taken from a sentence: 我叫张伟电话…
var nameStops = []string{"电话", "手机", "号码", "孩子", "宝宝", "今年", "的", "吧", "啊"}

// nameInSentence takes the name out of a sentence that gives one.
func nameInSentence(s string) (string, bool) {
	m := nameRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	n := m[1]
	for _, w := range nameStops {
		if i := strings.Index(n, w); i > 0 {
			n = n[:i]
		}
	}
	return n, hanName(n)
}

// spacedPhoneRE finds a mobile number written in groups: 138 0013 8000, 139-1234-5678.
var spacedPhoneRE = regexp.MustCompile(`1[3-9][0-9][ \-\x{3000}]?[0-9]{4}[ \-\x{3000}]?[0-9]{4}`)

// joinPhone writes a grouped mobile number as one word.
func joinPhone(s string) string {
	return spacedPhoneRE.ReplaceAllStringFunc(s, func(p string) string {
		return strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(p)
	})
}

// ageInTextRE finds a child's age in a sentence: 孩子两岁了, 一岁半, 18个月.
var ageInTextRE = regexp.MustCompile(`([0-9]+|[一二两三四五六七八九十]+)(岁半|岁|个月)`)

// ageInText returns the age a sentence gives, in months.
func ageInText(s string) (int, bool) {
	m := ageInTextRE.FindString(s)
	if m == "" {
		return 0, false
	}
	months, err := signup.ParseAge(m)
	return months, err == nil
}

// firstNumber is the first run of digits in s, or 0.
func firstNumber(s string) uint64 {
	i := strings.IndexFunc(s, unicode.IsDigit)
	if i < 0 {
		return 0
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, _ := strconv.ParseUint(s[i:j], 10, 32)
	return n
}
