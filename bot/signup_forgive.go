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
var correctionWords = strings.NewReplacer("打错了", " ", "记错了", " ", "弄错了", " ", "不好意思", " ", "等下", " ", "等一下", " ", "写错了", " ", "输错了", " ", "说错了", " ", "填错了", " ", "搞错了", " ",
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
	took, notes, ok := e.takeFields(ctx, in, ev, st, answer)
	if !ok {
		return Reply{}, false
	}
	st.Step = nextStep(ev, st.Signup)
	text := ""
	if len(took) > 0 {
		text = "好的，「" + ev.Title + "」的报名已记下：" + strings.Join(took, "，") + "。"
	}
	if len(notes) > 0 {
		text = strings.TrimSpace(text + "\n" + strings.Join(notes, "\n"))
	}
	return resume(text)
}

// childMarks say the name or age after them is the child's; parentMarks the parent's.
var (
	childMarks  = strings.NewReplacer("孩子叫", " \x01 ", "孩子是", " \x01 ", "小名叫", " \x01 ", "小名是", " \x01 ", "小名", " \x01 ", "儿子叫", " \x01 ", "女儿叫", " \x01 ", "闺女叫", " \x01 ", "宝宝叫", " \x01 ", "孩子", " \x01 ", "儿子", " \x01 ", "女儿", " \x01 ", "闺女", " \x01 ", "宝宝", " \x01 ", "我叫", " \x02 ", "家长是", " \x02 ", "家长叫", " \x02 ", "家长", " \x02 ")
	consentLead = regexp.MustCompile(`^(我同意|同意)[ ，,。]*`)
)

// takeFields reads the fields of a free answer, whatever the step: a name
// next to an age (小雨 3岁) or after 孩子/小名 is the child's, an age is never
// a name, 电话一样 reuses the number given before, 同意 at the start of the
// consent answer counts, and a corrected age (她三岁了) replaces the old one.
// The child's details are taken only after the guardian's consent. ok=false
// leaves the answer to the step.
func (e *Engine) takeFields(ctx context.Context, in Inbound, ev models.Event, st *State, answer string) (took, notes []string, ok bool) {
	a := joinPhone(answer)
	if notNames[a] {
		return nil, nil, false // 同意, 确认 and the like are a step's own answers
	}
	same := samePhoneRE.MatchString(a)
	a = samePhoneRE.ReplaceAllString(a, " ")
	consented := false
	if st.Step == "consent" && ev.ForChild {
		if m := consentLead.FindString(a); m != "" && strings.TrimSpace(a[len(m):]) != "" {
			a, consented = a[len(m):], true
		}
	}
	corrected := strings.TrimSpace(correctionWords.Replace(a)) != strings.TrimSpace(a)
	fields := strings.Fields(correctionWords.Replace(childMarks.Replace(a)))
	ages := make([]bool, len(fields))
	hasAge, hasPhone := false, phoneInText.MatchString(a)
	for i, f := range fields {
		if _, ok := ageInText(f); ok {
			ages[i], hasAge = true, true
		}
	}
	switch {
	case same || consented || hasAge || hasPhone:
	case st.Step == "consent" || st.Step == "confirm":
		if !corrected || len(fields) == 0 {
			return nil, nil, false
		}
	case len(fields) < 2 && !corrected:
		return nil, nil, false
	}
	if _, ok := signup.ParsePhone(a); ok && st.Step == "phone" {
		return nil, nil, false // the step's own answer
	}
	if consented {
		st.Signup.Consent = true
		took = append(took, "同意说明")
	}
	if same && !hasPhone {
		if p := e.earlierPhone(ctx, in.OpenID, st); p != "" {
			st.Signup.Phone = p
			took = append(took, "手机 "+privacy.MaskPhone(p)+"（和之前的一样）")
		} else {
			notes = append(notes, "没有找到您之前留的手机号，请再发一次11位手机号。")
		}
	}
	childPending := false
	child := func(set func()) {
		if !st.Signup.Consent {
			childPending = true
			return
		}
		set()
	}
	mark := byte(0)
	for i, f := range fields {
		if f == "\x01" || f == "\x02" {
			mark = f[0]
			continue
		}
		m := mark
		mark = 0
		if p, ok := signup.ParsePhone(f); ok {
			st.Signup.Phone = p
			took = append(took, "手机 "+privacy.MaskPhone(p))
			continue
		}
		if ages[i] {
			months, _ := ageInText(f)
			if !ev.ForChild {
				continue
			}
			child(func() {
				if !signup.AgeFits(ev, months) {
					n := fmt.Sprintf(msgAgeRange, signup.AgeRange(ev), childLabel(st.Signup.Child), signup.FormatAge(months))
					if more := e.fitsFor(ctx, months, ev.ID); more != "" {
						n += "\n" + more
					}
					notes = append(notes, n)
					return
				}
				st.Signup.setAge(months)
				took = append(took, "年龄 "+signup.FormatAge(months))
			})
			continue
		}
		n, ok := signup.ParseName(f, 20)
		if !ok || notNames[n] || len([]rune(n)) > 6 || strings.ContainsAny(n, sentenceChars) || containsAnyWord(n, kinWords) {
			continue
		}
		nextAge := i+1 < len(ages) && ages[i+1]
		switch {
		case ev.ForChild && m != '\x02' && (m == '\x01' || st.Step == "child" || nextAge):
			child(func() {
				st.Signup.setChild(n)
				took = append(took, "孩子 "+n)
			})
		case m == '\x02' || st.Step == "name" || strings.Contains(answer, "名字") || strings.Contains(answer, "姓名") ||
			corrected && (st.Step == "phone" || !ev.ForChild): // 打错了 是陈建国, asked for the phone next
			st.Signup.Name = n
			took = append(took, "姓名 "+n)
		}
	}
	if childPending {
		notes = append(notes, msgChildLater)
	}
	if len(took) == 0 && len(notes) == 0 {
		return nil, nil, false
	}
	return took, notes, true
}

// nameSentence takes a name given in a sentence ("我叫张伟 电话…", "我老婆去
// 名字写李娜"), with a phone number said with it.
func (e *Engine) nameSentence(ev models.Event, st *State, answer string, resume func(string) (Reply, bool)) (Reply, bool) {
	n, ok := nameInSentence(answer)
	if _, age := ageInText(answer); age || !ok || (st.Step != "name" && st.Step != "phone" && !strings.Contains(answer, "名字") && !strings.Contains(answer, "姓名")) {
		return Reply{}, false
	}
	st.Signup.Name = n
	took := []string{"姓名 " + n}
	if p := phoneInText.FindString(answer); p != "" {
		st.Signup.Phone = p
		took = append(took, "手机 "+privacy.MaskPhone(p))
	}
	st.Step = nextStep(ev, st.Signup)
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
	if err := e.StartFlow(ctx, in.OpenID, State{Flow: cancelFlow, Step: "confirm", Cancel: &cancelChoice{SignupID: en.Signup.ID}}); err != nil {
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
	if isQuestion(t) {
		return Reply{}, false // a question, not an answer: routed as usual, nothing cancelled
	}
	if r, other := e.cancelOther(ctx, in, st, t); other {
		return r, true
	}
	switch {
	case dontCancel(t) || isSkip(t) || strings.HasPrefix(t, "不") || strings.HasPrefix(t, "别"):
	case strings.Contains(t, "取消") || containsExact(t, []string{"确定", "确认", "是", "是的", "对", "好", "好的", "嗯", "可以", "行", "确定吧"}):
		id := st.Cancel.SignupID
		r := cancelSignup(ctx, e, in, strconv.FormatUint(id, 10))
		if list, err := e.Signups.Mine(ctx, in.OpenID); err == nil {
			for _, en := range list {
				if en.Signup.ID == id {
					convOf(ctx).update(ctx, func(c *convContext) { c.Event = en.Event.ID }) // "帮我重新报上" next
				}
			}
		}
		return r, true
	}
	return Reply{Text: msgCancelKept, Category: models.CatService}, true
}

// cancelOther handles an answer to "确定要取消吗？" that names an event: only
// the booking asked about may be cancelled by it. 取消19号那个, when the
// question was about the 12th, cancels nothing of the 12th: the 19th's
// booking is asked about instead, or the resident is told there is none.
func (e *Engine) cancelOther(ctx context.Context, in Inbound, st *State, t string) (Reply, bool) {
	ref := e.eventsNamed(ctx, t)
	if len(ref.evs) == 0 {
		if eventDayRE.MatchString(t) || eventWeekdayRE.MatchString(t) { // a date no event is on
			return Reply{Text: "那天没有您报名的活动，刚才说的报名保留，没有取消。回复“我的报名”可以查看。", Category: models.CatService}, true
		}
		return Reply{}, false
	}
	var id uint64
	if st.Cancel != nil {
		id = st.Cancel.SignupID
	}
	active, r, ok := e.activeSignups(ctx, in.OpenID)
	if !ok {
		return r, true
	}
	for _, en := range active {
		if uint64(en.Signup.ID) == id {
			for _, v := range ref.evs {
				if v.ID == en.Event.ID {
					return Reply{}, false // names the booking asked about
				}
			}
		}
	}
	var same []signup.Entry
	for _, en := range active {
		if len(ref.evs) == 1 && en.Event.ID == ref.evs[0].ID {
			same = append(same, en)
		}
	}
	if len(same) == 1 { // that booking's cancellation is asked about now
		r := e.askCancel(ctx, in, same[0])
		st.Flow, st.Step = cancelFlow, "confirm"
		st.Cancel = &cancelChoice{SignupID: uint64(same[0].Signup.ID)}
		return r, true
	}
	if len(same) > 1 {
		return e.cancelFor(ctx, in, ref.evs[0].ID), true
	}
	kept := "刚才说的报名保留，没有取消。"
	if len(ref.evs) == 1 {
		r := e.notBooked(ctx, in, ref.evs[0])
		r.Text = kept + r.Text
		return r, true
	}
	return Reply{Text: kept + "回复“我的报名”看看要取消哪一个。", Category: models.CatService}, true
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
