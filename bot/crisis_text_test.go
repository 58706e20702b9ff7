package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"familybot/knowledge"
)

// maxCrisisRunes keeps a crisis reply (before any knowledge entry) on about
// one phone screen.
const maxCrisisRunes = 330

// linesNamedRight fails when a reply gives a line without its right name.
func linesNamedRight(t *testing.T, name, s string) {
	t.Helper()
	for num, full := range map[string]string{
		"12356":    line12356,
		"12355":    line12355,
		"12338":    line12338,
		"82951332": lineBJ,
	} {
		if n := strings.Count(s, num); n > 0 && strings.Count(s, full) != n {
			t.Errorf("%s: %s is not named %q every time:\n%s", name, num, full, s)
		}
	}
}

// wantWords fails when s lacks one of has or contains one of not.
func wantWords(t *testing.T, s string, has, not []string) {
	t.Helper()
	for _, h := range has {
		if !strings.Contains(s, h) {
			t.Errorf("lacks %q:\n%s", h, s)
		}
	}
	for _, h := range not {
		if strings.Contains(s, h) {
			t.Errorf("has %q:\n%s", h, s)
		}
	}
}

// first120 checks that 120 (or 110) comes before any other step.
func first120(t *testing.T, name, s string) {
	t.Helper()
	head := s
	if i := strings.Index(s, "\n2."); i >= 0 {
		head = s[:i]
	}
	if !strings.Contains(head, "120") && !strings.Contains(head, "110") {
		t.Errorf("%s: 120/110 is not the first step:\n%s", name, s)
	}
}

func TestCrisisWordsFollowWhoIsAtRisk(t *testing.T) {
	type C = knowledge.Crisis
	tests := []struct {
		name string
		c    C
		has  []string
		not  []string
	}{
		{"writer at risk", C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf},
			[]string{"谢谢你愿意说出来", "120 或 110", line12356, lineBJ, "陪着你", "在这里打字"}, []string{"12355", "1. "}},
		{"writer who took an overdose", C{Kind: knowledge.CrisisSuicide, Emergency: knowledge.EmergencyPoisoning, Person: knowledge.PersonSelf},
			[]string{"请现在就拨打 120", "打开家门", line12356}, []string{"如果你已经伤害了自己"}},
		{"teen at risk", C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, ChildWriter: true},
			[]string{line12356, line12355, "信任的大人"}, nil},
		// 我妈吃了一整瓶安眠药 叫不太醒: the writer is the helper.
		{"overdose of someone there", C{Kind: knowledge.CrisisSuicide, Emergency: knowledge.EmergencyPoisoning, Person: knowledge.PersonPresent, Subject: knowledge.SubjectElder},
			[]string{"1. 马上拨打 120", "不要催吐", "药瓶", "侧躺", line12356}, []string{"你现在一定很难受", "谢谢你愿意说出来"}},
		{"threat of someone there", C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonPresent},
			[]string{"110 或 120", "不要让他一个人", "拿走", line12356}, []string{"谢谢你愿意说出来"}},
		// 儿子说要跳楼: the parent is not the one at risk.
		{"son who threatened to jump", C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonWorried, Subject: knowledge.SubjectTeen},
			[]string{"你的担心很重要", "110 或 120", "不要让他一个人", "药、刀", line12356, line12355}, []string{"你现在一定很难受"}},
		{"child disclosing abuse", C{Kind: knowledge.CrisisChildAbuse, Person: knowledge.PersonSelf, ChildWriter: true, Subject: knowledge.SubjectSelf},
			[]string{"你做得对，告诉别人是对的", "不是你的错", "110", line12355, "老师", "亲人"}, []string{"保护令", "证据"}},
		{"parent of an abused child", C{Kind: knowledge.CrisisChildAbuse, Person: knowledge.PersonWorried, Subject: knowledge.SubjectChild},
			[]string{"110", "相信孩子", "证据", line12355, line12338}, []string{"你做得对，告诉别人是对的"}},
		{"abuse disclosed, age not shown", C{Kind: knowledge.CrisisChildAbuse, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf},
			[]string{"你做得对，告诉别人是对的", "110", line12355}, nil},
		{"adult sexual violence", C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf},
			[]string{"110", line12338, "保护令", "别洗澡"}, []string{"老师"}},
		{"domestic violence", C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, Subject: knowledge.SubjectPartner},
			[]string{"你的安全最重要", "110", line12338, "人身安全保护令", "离开厨房"}, []string{"12355"}},
		{"a child hit at home", C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonWorried, Subject: knowledge.SubjectChild},
			[]string{"110", line12338, "保护令", line12355}, nil},
		{"a child writing about being hit", C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, ChildWriter: true},
			[]string{"你做得对", "110", line12355, "老师"}, nil},
		{"medical of no known kind", C{Kind: knowledge.CrisisMedical, Person: knowledge.PersonPresent},
			[]string{"这可能是急症，请马上拨打 120", "海姆立克", "不要催吐"}, nil},
		{"someone taken ill far away", C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyStroke, Person: knowledge.PersonWorried, Subject: knowledge.SubjectElder},
			[]string{"替他拨打 120", "详细地址", "记下发病的时间"}, nil},
		{"writer taken ill", C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyChest, Person: knowledge.PersonSelf},
			[]string{"请马上拨打 120，告诉身边的人", "身边的人可以这样做", "硝酸甘油"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := crisisWords(tc.c)
			wantWords(t, s, tc.has, tc.not)
			first120(t, tc.name, s)
			linesNamedRight(t, tc.name, s)
			if n := utf8.RuneCountInString(s); n > maxCrisisRunes {
				t.Errorf("%d characters: too long for a phone", n)
			}
		})
	}
}

func TestFirstStepsPerEmergency(t *testing.T) {
	tests := []struct {
		em      knowledge.Emergency
		subject knowledge.Subject
		has     []string
		not     []string
	}{
		{knowledge.EmergencyStroke, knowledge.SubjectElder, []string{"时间", "不要给他吃喝", "不要自己开车", "中风120"}, nil},
		{knowledge.EmergencyChest, knowledge.SubjectElder, []string{"坐下或半躺", "心肺复苏", "AED"}, nil},
		{knowledge.EmergencyBreathing, "", []string{"坐起来", "心肺复苏"}, nil},
		{knowledge.EmergencySeizure, knowledge.SubjectInfant, []string{"侧躺", "嘴里什么都不要塞", "不要按住", "记下抽了多久"}, nil},
		{knowledge.EmergencyChoking, knowledge.SubjectInfant, []string{"拍背5下", "按胸口正中5下", "心肺复苏"}, []string{"海姆立克"}},
		{knowledge.EmergencyChoking, knowledge.SubjectChild, []string{"海姆立克", "心肺复苏"}, []string{"拍背5下"}},
		{knowledge.EmergencyChoking, "", []string{"1岁以下", "拍背5下", "1岁以上", "海姆立克"}, nil},
		{knowledge.EmergencyPoisoning, "", []string{"不要催吐", "药瓶", "正常呼吸", "侧躺"}, nil},
		{knowledge.EmergencySwallowed, knowledge.SubjectChild, []string{"急诊", "不要催吐", "不要吃东西"}, []string{"蜂蜜"}},
		{knowledge.EmergencyHeadInjury, knowledge.SubjectInfant, []string{"呕吐", "不要摇晃", "侧躺"}, nil},
		{knowledge.EmergencyDrowning, knowledge.SubjectChild, []string{"心肺复苏", "人工呼吸", "不要倒挂控水"}, nil},
		{knowledge.EmergencyBleeding, "", []string{"用力按住", "不要揭开", "不要拔出来"}, nil},
		{knowledge.EmergencyBurn, knowledge.SubjectChild, []string{"流动的凉水冲 20 分钟", "牙膏", "酱油", "水泡不要挑破"}, nil},
		{knowledge.EmergencyAllergy, "", []string{"肾上腺素", "腿抬高", "坐起来"}, nil},
		{knowledge.EmergencyPregnancy, knowledge.SubjectPartner, []string{"左侧躺", "不要走动"}, nil},
		{knowledge.EmergencyInfant, knowledge.SubjectInfant, []string{"3个月内发烧", "退烧药"}, nil},
		{knowledge.EmergencyUnconscious, knowledge.SubjectElder, []string{"正常呼吸", "侧躺", "胸外按压", "AED"}, nil},
		{emergencyBloodSugar, knowledge.SubjectElder, []string{"15～20克糖", "什么都不要喂"}, nil},
	}
	for _, tc := range tests {
		t.Run(string(tc.em)+"/"+string(tc.subject), func(t *testing.T) {
			s := crisisWords(knowledge.Crisis{Kind: knowledge.CrisisMedical, Emergency: tc.em, Person: knowledge.PersonPresent, Subject: tc.subject})
			if !strings.Contains(s, "1. 马上") || !strings.Contains(strings.SplitN(s, "\n2.", 2)[0], "120") {
				t.Errorf("step 1 is not 120:\n%s", s)
			}
			if strings.Count(s, "来源：") != 1 {
				t.Errorf("no named source:\n%s", s)
			}
			wantWords(t, s, tc.has, tc.not)
			if n := utf8.RuneCountInString(s); n > maxCrisisRunes {
				t.Errorf("%d characters: too long for a phone", n)
			}
		})
	}
	// Every kind the crisis layer names has its own steps.
	for _, em := range []knowledge.Emergency{knowledge.EmergencyStroke, knowledge.EmergencyChest, knowledge.EmergencyBreathing, knowledge.EmergencyChoking,
		knowledge.EmergencySeizure, knowledge.EmergencyPoisoning, knowledge.EmergencySwallowed, knowledge.EmergencyHeadInjury, knowledge.EmergencyDrowning,
		knowledge.EmergencyBleeding, knowledge.EmergencyBurn, knowledge.EmergencyAllergy, knowledge.EmergencyPregnancy, knowledge.EmergencyInfant, knowledge.EmergencyUnconscious} {
		if stepsFor(knowledge.Crisis{Kind: knowledge.CrisisMedical, Emergency: em}) == "" {
			t.Errorf("%s has no first steps", em)
		}
	}
}

func TestFollowUpsInsideAnEpisode(t *testing.T) {
	seizure := knowledge.Crisis{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencySeizure, Person: knowledge.PersonPresent, Subject: knowledge.SubjectInfant}
	stroke := knowledge.Crisis{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyStroke, Person: knowledge.PersonPresent, Subject: knowledge.SubjectElder}
	self := knowledge.Crisis{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf}
	worried := knowledge.Crisis{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonWorried, Subject: knowledge.SubjectTeen}
	dv := knowledge.Crisis{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf}
	tests := []struct {
		c    knowledge.Crisis
		text string
		has  []string
		not  []string
	}{
		{seizure, "要不要等等看", []string{"不要等", "现在就拨打 120"}, nil},
		{seizure, "能不能先观察一下", []string{"不要等", "120"}, nil},
		{seizure, "不用去医院吧", []string{"不要等"}, nil},
		{seizure, "打了120了 等车的时候我要做什么", []string{"等车的时候", "侧躺", "嘴里什么都不要塞", "接救护车"}, nil},
		{seizure, "救護車還沒到怎麼辦", []string{"侧躺"}, nil},
		{seizure, "已经打了120 等他们来的时候呢", []string{"等车的时候", "侧躺"}, []string{"不要等"}},
		{seizure, "去医院路上能给他喝点啥", []string{"什么都不要给他吃、喝"}, []string{"哪家医院"}},
		{knowledge.Crisis{Kind: knowledge.CrisisMedical, Emergency: emergencyBloodSugar, Person: knowledge.PersonPresent}, "能给她喝点糖水吗", []string{"15～20克糖", "叫不醒"}, nil},
		{stroke, "去哪个医院", []string{"让 120 决定", "最近", "卒中中心"}, nil},
		{stroke, "120打不通", []string{"重拨 120", "110", "记下发病的时间"}, nil},
		{seizure, "他醒了 好多了", []string{"让医生看看", "120"}, nil},
		{seizure, "嗯嗯 谢谢", []string{"不客气", "120"}, nil},
		{seizure, "嗯", []string{"不客气", "120"}, nil},
		{seizure, "我已经给他喝了点水", []string{"什么都不要给他吃、喝"}, nil},
		{seizure, "他脸色发白", []string{"120", "侧躺"}, nil},
		{self, "我不想打电话", []string{"我在这里", "在这里打字", "工作人员", line12356, lineBJ, "120 或 110"}, nil},
		{self, "你能陪我聊聊吗", []string{"我在这里", line12356}, nil},
		{self, "没用的", []string{"我在这里", line12356}, nil},
		{self, "我没事 就是说说", []string{"谢谢你告诉我", "身边有人吗", "随时在这里说", line12356}, []string{"不要等"}},
		{self, "我刚吃了好多药", []string{"马上拨打 120", "药瓶", line12356}, nil},
		{self, "今天天气怎么样", []string{"我在这里", line12356}, nil},
		{worried, "他不接电话", []string{"110", "最近的人"}, nil},
		{worried, "要不要等他冷静下来再说", []string{"不要等", "110 或 120"}, nil},
		{worried, "我该怎么办", []string{"不要让他一个人", line12355}, nil},
		{dv, "要不要等他酒醒了再说", []string{"不要等", "110", line12338}, nil},
		{dv, "我害怕", []string{"我在这里", "110"}, nil},
		{dv, "去哪个医院验伤", []string{"120", "急诊", "验伤", "110"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			s := episodeFollowUp(tc.text, tc.c)
			wantWords(t, s, tc.has, tc.not)
			linesNamedRight(t, tc.text, s)
			if n := utf8.RuneCountInString(s); n > maxCrisisRunes+60 {
				t.Errorf("%d characters: too long for a phone", n)
			}
		})
	}
}

// What the words add to the verdict: a parent with her child, a plan with the
// means at hand, a witness, a seizure taken for breathing, sudden confusion.
func TestSituationDecidesTheWords(t *testing.T) {
	type C = knowledge.Crisis
	suicide := C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "rule"}
	violence := C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "rule"}
	tests := []struct {
		text string
		c    C
		has  []string
		not  []string
	}{
		{"我想带着女儿一起去死", suicide, []string{"先让孩子安全", "小床", "110 或 120", "产后抑郁", line12356}, []string{"谢谢你愿意说出来"}},
		{"我真想掐死孩子", violence, []string{"小床", "产后抑郁"}, []string{"保护令", "离开厨房"}},
		{"好想抱着宝宝从楼上跳下去", suicide, []string{"小床", "今晚不要一个人带孩子"}, nil},
		{"药都攒好了 一瓶安眠药", suicide, []string{"把药交给家人或邻居", "不要一个人待着", "120", line12356, lineBJ}, []string{"谢谢你愿意说出来"}},
		{"炭我已经买好了 买了炭就放在车里", suicide, []string{"把炭交给"}, nil},
		{"绳子准备好了", suicide, []string{"把绳子交给"}, nil},
		{"隔壁小孩一直在哭喊 听着像在被打 打得很重", violence, []string{"孩子可能正在受伤", "110", "可以不留姓名", line12355}, []string{"这不是你的错", "人身安全保护令", "离开厨房"}},
		{"邻居听到我老公打我", violence, []string{"你的安全最重要", "离开厨房"}, []string{"可以不留姓名"}},
		{"孫子抽筋了 嘴唇發紫 怎麼辦", C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyBreathing, Person: knowledge.PersonPresent, Subject: knowledge.SubjectChild},
			[]string{"正在抽搐时", "1. 马上拨打 120", "让孩子侧躺", "嘴里什么都不要塞", "不要按住孩子"}, []string{"坐起来", "平躺", "哮喘"}},
		{"晚上腿抽筋 嘴唇发紫 喘不上气", C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyBreathing, Person: knowledge.PersonSelf},
			[]string{"坐起来"}, []string{"正在抽搐时"}},
		{"我爸今天突然不认识人了还说胡话", C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyUnconscious, Person: knowledge.PersonPresent, Subject: knowledge.SubjectElder},
			[]string{"当天看急诊", "一侧手脚没力", "马上拨打 120", "谵妄"}, []string{"胸外按压", "叫不醒：\n"}},
		{"我现在在天台上 風好大 不想活了", suicide, []string{"离开边缘", "现在就拨打 110", line12356}, []string{"如果你已经伤害了自己"}},
		{"有人在网上让我发照片 我发了", C{Kind: knowledge.CrisisChildAbuse, Person: knowledge.PersonSelf, Layer: "rule"},
			[]string{"不是你的错", "110", "不要转钱", "截图", line12355}, []string{"身上疼或受伤了"}},
		{"我爸突然说胡话 现在叫不醒了", C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyUnconscious, Person: knowledge.PersonPresent, Subject: knowledge.SubjectElder},
			[]string{"胸外按压"}, []string{"谵妄"}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			c, sit := readSituation(tc.text, tc.c)
			s := crisisReply(episode{Crisis: c, Sit: sit})
			wantWords(t, s, tc.has, tc.not)
			first120(t, tc.text, s)
			linesNamedRight(t, tc.text, s)
			if n := utf8.RuneCountInString(s); n > maxCrisisRunes {
				t.Errorf("%d characters: too long for a phone", n)
			}
		})
	}
}

// Inside an episode a message stays with the episode's kind and who is at
// risk: the statistical layer alone, or an emergency of no known kind, does
// not turn it; the rules do.
func TestEpisodeKeepsItsKind(t *testing.T) {
	type C = knowledge.Crisis
	dv := C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf}
	seizure := C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencySeizure, Person: knowledge.PersonPresent, Subject: knowledge.SubjectInfant}
	tests := []struct {
		name      string
		prev, c   C
		want      C
		wantTurns bool
	}{
		{"躲在卫生间 (model: self-harm)", dv, C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Layer: "model"}, dv, false},
		{"他睡着了 (model: medical, no kind)", dv, C{Kind: knowledge.CrisisMedical, Person: knowledge.PersonPresent, Layer: "rule+model"}, dv, false},
		{"我也不想活了 (rules: self-harm)", dv, C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Layer: "rule"}, C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Layer: "rule"}, true},
		{"他捅了我 流了好多血", dv, C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyBleeding, Person: knowledge.PersonSelf, Layer: "rule"},
			C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyBleeding, Person: knowledge.PersonSelf, Layer: "rule"}, true},
		{"抽完了 (model: the writer)", seizure, C{Kind: knowledge.CrisisMedical, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "model"}, seizure, false},
		{"又抽了 嘴唇发紫 (rules: breathing)", C{Kind: knowledge.CrisisMedical, Person: knowledge.PersonPresent, Subject: knowledge.SubjectChild},
			C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyBreathing, Person: knowledge.PersonSelf, Layer: "rule"},
			C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyBreathing, Person: knowledge.PersonPresent, Subject: knowledge.SubjectChild}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, turns := inEpisode(tc.prev, tc.c)
			if got != tc.want || turns != tc.wantTurns {
				t.Errorf("got %+v (turns %v), want %+v (turns %v)", got, turns, tc.want, tc.wantTurns)
			}
		})
	}
}

// The follow-ups of each kind of episode, as the testers wrote them.
func TestEpisodeRepliesFollowTheSituation(t *testing.T) {
	type C = knowledge.Crisis
	dv := episode{Crisis: C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf}}
	witness := episode{Crisis: C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonWorried, Subject: knowledge.SubjectChild}, Sit: situation{Witness: true}}
	seizure := episode{Crisis: C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencySeizure, Person: knowledge.PersonPresent, Subject: knowledge.SubjectInfant}}
	choking := episode{Crisis: C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyChoking, Person: knowledge.PersonPresent, Subject: knowledge.SubjectChild}}
	stroke := episode{Crisis: C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyStroke, Person: knowledge.PersonPresent, Subject: knowledge.SubjectElder}}
	battery := episode{Crisis: C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencySwallowed, Person: knowledge.PersonPresent, Subject: knowledge.SubjectChild}}
	confused := episode{Crisis: C{Kind: knowledge.CrisisMedical, Emergency: emergencyConfusion, Person: knowledge.PersonPresent, Subject: knowledge.SubjectElder}}
	plan := episode{Crisis: C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf}, Sit: situation{Means: "药"}}
	mother := episode{Crisis: C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf}, Sit: situation{WithChild: true}}
	selfHarm := []string{"伤害了自己", "慢慢说", "12356", "急症"}
	child := episode{Crisis: C{Kind: knowledge.CrisisChildAbuse, Person: knowledge.PersonSelf, ChildWriter: true}}
	kid := episode{Crisis: C{Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, ChildWriter: true}}
	friend := episode{Crisis: C{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonWorried, Subject: knowledge.SubjectTeen}}
	tests := []struct {
		ep        episode
		text      string
		crisisMsg bool
		has, not  []string
	}{
		{dv, "我躲在卫生间了 门锁了", true, []string{"锁好门", "现在就拨打 110"}, selfHarm},
		{dv, "他在砸门", false, []string{"现在就拨打 110", "不要开门"}, selfHarm},
		{dv, "孩子还在外面客厅", false, []string{"现在就拨打 110", "孩子在哪里"}, selfHarm},
		{dv, "我不想报警 他是我老公 明天酒醒就好了", true, []string{"尊重你的决定", "110", line12338, "人身安全保护令", "亲友家"}, selfHarm},
		{dv, "他现在睡着了 刀我藏起来了", true, []string{"做得对", line12338, "保护令", "110"}, selfHarm},
		{dv, "明天他醒了我该怎么办", false, []string{"保护令", "110", "证据"}, []string{"等车"}},
		{dv, "报警了 警察多久到", false, []string{"确认是警察再开门"}, nil},
		{dv, "我能跑出去吗", false, []string{"邻居家", "锁好门", "110"}, nil},
		{witness, "已经好几次了 我不想多管闲事 怕被报复", false, []string{"可以不留姓名", "保密", "不用出面"}, nil},
		{witness, "我不想报警 能匿名吗", false, []string{"可以不留姓名", "110"}, nil},
		{witness, "现在没声音了", false, []string{"不代表孩子就安全", "110"}, nil},
		{seizure, "抽完了 現在哭出來了", true, []string{"侧躺", "嘴唇发紫", "120", "今天也要带宝宝去医院"}, []string{"坐起来", "身边的人可以这样做", "等车"}},
		{seizure, "要不要往嘴里塞个东西 怕他咬舌头", false, []string{"不要往宝宝嘴里塞任何东西", "不会把舌头咬断", "120"}, []string{"坐起来"}},
		{episode{Crisis: C{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyHeadInjury, Person: knowledge.PersonPresent, Subject: knowledge.SubjectInfant}},
			"他现在老想睡觉 是不是没事", false, []string{"不要等", "120"}, nil},
		{choking, "拍出来了 哭出声了", false, []string{"今天还是带孩子去医院", "120"}, []string{"不要等"}},
		{stroke, "谢谢 救护车来了", false, []string{"告诉医生", "发病的时间"}, []string{"等车的时候"}},
		{stroke, "不想打120 太贵了 我打个车送她去行吗", false, []string{"不要自己打车", "现在就拨打 120"}, nil},
		{battery, "打了120了 等车的时候做什么", false, []string{"等车的时候", "孩子的医保卡"}, []string{"身份证"}},
		{battery, "谢谢 救护车来了", false, []string{"同样的电池", "孩子的医保卡"}, []string{"等车的时候"}},
		{confused, "他平时就有老年痴呆 但今天特别不对劲 早上还好好的", false, []string{"120", "当天看急诊"}, []string{"不客气"}},
		{plan, "我没事 你别管了", false, []string{"放心不下", "把药交给家人或邻居", "身边的一个人", line12356, "120 或 110"}, []string{"能说出来就很好"}},
		{plan, "我老伴也不在家 就我一个人", true, []string{"马上过来陪你", "把药交给他", "120", line12356}, nil},
		{mother, "她才两个月 天天哭 我老公也不管", true, []string{"不是你的错", "小床", "产后抑郁能治好", "110 或 120", line12356}, []string{"保护令", "离开厨房", "他可能有危险"}},
		{mother, "我就是说说 不会真的做的", true, []string{"小床", "产后抑郁", line12356}, nil},
		// A child who told of abuse, or of a stranger's blackmail online.
		{child, "我是不是想多了", false, []string{"你没有想多", "错的是他", line12355}, nil},
		{child, "他说这是我们的秘密 说出去我妈会不要我", true, []string{"一定要说出来", "老师", line12355}, nil},
		{child, "我要怎么跟老师说啊 我说不出口", false, []string{"纸条", "第一个人不相信"}, nil},
		{child, "如果他被抓走了 家里就没钱了", false, []string{"不用你来担心", "110"}, nil},
		{child, "要不要先给他转一点", false, []string{"不要转钱", "截图", "110", "不是你的错"}, nil},
		{child, "我不敢报警 会被学校知道", false, []string{"隐私", "陪你报警", line12355}, nil},
		{episode{Crisis: child.Crisis, Sit: situation{Online: true}}, "我才15 我没钱 怎么办啊", false, []string{"不要转钱", "截图", "110"}, nil},
		{child, "你是真人吗", false, []string{"不是真人", "工作人员", line12355}, nil},
		// A teen hiding from a drunk father: no protection order, someone to come.
		{kid, "他在踢门 我躲在房间里 好怕", true, []string{"现在就拨打 110", "不要开门"}, []string{"想结束生命", "陪着他"}},
		{kid, "我不想打110 他会更生气", false, []string{"妈妈", line12355, "冲进来", "110"}, []string{"保护令", "12338"}},
		// A teen worried about a friend.
		{friend, "她让我保密", false, []string{"不能替她保密", "老师"}, nil},
		{friend, "我不敢告诉她爸妈 她会怪我", true, []string{"要告诉", "先保住她的安全"}, []string{"你做得对，告诉别人是对的"}},
		{friend, "打110要说什么啊", false, []string{"小区名", "你的电话", "门牌号"}, nil},
		{friend, "我现在去找她吗", true, []string{"不要一个人去", "110"}, nil},
		{friend, "我在上课 手机偷偷用的", true, []string{"告诉老师"}, nil},
		{friend, "她现在没事 在学校 我就是想知道怎么帮她", false, []string{"认真听", "不能替她保密", "110 或 120"}, []string{"举手"}},
		{friend, "我要怎么跟她说话才不会让她难过", false, []string{"认真听"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			ep := tc.ep
			s := episodeReply(tc.text, &ep, tc.crisisMsg)
			wantWords(t, s, tc.has, tc.not)
			linesNamedRight(t, tc.text, s)
			if n := utf8.RuneCountInString(s); n > maxCrisisRunes+60 {
				t.Errorf("%d characters: too long for a phone", n)
			}
		})
	}
	// Once the danger has passed, "还要去医院吗" is answered yes, today, not "call 120 now".
	ep := choking
	episodeReply("拍出来了 哭出声了", &ep, false)
	wantWords(t, episodeReply("还要去医院吗", &ep, false), []string{"要去", "今天", "120"}, []string{"不要等"})
}

// The association's own crisis line, when set, comes before 12356; unset,
// nothing of it shows.
func TestLocalCrisisLine(t *testing.T) {
	self := knowledge.Crisis{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf}
	e := &Engine{}
	for _, s := range []string{crisisWords(self), stayWords(self), planWords(self, "药")} {
		if got := e.fill(s); strings.Contains(got, "{{") || strings.Contains(got, "本地") {
			t.Errorf("unset line shows:\n%s", got)
		}
	}
	e.Assoc.CrisisLine = "0571-00000000 本地心理危机干预热线（24小时）"
	for _, s := range []string{crisisWords(self), stayWords(self), planWords(self, "药"), withChildWords} {
		got := e.fill(s)
		if i, j := strings.Index(got, "本地心理危机干预热线"), strings.Index(got, "12356"); i < 0 || i > j {
			t.Errorf("the local line is not before 12356:\n%s", got)
		}
	}
}
