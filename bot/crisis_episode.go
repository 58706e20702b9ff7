package bot

import (
	"strings"

	"familybot/knowledge"
)

// inEpisode reads a crisis verdict on a message sent inside an episode. A
// different kind the rules found (我也不想活了 after violence, 他捅了我 流了
// 好多血) turns the episode to that crisis; a different kind only the model
// saw, or an emergency of no known kind, is a follow-up of the episode's own
// crisis (躲在卫生间 is no self-harm in a violence episode, 他睡着了 no
// emergency). The same kind keeps who is at risk and learns a named
// emergency ("他又抽了" after a described seizure).
func inEpisode(prev, c knowledge.Crisis) (knowledge.Crisis, bool) {
	ruled := strings.Contains(c.Layer, "rule")
	if c.Kind == knowledge.CrisisNone {
		return prev, false
	}
	if c.Kind != prev.Kind {
		// An episode the model alone began (a possible emergency, often a
		// false alarm on 熬不住了) gives way to what the model reads next
		// (有时候真想一走了之) as much as to a rule.
		credible := ruled || prev.Layer == "model" && c.Kind != knowledge.CrisisMedical
		if !credible || (c.Kind == knowledge.CrisisMedical && c.Emergency == knowledge.EmergencyNone) {
			return prev, false
		}
		c.ChildWriter = c.ChildWriter || prev.ChildWriter
		return c, true
	}
	m := prev
	// The writer speaks of themself now (活着真没意思 after worrying about
	// someone else): the episode turns to the writer.
	if ruled && c.Kind == knowledge.CrisisSuicide && c.Person == knowledge.PersonSelf && prev.Person != knowledge.PersonSelf && prev.Person != "" {
		m.Person, m.Subject, m.Emergency = c.Person, c.Subject, c.Emergency
		m.ChildWriter = m.ChildWriter || c.ChildWriter
		return m, true
	}
	if c.Emergency != knowledge.EmergencyNone && (ruled || m.Emergency == knowledge.EmergencyNone) {
		m.Emergency = c.Emergency
	}
	if m.Person == "" {
		m.Person = c.Person
	}
	if m.Subject == knowledge.SubjectUnknown {
		m.Subject = c.Subject
	}
	m.ChildWriter = m.ChildWriter || c.ChildWriter
	return m, m.Emergency != prev.Emergency
}

// crisisReply is the full reply to the episode's crisis as it now stands.
func crisisReply(ep episode) string {
	c := ep.Crisis
	switch {
	case ep.Sit.WithChild:
		return withChildWords
	case ep.Sit.Witness:
		return witnessWords(c)
	case ep.Sit.Edge && c.Kind == knowledge.CrisisSuicide:
		return edgeWords(c)
	case ep.Sit.Online && c.Kind == knowledge.CrisisChildAbuse:
		return onlineWords
	case ep.Sit.Means != "" && c.Kind == knowledge.CrisisSuicide && c.Emergency == knowledge.EmergencyNone:
		return planWords(c, ep.Sit.Means)
	}
	return crisisWords(c)
}

// episodeReply answers a message inside an episode that starts nothing new.
// crisisMsg: the crisis layer read the message as the episode's crisis again;
// when it asks nothing in particular it gets the full reply again.
func episodeReply(text string, ep *episode, crisisMsg bool) string {
	c, s, fu := ep.Crisis, episodeText(text), classifyFollowUp(text)
	victim := c.Person != knowledge.PersonPresent && c.Person != knowledge.PersonWorried
	if fu == fuWho {
		return whoWords(c)
	}
	switch {
	case ep.Sit.WithChild:
		if fu == fuFine || fu == fuThanks {
			return withChildCheckIn
		}
		return withChildStay
	case ep.Sit.Witness:
		return witnessFollowUp(s)
	case c.Kind == knowledge.CrisisViolence && victim:
		if w := violenceSituation(s, c.ChildWriter); w != "" {
			return w
		}
	// Abuse told by the one it happens to is a child's (abuseWords), as is
	// violence told by a child.
	case c.Kind == knowledge.CrisisChildAbuse && (victim || c.ChildWriter) || c.Kind == knowledge.CrisisViolence && c.ChildWriter:
		if w := childSituation(s); w != "" {
			return w
		}
	case c.Kind == knowledge.CrisisSuicide && !victim:
		if w := friendSituation(s); w != "" {
			return w
		}
	case c.Kind == knowledge.CrisisSuicide && victim && ep.Sit.Means != "":
		switch fu {
		case fuFine, fuThanks:
			return planCheckIn(ep.Sit.Means)
		case fuDespair, fuOther:
			return planStay(ep.Sit.Means)
		}
	case c.Kind == knowledge.CrisisMedical || (c.Emergency != knowledge.EmergencyNone && c.Person != knowledge.PersonSelf):
		if w := medicalSituation(s, fu, ep); w != "" {
			return w
		}
	}
	if crisisMsg && fu == fuOther || fu == fuSteps && c.Kind != knowledge.CrisisMedical && c.Emergency == knowledge.EmergencyNone {
		return crisisReply(*ep) // 我该怎么办: the steps for this episode again
	}
	return episodeFollowUp(text, c)
}

// violenceSituations are what a resident in danger at home tells next, in the
// order they are looked for (the door being broken outweighs everything).
var violenceSituations = []struct {
	phrases         []string
	words           string
	noPolice, adult bool
}{
	{phrases: []string{"砸门", "踹门", "踢门", "撞门", "撬门", "破门", "拍门", "打门", "冲进来", "闯进来", "要进来", "进来了", "追过来", "追我", "在找我"},
		words: "这很危险，请现在就拨打 110，说清楚地址和正在发生的事；不方便出声，拨通后小声说地址，或发短信报警（多数地方是 12110）。\n" +
			"1. 门锁好，用重东西顶住，离门远一点，不要开门，不要隔着门跟他吵。\n" +
			"2. 手机不要离手，调成静音。\n" +
			"3. 他冲进来了，护住头和脸，往门外跑，大声呼救。"},
	{phrases: []string{"孩子还在", "孩子在外", "孩子在客厅", "孩子也在", "孩子在家", "孩子跟他", "孩子和他", "孩子在他", "孩子一个人", "孩子没出来", "孩子在屋", "孩子在房间"},
		words: "孩子和他在一起很危险，请现在就拨打 110，告诉警察孩子在哪里、他在做什么。\n" +
			"他没注意时，能把孩子叫到你身边锁上门就叫；不要冒险出去跟他硬碰。\n" +
			"警察到了、确认是警察再开门。孩子受伤拨打 120。"},
	{phrases: []string{"警察多久", "警察什么时候", "警察还没", "警察来了", "警察到了", "报警了", "已经报警", "打了110", "打过110"},
		words: "做得对。等警察的时候：待在锁好的房间里，手机不要离手；警察到了、确认是警察再开门。\n" +
			"能安全离开，就去邻居家或人多的地方。受伤拨打 120。"},
	{phrases: []string{"能跑", "跑出去", "逃出去", "逃走", "能不能跑", "跑吗", "能出去", "出得去"},
		words: "能安全地出去，就带上手机马上去邻居家或人多的地方，再拨打 110；出不去就锁好门待着，不要跟他正面冲突，现在就拨打 110。"},
	{phrases: []string{"不想报警", "不报警", "不敢报警", "别报警", "不要报警", "不用报警", "报警有用", "不想打110", "不敢打110", "不打110", "不要打110"}, noPolice: true, words: "我尊重你的决定，你最了解自己的处境。但动手、砸东西、拿刀吓人都是真正的危险，不管他是谁：\n" +
		"1. 他再冲你来、再拿刀，马上拨打 110。\n" +
		"2. 今晚尽量去亲友家或邻居家住，带上手机、证件，孩子带在身边。\n" +
		"3. 可以先打 " + line12338 + "，问问怎么办；也可以直接向法院申请人身安全保护令，不一定要先报警。\n" + writeHere},
	{phrases: []string{"卫生间", "厕所", "房间里", "屋里", "锁门", "门锁", "反锁", "锁上了", "躲起来", "躲在"},
		words: "做得对，锁好门待在里面。\n" +
			"1. 现在就拨打 110，说清楚地址，告诉警察他在做什么、你躲在哪里。\n" +
			"2. 手机不要离手，调成静音；离门远一点，不要开门，等警察来。\n" +
			"3. 他砸门或冲进来，大声呼救。"},
	{adult: true, phrases: []string{"睡着", "睡了", "藏起来", "藏好", "明天", "以后", "之后", "接下来", "安全了", "邻居家", "亲戚家", "娘家", "朋友家", "跑出来了", "出来了", "他走了", "走了"}, words: "你保护好了自己，做得对。趁现在：\n" +
		"1. 能走就先去亲友家或邻居家，带上手机、身份证、孩子和常用药。\n" +
		"2. 拍下被砸的东西和伤处，留好聊天记录，以后都是证据。\n" +
		"3. 打 " + line12338 + "；可以向法院申请人身安全保护令，或请派出所出具告诫书。\n" +
		"4. 他再威胁你、再动手，马上拨打 110。"},
}

// childNoPolice is for a child hiding from a parent who does not want to call
// the police: someone else can come, and 110 stays for when he breaks in.
const childNoPolice = "不想打 110 也可以：现在先打给妈妈、别的亲人或邻居，请他们马上过来；也可以打 " + line12355 + "。\n" +
	"待在房间里锁好门，不要出去开门。他冲进来、动手打你，马上打 110。"

// violenceSituation answers what a resident in danger at home tells next; ""
// when the message tells none of it. A child hiding from a parent gets words
// for a child: no protection order or 12338, someone else to come instead of
// the police if they will not call.
func violenceSituation(s string, child bool) string {
	for _, v := range violenceSituations {
		if !containsAnyOf(s, v.phrases) {
			continue
		}
		switch {
		case child && v.noPolice:
			return childNoPolice
		case child && v.adult:
			return ""
		}
		return v.words
	}
	return ""
}

// tellDoctor is what to tell the ambulance crew, per emergency.
var tellDoctor = map[knowledge.Emergency]string{
	knowledge.EmergencySeizure:    "什么时候开始抽、抽了多久、抽的样子，有没有发烧",
	knowledge.EmergencyStroke:     "发病的时间（或最后一次看到他正常的时间）、平时吃的药",
	knowledge.EmergencySwallowed:  "吞的是什么、大概几点吞的，把同样的电池、磁铁或包装给医生看",
	knowledge.EmergencyPoisoning:  "吃了什么、吃了多少、几点吃的，把药瓶、包装给医生看",
	knowledge.EmergencyChoking:    "卡的是什么、卡了多久、怎么弄出来的",
	knowledge.EmergencyHeadInjury: "怎么摔的、多高、头哪里着地，吐了几次、有没有昏过去",
	knowledge.EmergencyPregnancy:  "怀孕几周、出血或疼痛从几点开始，带上孕检本",
	emergencyConfusion:            "从什么时候开始不对劲、平时吃的药、最近有没有发烧或换药",
}

// medicalSituation answers what follows in a medical episode: the danger
// passed, the ambulance came, a taxi instead of 120, something in the mouth
// for a seizure; "" for everything else.
func medicalSituation(s string, fu episodeAsk, ep *episode) string {
	c := ep.Crisis
	who := childNoun(c.Subject)
	switch {
	case c.Emergency == knowledge.EmergencySeizure && containsAnyOf(s, []string{"塞", "咬舌", "咬到舌", "咬着舌", "咬了舌"}):
		return strings.ReplaceAll("不要往他嘴里塞任何东西：抽搐时不会把舌头咬断，塞东西反而会弄伤牙齿、堵住呼吸。\n"+
			"让他侧躺，移开硬物，看着时间；抽了超过5分钟、嘴唇发紫、第一次抽，马上拨打 120。", "他", who)
	case fu == fuArrived:
		t := tellDoctor[c.Emergency]
		if t == "" {
			t = "什么时候开始、发生了什么、平时吃的药和病史"
		}
		return "好，跟着救护车去医院。把这些告诉医生：" + t + "。\n带上" + bringAlong(c) + "。路上不要给" + who + "吃喝。"
	case fu == fuDrive:
		s := "请不要自己打车或开车去：救护车上就能抢救，也能直接送到能治的医院；路上出了事，车里没人能救。钱的事以后再说，现在就拨打 120。"
		if c.Emergency == knowledge.EmergencyPregnancy {
			s += "\n等车时打开家门，请邻居来陪你，向左侧躺下。"
		}
		return s
	case fu == fuFine:
		ep.Sit.Settled = true
		return afterWords(c)
	case ep.Sit.Settled && (fu == fuWait || fu == fuHospital):
		return strings.ReplaceAll("要去。危险过去了，也请今天带他去医院急诊或儿科看看，让医生查一查原因。\n"+
			"在家或路上又出现呼吸急、嘴唇发紫、叫不醒、抽搐，马上拨打 120。", "他", who)
	}
	return ""
}

// bringAlong is what to take to hospital.
func bringAlong(c knowledge.Crisis) string {
	switch c.Subject {
	case knowledge.SubjectInfant, knowledge.SubjectChild, knowledge.SubjectTeen:
		return "孩子的医保卡和病历"
	}
	return "他的药、病历和身份证"
}

// afterWords answer "抽完了 / 吐出来了 / 醒了": still see a doctor, and when to
// call 120 after all.
func afterWords(c knowledge.Crisis) string {
	who := childNoun(c.Subject)
	var s string
	switch c.Emergency {
	case knowledge.EmergencySeizure:
		s = "抽停了就好。继续让他侧躺，守着他，直到完全清醒；嘴里不要塞东西，先别喂水喂药。\n" +
			"第一次抽、抽了超过5分钟、嘴唇发紫、是小宝宝，或一直叫不醒、又抽了：马上拨打 120。别的情况今天也要带他去医院看医生，查一查原因。"
	case knowledge.EmergencyChoking:
		s = "东西出来了就好，你做得很好。今天还是带他去医院检查一下，看看有没有残留、有没有受伤。\n" +
			"出现呼吸急、一直咳、声音嘶哑、嘴唇发紫，马上拨打 120。"
	default:
		return medFine
	}
	return strings.ReplaceAll(s, "他", who)
}
