package bot

import (
	"strings"

	"familybot/knowledge"
)

// episodeAsk is what a message inside a crisis episode asks for.
type episodeAsk int

const (
	fuOther    episodeAsk = iota
	fuNoAnswer            // 120 打不通, 他不接电话
	fuMouth               // 路上能给他喝点啥
	fuWait                // 要不要等等看, 能不能先观察
	fuHospital            // 去哪个医院
	fuSteps               // 打了120了 等车的时候我要做什么
	fuDespair             // 我不想打电话, 你能陪我聊聊吗, 没用的
	fuFine                // 我没事 就是说说, 他醒了
	fuThanks              // 谢谢, 好的
	fuArrived             // 救护车来了
	fuDrive               // 我打个车送她去行吗
	fuWho                 // 你是真人吗
	fuHelp                // 12355是什么 打了会告诉我妈吗, 学校心理老师靠谱吗, 那我能跟谁说
	fuRelief              // 能和你说说话心里好受点
	fuThinking            // 嗯 那我再想想
)

// followUpWords are looked for in order; the first group with a phrase in the
// message wins ("去医院路上能给他喝点啥" is about drinking, not the hospital).
var followUpWords = []struct {
	fu      episodeAsk
	phrases []string
}{
	{fuWho, []string{"真人", "机器人", "你是谁", "你是人吗", "是人工吗"}},
	{fuArrived, []string{"救护车来了", "救护车到了", "120来了", "120到了", "车来了", "车到了", "医生来了", "医生到了", "到医院了", "到了医院", "上车了", "在车上了"}},
	{fuNoAnswer, []string{"打不通", "没人接", "占线", "没接通", "接不通", "不接电话", "电话不接", "不回消息", "联系不上"}},
	// Questions about the help itself: what a line is, whether it tells
	// parents or teachers, whom to talk to.
	{fuHelp, []string{"12355", "12356", "热线是", "热线靠谱", "心理老师", "心理咨询师", "告诉我妈", "告诉我爸", "告诉爸妈", "告诉家长", "告诉家里", "告诉老师", "告诉班主任",
		"让老师知道", "让我妈知道", "让我爸知道", "让家里知道", "让爸妈知道", "让家长知道", "让班主任知道", "会不会说出去", "会保密", "保密吗",
		"跟谁说", "找谁说", "能跟谁", "可以跟谁", "找谁聊", "跟谁聊"}},
	// Feeling a little better for talking: before 说说话 (despair).
	{fuRelief, []string{"好受点", "好受多了", "好受些", "好受一点", "好受了", "舒服点", "舒服多了", "轻松点", "轻松多了", "轻松一点", "心里好多了", "说出来好多了"}},
	{fuMouth, []string{"吃了", "喝了", "喝点", "喝水", "喝什么", "喝啥", "能喝", "吃点", "吃什么", "吃啥", "能吃", "喂点", "喂水", "喂药", "吃药", "给他吃", "给她吃", "给他喝", "给她喝",
		"糖水", "速效救心丸", "安宫牛黄丸", "止疼药", "止痛药", "退烧药", "降压药"}},
	{fuDrive, []string{"打车", "打个车", "打的去", "开车送", "开车去", "自己开车", "自己送", "自己去医院", "骑车送", "救护车太贵", "救护车要钱", "救护车多少钱", "120要钱", "120多少钱", "120太贵"}},
	// Help is on its way: "等他们来的时候" is no question of waiting.
	{fuSteps, []string{"等车", "来之前", "车还没到", "还没到", "打了120", "打过120", "打120了", "120打了", "120打通", "叫了120", "已经打了", "已经叫了", "叫了救护车", "叫救护车了", "救护车叫了"}},
	{fuWait, []string{"躺躺", "躺一会", "躺一下", "先躺", "歇一会", "歇一下", "歇歇", "休息一下", "休息一会", "缓一缓", "缓缓", "忍一忍", "忍忍", "等等看", "要不要等", "先等", "等他", "等她", "等一等", "先等等", "等一下再", "等会再", "等会儿再", "观察", "再看看", "看看再说", "明天再", "不用去医院", "不去医院", "不想去医院", "用不用去", "要不要去",
		"需不需要去", "必须去医院", "要去医院吗", "还要去医院", "不严重吧", "严重吗", "是不是没事", "没事吧", "没什么事吧", "自己会好", "会自己好", "扛一扛", "挺一挺", "睡一觉", "不用打120", "不打120", "要不要打"}},
	{fuHospital, []string{"哪个医院", "哪家医院", "什么医院", "去哪", "哪里看", "什么科", "哪个科", "送医院", "去医院吗", "要去医院"}},
	{fuSteps, []string{"做什么", "做些什么", "怎么做", "怎么办", "咋办", "咋整",
		"干嘛", "干什么", "干啥", "怎么处理", "怎么救", "还能做"}},
	{fuDespair, []string{"不想打电话", "不想打", "不敢打", "不想说话", "陪我", "聊聊", "聊一聊", "说说话", "没用", "没有用", "没意思", "算了", "别管我", "好累",
		"没人", "一个人", "睡不着", "难受", "害怕", "好怕", "不想"}},
	{fuThinking, []string{"再想想", "我想想", "想一想", "考虑考虑", "考虑一下", "再看吧", "回头再说"}},
	{fuFine, []string{"我没事", "没事了", "不是想死", "不是说寻死", "不是寻死", "不是要寻死", "不是要死", "不是说想死", "不是真想死", "没想死", "不是想自杀", "不是要自杀", "不是真的要", "就是想想", "只是想想", "想想而已", "不会真的", "不会做傻事", "抽完了", "停了", "哭出声", "哭出来了", "拍出来了", "咳出来了", "醒过来了", "没事的", "就是说说", "随便说说", "说说而已", "开玩笑", "好多了", "好点了", "缓过来", "醒了", "不抽了", "止住了", "吐出来了", "出来了",
		"好了"}},
	{fuThanks, []string{"谢谢", "感谢", "好的", "知道了", "明白了", "收到"}},
}

// shortThanks are acknowledgements too short to look for inside a message
// ("好" is in "好多", "嗯" in anything).
var shortThanks = map[string]bool{"好": true, "嗯": true, "嗯嗯": true, "哦": true, "行": true, "ok": true, "OK": true}

// classifyFollowUp reads a message sent inside a crisis episode.
func classifyFollowUp(text string) episodeAsk {
	// Normalize folds 繁體 and typos but also drops fillers ("就是说说" → "说"):
	// look in both.
	// "好好的" (早上还好好的) is no "好的".
	raw := strings.ReplaceAll(strings.Join(strings.Fields(text), ""), "好好的", "")
	s := strings.ReplaceAll(strings.ReplaceAll(knowledge.Normalize(text), " ", ""), "好好的", "")
	for _, g := range followUpWords {
		if containsAnyOf(s, g.phrases) || containsAnyOf(raw, g.phrases) {
			return g.fu
		}
	}
	if shortThanks[strings.Trim(raw, "。.!！~")] {
		return fuThanks
	}
	return fuOther
}

func containsAnyOf(s string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// Follow-up replies in a medical episode.
const (
	medWait     = "不要等，也不要先观察，请现在就拨打 120。急症越早处理越好，打通后调度员会告诉你等车时怎么做。"
	medNoAnswer = "请一直重拨 120，也可以拨打 110 请他们帮忙叫救护车，同时请邻居或路人帮忙。先这样做：\n"
	medMouth    = "医生看过之前，什么都不要给他吃、喝，包括水、药和糖水，除非 120 调度员或医生让你这样做。嘴唇干可以用湿棉签润一润。"
	medHospital = "打了 120，就让 120 决定送哪家医院，他们会送到最近、能救治的医院。还没打请现在就打，不要自己开车送。实在等不到车，就去离你最近的医院急诊。"
	medStroke   = "\n中风要尽快送到能溶栓、取栓的医院（卒中中心），120 知道哪家最近。"
	medSteps    = "做得对。等车的时候：\n"
	medPickUp   = "\n开门、开灯，请人到楼下或路口接救护车；带上"
	medComfort  = "我在这里陪着你。先深呼吸，你已经在做对的事。还没打 120 的话，请现在就打。\n"
	medRelief   = "能让你好受一点，我也放心些。我一直在这里，想说就说。情况有变化（叫不醒、喘不上气、又抽搐、出血变多），马上拨打 120。"
	medFine     = "太好了。好转了也请尽快让医生看看，有些情况会反复。再出现叫不醒、喘不上气、抽搐或流血不止，马上拨打 120。"
	medThanks   = "不客气，我一直在这里。情况有变化（叫不醒、喘不上气、又抽搐），马上拨打 120。"
	medOther    = "请先拨打 120，把现在的情况告诉调度员。\n"
)

// medicalFollowUp answers a follow-up in a medical episode.
func medicalFollowUp(fu episodeAsk, c knowledge.Crisis) string {
	steps := stepsFor(c)
	if steps == "" {
		steps = medicalGeneric
	}
	switch fu {
	case fuWait:
		return medWait + waitTip(c)
	case fuNoAnswer:
		return medNoAnswer + steps
	case fuMouth:
		if c.Emergency == emergencyBloodSugar {
			return "还清醒、能自己吞咽：可以吃15～20克糖（半杯果汁或3～4块方糖）。叫不醒或吞不下：什么都不要喂，让他侧躺，等 120。"
		}
		return medMouth
	case fuHospital:
		if c.Emergency == knowledge.EmergencyStroke {
			return medHospital + medStroke
		}
		return medHospital
	case fuSteps:
		if w := waitingSteps(c); w != "" {
			return medSteps + w
		}
		return medSteps + steps + medPickUp + bringAlong(c) + "。"
	case fuDespair:
		return medComfort + steps
	case fuFine:
		return medFine
	case fuThanks, fuThinking:
		return medThanks
	case fuRelief:
		return medRelief
	}
	return medOther + steps
}

// waitTip is what to do while waiting for the ambulance, added to "don't
// wait": lying down is no reason to wait, but how to lie while waiting is.
func waitTip(c knowledge.Crisis) string {
	switch c.Emergency {
	case knowledge.EmergencyPregnancy:
		return "\n等车的时候：向左侧躺下，不要走动，先不要吃喝；打开家门，请邻居或家人来陪你。"
	case knowledge.EmergencyNone:
		return "\n等车的时候：躺下或坐着休息，不要走动，先不要吃喝；打开家门，请人到楼下接车。"
	}
	return ""
}

// waitingSteps are what to do once 120 is called, for emergencies whose
// first steps are mostly "call 120": the steps again would be the same
// block. "" when the emergency's own first steps say what to do.
func waitingSteps(c knowledge.Crisis) string {
	switch c.Emergency {
	case knowledge.EmergencyPregnancy:
		return "1. 向左侧躺下，不要走动，先不要吃喝。\n" +
			"2. 打开家门，请邻居或家人过来陪你。\n" +
			"3. 准备好孕检本（母子健康手册）、身份证、医保卡。\n" +
			"4. 记下疼痛几分钟一次、出血多少；出血变多、破水、胎动变少或疼得更厉害，再打 120 告诉调度员。"
	case knowledge.EmergencyNone:
		return "1. 躺下或坐着休息，不要走动，先不要吃喝。\n" +
			"2. 开门、开灯，请人到楼下或路口接救护车。\n" +
			"3. 准备好身份证、医保卡、病历和平时吃的药。\n" +
			"4. 情况变重（叫不醒、喘不上气、抽搐），再打 120 告诉调度员；没有正常呼吸，马上做心肺复苏。"
	}
	return ""
}

// stayWords stay with someone in despair: no pressure to call, the lines
// again, and help in writing.
func stayWords(c knowledge.Crisis) string {
	s := "我在这里，你不用一个人扛着。想说多少都可以，慢慢说。\n" +
		"不想打电话也没关系，可以就在这里打字，工作人员看到后会在这里回复你。\n" +
		"如果你已经伤害了自己或马上有危险，请一定拨打 120 或 110。\n" +
		"想听到人的声音时：" + localLine + line12356 + "；" + lineBJ
	if childLines(c) {
		s += "；" + line12355
	}
	return s + "。"
}

// dangerLine is the line a violence or abuse episode repeats.
func dangerLine(c knowledge.Crisis) string {
	if c.Kind == knowledge.CrisisChildAbuse || c.ChildWriter {
		return "现在有危险，马上打 110；也可以打 " + line12355 + "。"
	}
	return "现在有危险，马上拨打 110；受伤拨打 120。也可以打 " + line12338 + "。"
}

// episodeFollowUp is the reply to a message inside an episode that is not a
// new crisis: never the fallback, never an unrelated entry.
func episodeFollowUp(text string, c knowledge.Crisis) string {
	fu := classifyFollowUp(text)
	if c.Kind == knowledge.CrisisMedical || (c.Emergency != knowledge.EmergencyNone && c.Person != knowledge.PersonSelf) {
		return medicalFollowUp(fu, c)
	}
	harm := c.Kind == knowledge.CrisisSuicide || c.Kind == knowledge.CrisisNone
	helper := c.Person == knowledge.PersonPresent || c.Person == knowledge.PersonWorried
	switch fu {
	case fuWait:
		if harm {
			return "请不要等。只要他有可能伤害自己，现在就要有人陪着他；有危险马上拨打 110 或 120。\n也可以打 " + line12356 + "。"
		}
		return "请不要等。" + dangerLine(c)
	case fuNoAnswer:
		if harm && helper {
			return "请继续联系他，同时请离他最近的人马上去看他；联系不上又担心他有危险，马上拨打 110，说清楚他可能在哪里。"
		}
		return "请再拨一次；实在打不通，也可以就在这里打字，工作人员看到后会在这里回复你。有危险请直接拨打 110 或 120。"
	case fuSteps:
		return crisisWords(c)
	case fuHospital, fuMouth:
		if harm { // "我吃了好多药" may be an overdose
			return "如果已经吃了药或伤害了自己，请马上拨打 120，或去离你最近的医院急诊，药瓶带上。\n" + stayWords(c)
		}
		return "受伤了请拨打 120，或去离你最近的医院急诊；验伤和就医记录请留好，以后是证据。" + dangerLine(c)
	case fuFine:
		if harm && containsAnyOf(text, carerWords) { // 不是说寻死 就是想跑掉 不管了
			return carerExhausted
		}
		if harm && strings.Contains(text, "累") { // 不是想死 就是太累了
			return "累成这样，是担子太重了，不是你不好。谢谢你告诉我，能说出来就很好。你现在身边有人吗？能不能请家人替你一两天，让你睡个整觉？\n" +
				"什么时候又撑不住了，随时在这里说，工作人员也会看到；也可以打 " + line12356 + "。"
		}
		if harm {
			return "谢谢你告诉我，能说出来就很好。你现在身边有人吗？\n什么时候又难受了，随时在这里说，工作人员也会看到；也可以打 " + line12356 + "。"
		}
		return "好的，谢谢你告诉我。以后需要帮助，随时在这里说。" + dangerLine(c)
	case fuThanks:
		if harm {
			return "不客气，我一直在这里，需要时随时说。有危险请拨打 120 或 110；想找人说说，打 " + line12356 + "。"
		}
		return "不客气，我一直在这里，需要时随时说。" + dangerLine(c)
	case fuRelief:
		if harm {
			return "能让你好受一点，我也很高兴。你不是一个人，想说的时候随时来这里说，工作人员也会看到。\n心里又难受了，也可以打 " + localLine + line12356 + "。"
		}
		return "能让你好受一点，我也很高兴。需要时随时在这里说。" + dangerLine(c)
	case fuThinking:
		if harm {
			s := "好，慢慢想，不着急。我一直在这里；想说的时候随时打字，想听到人的声音就打 " + localLine + line12356
			if childLines(c) {
				s += " 或 " + line12355
			}
			return s + "。有危险请拨打 120 或 110。"
		}
		return "好，慢慢想，不着急。我一直在这里。" + dangerLine(c)
	case fuHelp:
		if harm {
			return helpWords(text, c)
		}
	}
	if harm && !helper {
		return stayWords(c)
	}
	if harm {
		return "我在这里。请尽量陪着他，不要让他一个人；有危险马上拨打 110 或 120。\n一起打 " + line12356 + "，家人也可以打去问怎么帮他。" + writeHere
	}
	return "我在这里。你现在安全吗？" + dangerLine(c) + "\n" + writeHere
}

// carerWords: what a carer means by wanting out (想跑掉 不管了): exhaustion.
var carerWords = []string{"跑掉", "不管了", "一走了之", "撑不住", "熬不住", "扛不住", "照顾", "喘口气", "歇一歇"}

// carerExhausted answers a carer who says they meant running away, not dying.
const carerExhausted = "明白了，是累到想逃开一阵，不是不想活。照顾病人这么久，有这样的念头很常见，说明你需要有人帮一把、歇一歇了。\n" +
	"1. 喘息服务：老人短期住进养老机构，或有人上门照护几天，让你好好休息；问问社区居委会或街道，也可以发送「喘息服务」了解。\n" +
	"2. {{name}}的“暖心家园”可以陪你说说话、一起想办法：回复“人工”或致电 {{phone}}（{{hours}}）。\n" +
	"3. 哪天真扛不住了，随时在这里说，工作人员会看到；也可以打 " + localLine + line12356 + "。"

// helpWords answer questions about the help itself inside a self-harm
// episode: what the line is, whether it tells parents or the school, whether
// the school's counsellor can be trusted, whom to talk to. Lines and
// counsellors keep what they hear to themselves, except when a life is in
// immediate danger: said as it is ("一般不会").
func helpWords(text string, c knowledge.Crisis) string {
	s := episodeText(text)
	young := childLines(c)
	var b strings.Builder
	switch {
	case strings.Contains(s, "心理老师") || strings.Contains(s, "心理咨询"):
		b.WriteString("学校的心理老师就是专门听同学说心事、帮着想办法的，大多数都很靠谱。你说的话他们会保密，一般不会告诉班主任和家长；" +
			"只有你可能伤害自己、有生命危险时，他们才必须告诉家长，这是为了保护你。\n可以先去聊一次试试，觉得不合适就换一个人，或者打 " + line12355 + "。")
	case containsAnyOf(s, []string{"跟谁说", "找谁说", "能跟谁", "可以跟谁", "找谁聊", "跟谁聊"}):
		b.WriteString("可以找这些人说：\n1. 就在这里打字，我在，工作人员也会看到、在这里回复你。\n")
		if young {
			b.WriteString("2. 打 " + line12355 + "（免费、保密），或 " + line12356 + "。\n" +
				"3. 学校的心理老师，他们会替你保密。\n4. 一个你信得过的大人：爸爸妈妈、亲戚、喜欢的老师都可以。")
		} else {
			b.WriteString("2. 打 " + localLine + line12356 + "（免费、保密）。\n3. 一位信得过的家人或朋友，请他来陪陪你。")
		}
	default: // 12355是什么 打了会告诉我妈吗; 我不想让老师知道
		if young || strings.Contains(s, "12355") {
			b.WriteString(line12355 + "是共青团为青少年开的求助电话，打电话免费，有专门的老师听你说心事、帮你想办法。\n")
		}
		if strings.Contains(s, "12356") || !young {
			b.WriteString(line12356 + "是国家开通的心理援助电话，免费，有专业的人听你说。\n")
		}
		b.WriteString("热线会为你保密，一般不会告诉你的家人和学校，也不用说出自己的名字；只有你马上有生命危险时，他们才会联系能保护你的人。" +
			"你在这里说的话，只有我们的工作人员能看到。")
	}
	b.WriteString("\n如果你已经伤害了自己或马上有危险，请拨打 120 或 110。")
	return b.String()
}
