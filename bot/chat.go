package bot

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
)

// Feelings and small talk: after the crisis layer (which decides first
// whether distress is a crisis) and before the FAQ. A warm or friendly reply,
// never an "I don't know": none of these counts as an unanswered question, and
// none alerts staff.

type chatKind int

const (
	chatNone chatKind = iota
	chatGreeting
	chatAck // 哈哈, 嗯嗯, 好吧: nothing to answer
	chatThanks
	chatPraise
	chatInsult
	chatWhoAreYou
	chatOffTopic
	chatCarer
	chatGrief
	chatLonely
	chatVisit // asks for a person to come: staff are told, as for 人工
	chatSad   // like chatLonely, but an entry that answers the message outright comes first (生完孩子老想哭)
	chatRelief
	chatHurt // not understood by the people close by (觉得我矫情): heard, not answered with an entry
	chatBye  // 886, 拜拜
	// chatQuarrel: a teenager after a row with a parent (她说我不懂事); for
	// anyone else it is a question for the FAQ.
	chatQuarrel
)

// lonelyWords ask for company or understanding; they are never a question for the FAQ.
var lonelyWords = []string{"老伴走了", "老伴去世", "老伴没了", "过得很没意思", "没人理解我", "没人懂我", "没有人理解我", "陪我聊", "陪我说说话", "聊聊天", "能陪我", "跟我说说话",
	// An empty home at the holidays: never the FAQ's festive food (过节 is in 粽子月饼).
	"冷冷清清", "冷清", "空落落", "心里空", "就我们老两口", "就我和老伴", "就剩我们老两口", "一个人过节", "又要一个人"}

// chatCues, checked in order; the first kind with a word in the message wins.
var chatCues = []struct {
	kind  chatKind
	words []string
}{
	{chatWhoAreYou, []string{"真人还是机器人", "真人在回", "是真人在", "还是机器", "是机器人还是", "是机器回", "机器回复", "自动回复的吗", "是机器人吗", "是不是机器人", "你是机器人", "你是真人", "是真人吗", "你是人吗", "是人工吗", "你是谁", "你是ai", "你是AI", "人工智能吗", "自动回复吗"}},
	{chatGrief, []string{"梦到儿子", "梦见儿子", "梦到女儿", "梦见女儿", "梦到孩子", "梦见孩子", "孩子走了", "孩子没了", "儿子走了", "女儿走了", "儿子没了", "女儿没了", "失去孩子", "失去了孩子", "失独", "想我儿子", "想我女儿", "想孩子想", "孩子去世", "儿子去世", "女儿去世", "白发人送黑发人"}},
	{chatRelief, []string{"好受多了", "好受些了", "好受一点", "舒服多了", "轻松多了", "好过多了", "没那么难受", "心里好多了", "说出来好多了", "心里踏实多了", "放心多了", "安心多了"}},
	{chatHurt, []string{"矫情", "不当回事", "不当一回事", "不理解我", "不体谅", "不心疼我", "嫌我", "委屈", "好烦", "烦死了", "心累", "没人帮我"}},
	{chatCarer, []string{"撑不下去", "撑不住", "熬不下去", "熬不住", "扛不住", "扛不下去", "受不了了", "崩溃", "累死了", "太累了", "好累", "身心俱疲", "喘不过气来"}},
	{chatVisit, []string{"派人来", "派个人来", "上门看看", "来看看我", "来家里看看", "找人陪陪我", "有人来陪"}},
	{chatLonely, lonelyWords},
	{chatSad, []string{"最难熬", "都团圆", "就我们两个老", "就剩我们两个", "一个人过", "孤独", "寂寞", "孤单", "没人说话", "没人陪", "心里难受", "心情不好", "好难过", "很难过", "伤心", "想哭"}},
	{chatInsult, []string{"好笨", "真笨", "笨蛋", "太笨", "傻子", "好傻", "真傻", "智障", "垃圾", "废物", "破玩意", "什么玩意", "答非所问啊"}},
	{chatPraise, []string{"真棒", "好棒", "厉害", "真聪明", "好聪明", "好用", "说得好", "说得真好", "说得对", "讲得真好", "太好了", "真不错", "挺好的", "讲得好", "真贴心", "有帮助", "帮大忙", "挺有用", "很有用", "真有用", "太有用", "蛮有用"}},
	{chatThanks, []string{"谢谢", "谢了", "谢啦", "多谢", "感谢", "辛苦了", "麻烦你了", "3q", "thank"}},
	{chatQuarrel, []string{"吵了一架", "吵架", "吵起来", "吵了起来", "大吵", "说我不懂事", "嫌我不懂事", "骂我", "凶我"}},
	{chatOffTopic, []string{"讲个笑话", "说个笑话", "笑话", "股票", "彩票", "炒股", "基金", "天气怎么样", "今天天气", "唱首歌"}},
	{chatBye, []string{"886", "拜拜", "再见", "bye"}},
	{chatAck, []string{"哈哈", "呵呵", "嘿嘿", "嘻嘻", "嗯嗯", "好吧", "哦哦", "👍", "ok", "OK", "收到"}},
	{chatGreeting, []string{"在吗", "在不在", "有人吗", "你好", "您好", "早上好", "中午好", "下午好", "晚上好", "早安", "晚安", "hello", "hi", "哈喽"}},
}

// practicalWords ask about money, services or where to go: a bereaved
// parent asking them gets the answer, not only comfort.
var practicalWords = []string{"多少", "免费", "要钱", "收费", "花钱", "优先", "能领", "领取", "申请", "去哪", "哪里办", "怎么办理", "办理",
	"补贴", "扶助", "补助", "签约", "挂号", "报销", "政策", "能不能享受", "有什么帮扶", "有哪些"}

// msgGriefLead is the one warm line before the answer to a bereaved parent's question.
const msgGriefLead = "您辛苦了，我把您问的先说清楚：\n"

// questionWords mark a message that asks something: such a message goes to the
// FAQ when it has a confident answer (老人孤独怎么办 is a question, 好孤独 is not).
var questionWords = []string{"怎么", "如何", "什么", "吗", "怎样", "为什么", "能不能", "要不要", "是不是", "哪", "多久", "几"}

// maxSmallTalk: greetings, thanks, praise and insults are short; a longer
// message with 你好 in it carries a question.
const maxSmallTalk = 12

// griefRE finds a child who died: 我女儿去年没了, 儿子走了三年了.
var griefRE = regexp.MustCompile(`(儿子|女儿|孩子|闺女|独生子|独生女)[^，。,.]{0,6}(没了|走了|去世|不在了|离开了我们)`)

// chatKindOf returns the kind of a message and the word that said so.
func chatKindOf(text string) (chatKind, string) {
	t := strings.ToLower(strings.TrimSpace(knowledge.Simplified(text))) // 謝謝 is 谢谢
	if griefRE.MatchString(t) {
		return chatGrief, ""
	}
	for _, c := range chatCues {
		for _, w := range c.words {
			if strings.Contains(t, strings.ToLower(w)) {
				return c.kind, strings.ToLower(w)
			}
		}
	}
	return chatNone, ""
}

// selfIntroRE is a writer saying who they are: 我是乐乐奶奶, 我是他妈妈.
var selfIntroRE = regexp.MustCompile(`我是.{0,6}?(奶奶|爷爷|外婆|外公|姥姥|姥爷|妈妈|爸爸|家长|小姨|阿姨)`)

// despairWords make tiredness more than tiredness: only then does the carer
// reply name the crisis line for thoughts of self-harm.
var despairWords = []string{"撑不下去", "撑不住", "熬不下去", "熬不住", "扛不住", "扛不下去", "受不了了", "崩溃", "活着没意思", "不想活"}

// kidWords: the one cared for is a child (带两个孩子, 带孙子), not an elder;
// grandkidWords: by a grandparent.
var (
	kidWords      = []string{"孩子", "孙子", "孙女", "外孙", "娃", "宝宝", "带娃", "带孙"}
	grandkidWords = []string{"孙子", "孙女", "外孙", "带孙"}
)

// asideWords are what is left of small talk besides its word: 你们真厉害 → 厉害.
var asideWords = strings.NewReplacer("陪我说话", "", "陪我聊天", "", "你们", "", "你", "", "您", "", "真", "", "太", "", "了", "", "的", "", "吧", "", "呢", "")

// onlySmallTalk reports whether text is nothing but the small-talk word and
// polite words: 谢谢你啊 is, 谢谢 那要吃什么药 is not.
func onlySmallTalk(text, word string) bool {
	rest := strings.Replace(strings.ToLower(knowledge.Simplified(text)), word, "", 1)
	rest = selfIntroRE.ReplaceAllString(rest, "") // 你好 我是乐乐奶奶
	return utf8.RuneCountInString(asideWords.Replace(withoutCourtesy(rest))) <= 2
}

// chat answers feelings and small talk; false for anything else.
func (e *Engine) chat(ctx context.Context, in Inbound) (Reply, bool) {
	kind, word := chatKindOf(in.Text)
	young := e.noteYoung(ctx, in.Text)
	if kind == chatNone {
		return Reply{}, false
	}
	if kind == chatVisit {
		return e.handoff(ctx, in, models.HandoffAsked), true
	}
	n := utf8.RuneCountInString(in.Text)
	switch kind {
	case chatGrief:
		// 失独家庭的扶助金多少钱: the answer first, after one warm line.
		if containsAnyWord(in.Text, practicalWords) && e.KB != nil &&
			e.KB.Index().DecideWith(in.Text, e.now(), knowledge.Hint{}).Decision != knowledge.NoMatch {
			r := e.faq(ctx, in)
			if r.Route == models.RouteFAQ {
				r.Text = msgGriefLead + r.Text
			}
			return r, true
		}
	case chatBye: // 算了不问了 886
		if n > maxSmallTalk || containsAnyWord(in.Text, questionWords) {
			return Reply{}, false
		}
	case chatGreeting, chatAck, chatThanks, chatPraise, chatInsult, chatOffTopic:
		if n > maxSmallTalk || kind != chatOffTopic && !onlySmallTalk(in.Text, word) || e.confident(ctx, in.Text) {
			return Reply{}, false // 在吗 宝宝发烧怎么办: the question is what counts
		}
	case chatSad:
		if e.confident(ctx, in.Text) {
			return Reply{}, false
		}
		kind = chatLonely
	case chatCarer, chatRelief, chatHurt:
		if containsAnyWord(in.Text, questionWords) && e.confident(ctx, in.Text) {
			return Reply{}, false
		}
	case chatQuarrel: // 孩子一说就顶嘴 怎么办: a parent's question
		if !young || e.confident(ctx, in.Text) {
			return Reply{}, false
		}
	}
	text := map[chatKind]string{
		chatGreeting: msgChatGreeting, chatAck: msgChatAck, chatThanks: msgThanks, chatPraise: msgChatPraise, chatInsult: msgChatInsult,
		chatWhoAreYou: msgChatWhoAreYou, chatOffTopic: msgChatOffTopic, chatGrief: msgChatGrief, chatLonely: msgChatLonely,
		chatCarer: msgChatCarer, chatRelief: msgChatRelief, chatHurt: msgChatHurt, chatBye: msgSoftBye, chatQuarrel: msgChatTeenQuarrel,
	}[kind]
	// A teenager tired and not understood (好累 没人懂我) is no carer and no
	// lonely elder: words for a teen, with 12355.
	if young && (kind == chatCarer || kind == chatLonely || kind == chatHurt) && !containsAnyWord(in.Text, kidWords) {
		return Reply{Text: e.fill(msgChatTeenTired), Route: models.RouteChat}, true
	}
	if kind == chatCarer {
		switch {
		case containsAnyWord(in.Text, grandkidWords):
			text = msgChatTiredGrandkids
		case containsAnyWord(in.Text, kidWords):
			text = msgChatTiredKids
		}
		if !containsAnyWord(in.Text, despairWords) {
			text = strings.TrimSuffix(text, msgChatSelfHarmLine)
		}
		respite := ""
		if r := strings.TrimSpace(e.Assoc.Respite); r != "" {
			respite = "· 喘息服务：" + r + "\n"
		}
		text = strings.Replace(text, "{{respite}}", respite, 1)
	}
	return Reply{Text: e.fill(text), Route: models.RouteChat}, true
}

// confident reports whether the knowledge base answers text outright.
func (e *Engine) confident(ctx context.Context, text string) bool {
	if e.KB == nil {
		return false
	}
	res := e.KB.Index().DecideWith(text, e.now(), knowledge.Hint{Subject: e.context(ctx).Subject})
	return res.Decision == knowledge.Answer
}

const (
	msgChatGreeting  = "您好！我是{{name}}的小助手 🌻 有什么想问的直接发给我就行，比如“宝宝发烧怎么办”“老人血压高吃什么”。回复“帮助”看我能做什么。"
	msgChatAck       = "😊 还有什么想问的，直接发给我就行。"
	msgChatPraise    = "谢谢您的鼓励 😊 能帮上忙我很开心！还有问题随时问我。"
	msgChatInsult    = "抱歉没帮上忙 😔 我是自动回复的小助手，还在学习。您可以换个说法再问，或回复“人工”找工作人员，也可以致电 {{phone}}（{{hours}}）。"
	msgChatWhoAreYou = "我是{{name}}的自动回复小助手，不是真人，可以回答常见的育儿、青春健康、老年保健问题，帮您报名活动、许愿。\n" +
		"想找真人帮忙，请回复“人工”，或在{{hours}}致电 {{phone}}，工作人员会联系您。"
	msgChatOffTopic = "这个我不太会 😅 我擅长的是家庭健康和协会服务：育儿、青春期、老人保健、活动报名、心愿墙。有这方面的问题随时问我；回复“帮助”看我能做什么。"
	msgChatCarer    = "照顾家人这么久，您真的辛苦了。觉得撑不住，不是您做得不好，是担子太重了。\n" +
		"· 先让自己喘口气：哪怕请家人、邻居替您半天，好好睡一觉。\n" +
		"{{respite}}" +
		"· {{name}}的“暖心家园”可以陪您说说话、一起想办法：回复“人工”或致电 {{phone}}（{{hours}}），工作人员会联系您。\n" +
		"· 心里实在难受，可以拨打心理援助热线 12356。" + msgChatSelfHarmLine
	msgChatSelfHarmLine = "\n如果有伤害自己的念头，请马上拨打 12356，或找身边的人陪着您。"
	msgChatTiredKids    = "带孩子真不容易，您辛苦了！累了、想哭，不是您做得不好，是一个人担子太重。\n" +
		"· 跟家里人说出来，排个班：晚上轮流起夜，周末请家人多带一会儿，您好好睡一觉；孩子睡时您也躺一会儿。\n" +
		"· 心情低落、总想哭、睡不着超过两周，请去医院看看，这在带孩子的妈妈里很常见，能治好；也可以拨打心理援助热线 12356。\n" +
		"· 附近有托育机构或社区的亲子活动，可以让您歇口气；回复“活动”看看协会最近的活动。\n" +
		"{{respite}}" +
		"· 想找人说说，回复“人工”或致电 {{phone}}（{{hours}}），工作人员会联系您。" + msgChatSelfHarmLine
	msgChatTiredGrandkids = "带孩子真不容易，您辛苦了！累了不是您做得不好，是一个人担子太重。\n" +
		"· 和孩子爸妈商量着轮换，周末让他们多带，您好好睡一觉；白天孩子睡时您也躺一会儿。\n" +
		"· 附近有托育机构或社区的亲子活动，可以让您歇口气；回复“活动”看看协会最近的活动。\n" +
		"{{respite}}" +
		"· 想找人说说，回复“人工”或致电 {{phone}}（{{hours}}），工作人员会联系您。" + msgChatSelfHarmLine
	msgChatTeenTired = "听起来你最近真的很累，又觉得没人懂你，这种感觉很难受。愿意说出来，已经很不容易了。\n" +
		"· 累的时候先照顾好自己：睡够、好好吃饭，出去走走，哪怕十分钟。\n" +
		"· 找一个信得过的人说说：好朋友、老师、学校的心理老师，或家里最好说话的那个人。\n" +
		"· 可以打 12355 青少年服务台，有人专门听青少年说心事，免费，你说的话一般不会告诉家里人。\n" +
		"· 如果有伤害自己的念头，请马上告诉身边的大人，或拨打 12356 心理援助热线。\n" +
		"你也可以接着在这里跟我说说。"
	msgChatTeenQuarrel = "吵完架还被说“不懂事”，心里一定又气又委屈。吵架不代表她不爱你，也不代表你不好。\n" +
		"· 先各自冷静一下，别在气头上接着吵。\n" +
		"· 冷静后说说你的感受，比如“你翻我手机，我觉得不被信任”，比争谁对谁错更容易被听进去。\n" +
		"· 当面说不出口，可以写张纸条或发条消息给她。\n" +
		"· 心里憋得难受，可以打 12355 青少年服务台找人说说，也可以接着在这里跟我说。"
	msgChatRelief = "能说出来真好 🌻 心里有事随时来找我说说。\n想找人聊聊，回复“人工”或致电 {{phone}}（{{hours}}）；心理援助热线 12356 也一直都在。"
	msgChatHurt   = "身边的人不理解，确实让人难受。您的感受是真实的，不是矫情。\n" +
		"· 试着把具体需要说出来（比如“今晚你来哄孩子，让我睡一会儿”），比争对错更容易被听进去。\n" +
		"· 心情低落、总想哭或睡不着超过两周，请去看医生，这能治好。\n" +
		"· 想找人聊聊：回复“人工”或致电 {{phone}}（{{hours}}）；也可以拨打心理援助热线 12356。"
	msgChatLonely = "谢谢您愿意跟我说这些。心里的事一个人扛着很不容易，说出来就是很好的一步。\n" +
		"· {{name}}的“暖心家园”有工作人员和志愿者，可以陪您聊聊天、一起参加活动：回复“人工”或致电 {{phone}}（{{hours}}）。\n" +
		"· 想找人说说心里话，也可以拨打心理援助热线 12356。\n" +
		"我是自动回复的小助手，您愿意的话，也可以接着跟我说说。"
	msgChatGrief = "失去孩子的痛，别人很难真正体会。想念，是因为爱一直都在。您不用一个人扛着。\n" +
		"· {{name}}的“暖心家园”专门陪伴失独等计生特殊家庭，工作人员会联系您、陪您说说话：回复“人工”或致电 {{phone}}（{{hours}}）。\n" +
		"· 计生特殊家庭还有扶助金等帮扶，问我“特殊家庭有哪些扶助”就能了解。\n" +
		"· 心里特别难受的时候，可以拨打心理援助热线 12356。"
)

// courtesy are the polite words around a message: 谢谢 那要吃什么药 asks what to take.
var courtesy = strings.NewReplacer("谢谢你", "", "谢谢", "", "多谢", "", "好的", "", "你好", "", "您好", "", "在吗", "", "哈哈", "",
	"嗯嗯", "", "嗯", "", "哦", "", "啊", "", "呀", "", "，", "", ",", "", "。", "", "！", "", "!", "", " ", "")

// withoutCourtesy is text without its polite words.
func withoutCourtesy(text string) string { return courtesy.Replace(text) }
