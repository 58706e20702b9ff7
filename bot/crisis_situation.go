package bot

import (
	"strings"

	"familybot/knowledge"
)

// The crisis layer's verdict says which crisis and who is at risk; a few
// situations change what the resident must be told and are read here from
// the words: a suicide plan with the means at hand, a parent who wants to die
// with (or harm) their child, a neighbour who hears someone beaten, a seizure
// whose blue lips the verdict took for breathing, an awake elder suddenly
// confused. They are remembered for the rest of the episode.

// situation is what the words add to the verdict.
type situation struct {
	Means     string `json:"m,omitempty"`  // the means of a suicide plan at hand: 药, 炭, 绳子 …
	WithChild bool   `json:"wc,omitempty"` // a parent who wants to die with, or harm, their child
	Witness   bool   `json:"w,omitempty"`  // the writer hears or sees violence against someone else
	Settled   bool   `json:"s,omitempty"`  // the medical danger has passed (抽完了, 吐出来了)
	Edge      bool   `json:"e,omitempty"`  // the writer is somewhere high or by the water (我现在在天台上)
	She       bool   `json:"f,omitempty"`  // the one the writer worries about is a woman or girl (她)
	Online    bool   `json:"o,omitempty"`  // a child blackmailed online (照片, 裸聊)
}

// planMeans are the words of a plan with its means ready, and the means to
// put away.
var planMeans = []struct{ means, phrases []string }{
	{[]string{"炭"}, []string{"买了炭", "买好了炭", "买好炭", "炭买好", "炭都买", "烧炭", "准备了炭"}},
	{[]string{"绳子"}, []string{"绳子准备好", "准备好了绳子", "准备了绳子", "绳子买好", "买了绳子", "绳子都"}},
	{[]string{"农药"}, []string{"农药准备好", "买了农药", "农药买好", "准备了农药", "农药都"}},
	{[]string{"刀"}, []string{"刀准备好", "刀片准备好", "准备好了刀", "买了刀片"}},
	{[]string{"药"}, []string{"攒好", "攒了", "攒够", "攒药", "囤了", "囤好", "药准备好", "准备好了药", "药都准备", "药都买", "买了一瓶", "一瓶安眠药", "一整瓶安眠药", "好多安眠药"}},
	{[]string{""}, []string{"遗书写好", "写好了遗书", "写了遗书", "想好了怎么死", "想好怎么死", "地方都选好", "日子都选好", "选好了日子"}},
}

// readMeans returns the means of a plan at hand, "" for none; a plan with no
// means named (遗书写好了) returns "办法".
func readMeans(s string) (string, bool) {
	for _, p := range planMeans {
		if containsAnyOf(s, p.phrases) {
			if p.means[0] == "" {
				return "能伤害自己的东西", true
			}
			return p.means[0], true
		}
	}
	return "", false
}

// withChildWords: a parent who wants to take the child along, or to harm them.
var (
	ownChild  = []string{"孩子", "宝宝", "女儿", "儿子", "闺女", "娃", "小孩", "孙子", "孙女"}
	withChild = []string{"一起死", "一起去死", "一起走", "一起跳", "一起离开这个世界", "跳下去", "掐死", "闷死", "捂死", "弄死", "淹死", "摔死", "扔下楼", "扔下去", "同归于尽"}
	// Someone else's child: the parent is not the writer.
	notWriterChild = []string{"新闻", "电视", "电视剧", "看到一个", "听说", "邻居", "隔壁"}
)

// witnessWords: the writer hears or sees the violence, next door or outside.
var (
	witnessPlace = []string{"隔壁", "邻居家", "楼上", "楼下", "对门", "对面", "听到", "听见", "看到", "看见", "路上"}
	writerHit    = []string{"打我", "揍我", "我被", "砍我", "杀我", "吓我", "我老公", "我丈夫", "我男朋友"}
)

// seizureSigns: a convulsion, whatever else the verdict read (嘴唇发紫 alone
// is breathing; with 抽筋 it is the seizure's blue lips).
var (
	seizureSigns = []string{"抽筋", "抽搐", "抽风", "惊厥", "翻白眼", "一抽一抽", "抽了", "手脚抽", "浑身抽", "全身抽", "癫痫"}
	legCramp     = []string{"腿抽筋", "脚抽筋", "小腿", "腿肚子", "手抽筋", "脚趾"}
)

// confusion: an awake person suddenly not themselves; unconscious words keep
// the unconscious steps.
var (
	confusionSigns = []string{"不认识人", "不认人", "认不出", "说胡话", "胡言乱语", "胡说八道", "糊涂了", "犯糊涂", "突然糊涂", "神志不清", "颠三倒四", "答非所问"}
	unconscious    = []string{"叫不醒", "喊不醒", "叫不应", "没反应", "没有反应", "没呼吸", "没有呼吸", "不喘气", "昏迷", "晕倒", "昏倒", "晕过去", "倒在"}
)

// readSituation reads what the words add to the verdict and adjusts the
// verdict to it.
func readSituation(text string, c knowledge.Crisis) (knowledge.Crisis, situation) {
	var sit situation
	if c.Kind == knowledge.CrisisNone {
		return c, sit
	}
	s := episodeText(text)
	if containsAnyOf(s, ownChild) && containsAnyOf(s, withChild) && !containsAnyOf(s, notWriterChild) {
		sit.WithChild = true
		c.Kind, c.Person, c.Emergency = knowledge.CrisisSuicide, knowledge.PersonSelf, knowledge.EmergencyNone
	}
	if c.Kind == knowledge.CrisisSuicide && c.Person != knowledge.PersonWorried {
		if m, ok := readMeans(s); ok {
			sit.Means = m
		}
		sit.Edge = containsAnyOf(s, edgePlaces)
	}
	if c.Kind == knowledge.CrisisChildAbuse && c.Person == knowledge.PersonSelf {
		sit.Online = containsAnyOf(s, onlinePlaces)
	}
	if c.Person == knowledge.PersonWorried || c.Person == knowledge.PersonPresent {
		sit.She = strings.Contains(s, "她") && !strings.Contains(s, "他")
	}
	if (c.Kind == knowledge.CrisisViolence || c.Kind == knowledge.CrisisChildAbuse) && !c.ChildWriter &&
		containsAnyOf(s, witnessPlace) && !containsAnyOf(s, writerHit) {
		sit.Witness = true
		c.Person = knowledge.PersonWorried
		if containsAnyOf(s, ownChild) && (c.Subject == knowledge.SubjectUnknown || c.Subject == knowledge.SubjectSelf) {
			c.Subject = knowledge.SubjectChild
		}
	}
	if c.Kind == knowledge.CrisisMedical {
		switch {
		case c.Emergency == knowledge.EmergencyNone && pregnant(text):
			c.Emergency = knowledge.EmergencyPregnancy
		case containsAnyOf(s, seizureSigns) && !containsAnyOf(s, legCramp) &&
			(c.Emergency == knowledge.EmergencyNone || c.Emergency == knowledge.EmergencyBreathing || c.Emergency == knowledge.EmergencyUnconscious || c.Emergency == knowledge.EmergencyInfant):
			c.Emergency = knowledge.EmergencySeizure
		case containsAnyOf(s, confusionSigns) && !containsAnyOf(s, unconscious) &&
			(c.Emergency == knowledge.EmergencyNone || c.Emergency == knowledge.EmergencyUnconscious):
			c.Emergency = emergencyConfusion
		}
	}
	return c, sit
}

// episodeText is the message as words are looked for in it: as written and
// normalised (繁體 and typos folded, which also drops fillers), spaces gone.
func episodeText(text string) string {
	return strings.Join(strings.Fields(text), "") + "|" + strings.ReplaceAll(knowledge.Normalize(text), " ", "")
}

// join adds what a new message says to what the episode knew.
func (s situation) join(n situation) situation {
	if n.Means != "" {
		s.Means = n.Means
	}
	s.WithChild = s.WithChild || n.WithChild
	s.Witness = s.Witness || n.Witness
	s.Edge = s.Edge || n.Edge
	s.She = s.She || n.She
	s.Online = s.Online || n.Online
	return s
}

// pronoun speaks of her when the one the writer worries about is a woman or
// girl (我閨蜜… 她打不通): the suicide words are written for 他.
func pronoun(text string, ep episode) string {
	c := ep.Crisis
	if !ep.Sit.She || c.Kind != knowledge.CrisisSuicide || (c.Person != knowledge.PersonWorried && c.Person != knowledge.PersonPresent) {
		return text
	}
	return strings.ReplaceAll(text, "他", "她")
}

// lineItem and lineInline show the local crisis line, when there is one.
func lineItem(l string) string {
	if l = strings.TrimSpace(l); l == "" {
		return ""
	}
	return "· " + l + "\n"
}

func lineInline(l string) string {
	if l = strings.TrimSpace(l); l == "" {
		return ""
	}
	return l + "；"
}

// planWords answer a suicide plan with the means at hand: the means away and
// someone there first, then the lines.
func planWords(c knowledge.Crisis, means string) string {
	s := "谢谢你告诉我，我很担心你。已经吃了药或伤害了自己，马上拨打 120。请现在就做这几件事：\n" +
		"1. 把" + means + "交给家人或邻居保管，或拿到别的屋子去，不要留在身边。\n" +
		"2. 不要一个人待着：现在就打给一位家人或朋友，请他马上过来；有危险拨打 110。\n" +
		"3. 想听到人的声音：" + localLine + line12356 + "；" + lineBJ
	if childLines(c) {
		s += "；" + line12355
	}
	return s + "。\n" + writeHere + staffSee
}

// planCheckIn answers "我没事 你别管了" after a plan: not calm, a warm check-in.
func planCheckIn(means string) string {
	return "好，我不多说。只是你刚才说" + means + "已经准备好了，我还是放心不下。\n" +
		"请为我做一件事：把" + means + "交给家人或邻居保管，再告诉身边的一个人你现在不太好。\n" +
		"我一直在这里，想说的时候随时打字；想听到人的声音：" + localLine + line12356 + "；" + lineBJ + "。\n" +
		"有危险或已经伤害了自己，请拨打 120 或 110。"
}

// planStay answers the other messages of a plan episode (就我一个人).
func planStay(means string) string {
	return "你现在一个人，我很担心你。请现在就打给一位家人、朋友或邻居，请他马上过来陪你，把" + means + "交给他保管。\n" +
		"想听到人的声音：" + localLine + line12356 + "；" + lineBJ + "。\n" +
		"已经吃了药或伤害了自己，马上拨打 120；有危险拨打 110。\n" + writeHere
}

// withChildWords put the child's safety first, for a parent who wants to die
// with their child or to harm them: postpartum depression and psychosis are
// common and treatable.
const withChildWords = "谢谢你说出来，你现在一定累坏了。控制不住自己或孩子有危险，马上拨打 110 或 120。先让孩子安全：\n" +
	"1. 现在就把孩子放到小床上，或交给家人、邻居，你离开几步，到别的房间坐下。\n" +
	"2. 马上打给家人请他回来陪你，今晚不要一个人带孩子。\n" +
	"3. 生完孩子这样想的妈妈不少，可能是产后抑郁（严重时是产后精神病），能治好，不是你不好。尽快去医院精神心理科或产科看看。\n" +
	"4. 想听到人的声音：" + localLine + line12356 + "。\n" + staffSee

// withChildStay answers the next messages of that episode (她才两个月 天天哭
// 我老公也不管): exhaustion and no help, not violence.
const withChildStay = "一个人带这么小的孩子，天天哭，身边又没人帮，换谁都会撑不住，这不是你的错。\n" +
	"1. 孩子哭个不停、你快受不了时，先把孩子放到小床上（平躺），离开几分钟，深呼吸，哭一会儿不会伤到孩子。\n" +
	"2. 今天就请家人来帮忙，和孩子爸爸、你妈妈或信任的人说出你的念头，请他们陪你去看医生：产后抑郁能治好。\n" +
	"3. 又想伤害自己或孩子时，马上拨打 110 或 120；想说说话：" + localLine + line12356 + "。\n" + writeHere

// withChildCheckIn answers "我就是说说 不会真的做的" in that episode.
const withChildCheckIn = "谢谢你告诉我，能说出来就很好。这样的念头常常是太累、产后抑郁的信号，不是你不爱孩子。\n" +
	"念头再来时：先把孩子放到小床上，离开几分钟，打给家人或 " + localLine + line12356 + "。\n" +
	"这几天请一位家人陪你，尽快去医院看看，产后抑郁能治好。我一直在这里。"

// witnessWords are for someone who hears or sees a child (or anyone) being
// hurt: the writer is not the victim, and may call anonymously.
func witnessWords(c knowledge.Crisis) string {
	who := "有人"
	if childLines(c) {
		who = "孩子"
	}
	return who + "可能正在受伤，请现在就拨打 110，说清楚是哪一户、听到了什么。\n" +
		"1. 报警时可以不留姓名，也可以请警察为你保密，你不用出面。\n" +
		"2. 不要自己上门去拦，保护好自己。\n" +
		"3. 事后也可以告诉居委会（村委会），或打 " + line12355 + "、" + line12338 + " 反映。\n" + staffSee
}

// witnessFollowUp answers the witness's next messages: anonymity, fear of
// retaliation, silence that does not mean safety.
func witnessFollowUp(s string) string {
	switch {
	case containsAnyOf(s, []string{"没声音", "没动静", "安静了", "不哭了", "停了", "没事了"}):
		return "没声音了不代表孩子就安全了，可能是受了伤。请还是拨打 110，说清楚地址、听到了什么、什么时候，请警察上门看看。报警可以不留姓名。"
	case containsAnyOf(s, []string{"匿名", "不留名", "不留姓名", "报复", "闲事", "不想报警", "不敢报警", "得罪", "认出我", "知道是我"}):
		return "可以不留姓名：打 110 时说“我想匿名”，只说地址和听到的情况就行，警察会为报警人保密，你不用出面，也不用跟那家人打照面。\n" +
			"孩子自己没法求救，你的一个电话可能就是保护他的开始。也可以告诉居委会（村委会），或打 " + line12355 + "。"
	}
	return "请拨打 110，说清楚地址和听到的情况；可以不留姓名，警察会为你保密。不要自己上门去拦，保护好自己。"
}

// pregnancySigns: the one taken ill is pregnant (见红, 26周): the pregnancy
// steps, not the general 120 list.
var pregnancySigns = []string{"见红", "破水", "羊水", "胎动", "宫缩", "怀孕", "孕妇", "孕期", "孕早期", "孕中期", "孕晚期", "早产", "胎心", "产检"}

func pregnant(text string) bool {
	s := episodeText(text)
	if containsAnyOf(s, pregnancySigns) {
		return true
	}
	return pregnantWeeksRE.MatchString(s) && !containsAnyOf(s, babyAgeWords)
}
