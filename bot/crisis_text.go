package bot

import (
	"strings"

	"familybot/knowledge"
)

// The crisis replies. Who is at risk decides the words: the writer, someone
// with the writer now (the writer is the helper and gets the first steps), or
// someone the writer worries about. Every medical reply starts with 120, every
// danger with 110. Reviewed text: keep each reply short enough for one phone
// screen, and the lines named as below wherever a resident reads them.
const (
	line12356 = "12356 全国统一心理援助热线"
	lineBJ    = "010-82951332 北京心理危机研究与干预中心（北京的热线，24小时）"
	line12355 = "12355 青少年服务台"
	line12338 = "12338 全国妇联妇女维权公益服务热线"

	// localLine and localLineItem stand for the association's own
	// psychological-crisis line (association.crisis_line), shown before the
	// national ones when set; fill replaces them ("" when unset).
	localLine     = "{{crisis_line}}"
	localLineItem = "{{crisis_line_item}}"

	// staffSee is true for every crisis: the message is on the admin's crisis
	// page and the staff on duty are alerted.
	staffSee = "我们的工作人员也收到了提醒。"
	// writeHere offers help without a phone call: staff answer on the crisis
	// page, which reaches the resident here within WeChat's 48 hours.
	writeHere = "不方便打电话，也可以就在这里打字，工作人员看到后会在这里回复你。"

	firstAidSource = "来源：中国红十字会应急救护培训要点"
)

// firstSteps are the first steps of each medical emergency for the person who
// is there, 120 first. Grounded in the Red Cross first-aid training points and
// the NHC's public guidance (stroke: 中国卒中学会“中风120”).
var firstSteps = map[knowledge.Emergency]string{
	knowledge.EmergencyStroke: "可能是中风，每一分钟都很重要：\n" +
		"1. 马上拨打 120，告诉对方“可能是中风”和详细地址。\n" +
		"2. 记下发病的时间（或最后一次看到他正常的时间），告诉医生。\n" +
		"3. 让他躺下或坐稳，头偏向一侧，不要走动。\n" +
		"4. 不要给他吃喝任何东西，也不要喂药（包括降压药、安宫牛黄丸）。\n" +
		"5. 不要自己开车送，等 120。\n" +
		"来源：中国卒中学会“中风120”；中国红十字会应急救护培训要点",
	knowledge.EmergencyChest: "胸痛可能是心脏急症：\n" +
		"1. 马上拨打 120。\n" +
		"2. 让他停下一切活动，坐下或半躺，解开衣领，不要走动。\n" +
		"3. 只用医生给他开过的急救药（如硝酸甘油），其他药先别吃。\n" +
		"4. 倒下、叫不醒、没有正常呼吸：马上做心肺复苏，请人找附近的 AED（自动体外除颤器）。\n" +
		"5. 开门，请人到路口接救护车。\n" + firstAidSource,
	knowledge.EmergencyBreathing: "喘不上气很危险：\n" +
		"1. 马上拨打 120。\n" +
		"2. 让他坐起来、身体稍向前倾，松开衣领和腰带，开窗通风。\n" +
		"3. 有医生开的哮喘喷雾，按医嘱用。\n" +
		"4. 不要让他平躺，不要给吃喝。\n" +
		"5. 叫不醒、没有正常呼吸：马上做心肺复苏。\n" + firstAidSource,
	knowledge.EmergencyPoisoning: "误服药物或毒物：\n" +
		"1. 马上拨打 120。\n" +
		"2. 不要催吐，不要灌水、牛奶或醋。\n" +
		"3. 带上药瓶、药盒或包装给医生看，估计一下吃了多少。\n" +
		"4. 看他有没有正常呼吸：叫不醒但有呼吸，让他侧躺，防止呕吐物呛住；没有正常呼吸，马上做心肺复苏。\n" +
		"5. 煤气中毒：先开窗，把人移到空气新鲜的地方，不要开关电器。\n" + firstAidSource,
	knowledge.EmergencySwallowed: "吞了纽扣电池或磁铁，即使现在看着没事也很危险：\n" +
		"1. 马上拨打 120，或立刻去最近的医院急诊。\n" +
		"2. 不要催吐。\n" +
		"3. 不要吃东西，也不要喝水。\n" +
		"4. 带上同样的电池、磁铁或包装给医生看。\n" + firstAidSource,
	knowledge.EmergencyHeadInjury: "摔到头后呕吐、老想睡、叫不醒、抽搐或耳鼻流血水，都要马上看医生：\n" +
		"1. 马上拨打 120。\n" +
		"2. 让他躺着别动；可能伤到脖子时不要搬动、不要摇晃他。\n" +
		"3. 伤口出血：用干净的布轻轻压住。\n" +
		"4. 叫不醒但有呼吸：侧躺；没有正常呼吸：马上做心肺复苏。\n" +
		"5. 先不要吃喝，一直有人守着，留意是不是越来越困。\n" + firstAidSource,
	knowledge.EmergencyDrowning: "溺水：\n" +
		"1. 马上拨打 120。不会游泳不要下水，递竹竿、扔救生圈。\n" +
		"2. 救上岸后看有没有正常呼吸。\n" +
		"3. 没有正常呼吸：马上心肺复苏，先做人工呼吸，再胸外按压；有 AED 就用。\n" +
		"4. 不要倒挂控水，会耽误抢救。\n" +
		"5. 有呼吸：让他侧躺，脱掉湿衣服，保暖，等医生。\n" + firstAidSource,
	knowledge.EmergencyBleeding: "大出血：\n" +
		"1. 马上拨打 120。\n" +
		"2. 用干净的布、毛巾或纱布直接用力按住伤口，一直按着不要松。\n" +
		"3. 血渗出来就再加一层，不要揭开原来的布。\n" +
		"4. 扎在身上的刀、玻璃不要拔出来，在周围垫布固定。\n" +
		"5. 让他躺下，注意保暖。\n" + firstAidSource,
	knowledge.EmergencyBurn: "烧烫伤：\n" +
		"1. 马上拨打 120（面积大，或烫在脸、手、会阴，或是孩子、老人）。\n" +
		"2. 立即用流动的凉水冲 20 分钟，不要用冰。\n" +
		"3. 边冲边小心脱掉或剪开衣服、首饰；粘住皮肤的不要硬撕。\n" +
		"4. 不要涂牙膏、酱油、香油，水泡不要挑破。\n" +
		"5. 用干净的布或保鲜膜轻轻盖住，注意保暖。\n" +
		"来源：中国疾控中心烧烫伤急救提示（冲、脱、泡、盖、送）",
	knowledge.EmergencyAllergy: "严重过敏（喉咙发紧、喘不上气、嘴唇舌头肿、头晕要倒）：\n" +
		"1. 马上拨打 120。\n" +
		"2. 他有医生开的肾上腺素笔，马上在大腿外侧打一针。\n" +
		"3. 喘不上气就坐起来；头晕、脸色发白就平躺，把腿抬高；不要突然站起来走。\n" +
		"4. 远离引起过敏的东西（食物、药、蜂）。\n" +
		"5. 叫不醒、没有正常呼吸：马上做心肺复苏。\n" + firstAidSource,
	knowledge.EmergencyPregnancy: "孕期出血、肚子痛、破水或胎动明显变少：\n" +
		"1. 马上拨打 120。\n" +
		"2. 让她向左侧躺下，不要走动，不要自己挤车去医院。\n" +
		"3. 记下出血、疼痛或破水开始的时间。\n" +
		"4. 带上孕检本（母子健康手册）和身份证。\n" +
		"来源：国家卫生健康委孕产期保健科普；中国红十字会应急救护培训要点",
	knowledge.EmergencyInfant: "小宝宝出现这些情况很危险（3个月内发烧、软绵绵叫不醒、不吃奶、呼吸很急或嘴唇发紫）：\n" +
		"1. 马上拨打 120，或立刻去最近的医院急诊。\n" +
		"2. 让宝宝侧躺，保持呼吸通畅，不要捂着。\n" +
		"3. 不要自己喂退烧药或别的药，先问医生。\n" +
		"4. 记下体温、吃奶和尿量、开始的时间，告诉医生。\n" +
		"5. 叫不醒、没有正常呼吸：马上做心肺复苏。\n" +
		"来源：国家卫生健康委《3岁以下婴幼儿健康养育照护指南（试行）》；中国红十字会应急救护培训要点",
	knowledge.EmergencyUnconscious: "叫不醒：\n" +
		"1. 马上拨打 120。\n" +
		"2. 拍他双肩、大声喊他，看胸口有没有起伏（看10秒）。\n" +
		"3. 有呼吸：让他侧躺，松开衣领，守着他。\n" +
		"4. 没有正常呼吸：马上胸外按压——双手叠放在胸口正中，用力快速按，每分钟100～120次；请人去找 AED，到了就按语音提示用。\n" +
		"5. 不要喂水喂药，不要掐人中。\n" + firstAidSource,
	emergencyBloodSugar: "血糖很低或很高、人发昏：\n" +
		"1. 马上拨打 120。\n" +
		"2. 还清醒、能自己吞咽：可能是低血糖，先吃15～20克糖（半杯果汁或3～4块方糖），15分钟后没好转再吃一次。\n" +
		"3. 叫不醒、不能吞咽：什么都不要喂，让他侧躺，守着他。\n" +
		"4. 带上他的降糖药、胰岛素和血糖记录给医生看。\n" +
		"来源：中华医学会糖尿病学分会《中国2型糖尿病防治指南（2020年版）》低血糖的处理",
}

// emergencyBloodSugar: very high or very low blood sugar with drowsiness.
const emergencyBloodSugar = knowledge.EmergencyBloodSugar

// emergencyConfusion is an awake elder suddenly confused (不认识人了 说胡话):
// stroke or delirium, same-day emergency care, not the unconscious steps.
// The crisis layer names it unconscious (or nothing); readSituation tells.
const emergencyConfusion knowledge.Emergency = "confusion"

// seizureSteps are written for "他" and speak of the child or baby when the
// one seizing is a child. No step sits the person up: that is for breathing.
const seizureSteps = "正在抽搐时：\n" +
	"1. 马上拨打 120，尤其是抽了超过5分钟、嘴唇发紫、第一次抽、是小宝宝，或抽完叫不醒。\n" +
	"2. 让他侧躺，移开身边的硬物，头下垫软的东西。\n" +
	"3. 嘴里什么都不要塞（筷子、毛巾、手指都不要），不要掐人中；他不会咬断舌头。\n" +
	"4. 不要按住他的手脚，不要喂水喂药。\n" +
	"5. 看着时间，记下抽了多久；抽完继续侧躺，守着他，今天就要看医生。\n" + firstAidSource

// confusionSteps: sudden confusion in someone awake.
const confusionSteps = "突然糊涂、不认人、说胡话，可能是中风，也可能是感染、脱水或药物引起的急性意识混乱（谵妄），都要当天看急诊：\n" +
	"1. 同时有嘴歪、一侧手脚没力、说话含糊、走不稳，或叫不醒、抽搐：马上拨打 120，记下发病时间。\n" +
	"2. 没有这些，也请今天就去医院急诊，不要等到明天。\n" +
	"3. 先不要给他吃安眠药、镇静药，平时的药也别自己加减。\n" +
	"4. 量一下体温；发烧、最近换过药、几天没怎么吃喝，都告诉医生。\n" +
	"5. 一直有人陪着，防止摔倒、走失。\n" +
	"来源：中国卒中学会“中风120”；《内科学（第9版）》（人民卫生出版社，2018年）谵妄"

// childNoun is how the steps speak of the one in danger.
func childNoun(s knowledge.Subject) string {
	switch s {
	case knowledge.SubjectInfant:
		return "宝宝"
	case knowledge.SubjectChild, knowledge.SubjectTeen:
		return "孩子"
	}
	return "他"
}

// Choking depends on the age: back blows and chest thrusts under one year,
// the Heimlich manoeuvre over one.
const (
	chokingHead   = "噎住了，咳不出、说不出话：\n1. 马上请旁边的人拨打 120，你先救。\n"
	chokingInfant = "1岁以下：让宝宝趴在你前臂上，头低于身体，用掌根拍背5下；再翻过来，用两根手指按胸口正中5下。交替做，直到东西出来。"
	chokingOlder  = "1岁以上和大人：站到他身后，一手握拳放在肚脐上方，另一手包住拳头，快速向内向上冲击，直到东西出来（海姆立克法）。"
	chokingEnd    = "不要用手指到嘴里乱抠。\n4. 没有反应了：放平，马上做心肺复苏。\n" + firstAidSource
)

func chokingSteps(s knowledge.Subject) string {
	switch s {
	case knowledge.SubjectInfant:
		return chokingHead + "2. " + chokingInfant + "\n3. " + chokingEnd
	case knowledge.SubjectChild, knowledge.SubjectTeen, knowledge.SubjectPartner, knowledge.SubjectElder, knowledge.SubjectSelf:
		return chokingHead + "2. " + chokingOlder + "\n3. " + chokingEnd
	}
	return chokingHead + "2. " + chokingInfant + "\n   " + chokingOlder + "\n3. " + chokingEnd
}

// medicalGeneric is for a medical emergency of no known kind.
const medicalGeneric = "这可能是急症，请马上拨打 120 急救电话！\n" +
	"· 中风（脸歪、一侧手臂无力、说话不清）、胸痛、喘不上气、叫不醒、抽搐、大出血：立即拨打 120，不要自己开车或走路去医院。\n" +
	"· 噎住：1岁以下拍背压胸，1岁以上海姆立克法，同时请人拨打 120。\n" +
	"· 误服药物、农药、洗涤剂或吞了纽扣电池：不要催吐，带上包装，拨打 120 或去最近的医院急诊。\n" +
	"· 叫不醒、没有正常呼吸：马上做心肺复苏。"

// selfMedical heads the first steps when the writer is the one taken ill;
// farMedical when the one taken ill is not with the writer.
const (
	selfMedical = "请马上拨打 120，告诉身边的人；打开家门，坐下或躺下，不要自己走动或开车。\n身边的人可以这样做：\n"
	farMedical  = "他不在你身边的话：马上替他拨打 120，说清楚他所在的详细地址；再打电话给他、邻居或离他最近的人，请人去陪着他。\n在他身边的人可以这样做：\n"
)

// stepsFor returns the emergency's first steps, or "" for an unknown kind.
func stepsFor(c knowledge.Crisis) string {
	switch c.Emergency {
	case knowledge.EmergencyChoking:
		return chokingSteps(c.Subject)
	case knowledge.EmergencySeizure:
		return strings.ReplaceAll(seizureSteps, "他", childNoun(c.Subject))
	case emergencyConfusion:
		return confusionSteps
	}
	return firstSteps[c.Emergency]
}

// medicalWords answers a medical emergency.
func medicalWords(c knowledge.Crisis) string {
	steps := stepsFor(c)
	switch {
	case steps == "":
		return medicalGeneric + "\n" + staffSee
	case c.Person == knowledge.PersonSelf:
		return selfMedical + steps + "\n" + staffSee
	case c.Person == knowledge.PersonWorried:
		return farMedical + steps + "\n" + staffSee
	}
	return steps + "\n" + staffSee
}

// childLines adds 12355 when a child or teen is at risk or writing.
func childLines(c knowledge.Crisis) bool {
	switch c.Subject {
	case knowledge.SubjectInfant, knowledge.SubjectChild, knowledge.SubjectTeen:
		return true
	}
	return c.ChildWriter
}

// suicideWords answers self-harm: the writer at risk, someone there now, or
// someone the writer worries about.
func suicideWords(c knowledge.Crisis) string {
	var b strings.Builder
	switch c.Person {
	case knowledge.PersonPresent:
		if steps := stepsFor(c); steps != "" { // an overdose, a fall: first aid first
			b.WriteString(steps + "\n醒来后也请一直有人陪着他。")
		} else {
			b.WriteString("先保证他的安全：\n" +
				"1. 他已经受伤或马上有危险，现在就拨打 110 或 120。\n" +
				"2. 陪着他，不要让他一个人待着。\n" +
				"3. 把药、刀、绳子、农药拿走，让他远离窗户、阳台和高处。\n" +
				"4. 平静地听他说，可以直接问他是不是想结束生命；不要责怪、不要说教。")
		}
		b.WriteString("\n一起打电话求助：" + line12356)
		if childLines(c) {
			b.WriteString("；" + line12355)
		}
		b.WriteString("。\n你也很不容易，需要时随时在这里说。" + staffSee)
	case knowledge.PersonWorried:
		b.WriteString("你的担心很重要，现在就做这几件事：\n" +
			"1. 他可能有危险（在高处、已经伤害自己、联系不上）：马上拨打 110 或 120，说清楚他在哪里。\n" +
			"2. 马上联系他，尽快到他身边，或请离他最近的人去陪着他，不要让他一个人。\n" +
			"3. 把药、刀、绳子、农药拿开。\n" +
			"4. 直接问他是不是想结束生命——问了不会让他更想做；认真听，不责怪。\n" +
			"5. 打 " + line12356 + "，家人也可以打去问怎么帮他")
		if childLines(c) {
			b.WriteString("；孩子可以打 " + line12355)
		}
		b.WriteString("。\n" + staffSee)
	default:
		if c.Emergency != knowledge.EmergencyNone { // 我把一整瓶安眠药吃了: help first
			b.WriteString("请现在就拨打 120，告诉身边的人，打开家门，不要一个人待着。\n谢谢你告诉我，你并不孤单。\n")
		} else {
			b.WriteString("谢谢你愿意说出来。你现在一定很难受，你并不孤单。\n" +
				"如果你已经伤害了自己或马上有危险，请现在就拨打 120 或 110。\n")
		}
		b.WriteString("想找人说说，可以打：\n" + localLineItem + "· " + line12356 + "\n· " + lineBJ + "\n")
		if childLines(c) {
			b.WriteString("· " + line12355 + "\n请告诉一位你信任的大人：爸爸妈妈、老师或别的亲人，让他陪着你。\n")
		} else {
			b.WriteString("请不要一个人待着，找一位信任的家人或朋友陪着你。\n")
		}
		b.WriteString("不方便打电话，也可以就在这里打字，工作人员已收到提醒，会在这里回复你。")
	}
	return b.String()
}

// childWords are for a child or teen telling us someone hurts them.
const childWords = "你做得对，告诉别人是对的。这不是你的错。\n" +
	"1. 如果你现在有危险，马上打 110。\n" +
	"2. 告诉一个你信任的大人：老师、班主任，或者别的亲人（奶奶、姑姑、舅舅……）。第一个人不相信，就再告诉另一个。\n" +
	"3. 可以打 " + line12355 + "，那里有人听你说，帮你想办法。\n" +
	"4. 身上疼或受伤了，请大人带你去医院。\n" +
	"你可以继续在这里说，我们的工作人员会看到。"

// abuseWords answers child abuse: words for the child, or first steps for the
// adult protecting the child. The crisis layer answers an adult's own sexual
// abuse as violence, so a writer at risk here is taken for a child even when
// the words did not show the age: the child's words are right for them.
func abuseWords(c knowledge.Crisis) string {
	if c.ChildWriter || c.Person == knowledge.PersonSelf {
		return childWords
	}
	return "谢谢你告诉我们，孩子现在需要你保护：\n" +
		"1. 孩子现在有危险，立即拨打 110 报警；受伤拨打 120。\n" +
		"2. 让孩子离开那个人，不要再让他们单独在一起。\n" +
		"3. 相信孩子，告诉他“你说出来是对的，不是你的错”；不要责骂，不要反复追问细节。\n" +
		"4. 保留证据：衣物、聊天记录、照片，先不要清洗，尽快去医院。\n" +
		"5. 求助：" + line12355 + "；" + line12338 + "。\n" + staffSee
}

// violenceWords answers domestic and sexual violence.
func violenceWords(c knowledge.Crisis) string {
	if c.ChildWriter {
		return childWords
	}
	if c.Person == knowledge.PersonPresent || c.Person == knowledge.PersonWorried {
		s := "谢谢你说出来。\n" +
			"1. 现在有危险，立即拨打 110；受伤拨打 120。\n" +
			"2. 先让被打的人离开施暴的人，到安全的地方（邻居家、亲友家）。\n" +
			"3. 保留证据：照片、验伤和就医记录、报警回执。\n" +
			"4. " + line12338 + "；可以向法院申请人身安全保护令（也可以为孩子申请）。\n"
		if childLines(c) {
			s += "5. 孩子受到伤害，也可以打 " + line12355 + "。\n"
		}
		return s + staffSee
	}
	return "你的安全最重要，这不是你的错。\n" +
		"1. 现在有危险，立即拨打 110；受伤拨打 120。\n" +
		"2. 尽量到安全的地方：离开厨房等放刀的地方，去邻居家或人多的地方，带上手机和身份证，孩子带在身边。\n" +
		"3. " + line12338 + "，可以咨询求助和法律帮助。\n" +
		"4. 可以向法院申请人身安全保护令；报警回执、验伤和就医记录、照片都是证据（遭到性侵害先别洗澡、别洗衣物）。\n" +
		"5. 想找人说说：" + line12356 + "。\n" + staffSee
}

// crisisWords is the reply to a crisis message, chosen from the verdict alone.
func crisisWords(c knowledge.Crisis) string {
	switch c.Kind {
	case knowledge.CrisisMedical:
		return medicalWords(c)
	case knowledge.CrisisChildAbuse:
		return abuseWords(c)
	case knowledge.CrisisViolence:
		return violenceWords(c)
	}
	return suicideWords(c) // and any kind added later: the lines are never wrong
}
