package knowledge

import (
	"strings"

	"familybot/memo"
)

// CrisisKind names a situation in which the bot must drop everything and
// point the resident to help. It runs before rules, flows and the FAQ.
type CrisisKind string

// Crisis kinds.
const (
	CrisisNone       CrisisKind = ""
	CrisisSuicide    CrisisKind = "suicide"
	CrisisChildAbuse CrisisKind = "child_abuse"
	CrisisViolence   CrisisKind = "violence"
	CrisisMedical    CrisisKind = "medical"
)

// The crisis layer is deliberately a reviewable list, not a model: after
// Normalize (traditional → simplified, fillers removed) and with spaces
// removed, benign idioms are cut out and then the patterns below are looked
// for. A pattern is a list of groups; it matches when every group has a
// phrase in the text. Kinds are tried in the order listed: a message that
// is both self-harm and an emergency gets the self-harm reply, which also
// tells the resident to call 120.
var crisisPatterns = []struct {
	kind   CrisisKind
	groups [][]string
	unless []string // none of these may be in the text
}{
	{kind: CrisisSuicide, groups: [][]string{{
		"自杀", "轻生", "寻死", "不想活", "活不下去", "不要活了", "活着没意思", "活着没有意思", "活着没劲", "活着好累", "活着太累", "活够了",
		"不如死了", "死了算了", "死了就好", "一了百了", "想死", "去死", "让我死", "结束生命", "结束自己", "了结自己",
		"割腕", "割脉", "划手腕", "自残", "自伤", "伤害自己", "划自己", "烫自己", "跳楼", "上吊", "遗书", "留遗言",
		"离开这个世界", "想不开", "吃安眠药", "吃了安眠药", "一瓶安眠药", "一整瓶安眠药", "攒安眠药", "想喝农药", "要喝农药",
	}}},
	{kind: CrisisSuicide, groups: [][]string{{"从楼上", "楼顶", "天台", "桥上", "河里", "江里", "楼上"}, {"跳下去", "跳下来", "往下跳", "跳楼", "跳河", "跳江"}}},
	// Sexual abuse: with a child or someone who abuses children, it is
	// child abuse; without, it is sexual violence (answered as violence).
	{kind: CrisisChildAbuse, groups: [][]string{
		{"孩子", "宝宝", "女儿", "儿子", "孙女", "孙子", "小孩", "娃", "学生", "未成年", "幼儿园", "小学", "初中", "妈妈", "我妈", "爸爸", "继父", "继母", "后爸", "叔叔", "舅舅", "姑父", "姨父", "伯伯", "表哥", "堂哥", "哥哥", "爷爷", "外公", "邻居", "老师", "教练"},
		{"性侵", "猥亵", "强奸", "强暴", "性骚扰", "被侵犯", "侵犯我", "侵犯了我", "摸我下面", "摸她下面", "摸他下面", "摸下面", "摸下体", "摸私处", "摸隐私", "摸我胸", "摸她胸", "摸我的胸",
			"脱我裤子", "脱她裤子", "脱他裤子", "脱我衣服", "让我脱", "逼我脱", "看他下面", "裸照", "那种事", "那种事情", "做那事", "碰我下面", "亲我嘴"},
	}},
	{kind: CrisisChildAbuse, groups: [][]string{{"有人", "他", "她", "男的", "陌生人"}, {"摸我下面", "摸下面", "摸下体", "摸私处", "摸我胸", "脱我裤子", "对我做那种事"}}},
	{kind: CrisisChildAbuse, groups: [][]string{{"孩子", "宝宝", "女儿", "儿子", "小孩", "娃", "孙子", "孙女"}, {"虐待", "虐童", "往死里打", "打得浑身", "浑身是伤", "遍体鳞伤"}}},
	{kind: CrisisViolence, groups: [][]string{{
		"家暴", "家庭暴力", "性侵", "猥亵", "强奸", "强暴", "性骚扰", "被侵犯", "打我", "揍我", "拳打脚踢", "掐我", "扇我", "抽我耳光", "拿皮带抽", "打老婆", "打媳妇", "打妻子",
		"被老公打", "被丈夫打", "被男朋友打", "被他打", "被打伤", "打得我", "动手打", "对我动手", "砍死我", "杀了我", "要杀我", "杀死我", "弄死我", "砍我", "捅我",
		"威胁要杀", "说要杀", "杀人", "虐待", "浑身是伤", "遍体鳞伤", "鼻青脸肿", "把我关", "关着我", "不让我出门", "锁在家",
	}}},
	{kind: CrisisViolence, groups: [][]string{{"拿刀", "拿着刀", "拿菜刀", "拿剪刀", "举着刀"}, {"砍", "杀", "威胁", "吓我", "追着我", "逼我", "捅"}}},
	{kind: CrisisMedical, groups: [][]string{{"翻白眼"}, {"抽", "叫不醒", "没反应", "口吐白沫", "没有反应", "喊不应"}}},
	// Breathlessness, unless it is the figure of speech for stress
	// (学习压力太大了感觉喘不过气); with chest pain it is caught above.
	{kind: CrisisMedical, groups: [][]string{{"喘不上气", "喘不过气", "上不来气", "透不过气"}}, unless: []string{"压力", "学习", "考试", "作业", "工作", "心里", "心情", "烦", "焦虑", "郁闷", "委屈"}},
	{kind: CrisisMedical, groups: [][]string{{
		// stroke
		"中风了", "脑梗了", "脑溢血了", "卒中了", "嘴歪", "嘴角歪", "口角歪", "口眼歪斜", "半边身子", "半身不遂", "一侧手脚", "一边手脚", "一侧肢体", "突然说不出话", "突然说话不清", "突然口齿不清", "突然看不见", "突然站不稳",
		// heart
		"胸口疼", "胸口痛", "胸口剧痛", "胸口压", "胸痛", "心口疼", "心口痛", "心绞痛", "心梗", "心肌梗", "心脏病犯了", "心脏病发作", "心脏骤停",
		// choking and breathing
		"噎住", "噎着了", "被噎", "卡住喉咙", "卡在喉咙", "卡喉咙", "卡在嗓子", "卡住气管", "气管异物", "窒息", "呼吸困难", "脸都紫", "脸发紫", "嘴唇发紫", "嘴唇青紫", "憋紫",
		// poisoning
		"中毒", "误服", "误食", "误喝", "误吃", "喝了农药", "喝农药", "吃了农药", "敌敌畏", "百草枯", "老鼠药", "鼠药", "喝了消毒液", "喝了84", "喝了洗洁精", "喝了洗衣液", "吃了洗衣液", "舔了洗衣液", "吃了洗衣凝珠", "咬破洗衣凝珠", "咬破了洗衣凝珠", "吃错药", "药吃多了", "吃了一整瓶", "吃了一瓶", "一氧化碳", "毒蘑菇",
		// swallowed objects
		"纽扣电池", "扣式电池", "扣子电池", "吞了电池", "吃了电池", "吞电池", "误吞", "吞了磁", "吞了硬币", "吞了异物", "吞了钉", "吞了针", "吞了玻璃",
		// bleeding
		"大出血", "流血不止", "血流不止", "血止不住", "止不住血", "流血止不住", "出血止不住", "出血不止", "流了好多血", "出了好多血", "流了很多血", "大量出血", "血崩", "吐血", "大口咳血",
		// unconscious
		"昏迷", "晕倒", "昏倒", "晕过去", "昏过去", "叫不醒", "喊不醒", "叫不应", "没有意识", "失去意识", "意识不清", "不省人事", "没呼吸", "没有呼吸", "不喘气", "没有心跳", "没心跳", "心跳停", "休克", "倒地不起", "倒在地上", "摔倒起不来", "摔倒了起不来", "摔了起不来", "摔得起不来", "溺水", "触电",
		// convulsion
		"抽搐", "抽风", "惊厥", "口吐白沫", "全身抽", "浑身抽", "四肢抽", "癫痫发作", "羊癫疯",
		// pregnancy
		"羊水破了", "胎动消失", "没有胎动",
	}}},
}

// benignCrisis are everyday phrases that contain a crisis word but mean
// nothing of the kind (笑死我了, 想死你了, 打死我也不信, 杀价, 跳楼价). They
// are cut out before the patterns are looked for.
var benignCrisis = strings.NewReplacer(longestFirst(pairsTo("|",
	"想死你", "想死我了", "想死他", "想死她", "想死宝宝", "想死你们",
	"笑死", "热死", "冷死", "饿死", "累死", "困死", "烦死", "气死", "吓死", "忙死", "急死", "丑死", "美死", "乐死", "馋死", "羡慕死", "高兴死", "开心死", "疼死我了", "痛死我了", "无聊死", "尴尬死", "挤死", "渴死", "晒死", "吵死", "闷死了",
	"打死我也", "打死也不", "打死都不", "杀价", "砍价", "杀毒", "剧本杀", "狼人杀", "杀人游戏", "秒杀", "跳楼价", "跳楼大甩卖", "要命",
	"防性侵", "预防性侵", "防止性侵", "防范性侵", "性侵害预防", "防猥亵", "防性骚扰", "防止性骚扰", "预防性骚扰",
	"打我电话", "打我手机", "打我微信", "打我的电话", "打我的手机", "打我号码", "打我座机", "打我主意",
	"电脑中毒", "手机中毒", "游戏中毒", "中毒太深", "中毒很深", "网络中毒", "病毒", "抖音中毒",
	"不想活动", "不想活跃", "气得吐血", "气吐血", "累吐血", "累到吐血", "吐血推荐", "吐血整理", "令人窒息", "让人窒息", "窒息操作",
	"压得喘不过气", "压力大得喘不过气", "压力大到喘不过气", "累得喘不过气", "忙得喘不过气", "笑得喘不过气", "笑得上不来气",
	"中风了以后", "中风了之后", "中风了好几年", "中风了几年", "中风了多年", "眼皮抽搐", "眼角抽搐", "眼睛抽搐", "嘴角抽搐",
	"早上叫不醒", "起床叫不醒", "叫不醒起床", "赖床叫不醒", "叫不醒他起床", "叫不醒她起床", "上学叫不醒",
	"宝宝打我", "宝宝老打我", "宝宝老是打我", "宝宝总打我", "宝宝总是打我", "宝宝喜欢打我",
))...)

func pairsTo(to string, from ...string) []string {
	out := make([]string, 0, 2*len(from))
	for _, f := range from {
		out = append(out, f, to)
	}
	return out
}

// DetectCrisis reports which crisis a message signals, or CrisisNone. It is
// deterministic, fast (microseconds) and safe for any input.
func DetectCrisis(text string) CrisisKind {
	if len(text) > maxMemo {
		return detectCrisis(text)
	}
	if k, ok := crisisMemo.Get(text); ok {
		return k
	}
	k := detectCrisis(text)
	crisisMemo.Put(text, k)
	return k
}

// Every message is checked, and popular messages recur: verdicts are remembered
// (the patterns are fixed at build time).
var crisisMemo = memo.Bounded[string, CrisisKind]{Max: memoSize}

func detectCrisis(text string) CrisisKind {
	s := strings.ReplaceAll(Normalize(text), " ", "")
	if s == "" {
		return CrisisNone
	}
	s = benignCrisis.Replace(s)
	for _, p := range crisisPatterns {
		hit := !containsAny(s, p.unless)
		for _, g := range p.groups {
			if !containsAny(s, g) {
				hit = false
				break
			}
		}
		if hit {
			return p.kind
		}
	}
	return CrisisNone
}
