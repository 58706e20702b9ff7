package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/models"
	"familybot/signup"
)

// Event sign-ups in the chat: 活动 (list), 活动 N (details), 报名 N (a short flow
// that asks only what the event needs, one question at a time), the one-line form
// 报名 N 姓名 手机号 [孩子称呼] [年龄] [同意], 我的报名, 取消报名 N, and check-in by
// scanning the event's QR code (scene checkin_<event id>).
//
// 取消报名 takes the 报名号 (the sign-up's number) shown in every confirmation and
// in 我的报名, not the event number: one resident may hold several sign-ups for
// one event (twins, both grandparents), and the 报名号 says which one.
//
// Children's details are asked only after the guardian has read the notice and
// answered 同意. The one-line form signs a child up directly only when it carries
// the word 同意 (the notice is shown with the event details, where the one-line
// example is); without it, the parent's name and phone are kept, the child's
// details are dropped unread, and the flow continues at the consent question.

const signupFlow = "signup"

const (
	msgSignupOff      = "活动报名暂时无法使用，请稍后再试，或致电 {{phone}}（{{hours}}）报名。"
	msgEventsNone     = "最近暂时没有可以报名的活动，新活动发布后回复“活动”就能看到。\n有问题请回复“人工”或致电 {{phone}}。"
	msgEventsFoot     = "回复“活动 编号”看详情，回复“报名 编号”报名，例如“报名 %d”。"
	msgEventNotFound  = "没有找到编号为 %s 的活动。回复“活动”查看可以报名的活动。"
	msgSignupUsage    = "请回复“报名 活动编号”，例如“报名 3”。回复“活动”查看活动和编号。"
	msgSignupLimit    = "您这一小时里报名操作有点多，请稍后再试；需要帮忙请回复“人工”或致电 {{phone}}。"
	msgSignupClosed   = "抱歉，「%s」的名额和候补都已满了。回复“活动”看看其他活动。"
	msgSignupNotOpen  = "「%s」目前不能报名（%s）。回复“活动”看看其他活动。"
	msgAskName        = "好的，开始报名「%s」（%s）。回复“退出”可随时结束。\n请问参加人的姓名？替家人报名请填家人的姓名。"
	msgAskGuardian    = "好的，开始报名「%s」（%s）。回复“退出”可随时结束。\n请问陪孩子参加的家长姓名？"
	msgAskPhone       = "请留一个手机号（11位），用于活动通知和现场核对。"
	msgAskChild       = "请问孩子怎么称呼？填小名就可以，例如“豆豆”（不用填真实姓名）。"
	msgAskAge         = "%s多大了？请这样回复：“18个月”“1岁半”“2岁”。本活动适合%s。"
	msgBadName        = "请只填写姓名（汉字或字母，不含数字和符号），例如“张三”。"
	msgBadChild       = "请填写孩子的称呼或小名（12个字以内，不含数字和符号），例如“豆豆”。"
	msgBadPhone       = "这个手机号好像不对，请输入11位手机号，例如 13800138000。"
	msgAgeUnit        = "请带上单位，例如“18个月”或“2岁”。"
	msgAgeBad         = "没看懂孩子的年龄，请这样回复：“18个月”“1岁半”“2岁”。"
	msgAgeRange       = "这个活动适合%s的孩子，%s现在%s，不在范围内。请核对后重新输入年龄，或回复“退出”结束、回复“活动”看看其他活动。"
	msgConsentRefused = "好的，已结束报名，没有保存任何信息。想了解更多请回复“人工”或致电 {{phone}}。"
	msgConsentAgain   = "请回复“同意”或“不同意”。"
	msgConfirmAgain   = "请回复“确认”提交，回复“修改”重新填写，或回复“退出”放弃。"
	msgStepQuestion   = "（正在报名中。想先问别的问题，请回复“退出”结束报名后再问。）\n"
	msgOneLineFixed   = "一句话报名里有内容没看懂，我们一步一步来。\n"
	msgOneLineConsent = "为孩子报名，要先请您看一下这段说明（也可以在一句话报名的末尾加上“同意”）。\n"

	// msgConsent is the guardian notice (PIPL art. 31, 儿童个人信息网络保护规定 art. 9–10).
	msgConsent = "【孩子信息说明】为孩子报名需要填写孩子的称呼（小名即可）和年龄，只用于核对活动适龄、安排场地和签到。\n" +
		"· 谁能看到：只有{{name}}组织本次活动的工作人员\n" +
		"· 保存多久：活动结束30天后自动删除\n" +
		"· 不会收集：身份证号、出生日期、照片\n" +
		"· 查询、更正或删除：回复“人工”或致电 {{phone}}\n" +
		"不同意也没关系，只是无法为孩子报名这个活动。"
	msgConsentAsk = "您是孩子的父母或其他监护人，并同意以上说明吗？请回复“同意”或“不同意”。"

	msgConfirmed = "✅ 报名成功！\n活动：%s\n时间：%s\n地点：%s\n参加人：%s\n签到码：%s（到场出示，或扫现场二维码签到）\n%s" +
		"活动前一天会提醒您。不能参加请在%s前回复“取消报名 %d”，把名额让给其他家庭。"
	msgWaitlisted = "⏳ 名额已满，已为%s登记候补，目前排第 %d 位（活动：%s，%s）。\n" +
		"有人取消时按顺序递补，递补上了会马上发消息通知您。不想等了请回复“取消报名 %d”。"
	msgDuplicate     = "%s已经报名了「%s」，无需重复报名（报名号 %d，%s）。回复“我的报名”查看。"
	msgCancelled     = "已取消%s在「%s」（%s）的报名。欢迎下次参加！"
	msgCancelUsage   = "请回复“取消报名 报名号”。您的报名：\n%s"
	msgCancelNone    = "您目前没有可以取消的报名。回复“我的报名”查看。"
	msgCancelUnknown = "没有找到报名号 %d 的报名，请回复“我的报名”查看报名号。"
	msgCancelEventNo = "取消要用报名号（不是活动编号）。您在「%s」的报名：\n%s"
	msgCancelTooLate = "已过取消截止时间（%s），不能在这里取消了。如不能参加，请回复“人工”或致电 {{phone}} 告诉工作人员。"
	msgCancelStarted = "活动已经开始，不能取消了。"
	msgCancelTwice   = "这条报名已经取消了。回复“我的报名”查看。"
	msgMineNone      = "您还没有报名近期的活动。回复“活动”看看有哪些活动。"
	msgCheckinBad    = "这个签到二维码无效，请找现场工作人员签到。"
	msgCheckinDone   = "✅ 签到成功！欢迎参加「%s」。\n已签到：%s"
	msgCheckinAgain  = "您已经签到过了（%s），欢迎参加「%s」！"
	msgCheckinNotNow = "「%s」的签到时间是活动开始前3小时到结束后2小时。活动时间：%s。"
	msgCheckinWait   = "您在「%s」目前还在候补，没有确认名额，请找现场工作人员。"
	msgCheckinNone   = "没有找到您在「%s」的报名。如果是家人用别的微信报的名，请向工作人员出示签到码。"
	msgCheckinGone   = "「%s」已经取消了，给您带来不便，敬请谅解。"
)

func init() {
	RegisterCommand(Command{Names: []string{"活动", "活动报名", "近期活动"}, Args: true, MenuKeys: []string{"EVENTS"}, Fn: eventsCommand})
	RegisterCommand(Command{Names: []string{"报名"}, Args: true, Fn: signupCommand})
	RegisterCommand(Command{Names: []string{"我的报名", "我的活动"}, Fn: mySignups})
	RegisterCommand(Command{Names: []string{"取消报名"}, Args: true, Fn: cancelSignup})
	RegisterFlow(signupFlow, signupStep)
	RegisterScene("checkin_", checkinScene)
}

// eventsCommand lists the open events, or shows one ("活动 3").
func eventsCommand(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	if e.Signups == nil {
		return Reply{Text: e.fill(msgSignupOff), Category: models.CatService}
	}
	if args != "" {
		v, ok, r := e.eventArg(ctx, args)
		if !ok {
			return r
		}
		return Reply{Text: e.fill(eventDetail(v)), Category: models.CatService}
	}
	evs, err := e.Signups.Upcoming(ctx, 6)
	if err != nil {
		return Reply{Text: msgSorry}
	}
	if len(evs) == 0 {
		return Reply{Text: e.fill(msgEventsNone), Category: models.CatService}
	}
	var b strings.Builder
	b.WriteString("近期活动：\n")
	for _, v := range evs {
		fmt.Fprintf(&b, "【%d】%s\n%s｜%s\n%s\n", v.ID, v.Title, signup.FormatWhen(v.Event), v.Place, placesText(v))
	}
	fmt.Fprintf(&b, msgEventsFoot, evs[0].ID)
	return Reply{Text: b.String(), Category: models.CatService}
}

// eventArg reads "3" into the event, or answers why not.
func (e *Engine) eventArg(ctx context.Context, arg string) (signup.EventView, bool, Reply) {
	id, err := strconv.ParseUint(arg, 10, 32)
	if err == nil {
		v, err := e.Signups.Event(ctx, uint(id))
		if err == nil && v.Status != models.EventDraft {
			return v, true, Reply{}
		}
		if err != nil && !errors.Is(err, signup.ErrNotFound) {
			return v, false, Reply{Text: msgSorry}
		}
	}
	return signup.EventView{}, false, Reply{Text: fmt.Sprintf(msgEventNotFound, clip(arg, 12)), Category: models.CatService}
}

func placesText(v signup.EventView) string {
	switch {
	case !v.Full():
		return fmt.Sprintf("剩余 %d 个名额", v.PlacesLeft())
	case v.WaitlistLeft() > 0:
		return fmt.Sprintf("已满，可候补（还有 %d 个候补位）", v.WaitlistLeft())
	}
	return "名额和候补都已满"
}

func eventDetail(v signup.EventView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【%d】%s（%s）\n时间：%s\n地点：%s\n", v.ID, v.Title, models.EventCategories[v.Category], signup.FormatWhen(v.Event), v.Place)
	if v.Audience != "" {
		fmt.Fprintf(&b, "适合：%s\n", v.Audience)
	}
	if v.Bring != "" {
		fmt.Fprintf(&b, "请带上：%s\n", v.Bring)
	}
	if d := strings.TrimSpace(v.Description); d != "" {
		fmt.Fprintf(&b, "介绍：%s\n", clip(d, 100))
	}
	if v.Status == models.EventCancelled {
		b.WriteString("⚠️ 本活动已取消。")
		return b.String()
	}
	fmt.Fprintf(&b, "名额：共 %d 个，%s\n取消截止：%s\n", v.Capacity, placesText(v), clockText(v.CancelBy()))
	fmt.Fprintf(&b, "报名：回复“报名 %d”，按提示填写。", v.ID)
	if v.ForChild {
		fmt.Fprintf(&b, "\n也可以一句话报名：报名 %d 家长姓名 手机号 孩子小名 年龄 同意\n例如：报名 %d 张三 13800138000 豆豆 1岁半 同意\n“同意”表示您是孩子的监护人并同意下面的说明。\n\n%s",
			v.ID, v.ID, msgConsent)
	} else {
		fmt.Fprintf(&b, "\n也可以一句话报名：报名 %d 姓名 手机号\n例如：报名 %d 张三 13800138000", v.ID, v.ID)
	}
	return b.String()
}

func clockText(t time.Time) string {
	return fmt.Sprintf("%d月%d日 %s", t.In(signup.Local).Month(), t.In(signup.Local).Day(), t.In(signup.Local).Format("15:04"))
}

// signupCommand starts the flow ("报名 3") or takes the one-line form.
func signupCommand(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	if e.Signups == nil {
		return Reply{Text: e.fill(msgSignupOff), Category: models.CatService}
	}
	fields := strings.FieldsFunc(args, func(r rune) bool { return r == ' ' || r == ',' || r == '，' || r == '、' })
	if len(fields) == 0 {
		return Reply{Text: msgSignupUsage, Category: models.CatService}
	}
	v, ok, r := e.eventArg(ctx, fields[0])
	if !ok {
		return r
	}
	if err := e.Signups.Open(v.Event); err != nil {
		return Reply{Text: fmt.Sprintf(msgSignupNotOpen, v.Title, errText(err)), Category: models.CatService}
	}
	if e.Limiter != nil && e.Limits.SignupsPerHour > 0 && !e.Limiter.Allow(ctx, "signup:"+in.OpenID, e.Limits.SignupsPerHour, time.Hour) {
		return Reply{Text: e.fill(msgSignupLimit), Route: models.RouteLimited}
	}
	st := State{Flow: signupFlow, Data: map[string]string{"event": strconv.FormatUint(uint64(v.ID), 10)}}
	prefix := ""
	if len(fields) > 1 {
		if oneLine(v.Event, fields[1:], &st) {
			st.Flow = ""
			return e.submitSignup(ctx, in, v.Event, &st)
		}
		switch st.Get("bad") {
		case "refused":
			return Reply{Text: e.fill(msgConsentRefused), Category: models.CatService}
		case "age":
			prefix = fmt.Sprintf("这个活动适合%s的孩子，您填的年龄不在范围内。\n", signup.AgeRange(v.Event))
		case "":
			if v.ForChild && st.Get("consent") == "" {
				prefix = msgOneLineConsent
			}
		default:
			prefix = msgOneLineFixed
		}
		delete(st.Data, "bad")
	}
	if v.Closed() { // no point asking questions (the one-line form above still says 已报名 to a duplicate)
		return Reply{Text: fmt.Sprintf(msgSignupClosed, v.Title), Category: models.CatService}
	}
	st.Step = nextStep(v.Event, &st)
	if err := e.StartFlow(ctx, in.OpenID, st); err != nil {
		return Reply{Text: msgSorry}
	}
	return Reply{Text: prefix + e.fill(e.askStep(v.Event, &st, true)), Category: models.CatService}
}

// oneLine fills st from "姓名 手机号 [孩子称呼] [年龄] [同意]" in any order and
// reports whether everything the event needs is there and valid. Without 同意,
// a children's event keeps nothing of the child's.
func oneLine(ev models.Event, fields []string, st *State) bool {
	var names []string
	for _, f := range fields {
		if p, ok := signup.ParsePhone(f); ok {
			st.Set("phone", p)
			continue
		}
		switch f {
		case "同意", "我同意":
			st.Set("consent", "1")
			continue
		case "不同意":
			st.Set("bad", "refused")
			return false
		}
		if m, err := signup.ParseAge(f); err == nil && ev.ForChild {
			st.Set("age", strconv.Itoa(m))
			continue
		}
		if n, ok := signup.ParseName(f, 20); ok && len(names) < 2 {
			names = append(names, n)
			continue
		}
		st.Set("bad", "1")
	}
	if len(names) > 0 {
		st.Set("name", names[0])
	}
	if ev.ForChild && len(names) > 1 {
		st.Set("child", names[1])
		st.Set("child_given", "1")
	}
	if !ev.ForChild && len(names) > 1 {
		st.Set("bad", "1")
	}
	if ev.ForChild && st.Get("consent") != "" {
		st.Set("child_given", "1") // the nickname is optional in one line
	}
	if ev.ForChild && st.Get("consent") == "" {
		delete(st.Data, "child")
		delete(st.Data, "child_given")
		delete(st.Data, "age")
	}
	if ev.ForChild && st.Get("age") != "" {
		if m, _ := strconv.Atoi(st.Get("age")); !signup.AgeFits(ev, m) && st.Get("bad") == "" {
			st.Set("bad", "age")
			delete(st.Data, "age")
		}
	}
	if st.Get("bad") != "" || st.Get("name") == "" || st.Get("phone") == "" {
		return false
	}
	// In one line the child's nickname is optional; age and consent are not.
	return !ev.ForChild || (st.Get("consent") != "" && st.Get("age") != "")
}

// nextStep is the first thing the flow still needs.
func nextStep(ev models.Event, st *State) string {
	switch {
	case st.Get("name") == "":
		return "name"
	case st.Get("phone") == "":
		return "phone"
	case ev.ForChild && st.Get("consent") == "":
		return "consent"
	case ev.ForChild && st.Get("child_given") == "":
		return "child"
	case ev.ForChild && st.Get("age") == "":
		return "age"
	}
	return "confirm"
}

// askStep is the question for st.Step.
func (e *Engine) askStep(ev models.Event, st *State, first bool) string {
	switch st.Step {
	case "name":
		if ev.ForChild {
			return fmt.Sprintf(msgAskGuardian, ev.Title, signup.FormatWhen(ev))
		}
		return fmt.Sprintf(msgAskName, ev.Title, signup.FormatWhen(ev))
	case "phone":
		if first {
			return fmt.Sprintf("好的，报名「%s」（%s）。回复“退出”可随时结束。\n", ev.Title, signup.FormatWhen(ev)) + msgAskPhone
		}
		return msgAskPhone
	case "consent":
		return msgConsent + "\n" + msgConsentAsk
	case "child":
		return msgAskChild
	case "age":
		return fmt.Sprintf(msgAskAge, childLabel(st.Get("child")), signup.AgeRange(ev))
	}
	return summary(ev, st)
}

func childLabel(name string) string {
	if name == "" {
		return "孩子"
	}
	return name
}

func summary(ev models.Event, st *State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "请核对报名信息：\n活动：%s\n时间：%s\n地点：%s\n", ev.Title, signup.FormatWhen(ev), ev.Place)
	if ev.ForChild {
		m, _ := strconv.Atoi(st.Get("age"))
		child := signup.FormatAge(m)
		if c := st.Get("child"); c != "" {
			child = c + "，" + child
		}
		fmt.Fprintf(&b, "家长：%s\n手机：%s\n孩子：%s\n", st.Get("name"), models.MaskPhone(st.Get("phone")), child)
	} else {
		fmt.Fprintf(&b, "参加人：%s\n手机：%s\n", st.Get("name"), models.MaskPhone(st.Get("phone")))
	}
	b.WriteString("回复“确认”提交，回复“修改”重新填写，回复“退出”放弃。")
	return b.String()
}

// signupStep takes one answer of the flow.
func signupStep(ctx context.Context, e *Engine, in Inbound, st *State) (Reply, bool) {
	answer := strings.Trim(strings.TrimSpace(in.Text), "。.!！~～ ")
	// A question is not an answer: let it be routed as usual (the flow ends).
	if strings.ContainsAny(answer, "?？") || utf8.RuneCountInString(answer) > 40 {
		return Reply{}, false
	}
	if e.Signups == nil {
		st.Flow = ""
		return Reply{Text: e.fill(msgSignupOff)}, true
	}
	id, _ := strconv.ParseUint(st.Get("event"), 10, 32)
	v, err := e.Signups.Event(ctx, uint(id))
	if err != nil {
		st.Flow = ""
		return Reply{Text: msgSorry}, true
	}
	if err := e.Signups.Open(v.Event); err != nil {
		st.Flow = ""
		return Reply{Text: fmt.Sprintf(msgSignupNotOpen, v.Title, errText(err))}, true
	}
	ev := v.Event
	reask := func(why string) (Reply, bool) {
		return Reply{Text: e.fill(why + "\n" + e.askStep(ev, st, false))}, true
	}
	switch st.Step {
	case "name":
		n, ok := signup.ParseName(answer, 20)
		if !ok || (isHan(n) && utf8.RuneCountInString(n) > 6) {
			return Reply{Text: msgBadName}, true
		}
		st.Set("name", n)
	case "phone":
		p, ok := signup.ParsePhone(answer)
		if !ok {
			return Reply{Text: msgBadPhone}, true
		}
		st.Set("phone", p)
	case "consent":
		switch answer {
		case "不同意", "不", "否", "2", "拒绝", "不愿意":
			st.Flow = ""
			return Reply{Text: e.fill(msgConsentRefused)}, true
		case "同意", "我同意", "是", "1", "同意的", "是的", "可以":
			st.Set("consent", "1")
		default:
			return Reply{Text: msgConsentAgain}, true
		}
	case "child":
		n, ok := signup.ParseName(answer, 12)
		if !ok {
			return Reply{Text: msgBadChild}, true
		}
		st.Set("child", n)
		st.Set("child_given", "1")
	case "age":
		m, err := signup.ParseAge(answer)
		switch {
		case errors.Is(err, signup.ErrAgeUnit):
			return Reply{Text: msgAgeUnit}, true
		case err != nil:
			return Reply{Text: msgAgeBad}, true
		case !signup.AgeFits(ev, m):
			return reask(fmt.Sprintf(msgAgeRange, signup.AgeRange(ev), childLabel(st.Get("child")), signup.FormatAge(m)))
		}
		st.Set("age", strconv.Itoa(m))
	case "confirm":
		switch {
		case strings.HasPrefix(answer, "确认") || answer == "1" || answer == "是" || answer == "提交" || answer == "确定":
			st.Flow = ""
			return e.submitSignup(ctx, in, ev, st), true
		case answer == "修改" || answer == "2" || answer == "重新填写":
			consent := st.Get("consent")
			st.Data = map[string]string{"event": st.Get("event"), "consent": consent}
		default:
			return Reply{Text: msgConfirmAgain}, true
		}
	}
	st.Step = nextStep(ev, st)
	return Reply{Text: e.fill(e.askStep(ev, st, false)), Category: models.CatService}, true
}

func isHan(s string) bool {
	for _, r := range s {
		if r < 0x3400 || r > 0x9FFF {
			return false
		}
	}
	return true
}

// submitSignup signs up what st holds and says what happened: 报名成功 or 候补,
// never both in one reply.
func (e *Engine) submitSignup(ctx context.Context, in Inbound, ev models.Event, st *State) Reply {
	age, _ := strconv.Atoi(st.Get("age"))
	res, err := e.Signups.Join(ctx, signup.Request{
		EventID: ev.ID, OpenID: in.OpenID, Name: st.Get("name"), Phone: st.Get("phone"),
		ChildName: st.Get("child"), ChildAgeMonths: age, Consent: st.Get("consent") != "",
	})
	reply := func(text string) Reply { return Reply{Text: e.fill(text), Category: models.CatService} }
	switch {
	case errors.Is(err, signup.ErrFull):
		return reply(fmt.Sprintf(msgSignupClosed, ev.Title))
	case errors.Is(err, signup.ErrTooMany):
		return reply(fmt.Sprintf("您已经为「%s」报了 %d 位，同一个微信最多报 %d 位。还需要请回复“人工”联系工作人员。", ev.Title, signup.MaxPerContact, signup.MaxPerContact))
	case errors.Is(err, signup.ErrAgeRange):
		return reply(fmt.Sprintf("这个活动适合%s的孩子，年龄不符，没有报上名。回复“活动”看看其他活动。", signup.AgeRange(ev)))
	case models.IsCode(err, models.ECONFLICT), models.IsCode(err, models.EINVALID):
		return reply(fmt.Sprintf(msgSignupNotOpen, ev.Title, errText(err)))
	case err != nil:
		return Reply{Text: msgSorry}
	}
	su := res.Signup
	who := attendeeText(su)
	switch {
	case res.Duplicate && su.Status == models.SignupWaitlisted:
		return reply(fmt.Sprintf(msgDuplicate, who, ev.Title, su.ID, fmt.Sprintf("目前候补第 %d 位", res.Position)))
	case res.Duplicate:
		return reply(fmt.Sprintf(msgDuplicate, who, ev.Title, su.ID, "名额已确认"))
	case su.Status == models.SignupWaitlisted:
		return reply(fmt.Sprintf(msgWaitlisted, who, res.Position, ev.Title, signup.FormatWhen(ev), su.ID))
	}
	bring := ""
	if ev.Bring != "" {
		bring = "请带上：" + ev.Bring + "\n"
	}
	return reply(fmt.Sprintf(msgConfirmed, ev.Title, signup.FormatWhen(ev), ev.Place, who, su.CheckinCode, bring, clockText(ev.CancelBy()), su.ID))
}

// attendeeText names who attends: "张三", or "豆豆（1岁半）" for a child.
func attendeeText(su models.Signup) string {
	if su.ConsentAt == nil { // adult events record no consent
		return su.Name
	}
	return childLabel(su.ChildName) + "（" + signup.FormatAge(su.ChildAgeMonths) + "）"
}

// mySignups lists the resident's sign-ups with the number to cancel them by.
func mySignups(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	if e.Signups == nil {
		return Reply{Text: e.fill(msgSignupOff)}
	}
	list, err := e.Signups.Mine(ctx, in.OpenID)
	if err != nil {
		return Reply{Text: msgSorry}
	}
	if len(list) == 0 {
		return Reply{Text: msgMineNone, Category: models.CatService}
	}
	return Reply{Text: "您的报名：\n" + entriesText(list, true), Category: models.CatService}
}

func entriesText(list []signup.Entry, all bool) string {
	var b strings.Builder
	shown := 0
	for _, en := range list {
		su, ev := en.Signup, en.Event
		if (!all && su.Active == nil) || shown == 8 {
			continue
		}
		shown++
		fmt.Fprintf(&b, "【报名号 %d】%s\n%s｜%s\n参加人：%s，手机 %s\n", su.ID, ev.Title, signup.FormatWhen(ev), ev.Place, attendeeText(su), models.MaskPhone(su.Phone))
		switch su.Status {
		case models.SignupConfirmed:
			fmt.Fprintf(&b, "状态：✅ 已确认，签到码 %s\n取消请回复“取消报名 %d”\n", su.CheckinCode, su.ID)
		case models.SignupWaitlisted:
			fmt.Fprintf(&b, "状态：⏳ 候补第 %d 位\n取消请回复“取消报名 %d”\n", en.Position, su.ID)
		default:
			b.WriteString("状态：已取消\n")
		}
	}
	return strings.TrimSpace(b.String())
}

// cancelSignup cancels by 报名号; without one it lists what can be cancelled.
func cancelSignup(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	if e.Signups == nil {
		return Reply{Text: e.fill(msgSignupOff)}
	}
	reply := func(text string) Reply { return Reply{Text: e.fill(text), Category: models.CatService} }
	list, err := e.Signups.Mine(ctx, in.OpenID)
	if err != nil {
		return Reply{Text: msgSorry}
	}
	active := list[:0:0]
	for _, en := range list {
		if en.Signup.Active != nil {
			active = append(active, en)
		}
	}
	id, perr := strconv.ParseUint(strings.TrimPrefix(args, "#"), 10, 64)
	if perr != nil {
		if len(active) == 0 {
			return reply(msgCancelNone)
		}
		return reply(fmt.Sprintf(msgCancelUsage, entriesText(active, false)))
	}
	res, err := e.Signups.Cancel(ctx, in.OpenID, id)
	switch {
	case errors.Is(err, signup.ErrNotYours):
		// Perhaps the event number was sent: point at the right number.
		var same []signup.Entry
		for _, en := range active {
			if uint64(en.Event.ID) == id {
				same = append(same, en)
			}
		}
		if len(same) > 0 {
			return reply(fmt.Sprintf(msgCancelEventNo, same[0].Event.Title, entriesText(same, false)))
		}
		return reply(fmt.Sprintf(msgCancelUnknown, id))
	case errors.Is(err, signup.ErrTooLate):
		return reply(fmt.Sprintf(msgCancelTooLate, clockText(res.Event.CancelBy())))
	case errors.Is(err, signup.ErrStarted):
		return reply(msgCancelStarted)
	case errors.Is(err, signup.ErrCancelled):
		return reply(msgCancelTwice)
	case err != nil:
		return Reply{Text: msgSorry}
	}
	return reply(fmt.Sprintf(msgCancelled, attendeeText(res.Signup), res.Event.Title, signup.FormatWhen(res.Event)))
}

// checkinScene checks the resident in after scanning the event's QR code.
func checkinScene(ctx context.Context, e *Engine, in Inbound, scene string) Reply {
	if e.Signups == nil {
		return Reply{Text: e.fill(msgSignupOff)}
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(scene, "checkin_"), 10, 32)
	if err != nil {
		return Reply{Text: msgCheckinBad}
	}
	ev, done, err := e.Signups.CheckInResident(ctx, uint(id), in.OpenID)
	switch {
	case errors.Is(err, signup.ErrNotFound):
		return Reply{Text: msgCheckinBad}
	case errors.Is(err, signup.ErrEventCanceled):
		return Reply{Text: fmt.Sprintf(msgCheckinGone, ev.Title)}
	case errors.Is(err, signup.ErrNotNow):
		return Reply{Text: fmt.Sprintf(msgCheckinNotNow, ev.Title, signup.FormatWhen(ev))}
	case errors.Is(err, signup.ErrNotConfirmed):
		return Reply{Text: fmt.Sprintf(msgCheckinWait, ev.Title)}
	case errors.Is(err, signup.ErrNotYours):
		return Reply{Text: fmt.Sprintf(msgCheckinNone, ev.Title)}
	case err != nil:
		return Reply{Text: msgSorry}
	}
	var fresh, again []string
	for _, c := range done {
		if c.Already {
			again = append(again, attendeeText(c.Signup))
		} else {
			fresh = append(fresh, attendeeText(c.Signup))
		}
	}
	if len(fresh) == 0 {
		return Reply{Text: fmt.Sprintf(msgCheckinAgain, strings.Join(again, "、"), ev.Title)}
	}
	return Reply{Text: fmt.Sprintf(msgCheckinDone, ev.Title, strings.Join(fresh, "、"))}
}

// errText is the safe message of a domain error.
func errText(err error) string {
	var de *models.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return "系统忙"
}

// clip shortens s to n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
