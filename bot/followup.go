package bot

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
)

// Follow-ups: a short message that leans on the last answer ("要吃什么药",
// "那三个月的呢", "益生菌呢") is read against the conversation's topic.

// facetCues are the words that ask for one facet of the topic, longest first
// within each facet. Checked in order: "要去医院吗" is 就医 before 用药.
var facetCues = []struct {
	f     knowledge.Facet
	words []string
	// lines are the words that mark a sentence of an entry's answer as about
	// the facet, when the entry has no text of its own for it.
	lines []string
}{
	// How often a medicine may be taken is 用药, though it says 多久.
	{knowledge.FacetMedicine, []string{"再吃一次", "再喂一次", "隔多久", "间隔多久", "多久吃一次", "多久能再吃", "吃多少", "喂多少"}, nil},
	{knowledge.FacetDoctor, []string{"去哪里看", "去哪看", "在哪里看", "哪里看", "哪个医院", "挂什么科", "挂哪个科", "看什么科", "看哪个科", "哪个科", "什么科", "要去医院", "去医院吗", "要不要去医院", "用不用去医院", "上医院", "看医生", "严重吗", "要紧吗", "要紧不", "危险吗", "有事吗", "没事吧", "正常吗", "正不正常", "有问题吗",
		"去哪里打", "在哪里打", "去哪打", "哪里能打", "哪里可以打", "去哪里做", "在哪里做", "去哪做"}, nil},
	{knowledge.FacetContagion, []string{"会传染", "传染吗", "传染人", "传不传染", "传染"}, []string{"传染", "隔离"}},
	{knowledge.FacetDuration, []string{"多久能好", "多久会好", "多久好", "几天能好", "几天好", "几天会好", "要多久", "多长时间", "多久"}, []string{"天", "周", "个月", "多久"}},
	{knowledge.FacetPrevention, []string{"怎么预防", "如何预防", "怎样预防", "预防", "怎么避免"}, []string{"预防", "避免", "防止"}},
	{knowledge.FacetMedicine, []string{"吃什么药", "用什么药", "吃啥药", "用啥药", "什么药", "能吃药", "要吃药", "吃药吗", "用药", "抹什么", "擦什么",
		"布洛芬", "对乙酰氨基酚", "美林", "泰诺林", "退烧药", "止痛药", "消炎药", "抗生素", "头孢", "阿莫西林", "感冒药"}, []string{"药", "抗生素"}},
	{knowledge.FacetDiet, []string{"吃什么好", "能吃什么", "不能吃什么", "吃点什么", "吃啥好", "忌口", "饮食", "吃什么"}, []string{"吃", "喝", "饮食", "食物"}},
}

// leanWords start or end a message that leans on the last one.
var (
	leadWords = []string{"那如果", "那要是", "那么", "那要", "那", "还有", "另外", "请问", "所以", "如果", "要是", "万一", "还"}
	tailWords = []string{"呢", "啊", "呀", "吗", "嘛"}
	// askWords start a short question about doing something: 能洗澡吗 → 洗澡.
	askWords  = []string{"能不能", "可不可以", "要不要", "可以", "需要", "能", "要", "会", "该", "吃", "用", "喝", "打", "擦", "抹"}
	moreWords = []string{"还有呢", "还有吗", "然后呢", "还有什么", "还有别的吗", "还有其他的吗", "还要注意什么", "还有要注意的吗"}
)

// measureRE is a bare reading: a temperature, a blood pressure, a weight.
var measureRE = regexp.MustCompile(`^[0-9一二三四五六七八九十百点.／/]+(度[0-9一二三四五六七八九]?|℃|斤|公斤|克|毫米汞柱)?$`)

// maxFollowUp is the longest message (in characters) read as a follow-up.
const maxFollowUp = 14

// detectFacet returns the facet a message asks for and the cue that said so.
func detectFacet(text string) (knowledge.Facet, string) {
	for _, fc := range facetCues {
		for _, w := range fc.words {
			if strings.Contains(text, w) {
				return fc.f, w
			}
		}
	}
	return "", ""
}

// bare strips punctuation, lead and tail words: "那三个月的呢？" → "三个月的".
func bare(text string) string {
	t := strings.Trim(normalizeCommand(text), "，,。.？?！! ")
	for _, w := range leadWords {
		if r, ok := strings.CutPrefix(t, w); ok {
			t = r
			break
		}
	}
	for changed := true; changed; {
		changed = false
		for _, w := range tailWords {
			if r, ok := strings.CutSuffix(t, w); ok && r != "" {
				t, changed = r, true
			}
		}
	}
	return strings.TrimSpace(strings.TrimSuffix(t, "的"))
}

// followUp answers a message that leans on the conversation's topic. It
// declines (false) when there is no topic or the message stands on its own.
func (e *Engine) followUp(ctx context.Context, in Inbound) (Reply, bool) {
	cx := e.context(ctx)
	if e.KB == nil || cx.Entry == 0 {
		return Reply{}, false
	}
	en, ok := e.KB.Index().Entry(cx.Entry)
	if !ok {
		return Reply{}, false
	}
	if en.Category == models.CatService {
		// "在哪里申报", "我不会弄手机 能不能你们帮我办" after a policy: its
		// lines, not the office's address or another topic.
		if r, ok := e.topicLinesAnswer(ctx, in.Text, 2); ok {
			return r, true
		}
	}
	if utf8.RuneCountInString(in.Text) > maxFollowUp {
		return Reply{}, false
	}
	w := detectWho(in.Text)
	if parseChoice(in.Text) > 0 || saysOnlyWho(in.Text, w) {
		return Reply{}, false // a pick from a list, or who the next questions are about
	}
	// The same topic asked again in full ("宝宝发烧了怎么办" after "没用") is a
	// question of its own: it gets the whole answer, not a part of it.
	if res := e.KB.Index().Decide(in.Text, e.now()); res.Decision == knowledge.Answer && len(res.Top) > 0 && res.Top[0].Entry.ID == en.ID {
		return Reply{}, false
	}
	rest := withoutWho(bare(in.Text), w)
	plain := strings.Trim(normalizeCommand(in.Text), "，,。.？?！! ")
	if c := withoutCourtesy(plain); c != "" {
		plain = c // 谢谢 那要吃什么药
	}
	// It leans on the topic when it starts with 那/还有… or ends with 呢, or is
	// as short as "能洗澡吗".
	leans := hasLead(plain) || strings.HasSuffix(plain, "呢") || utf8.RuneCountInString(plain) <= 6 && subjectOf(plain) != plain
	switch f, _ := detectFacet(plain); {
	case containsExact(normalizeCommand(in.Text), moreWords):
		return e.moreAbout(ctx, in, en), true
	case measureRE.MatchString(plain):
		// "三十八度五", "160": a reading, about the topic.
		return e.reRank(ctx, in, en, "")
	case w.Subject != "" && rest == "" && leans:
		// "那三个月的呢", "我爸呢": the same question about someone else.
		e.setSubject(ctx, w)
		q := cx.Question
		if q == "" {
			q = en.Title
		}
		res := e.KB.Index().DecideWith(q, e.now(), knowledge.Hint{Subject: w.Subject, Override: true})
		r := e.faqResult(ctx, in, q, res)
		r.Subject = string(w.Subject)
		return r, true
	case w.Subject != "" && w.Subject != cx.Subject:
		// "那老人发烧呢", "我爸要吃什么药": someone else and words of its own is a question of its own.
		return Reply{}, false
	case f != "" && utf8.RuneCountInString(withoutWho(subjectOf(bare(withoutCues(plain, f))), w)) <= 3:
		return e.facetAnswer(ctx, in, en, f), true
	case leans && f != "" && hasFacet(en, f):
		// "那感冒药呢 有没有孕妇能吃的", "如果发烧了呢 多少度要去医院": the topic's facet.
		return e.facetAnswer(ctx, in, en, f), true
	case leans && rest != "" && f == "":
		// "益生菌呢", "能洗澡吗", "那钙片要不要吃": what the topic's answer says
		// of it, else the topic's question with the new words — unless it
		// stands on its own.
		if lines := mentionLines(en.Answer, subjectOf(rest)); lines != "" {
			return e.topicLines(ctx, en, lines), true
		}
		if lines := mentionLines(en.Answer, askedThing(subjectOf(rest))); lines != "" {
			return e.topicLines(ctx, en, lines), true
		}
		if res := e.KB.Index().DecideWith(in.Text, e.now(), knowledge.Hint{Subject: cx.Subject}); res.Decision == knowledge.Answer &&
			res.Top[0].Score >= carriedStrong {
			return Reply{}, false
		}
		return e.reRank(ctx, in, en, "")
	}
	return Reply{}, false
}

// withoutCues is text without the words that asked for the facet f: "要去医院看吗
// 挂什么科" is only a question of where to go.
func withoutCues(text string, f knowledge.Facet) string {
	for _, fc := range facetCues {
		if fc.f == f {
			for _, w := range fc.words {
				text = strings.ReplaceAll(text, w, "")
			}
		}
	}
	return text
}

// hasFacet reports whether the entry has something of its own to say on f.
func hasFacet(en *knowledge.Entry, f knowledge.Facet) bool {
	return strings.TrimSpace(en.Facets[f]) != "" || f == knowledge.FacetDoctor && strings.TrimSpace(en.SeeDoctor) != ""
}

// askWordsInside end the thing asked about: "钙片要不要吃" → "钙片", "雌激素会不会
// 得癌" → "雌激素".
var askWordsInside = []string{"要不要", "能不能", "会不会", "可不可以", "是不是", "有没有", "还能", "能", "要", "会", "可以", "也"}

// askedThing is the thing a short question asks about: the words before its
// first asking word, when at least two characters are left.
func askedThing(s string) string {
	cut := len(s)
	for _, w := range askWordsInside {
		if i := strings.Index(s, w); i >= 0 && i < cut {
			cut = i
		}
	}
	if utf8.RuneCountInString(s[:cut]) < 2 {
		return ""
	}
	return s[:cut]
}

// subjectOf strips the words that ask about doing something: "能吃布洛芬" →
// "布洛芬", "能洗澡" → "洗澡".
func subjectOf(s string) string {
	for changed := true; changed; {
		changed = false
		for _, w := range askWords {
			if r, ok := strings.CutPrefix(s, w); ok && r != "" {
				s, changed = r, true
			}
		}
	}
	return s
}

// withoutWho is s without the words that named who it is about.
func withoutWho(s string, w who) string {
	for _, word := range w.Words {
		s = strings.ReplaceAll(s, word, "")
	}
	return strings.Trim(s, "的 ")
}

func hasLead(s string) bool { return hasPrefixAny(s, leadWords) }

// mentionLines are the lines of an answer that mention word (at most three).
func mentionLines(answer, word string) string {
	if word == "" {
		return ""
	}
	var out []string
	for _, line := range strings.Split(answer, "\n") {
		if line = strings.TrimSpace(line); line != "" && strings.Contains(line, word) && len(out) < 3 {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// topicLines answers with some lines of the topic's entry.
func (e *Engine) topicLines(ctx context.Context, en *knowledge.Entry, lines string) Reply {
	text := "关于「" + en.Title + "」：\n" + lines + sourceLine(en)
	return Reply{Text: e.fill(text), Route: models.RouteFAQ, Category: en.Category, Score: 1, EntryID: en.ID,
		Subject: string(e.context(ctx).Subject)}
}

func containsExact(s string, words []string) bool {
	for _, w := range words {
		if s == w {
			return true
		}
	}
	return false
}

// facetAnswer answers one facet of the topic: the entry's own text for it;
// for 就医 its see-a-doctor advice; else the answer's sentences about it; else
// the entry the topic and the question together match best.
func (e *Engine) facetAnswer(ctx context.Context, in Inbound, en *knowledge.Entry, f knowledge.Facet) Reply {
	text := strings.TrimSpace(en.Facets[f])
	if text == "" && f == knowledge.FacetDoctor {
		text = strings.TrimSpace(en.SeeDoctor)
	}
	if text == "" {
		text = facetLines(en.Answer, f)
	}
	if text == "" {
		r, ok := e.reRank(ctx, in, en, f)
		if ok {
			return r
		}
		return e.fallback(ctx, in)
	}
	e.markAnswered(ctx, in.OpenID, en.ID)
	e.rememberTopic(ctx, en, "", f)
	var b strings.Builder
	b.WriteString("关于「" + en.Title + "」：\n" + text)
	if f != knowledge.FacetDoctor && strings.TrimSpace(en.SeeDoctor) != "" {
		b.WriteString("\n\n🏥 " + strings.TrimSpace(en.SeeDoctor))
	}
	b.WriteString(sourceLine(en))
	cx := e.context(ctx)
	return Reply{Text: e.fill(b.String()), Route: models.RouteFAQ, Category: en.Category, Score: 1, EntryID: en.ID,
		Facet: string(f), Subject: string(cx.Subject)}
}

// facetLines picks the lines of an answer that speak of the facet (its
// numbered points mentioning 药 for 用药): at most three.
func facetLines(answer string, f knowledge.Facet) string {
	var words []string
	for _, fc := range facetCues {
		if fc.f == f {
			words = fc.lines
		}
	}
	if len(words) == 0 {
		return ""
	}
	var out []string
	for _, line := range strings.Split(answer, "\n") {
		if line = strings.TrimSpace(line); line != "" && containsAnyWord(line, words) && len(out) < 3 {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// withTopic reads a short message the knowledge base has no clear answer to
// ("平时怎么照顾", "怎么申请") together with the conversation's topic.
func (e *Engine) withTopic(ctx context.Context, in Inbound) (Reply, bool) {
	cx := e.context(ctx)
	if cx.Entry == 0 || utf8.RuneCountInString(in.Text) > maxFollowUp || parseChoice(in.Text) > 0 {
		return Reply{}, false
	}
	topic, ok := e.KB.Index().Entry(cx.Entry)
	if !ok {
		return Reply{}, false
	}
	return e.reRankIf(ctx, in, topic, "", true)
}

// reRank matches the topic's question together with the follow-up, in the
// topic's area, and says which entry it used.
func (e *Engine) reRank(ctx context.Context, in Inbound, topic *knowledge.Entry, f knowledge.Facet) (Reply, bool) {
	return e.reRankIf(ctx, in, topic, f, false)
}

// reRankIf is reRank; sure asks for a clear answer, not only the nearest entry.
func (e *Engine) reRankIf(ctx context.Context, in Inbound, topic *knowledge.Entry, f knowledge.Facet, sure bool) (Reply, bool) {
	cx := e.context(ctx)
	q := cx.Question
	if q == "" {
		q = topic.Title
	}
	combined := q + " " + in.Text
	res := e.KB.Index().DecideWith(combined, e.now(), knowledge.Hint{Subject: cx.Subject, Category: topic.Category})
	if len(res.Top) == 0 || res.Top[0].Score < e.KB.Index().Options().ClarifyThreshold || sure && res.Decision != knowledge.Answer {
		return Reply{}, false
	}
	c := res.Top[0]
	if sure && !e.mentions(in.Text, c.Entry) {
		// A message of its own ("社区居住证怎么续签" after a fever answer) that
		// only matched through the topic's words is not about the topic.
		return Reply{}, false
	}
	r := e.answer(ctx, in, c, models.RouteFAQ)
	e.rememberTopic(ctx, c.Entry, combined, f)
	_, body, _ := strings.Cut(r.Text, "\n") // the title is said first, once
	r.Text = "关于「" + c.Entry.Title + "」：\n" + body
	r.Facet, r.Subject = string(f), string(cx.Subject)
	return r, true
}

// moreAbout answers "还有呢": what else can be asked about the topic.
func (e *Engine) moreAbout(ctx context.Context, in Inbound, en *knowledge.Entry) Reply {
	cx := e.context(ctx)
	var asks []string
	for _, f := range knowledge.Facets {
		if f != cx.Facet && strings.TrimSpace(en.Facets[f]) != "" {
			asks = append(asks, facetAsk[f])
		}
	}
	var b strings.Builder
	b.WriteString("关于「" + en.Title + "」")
	if s := strings.TrimSpace(en.SeeDoctor); s != "" {
		b.WriteString("，要特别注意：\n🏥 " + s + "\n")
	} else {
		b.WriteString("：\n")
	}
	if len(asks) > 0 {
		b.WriteString("您还可以接着问：" + strings.Join(asks, "、") + "。")
	} else {
		b.WriteString("您还可以接着问：要去医院吗、怎么预防。")
	}
	b.WriteString("\n想问别的，直接发问题就行；找工作人员请回复“人工”。")
	return Reply{Text: e.fill(b.String()), Route: models.RouteFAQ, Category: en.Category, Score: 1, EntryID: en.ID}
}

var facetAsk = map[knowledge.Facet]string{
	knowledge.FacetMedicine: "要吃什么药", knowledge.FacetDoctor: "要去医院吗", knowledge.FacetDiet: "吃什么好",
	knowledge.FacetPrevention: "怎么预防", knowledge.FacetContagion: "会传染吗", knowledge.FacetDuration: "多久能好",
}

// facetQuestion answers a question that names its topic and a facet of it
// ("带状疱疹会传染吗") when the topic alone has a clear answer: that facet of
// the entry, or the whole entry when it says nothing of the facet.
func (e *Engine) facetQuestion(ctx context.Context, in Inbound, h knowledge.Hint) (Reply, bool) {
	f, cue := detectFacet(in.Text)
	if f == "" {
		return Reply{}, false
	}
	topic := strings.Replace(in.Text, cue, " ", 1)
	res := e.KB.Index().DecideWith(topic, e.now(), h)
	if res.Decision != knowledge.Answer {
		return Reply{}, false
	}
	en := res.Top[0].Entry
	if en.Facets[f] == "" && !(f == knowledge.FacetDoctor && en.SeeDoctor != "") && facetLines(en.Answer, f) == "" {
		r := e.answer(ctx, in, res.Top[0], models.RouteFAQ)
		e.rememberTopic(ctx, en, topic, "")
		return r, true
	}
	r := e.facetAnswer(ctx, in, en, f)
	e.rememberTopic(ctx, en, topic, f)
	return r, true
}

// mentions reports whether text, alone, leans on the conversation (那…/…呢, a
// few characters) or has anything in common with en (en is among its
// candidates at all).
func (e *Engine) mentions(text string, en *knowledge.Entry) bool {
	plain := strings.Trim(normalizeCommand(text), "，,。.？?！! ")
	if hasLead(plain) || strings.HasSuffix(plain, "呢") || utf8.RuneCountInString(plain) <= 6 {
		return true
	}
	for _, c := range e.KB.Index().Match(text, e.now()).Top {
		if c.Entry.ID == en.ID && c.Score >= mentionFloor {
			return true
		}
	}
	return false
}

// mentionFloor is the least score at which a message alone is taken to speak of an entry.
const mentionFloor = 0.15
