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
