package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
	"familybot/signup"
)

// Two layers read what a resident means from the whole sentence: intent runs
// before an ongoing flow (a sign-up, a cancellation or a queue question is
// never swallowed as a field of a form), residentIntent after it (answers to
// a question nobody asked, questions about the events, suggestions).

const (
	msgNothingPending = "现在没有等您回答的问题哦。\n· 想报名活动：回复“活动”看看有哪些，再回复“报名 编号”，例如“报名 1”\n· 想查看或取消报名：回复“我的报名”\n有别的问题直接问我就行。"
	msgAlreadyDone    = "已经办好了，不用再确认 😊 回复“我的报名”或“我的心愿”可以查看。"
	msgPhoneNothing   = "收到一个手机号，但现在没有在填的报名，号码没有保存。\n想报名活动请回复“报名 编号”，例如“报名 1”（回复“活动”看编号），我会一步一步问您。"
	msgNameNothing    = "是要报名吗？现在没有在填的报名，没有保存这个名字。\n想报名活动请回复“报名 编号”，例如“报名 1”（回复“活动”看编号）。\n想问问题的话，请多说几个字，比如“宝宝周岁要注意什么”。"
	msgWaitNotify     = "会的。有人取消时按候补顺序递补，递补上了会马上发消息通知您，不用一直盯着。回复“我排第几”可以随时看排位。"
	msgChangeAttendee = "报名后要换参加人，请回复“人工”或致电 {{phone}}（{{hours}}）让工作人员帮您修改。\n也可以回复“帮我取消吧”取消后再重新报名，不过名额已满的活动重新报名要排到候补最后。"
	msgResignup       = "可以重新报名：回复“报名 %d”。注意：取消后名额会先让给候补的家庭，现在重新报名%s。"
	msgSoftBye        = "好的，有需要随时找我 🌻"
)

// intent handles what must not be swallowed by an ongoing flow; ok=false
// passes the message on.
func (e *Engine) intent(ctx context.Context, in Inbound) (Reply, bool) {
	r, ok := e.meant(ctx, in)
	if ok && r.Route == "" {
		r.Route = models.RouteCommand
		r.private, r.logWord = true, "" // may list names and phone numbers
	}
	return r, ok
}

// meant is intent's reading of the message.
func (e *Engine) meant(ctx context.Context, in Inbound) (Reply, bool) {
	text := normalizeCommand(in.Text)
	if cmd, ok := signupInText(text); ok {
		return e.command(ctx, in, cmd, false)
	}
	if containsAnyWord(text, []string{"排第几", "第几位", "排到第几", "排到哪", "排在第几", "候补到第几"}) {
		return e.command(ctx, in, "我排第几", false)
	}
	if containsAnyWord(text, []string{"报过了", "报了吗", "报上了吗", "报名了吗", "报过没", "报上没", "报没报上", "我报上了吧"}) {
		return e.command(ctx, in, "我的报名", false)
	}
	if e.Signups == nil || utf8.RuneCountInString(text) > 30 {
		return Reply{}, false
	}
	if strings.Contains(text, "取消") && !dontCancel(text) && !isQuestion(text) && !strings.Contains(text, "重新报") {
		if e.flowOf(ctx, in.OpenID) == cancelFlow {
			return Reply{}, false // the cancellation asked about is being confirmed
		}
		// Only an event the resident booked: 把降压药取消了 names no booking.
		if ref := e.eventsNamed(ctx, text); len(ref.evs) == 1 {
			v := ref.evs[0]
			if e.holds(ctx, in.OpenID, v.ID) {
				return e.cancelFor(ctx, in, v.ID), true
			}
			if ref.score > 0 || isEventRef(text, v) {
				return e.notBooked(ctx, in, v), true
			}
		}
		return Reply{}, false
	}
	cx := e.context(ctx)
	if cx.Event != 0 && containsExact(plainIntent(text), []string{"报", "报吧", "报一个", "报上", "要报", "我要报", "报报", "帮我报", "给我报上"}) {
		// 报, right after an event's places were shown.
		return e.command(ctx, in, "报名 "+strconv.FormatUint(uint64(cx.Event), 10), false)
	}
	signWord := containsAnyWord(text, []string{"报名", "报个名", "要报", "想报", "帮我报", "给我报", "报上", "能报", "还能报", "名额", "满了", "位置", "空位", "还有位", "再报"})
	ref := e.eventsNamed(ctx, text)
	// 12月19号那个抚触辅食课我儿子也想去: a weak word needs a clear event.
	weak := containsAnyWord(text, []string{"想去", "也去", "要去", "想参加", "要参加", "也参加", "想上"}) && ref.strong()
	if !signWord && !weak {
		return Reply{}, false
	}
	v, ok := ref.one()
	if !ok {
		// "我要报名", "算了 报名吧" right after an event was discussed is for it.
		if id := cx.Event; id != 0 && !isQuestion(text) && utf8.RuneCountInString(text) <= 8 &&
			containsAnyWord(text, []string{"报名", "要报", "想报", "帮我报", "给我报"}) {
			return e.command(ctx, in, "报名 "+strconv.FormatUint(uint64(id), 10), false)
		}
		return Reply{}, false
	}
	if isQuestion(text) || containsAnyWord(text, []string{"名额", "满了", "位置", "空位"}) {
		return e.eventStatus(ctx, v), true
	}
	// The details said with it (王磊 138…) are taken; the child's wait for consent.
	return e.startSignup(ctx, in, strings.Join(append([]string{strconv.FormatUint(uint64(v.ID), 10)}, signupDetails(text)...), " "),
		strings.Contains(text, "再报") || strings.Contains(text, "也想")), true
}

// isEventRef reports a message that is only an event's name: 19号那个, 亲子阅读那个.
func isEventRef(text string, v signup.EventView) bool {
	t := eventDayRE.ReplaceAllString(plainIntent(text), "")
	t = eventWeekdayRE.ReplaceAllString(t, "")
	for _, w := range titleWords(v.Title) {
		t = strings.ReplaceAll(t, w, "")
	}
	t = strings.NewReplacer("取消", "", "那个", "", "这个", "", "的", "", "活动", "", "课", "", "是", "", "一", "", "月", "").Replace(t)
	return utf8.RuneCountInString(strings.TrimSpace(t)) <= 1
}

// notBooked answers a cancellation of an event the resident holds no booking for.
func (e *Engine) notBooked(ctx context.Context, in Inbound, v signup.EventView) Reply {
	text := fmt.Sprintf("您没有报名「%s」（%s），不用取消。", v.Title, signup.FormatWhen(v.Event))
	if active, _, ok := e.activeSignups(ctx, in.OpenID); ok && len(active) > 0 {
		text += "\n您现在的报名都保留着：\n" + entriesText(active, false)
	}
	return Reply{Text: text, Category: models.CatService}
}

// eventNamedOnly answers a message that only names an event (19号那个): after
// a list of bookings to cancel, that booking's cancellation; otherwise the
// event, with how to sign up.
func (e *Engine) eventNamedOnly(ctx context.Context, in Inbound, text string) (Reply, bool) {
	if utf8.RuneCountInString(text) > 12 {
		return Reply{}, false
	}
	v, ok := e.eventsNamed(ctx, text).one()
	if !ok || !isEventRef(text, v) {
		return Reply{}, false
	}
	if e.context(ctx).ListKind == listCancel && e.holds(ctx, in.OpenID, v.ID) {
		r := e.cancelFor(ctx, in, v.ID)
		r.Route = models.RouteCommand
		return r, true
	}
	return e.eventStatus(ctx, v), true
}

// holds reports whether the resident has an active booking for the event.
func (e *Engine) holds(ctx context.Context, openID string, eventID uint) bool {
	active, _, ok := e.activeSignups(ctx, openID)
	for _, en := range active {
		if ok && en.Event.ID == eventID {
			return true
		}
	}
	return false
}

// dontCancel reports a message that says not to cancel: 别取消, 不取消了.
func dontCancel(text string) bool {
	return containsAnyWord(text, []string{"别取消", "不取消", "不要取消", "不用取消", "先不取消", "还是别"})
}

// flowOf is the name of the resident's ongoing flow, "" when none.
func (e *Engine) flowOf(ctx context.Context, openID string) string {
	conv, err := e.Store.GetConversation(ctx, openID)
	if err != nil {
		return ""
	}
	return conv.Flow
}

// eventStatus answers "还有名额吗", "还能报吗" for one event: places, who it
// is for, and how to sign up.
func (e *Engine) eventStatus(ctx context.Context, v signup.EventView) Reply {
	convOf(ctx).update(ctx, func(c *convContext) { c.Event = v.ID })
	var b strings.Builder
	fmt.Fprintf(&b, "「%s」%s｜%s\n", v.Title, signup.FormatWhen(v.Event), v.Place)
	if who := audienceText(v.Event); who != "" {
		b.WriteString("适合：" + who + "\n")
	}
	switch {
	case v.Closed():
		b.WriteString("名额和候补都已满了，回复“活动”看看其他活动。")
		return Reply{Text: b.String(), Route: models.RouteCommand, Category: models.CatService}
	case v.Full():
		fmt.Fprintf(&b, "名额：%s，现在报名是排候补，有人取消会按顺序递补。\n", placesText(v))
	default:
		fmt.Fprintf(&b, "名额：%s。\n", placesText(v))
	}
	fmt.Fprintf(&b, "要报名请回复“报名 %d”。", v.ID)
	return Reply{Text: b.String(), Route: models.RouteCommand, Category: models.CatService}
}

// audienceText says who an event is for: its audience, or the children's age range.
func audienceText(ev models.Event) string {
	parts := []string{}
	if a := strings.TrimSpace(ev.Audience); a != "" {
		parts = append(parts, a)
	}
	if r := signup.AgeRange(ev); r != "" && !strings.Contains(ev.Audience, r) {
		parts = append(parts, "孩子"+r)
	}
	if len(parts) == 0 && teenTopic(ev) {
		parts = append(parts, "青春期（约10–18岁）孩子的家长")
	}
	return strings.Join(parts, "，")
}

// cancelFor asks to confirm cancelling the resident's booking of one event.
func (e *Engine) cancelFor(ctx context.Context, in Inbound, eventID uint) Reply {
	active, r, ok := e.activeSignups(ctx, in.OpenID)
	if !ok {
		return r
	}
	var same []signup.Entry
	for _, en := range active {
		if en.Event.ID == eventID {
			same = append(same, en)
		}
	}
	switch len(same) {
	case 0:
		return Reply{Text: msgCancelNone, Category: models.CatService}
	case 1:
		return e.askCancel(ctx, in, same[0])
	}
	return Reply{Text: fmt.Sprintf(msgCancelEventNo, same[0].Event.Title, entriesText(same, false)), Category: models.CatService}
}

// residentIntent handles what is left after the flows: answers to a
// question nobody asked, questions about the events and the waitlist,
// changes to a booking, and suggestions. ok=false passes the message on.
func (e *Engine) residentIntent(ctx context.Context, in Inbound) (Reply, bool) {
	text := normalizeCommand(in.Text)
	plain := plainIntent(text)
	cx := e.context(ctx)
	chat := func(s string) (Reply, bool) { return Reply{Text: e.fill(s), Route: models.RouteChat}, true }
	switch plain {
	case "同意", "我同意", "确认", "确定", "提交", "确认提交":
		// Nothing is waiting for it: say so, never "已经办好了".
		return e.nothingToConfirm(ctx, in), true
	case "不同意", "是的", "是", "跳过", "修改", "可以":
		if cx.Wish != 0 && cx.Event == 0 {
			return chat(msgAlreadyDone)
		}
		return chat(msgNothingPending)
	case "没事了", "没事", "下次吧", "算了下次吧", "下次再说", "不用了", "那算了":
		return chat(msgSoftBye)
	}
	if p, ok := signup.ParsePhone(joinPhone(plain)); ok && p != "" {
		return chat(msgPhoneNothing)
	}
	if _, named := nameInSentence(plain); e.Signups != nil && (named || phoneInText.MatchString(joinPhone(plain))) {
		// 那就报12号亲子阅读吧 我叫张伟 手机…: an event named clearly, with the
		// details for its form, is a sign-up like "报名 12号的亲子阅读 张伟 …".
		if ref := e.eventsNamed(ctx, text); ref.strong() {
			v, _ := ref.one()
			r := e.startSignup(ctx, in, strings.Join(append([]string{strconv.FormatUint(uint64(v.ID), 10)}, signupDetails(text)...), " "), false)
			if r.Route == "" {
				r.Route = models.RouteCommand
			}
			return r, true
		}
	}
	if r, ok := e.detailsNothing(ctx, text); ok {
		return r, true
	}
	if e.Signups != nil {
		if r, ok := e.eventsWanted(ctx, text); ok {
			return r, true
		}
		if r, ok := e.eventNamedOnly(ctx, in, text); ok {
			return r, true
		}
		if r, ok := e.bookingQuestion(ctx, in, text); ok {
			return r, true
		}
	}
	if _, named := nameInSentence(plain); named || e.bareName(ctx, plain) {
		return chat(msgNameNothing)
	}
	if e.Wishes != nil {
		if r, ok := e.wishIntent(ctx, in, text); ok {
			return r, true
		}
	}
	return Reply{}, false
}

// bareName reports a message that is only a person's name: a common family
// name and one to three more characters, that the knowledge base knows
// nothing of (孙子 and 钙片 it knows something of); right after events were
// shown, anything it does not answer outright.
func (e *Engine) bareName(ctx context.Context, s string) bool {
	if !hanName(s) || !strings.ContainsRune(surnames, []rune(s)[0]) || e.KB == nil {
		return false
	}
	cx := e.context(ctx)
	res := e.KB.Index().DecideWith(s, e.now(), knowledge.Hint{Subject: cx.Subject})
	if cx.Event != 0 || cx.ListKind == listEvents {
		return res.Decision != knowledge.Answer
	}
	return res.Decision == knowledge.NoMatch && len(res.Top) == 0
}

// surnames are the commonest family names: a bare two- or three-character
// message starting with one, that the knowledge base does not answer, is a name.
const surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范廖贾夏韦付方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴莫孔向汤"

// bookingQuestion answers questions about the events and the resident's
// bookings asked outside a form.
func (e *Engine) bookingQuestion(ctx context.Context, in Inbound, text string) (Reply, bool) {
	cmd := func(s string) (Reply, bool) {
		return Reply{Text: e.fill(s), Route: models.RouteCommand, Category: models.CatService}, true
	}
	cx := e.context(ctx)
	if strings.Contains(text, "通知") && containsAnyWord(text, []string{"取消", "递补", "候补", "空出", "有位置", "排上"}) {
		return cmd(msgWaitNotify)
	}
	if strings.Contains(text, "重新报") || strings.Contains(text, "再报上") || strings.Contains(text, "别取消") {
		id := cx.Event
		if v, ok := e.mentionedEvent(ctx, text); ok {
			id = v.ID
		}
		if list, err := e.Signups.Mine(ctx, in.OpenID); id == 0 && err == nil {
			var last uint64
			for _, en := range list { // the booking made or cancelled last
				if uint64(en.Signup.ID) > last {
					last, id = uint64(en.Signup.ID), en.Event.ID
				}
			}
		}
		if id == 0 {
			return Reply{}, false
		}
		v, err := e.Signups.Event(ctx, id)
		if err != nil {
			return Reply{}, false
		}
		when := "会按名额情况报上"
		if v.Full() {
			when = "要排到候补最后"
		}
		prefix := ""
		if strings.Contains(text, "别取消") || strings.Contains(text, "还是") {
			prefix = "刚才的报名已经取消了。"
		}
		return cmd(prefix + fmt.Sprintf(msgResignup, v.ID, when))
	}
	if containsAnyWord(text, []string{"换成", "换人", "换个人", "换我老婆", "换我老公", "换我爱人"}) {
		return cmd(msgChangeAttendee)
	}
	if containsAnyWord(text, []string{"改成", "改名字", "名字写", "她叫", "他叫"}) {
		if active, _, ok := e.activeSignups(ctx, in.OpenID); ok && len(active) > 0 {
			return cmd(msgChangeAttendee)
		}
	}
	if r, ok := e.whichEvent(ctx, text); ok {
		return r, true
	}
	if !isQuestion(text) {
		return Reply{}, false
	}
	adults := adultsRE.MatchString(text)
	months, hasAge := ageInText(text)
	goes := goesRE.MatchString(text)
	if !adults && !(goes && (hasAge || strings.Contains(text, "孩子"))) {
		return Reply{}, false
	}
	evs, err := e.eventsAbout(ctx, text)
	if err != nil || len(evs) == 0 {
		return Reply{}, false
	}
	if len(evs) == 1 {
		convOf(ctx).update(ctx, func(c *convContext) { c.Event = evs[0].ID }) // "能带孩子去吗" next is about it
	}
	var lines []string
	for _, v := range evs {
		lines = append(lines, fitLine(v, text, months, hasAge, adults))
	}
	if adults && evs[0].ForChild {
		lines = append(lines, "另一位大人也想来的话，请先致电 {{phone}} 问问场地是否方便。")
	}
	return cmd(strings.Join(lines, "\n"))
}

// whichEvent answers "几点结束", "能停车吗" asked with no event in the
// conversation and nothing in the knowledge base: each open event's time and place.
func (e *Engine) whichEvent(ctx context.Context, text string) (Reply, bool) {
	if e.context(ctx).Event != 0 || utf8.RuneCountInString(text) > 10 || !containsAnyWord(text, eventQuestionWords) ||
		!containsAnyWord(text, []string{"结束", "开始", "几点", "停车", "车位", "在哪", "地点", "带什么", "带啥"}) || e.KB == nil ||
		e.KB.Index().DecideWith(text, e.now(), knowledge.Hint{}).Decision != knowledge.NoMatch {
		return Reply{}, false
	}
	evs, err := e.Signups.Upcoming(ctx, 4)
	if err != nil || len(evs) == 0 {
		return Reply{}, false
	}
	var b strings.Builder
	b.WriteString("您问的是哪个活动呢？近期的活动：\n")
	for _, v := range evs {
		fmt.Fprintf(&b, "【%d】%s：%s｜%s\n", v.ID, v.Title, signup.FormatWhen(v.Event), v.Place)
	}
	b.WriteString("回复“活动 编号”看详情；停车等场地问题请致电 {{phone}}（{{hours}}）。")
	return Reply{Text: e.fill(b.String()), Route: models.RouteCommand, Category: models.CatService}, true
}

// goesRE and adultsRE ask whether someone may come, with nothing after the
// verb (孩子两岁了能去吗, not 孩子两岁了能去游泳吗), or how many adults may come.
var (
	goesRE   = regexp.MustCompile(`(能去|能参加|可以去|可以参加|能报|能报名|适合|合适|能不能去|能不能参加|带孩子去|能带孩子)(吗|不|么|嘛|呢|[?？]|$| )`)
	adultsRE = regexp.MustCompile(`(大人|家长)(要|能|可以|得)?(去)?(几个|几位)|(都去|一起去|一起听|一起来)(行|吗|可以|不|么|[?？]|$| )|能一起去听|(能|可以)陪(我|他|她)(去|来)`)
)

// fitLine says whether an event suits the child (or the adults) a question speaks of.
func fitLine(v signup.EventView, text string, months int, hasAge, adults bool) string {
	line := "「" + v.Title + "」"
	who := audienceText(v.Event)
	if who != "" {
		line += "适合" + who
	}
	switch {
	case hasAge && v.ForChild && signup.AgeFits(v.Event, months):
		line += "，" + signup.FormatAge(months) + "可以参加"
	case hasAge && v.ForChild:
		line += "，" + signup.FormatAge(months) + "不在范围内"
	case hasAge && teenTopic(v.Event) && months < 10*12:
		line += "。您家孩子" + signup.FormatAge(months) + "，这次讲的内容可能还用不上"
	case !v.ForChild && strings.Contains(text, "孩子") && (!adults || strings.Contains(text, "带孩子")):
		line += "，是给大人听的，不用带孩子"
	}
	switch {
	case adults && v.ForChild && !strings.Contains(v.Audience, "家长"):
		line += "，一个孩子由一位家长陪同"
	case adults && !v.ForChild:
		line += "，每位大人各自报名"
	}
	return line + "。报名回复“报名 " + strconv.FormatUint(uint64(v.ID), 10) + "”。"
}

// teenTopic reports an event about teenagers (家长课堂：和青春期孩子好好说话).
func teenTopic(ev models.Event) bool {
	return containsAnyWord(ev.Title+ev.Audience+ev.Description, []string{"青春期", "青少年", "初中", "高中"})
}

// eventsAbout are the events a question is about: the one it names, the one
// the conversation is about, or else the open events (children's events
// first when it speaks of a child).
func (e *Engine) eventsAbout(ctx context.Context, text string) ([]signup.EventView, error) {
	if v, ok := e.mentionedEvent(ctx, text); ok {
		return []signup.EventView{v}, nil
	}
	if id := e.context(ctx).Event; id != 0 {
		v, err := e.Signups.Event(ctx, id)
		return []signup.EventView{v}, err
	}
	evs, err := e.Signups.Upcoming(ctx, 6)
	if err != nil {
		return nil, err
	}
	var kids []signup.EventView
	for _, v := range evs {
		if v.ForChild {
			kids = append(kids, v)
		}
	}
	if len(kids) > 0 && containsAnyWord(text, []string{"孩子", "宝宝", "岁", "个月", "大人", "家长"}) {
		return kids, nil
	}
	return evs, nil
}
