package bot

import (
	"context"
	"strings"

	"familybot/knowledge"
	"familybot/models"
)

// What children and teens write next inside an episode, as testers playing
// them wrote it: a child who told of abuse asks whether she imagined it, what
// to do with the secret, how to tell a teacher; a teen worried about a friend
// asks whether to keep her secret and what to say to 110; someone on a roof.

// childSituations answer a child inside an abuse (or violence) episode.
var childSituations = []struct {
	phrases []string
	words   string
}{
	{[]string{"会不会真的发", "会不会发", "发出去", "已经发了", "真的发了", "拉黑"},
		"他可能只是吓你，也可能真的发。不管发不发，都不是你的错。\n" +
			"现在就告诉爸爸妈妈或老师，一起打 110 报警，并向平台举报；照片被发出去，平台可以删除，警察可以处理。也可以打 " + line12355 + "。"},
	{[]string{"截图了", "截了图", "然后呢", "接下来"},
		"做得对。接下来：举报他的账号，再拉黑；告诉爸爸妈妈或老师，带上截图一起打 110 或去派出所报警。\n不要转钱，不要再发照片。这不是你的错。"},
	{[]string{"不敢报警", "不想报警", "学校知道", "被人知道", "同学知道", "丢人"},
		"报警不是你做错了事，警察会保护未成年人的隐私。不敢自己去，可以先告诉爸爸妈妈或老师，让他们陪你报警；也可以先打 " + line12355 + "。\n这不是你的错。"},
	{[]string{"转钱", "给钱", "转账", "要钱", "付钱", "打钱", "给他钱", "转一点", "转给他"},
		"不要转钱：转了他还会一直要。不要再发任何照片和视频，先截图保存聊天记录，再举报、拉黑他的账号。\n" +
			"告诉爸爸妈妈或老师，一起打 110 报警。这不是你的错。也可以打 " + line12355 + "。"},
	{[]string{"想多了", "我的错", "怪我", "是我不好", "我不对"},
		"你没有想多。别人碰你的隐私部位、做让你不舒服的事，就是不对的；这不是你的错，错的是他。\n" +
			"请告诉一个你信任的大人，或者打 " + line12355 + "。有危险马上打 110。"},
	{[]string{"秘密", "保密", "不能说", "不要告诉", "别告诉", "不让我说", "不要我了", "会不要我"},
		"这种秘密一定要说出来。大人让孩子对这种事保密，本身就是不对的；说出来是保护你自己，不是你不乖。\n" +
			"还不想先告诉妈妈，可以先告诉老师、班主任或别的亲人，或者打 " + line12355 + "。你在这里说的话，只有我们的工作人员能看到。"},
	{[]string{"怎么说", "说不出口", "怎么开口", "怎么跟", "不知道怎么讲", "怎么讲"},
		"说不出口也没关系，这不是你的错。可以这样：\n1. 写一张纸条交给老师：“有人碰我的隐私部位，我害怕。”这一句就够了，剩下的老师会帮你。\n" +
			"2. 或者先打 " + line12355 + "，请那里的人帮你想怎么说。\n3. 第一个人不相信，就再告诉另一个。"},
	{[]string{"被抓", "坐牢", "家里就没钱", "家里没钱", "没人养", "家里怎么办", "家就散了", "离婚"},
		"这些事不用你来担心，大人会想办法。你的安全最重要，说出来是对的。\n有危险马上打 110；也可以打 " + line12355 + "。"},
}

// friendSituations answer a teen worried about a friend.
var friendSituations = []struct {
	phrases []string
	words   string
}{
	{[]string{"怎么帮", "帮帮她", "帮帮他", "帮她", "帮他", "跟她说话", "跟他说话", "怎么跟她说", "怎么跟他说", "安慰她", "安慰他"},
		"帮她，你可以这样做：\n1. 找个安静的时候认真听她说，不评判、不说教；可以直接问她：“你有没有想过结束生命？”问了不会让她更想做。\n" +
			"2. 不能替她保密：今天就告诉一位信得过的大人（老师、心理老师或她的家长），陪她一起找大人、打 " + line12356 + " 或 " + line12355 + "。\n" +
			"3. 她正在伤害自己或说要结束生命，马上打 110 或 120。"},
	{[]string{"说什么", "怎么说", "门牌", "地址", "不知道她家", "不知道他家", "具体在哪"},
		"打 110 这样说：朋友的名字，她发了告别的消息，她可能在哪里（小区名、楼号就够），你的电话。不知道门牌号也没关系，警察会想办法找。\n" +
			"你在上课就马上告诉老师，让老师帮你打。不要一个人去找她。"},
	{[]string{"保密", "秘密", "答应她", "答应他", "不让我说"},
		"这件事不能替她保密，它关系到她的安全。可以跟她说：“我太在乎你了，所以要找大人帮忙。”\n" +
			"今天就告诉一位信得过的大人：老师、心理老师或她的家长。也可以打 " + line12356 + " 或 " + line12355 + " 问怎么帮她。"},
	{[]string{"告诉老师", "告诉她爸", "告诉她妈", "告诉她家", "告诉他爸", "告诉他妈", "告诉家长", "要不要告诉", "不敢告诉"},
		"要告诉。今天就告诉老师、心理老师或她的家长，让大人来帮她；她会怪你也没关系，先保住她的安全。\n有危险马上打 110。"},
	{[]string{"去找她", "去找他", "现在去", "要不要去"},
		"不要一个人去，尤其是江边、楼顶这样的地方：让大人和警察去。\n你现在能做的：马上打 110（或请老师、家长打），告诉警察她可能在哪里；然后一直给她发消息：“我在乎你，你在哪里？”"},
	{[]string{"在上课", "上课呢", "上课中", "偷偷用"},
		"马上举手告诉老师，让老师帮你打 110、联系她家里。这比上课重要。"},
}

func childSituation(s string) string {
	for _, c := range childSituations {
		if containsAnyOf(s, c.phrases) {
			return c.words
		}
	}
	return ""
}

func friendSituation(s string) string {
	for _, f := range friendSituations {
		if containsAnyOf(s, f.phrases) {
			return f.words
		}
	}
	return ""
}

// onlinePlaces: abuse online (照片, 裸聊, 录屏): blackmail, not a hand.
var onlinePlaces = []string{"网上", "网友", "照片", "视频", "裸聊", "录屏", "私密照", "聊天记录", "QQ", "微信上", "游戏里"}

// onlineWords answer a child blackmailed online.
const onlineWords = "这不是你的错，你说出来是对的。\n" +
	"1. 他威胁你、要钱或要你再发：告诉爸爸妈妈或老师，一起打 110 报警。\n" +
	"2. 不要转钱（转了他还会一直要），不要再发任何照片和视频。\n" +
	"3. 先截图保存聊天记录和他的账号，再举报、拉黑。\n" +
	"4. 想找人商量：" + line12355 + "。\n你可以继续在这里说，我们的工作人员会看到。"

// edgePlaces: the writer is somewhere high or by the water.
var edgePlaces = []string{"天台", "楼顶", "屋顶", "桥上", "江边", "河边", "海边", "窗台", "窗边", "阳台边", "楼顶上"}

// edgeWords: away from the edge first.
func edgeWords(c knowledge.Crisis) string {
	s := "请先离开边缘：现在就往后退，回到屋里、下楼，或往人多的地方走。\n" +
		"1. 现在就拨打 110，或打给家人、朋友，请他们马上来接你。\n" +
		"2. 想听到人的声音：" + localLine + line12356
	if childLines(c) {
		s += "；" + line12355
	}
	return s + "。\n你愿意的话，就在这里一直打字，我在。" + staffSee
}

// whoWords answer "你是真人吗" inside an episode: honestly, and where a
// person listens.
func whoWords(c knowledge.Crisis) string {
	s := "我是自动回复的小助手，不是真人。工作人员已经收到提醒，会看到你说的话，在这里回复你。\n想马上和真人说话："
	switch {
	case c.Kind == knowledge.CrisisMedical:
		return s + "拨打 120，调度员会一直在电话里指导你。"
	case childLines(c):
		return s + "打 " + line12355 + "；有危险打 110。"
	case c.Kind == knowledge.CrisisViolence:
		return s + "打 " + line12338 + "；有危险打 110。"
	}
	return s + "打 " + localLine + line12356 + "；有危险打 120 或 110。"
}

// isEpisodeExit: the resident asks to leave (退出, 结束). 算了 is not one: in
// a crisis it is despair.
func isEpisodeExit(text string) bool {
	t := strings.Trim(strings.Join(strings.Fields(text), ""), "。.!！吧啊")
	return t == "退出" || t == "结束" || t == "退出危机"
}

// endEpisode ends the episode at the resident's word, with the lines kept.
func (e *Engine) endEpisode(ctx context.Context, in Inbound, ep episode) Reply {
	e.keepCrisis(ctx, in, ep, true, false)
	if e.Recent != nil {
		_ = e.Recent.Del(ctx, episodeKey(in.OpenID))
	}
	return Reply{Text: e.fill(msgEpisodeEnded), Route: models.RouteCommand, Flagged: true}
}

const msgEpisodeEnded = "好的。刚才的事如果还需要帮助，随时在这里说，工作人员也会看到。\n有危险请拨打 110 或 120；想找人说说，可以打 " + localLine + line12356 + "（青少年也可以打 " + line12355 + "）。"

// serviceInEpisode answers a question about the association's own services
// asked inside an episode (对了 家长课堂是哪天 我想让我妈去): the entry, then a
// line that keeps the crisis open. Only service entries, and only when the
// rules saw no crisis in the message: a health question inside a crisis stays
// with the crisis.
func (e *Engine) serviceInEpisode(ctx context.Context, in Inbound, ep episode, verdict knowledge.Crisis) (Reply, bool) {
	if e.KB == nil || strings.Contains(verdict.Layer, "rule") {
		return Reply{}, false
	}
	// "怎么办" is asked of the crisis too ("他砸门了怎么办"); with a topic of its
	// own ("青春期长痘痘怎么办") outside a medical emergency, it is that topic's.
	if fu := classifyFollowUp(in.Text); fu != fuOther && (fu != fuSteps || ep.Crisis.Kind == knowledge.CrisisMedical) {
		return Reply{}, false
	}
	res := e.KB.Index().Decide(in.Text, e.now())
	// One service entry a little under the answer threshold is taken too: the
	// crisis words around it lower its score, and a wrong guess costs little.
	sure := res.Decision == knowledge.Answer || res.Decision == knowledge.Clarify && len(res.Top) == 1
	if !sure || len(res.Top) == 0 {
		return e.serviceDetail(ctx, in, ep)
	}
	// Any other question the knowledge base answers clearly on its own ("用什么
	// 洗面奶好" after a false alarm) is answered too, under the line that keeps
	// the crisis open: an episode must not trap a resident.
	// An episode that rests on the statistical layer alone (no rule named a
	// sign) is a possible emergency, often a false alarm on an everyday
	// complaint ("膝盖疼 蹲下去起不来"): any question the knowledge base is sure
	// of is answered, the crisis line kept under it.
	// A despair the model alone read stays open all the same: a question
	// about respite care is no sign the words before it were nothing.
	possible := ep.Crisis.Layer == "model" && ep.Crisis.Kind == knowledge.CrisisMedical
	if !possible && res.Top[0].Entry.Category != models.CatService &&
		(res.Decision != knowledge.Answer || res.Top[0].Score < clearOnItsOwn || verdict.Kind != knowledge.CrisisNone || !asks(in.Text) || !e.genericInEpisode(in.Text, ep)) {
		return Reply{}, false
	}
	if possible && e.Recent != nil {
		// An ordinary question the knowledge base is sure of says the alarm
		// was most likely false: the episode ends, so that the next follow-up
		// (那要吃啥药, 去哪看) is read against this answer, not as the crisis.
		// Staff were alerted all the same; the message is kept with the crisis.
		_ = e.Recent.Del(ctx, episodeKey(in.OpenID))
	} else {
		e.saveEpisode(ctx, in.OpenID, ep)
	}
	e.keepCrisis(ctx, in, ep, true, false)
	r := e.answer(ctx, in, res.Top[0], models.RouteFAQ)
	r.Text = e.fill(r.Text + "\n\n" + episodeTail(ep.Crisis))
	r.Flagged = true // the message belongs to the crisis: kept with it, not in the log
	return r, true
}

// serviceDetail answers a practical question about the service just
// answered inside the episode (怎么申请 要钱吗 after 喘息服务) from its lines.
func (e *Engine) serviceDetail(ctx context.Context, in Inbound, ep episode) (Reply, bool) {
	cx := e.context(ctx)
	if cx.Entry == 0 || cx.Category != string(models.CatService) && cx.Category != "elderly" || !containsAnyWord(in.Text, practicalWords) {
		return Reply{}, false
	}
	r, ok := e.topicLinesAnswer(ctx, in.Text, 1)
	if !ok {
		en, found := e.KB.Index().Entry(cx.Entry)
		if !found {
			return Reply{}, false
		}
		// No line names it (怎么申请 要钱吗): the lines on where to ask and
		// what it costs, and a person who finds out.
		var lines []string
		for _, l := range strings.Split(en.Answer, "\n") {
			if containsAnyOf(l, []string{"咨询", "致电", "申请", "收费", "免费", "补贴", "费用", "报销"}) {
				lines = append(lines, strings.TrimSpace(l))
			}
		}
		r = Reply{Route: models.RouteFAQ, Category: en.Category, EntryID: en.ID, Score: 1,
			Text: "关于「" + en.Title + "」：\n" + strings.Join(lines, "\n") + "\n" + msgAskLocally}
	}
	e.saveEpisode(ctx, in.OpenID, ep)
	e.keepCrisis(ctx, in, ep, true, false)
	r.Text = e.fill(r.Text + "\n\n" + episodeTail(ep.Crisis))
	r.Flagged = true
	return r, true
}

// asks: the message is a question (有没有喘息服务), not more of what happened
// (他发烧39度 才10个月).
func asks(text string) bool {
	return containsAnyWord(text, questionWords) || containsAnyWord(text, []string{"有没有", "？", "?"})
}

// msgAskLocally ends an answer on how to apply for a local service.
const msgAskLocally = "具体怎么申请、收不收费，各地不一样，以当地为准；也可以回复“人工”或致电 {{phone}}（{{hours}}），工作人员帮您问。"

// clearOnItsOwn is the score at which a health question inside an episode is
// answered from the knowledge base rather than read as part of the crisis.
const clearOnItsOwn = 0.7

// episodeTail keeps the crisis open under another answer.
func episodeTail(c knowledge.Crisis) string {
	if c.Kind == knowledge.CrisisMedical {
		return "刚才的情况有变化，马上拨打 120。"
	}
	return "刚才的事，需要时随时在这里说；有危险请拨打 110 或 120，想找人说说可以打 " + localLine + line12356 + "。"
}

// genericInEpisode reports whether the episode has nothing of its own to say
// to text (its reply would be the same as to a bare "嗯"): a question with a
// topic of its own is then better answered by the knowledge base.
func (e *Engine) genericInEpisode(text string, ep episode) bool {
	a, b := ep, ep
	neutral := "……" // asks nothing in particular
	if classifyFollowUp(text) == fuSteps {
		neutral = "怎么办"
	}
	return episodeReply(text, &a, false) == episodeReply(neutral, &b, false)
}
