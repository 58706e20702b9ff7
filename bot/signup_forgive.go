package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"
	"familybot/signup"
)

// A sign-up forgives: a question asked half-way is answered and the step asked
// again; a correction is taken at any step ("打错了 是2岁", "电话写错了 是…");
// several fields in one message are taken together; words that answer
// another step (同意, 确认) are never taken as a name.

// notNames are answers that are never a person's name.
var notNames = map[string]bool{
	"同意": true, "我同意": true, "不同意": true, "确认": true, "确定": true, "提交": true, "修改": true, "好的": true, "好": true,
	"是": true, "是的": true, "可以": true, "行": true, "嗯": true, "报名": true, "活动": true, "我的报名": true, "取消": true,
	"跳过": true, "帮助": true, "人工": true, "谢谢": true, "你好": true, "在吗": true,
}

// correctionWords start a correction; they are dropped before the fields are read.
var correctionWords = strings.NewReplacer("打错了", " ", "写错了", " ", "输错了", " ", "说错了", " ", "填错了", " ", "搞错了", " ",
	"更正", " ", "改一下", " ", "改成", " ", "应该是", " ", "不对", " ", "哦", " ", "啊", " ", "电话", " ", "手机号", " ", "手机", " ",
	"号码", " ", "名字", " ", "姓名", " ", "年龄", " ", "孩子", " ", "是", " ", "，", " ", ",", " ", "。", " ")

var phoneInText = regexp.MustCompile(`1[3-9][0-9]{9}`)

// eventQuestionWords ask about the event itself.
var eventQuestionWords = []string{"在哪", "地点", "地址", "哪里", "几点", "时间", "什么时候", "哪天", "带什么", "带啥", "要带", "停车", "车位"}

// signupQuestion reports whether an answer is a question rather than a field.
func signupQuestion(answer string) bool {
	return strings.ContainsAny(answer, "?？") || strings.HasSuffix(answer, "吗") || strings.HasSuffix(answer, "呢") ||
		containsAnyWord(answer, []string{"什么", "怎么", "哪里", "哪儿", "在哪", "几点", "多少", "能不能", "要不要", "可不可以", "有没有", "停车", "啥", "咋", "行不"})
}

// forgive handles an answer the step itself would not take well; false
// leaves it to the step.
func (e *Engine) forgive(ctx context.Context, in Inbound, ev models.Event, st *State, answer string) (Reply, bool) {
	resume := func(text string) (Reply, bool) {
		return Reply{Text: e.fill(text + "\n\n" + e.askStep(ev, st, false)), Category: models.CatService}, true
	}
	if signupQuestion(answer) {
		if facts := eventFacts(ev, answer); facts != "" {
			return resume(facts + "\n（报名还没填完，接着回答就行：）")
		}
		r := e.faq(ctx, in)
		return resume(r.Text + "\n\n（报名还没填完，接着回答就行；回复“退出”放弃。）")
	}
	if r, ok := e.nameSentence(ev, st, answer, resume); ok {
		return r, true
	}
	fields := strings.Fields(correctionWords.Replace(answer))
	corrected := strings.TrimSpace(correctionWords.Replace(answer)) != strings.TrimSpace(answer)
	if (st.Step == "consent" || st.Step == "confirm") && !phoneInText.MatchString(answer) &&
		(!corrected || notNames[answer] || len(fields) == 0) {
		return Reply{}, false // 同意, 确认 and the like are this step's own answers
	}
	if len(fields) < 2 && !corrected && !phoneInText.MatchString(answer) {
		return Reply{}, false
	}
	if _, ok := signup.ParsePhone(answer); ok && st.Step == "phone" {
		return Reply{}, false // the step's own answer
	}
	var took []string
	for _, f := range fields {
		if p, ok := signup.ParsePhone(f); ok {
			st.Set("phone", p)
			took = append(took, "手机 "+privacy.MaskPhone(p))
			continue
		}
		if m, err := signup.ParseAge(f); err == nil && ev.ForChild && st.Get("consent") != "" {
			if !signup.AgeFits(ev, m) {
				continue
			}
			if st.Get("age") != strconv.Itoa(m) || !strings.Contains(strings.Join(took, ""), "年龄") {
				took = append(took, "年龄 "+signup.FormatAge(m))
			}
			st.Set("age", strconv.Itoa(m))
			continue
		}
		if n, ok := signup.ParseName(f, 20); ok && !notNames[n] && len([]rune(n)) <= 6 && !strings.ContainsAny(n, sentenceChars) {
			switch {
			case st.Step == "child" || (st.Get("child_given") != "" && strings.Contains(answer, "孩子")):
				st.Set("child", n)
				st.Set("child_given", "1")
				took = append(took, "孩子 "+n)
			case st.Step == "name" || strings.Contains(answer, "名字") || strings.Contains(answer, "姓名") ||
				corrected && (st.Step == "phone" || !ev.ForChild): // 打错了 是陈建国, asked for the phone next
				st.Set("name", n)
				took = append(took, "姓名 "+n)
			}
		}
	}
	if len(took) == 0 {
		return Reply{}, false
	}
	st.Step = nextStep(ev, st)
	return resume("好的，已记下：" + strings.Join(took, "，") + "。")
}

// nameSentence takes a name given in a sentence ("我叫张伟 电话…", "我老婆去
// 名字写李娜"), with a phone number said with it.
func (e *Engine) nameSentence(ev models.Event, st *State, answer string, resume func(string) (Reply, bool)) (Reply, bool) {
	n, ok := nameInSentence(answer)
	if !ok || (st.Step != "name" && st.Step != "phone" && !strings.Contains(answer, "名字") && !strings.Contains(answer, "姓名")) {
		return Reply{}, false
	}
	st.Set("name", n)
	took := []string{"姓名 " + n}
	if p := phoneInText.FindString(answer); p != "" {
		st.Set("phone", p)
		took = append(took, "手机 "+privacy.MaskPhone(p))
	}
	st.Step = nextStep(ev, st)
	return resume("好的，已记下：" + strings.Join(took, "，") + "。")
}

// eventFacts answers a question about the event from its details; "" when
// the question is about something else.
func eventFacts(ev models.Event, q string) string {
	var out []string
	if containsAnyWord(q, []string{"在哪", "地点", "地址", "哪里"}) {
		out = append(out, "地点："+ev.Place)
	}
	if containsAnyWord(q, []string{"几点", "时间", "什么时候", "哪天"}) {
		out = append(out, "时间："+signup.FormatWhen(ev))
	}
	if containsAnyWord(q, []string{"带什么", "带啥", "要带"}) {
		if ev.Bring != "" {
			out = append(out, "请带上："+ev.Bring)
		} else {
			out = append(out, "活动没有写需要特别带的东西，带上签到码就行；不确定的请致电 {{phone}}（{{hours}}）问工作人员。")
		}
	}
	if containsAnyWord(q, []string{"讲啥", "讲什么", "讲的啥", "内容", "适合", "是什么活动", "干什么", "干啥", "做什么", "这个课讲", "这课讲", "课是讲"}) {
		about := "讲的是：" + ev.Title
		if who := audienceText(ev); who != "" {
			about += "；适合：" + who
		}
		if d := strings.TrimSpace(ev.Description); d != "" {
			about += "。" + clip(d, 60)
		}
		out = append(out, about)
	}
	if containsAnyWord(q, []string{"一起去", "一起听", "能去", "能带", "也想去", "也去", "一起来"}) {
		out = append(out, fmt.Sprintf("每位参加人都要各自报名：家里人也想来，报完这一位后再回复“报名 %d”为他/她报名。", ev.ID))
	}
	if containsAnyWord(q, []string{"停车", "车位"}) {
		out = append(out, "停车的情况我这里没有，请致电 {{phone}}（{{hours}}）问工作人员。")
	}
	if len(out) == 0 {
		return ""
	}
	return "「" + ev.Title + "」" + strings.Join(out, "\n")
}

// aboutLastEvent answers "在哪里", "几点", "要带什么", "讲什么" from an event,
// not from the association's address: the event the message names, the one
// the conversation is about, or the resident's only booking.
func (e *Engine) aboutLastEvent(ctx context.Context, in Inbound) (Reply, bool) {
	cx := e.context(ctx)
	if e.Signups == nil || len([]rune(in.Text)) > 20 {
		return Reply{}, false
	}
	id, guessed, booked := cx.Event, false, false
	if v, ok := e.mentionedEvent(ctx, in.Text); ok {
		id, guessed = v.ID, v.ID != cx.Event
	} else if id == 0 && cx.ListKind == listEvents && len(cx.List) == 1 {
		id, guessed = cx.List[0], true // the one event just listed
	} else if id == 0 {
		if !containsAnyWord(in.Text, eventQuestionWords) {
			return Reply{}, false // only such a question is about a booking: no database read for the rest
		}
		id, guessed, booked = e.onlyBooking(ctx, in.OpenID), true, true
	}
	asks := containsAnyWord(in.Text, eventQuestionWords) || !booked && containsAnyWord(in.Text, eventAboutWords)
	if id == 0 || !asks || guessed && e.kbAnswers(in.Text) {
		return Reply{}, false
	}
	v, err := e.Signups.Event(ctx, id)
	if err != nil {
		return Reply{}, false
	}
	facts := eventFacts(v.Event, in.Text)
	if facts == "" {
		return Reply{}, false
	}
	convOf(ctx).update(ctx, func(c *convContext) { c.Event = id }) // "我要报名" next is for it
	return Reply{Text: e.fill(facts), Route: models.RouteCommand, Category: models.CatService}, true
}

// eventAboutWords ask what an event is about once it is being discussed.
var eventAboutWords = []string{"讲啥", "讲什么", "讲的啥", "内容", "是什么活动", "干什么", "干啥", "做什么"}

// onlyBooking is the event of the resident's one active booking, 0 when none or several.
func (e *Engine) onlyBooking(ctx context.Context, openID string) uint {
	active, _, ok := e.activeSignups(ctx, openID)
	if !ok || len(active) != 1 {
		return 0
	}
	return active[0].Event.ID
}

// kbAnswers reports a message the knowledge base answers outright with a
// health or policy entry (老人跌倒了哪里疼 names 防跌倒讲座 but asks about a fall).
func (e *Engine) kbAnswers(text string) bool {
	if e.KB == nil {
		return false
	}
	res := e.KB.Index().DecideWith(text, e.now(), knowledge.Hint{})
	return res.Decision == knowledge.Answer && len(res.Top) > 0 && res.Top[0].Entry.Category != models.CatService
}

const cancelFlow = "cancel_one"

func init() {
	RegisterCommand(Command{Names: []string{"帮我取消", "帮我取消吧", "我要取消", "我想取消", "取消我的报名", "不去了", "去不了了", "我不去了", "参加不了了"}, Fn: cancelOne})
	RegisterCommand(Command{Names: []string{"我排第几", "排第几", "我排第几位", "排到第几了", "候补第几", "我是第几个", "候补排第几"}, Fn: waitPosition})
	RegisterFlow(cancelFlow, cancelStep)
}

// activeSignups are the resident's sign-ups that still hold a place or a
// wait; ok=false with the reply to give when they cannot be read.
func (e *Engine) activeSignups(ctx context.Context, openID string) (active []signup.Entry, r Reply, ok bool) {
	if e.Signups == nil {
		return nil, Reply{Text: e.fill(msgSignupOff)}, false
	}
	list, err := e.Signups.Mine(ctx, openID)
	if err != nil {
		return nil, Reply{Text: msgSorry}, false
	}
	for _, en := range list {
		if en.Signup.Active != nil {
			active = append(active, en)
		}
	}
	return active, Reply{}, true
}

// msgCancelKept answers a cancellation not confirmed.
const msgCancelKept = "好的，报名保留。回复“我的报名”可以查看。"

// cancelOne ("帮我取消吧"): with one active sign-up, asks to confirm it; with
// several, lists them with their numbers. Half-way through a sign-up form it
// ends the form first (nothing of it is kept).
func cancelOne(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	left := ""
	if conv, err := e.Store.GetConversation(ctx, in.OpenID); err == nil && conv.Flow == signupFlow {
		e.EndFlow(ctx, in.OpenID)
		left = "好的，已退出刚才没填完的报名，填写的内容没有保存。\n"
	}
	active, r, ok := e.activeSignups(ctx, in.OpenID)
	if !ok {
		return r
	}
	switch {
	case len(active) == 0 && left != "":
		return Reply{Text: left + "您没有其他已经报上的活动，不用再取消了。", Category: models.CatService}
	case len(active) != 1:
		r := cancelSignup(ctx, e, in, "")
		r.Text = left + r.Text
		return r
	}
	r = e.askCancel(ctx, in, active[0])
	r.Text = left + r.Text
	return r
}

// askCancel asks to confirm cancelling one booking.
func (e *Engine) askCancel(ctx context.Context, in Inbound, en signup.Entry) Reply {
	id := strconv.FormatUint(uint64(en.Signup.ID), 10)
	if err := e.StartFlow(ctx, in.OpenID, State{Flow: cancelFlow, Step: "confirm", Data: map[string]string{"id": id}}); err != nil {
		return Reply{Text: msgSorry}
	}
	state := ""
	if en.Signup.Status == models.SignupWaitlisted {
		state = fmt.Sprintf("，目前候补第 %d 位", en.Position)
	}
	return Reply{Text: "您报名了「" + en.Event.Title + "」（" + signup.FormatWhen(en.Event) + "，参加人：" + attendeeText(en.Signup) + state +
		"，报名号 " + id + "）。\n确定要取消吗？回复“确定”取消；回复“不用了”，报名保留。", Category: models.CatService}
}

func cancelStep(ctx context.Context, e *Engine, in Inbound, st *State) (Reply, bool) {
	st.Flow = ""
	t := plainIntent(in.Text)
	switch {
	case isQuestion(t):
		return Reply{}, false // a question, not an answer: routed as usual, nothing cancelled
	case dontCancel(t) || isSkip(t) || strings.HasPrefix(t, "不") || strings.HasPrefix(t, "别"):
	case strings.Contains(t, "取消") || containsExact(t, []string{"确定", "确认", "是", "是的", "对", "好", "好的", "嗯", "可以", "行", "确定吧"}):
		id, _ := strconv.ParseUint(st.Get("id"), 10, 64)
		r := cancelSignup(ctx, e, in, st.Get("id"))
		if list, err := e.Signups.Mine(ctx, in.OpenID); err == nil {
			for _, en := range list {
				if uint64(en.Signup.ID) == id {
					convOf(ctx).update(ctx, func(c *convContext) { c.Event = en.Event.ID }) // "帮我重新报上" next
				}
			}
		}
		return r, true
	}
	return Reply{Text: msgCancelKept, Category: models.CatService}, true
}

// waitPosition ("我排第几") tells where each waiting sign-up stands.
func waitPosition(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	active, r, ok := e.activeSignups(ctx, in.OpenID)
	if !ok {
		return r
	}
	if len(active) == 0 {
		if u := e.unfinishedSignup(ctx, in.OpenID); u != "" {
			return Reply{Text: u, Category: models.CatService}
		}
		return Reply{Text: "您现在没有在排队（候补）的报名，也没有报上的活动。回复“我的报名”查看，回复“活动”看看有哪些活动。", Category: models.CatService}
	}
	var lines []string
	for _, en := range active {
		if en.Signup.Status == models.SignupWaitlisted {
			lines = append(lines, "「"+en.Event.Title+"」："+attendeeText(en.Signup)+"候补第 "+strconv.Itoa(en.Position)+" 位，有人取消会按顺序递补并马上通知您。")
		} else {
			lines = append(lines, "「"+en.Event.Title+"」："+attendeeText(en.Signup)+"已经报上了，不用排队（签到码 "+en.Signup.CheckinCode+"）。")
		}
	}
	return Reply{Text: strings.Join(lines, "\n"), Category: models.CatService}
}
