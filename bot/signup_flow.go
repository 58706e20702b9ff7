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
	"familybot/privacy"
	"familybot/signup"
)

// ---- Signing up ----

// signupCommand starts the flow ("报名 3") or takes the one-line form.
func signupCommand(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	return e.startSignup(ctx, in, args, false)
}

// addSignupCommand ("加报 3") signs one more person up for an event the
// resident already booked (twins, both grandparents).
func addSignupCommand(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	return e.startSignup(ctx, in, args, true)
}

// startSignup starts the flow or takes the one-line form; unless another is
// wanted, a resident who already holds a booking for the event is told so
// instead of filling in the form again.
func (e *Engine) startSignup(ctx context.Context, in Inbound, args string, another bool) Reply {
	if e.Signups == nil {
		return Reply{Text: e.fill(msgSignupOff), Category: models.CatService}
	}
	fields := strings.FieldsFunc(joinPhone(args), func(r rune) bool { return r == ' ' || r == ',' || r == '，' || r == '、' })
	if len(fields) == 0 {
		return Reply{Text: msgSignupUsage, Category: models.CatService}
	}
	v, ok, r := e.eventArg(ctx, fields[0])
	if n, dated := strings.CutSuffix(fields[0], "号"); !ok && dated {
		// 报名3号: event 3, unless an event is on the 3rd.
		if w, _, found := e.eventFromArg(ctx, args); found {
			v, ok = w, true
		} else {
			v, ok, r = e.eventArg(ctx, n)
		}
	}
	if !ok {
		// 报名12号的亲子阅读, 报名亲子阅读 王磊 138…: the event in words, details after it.
		w, details, found := e.eventFromArg(ctx, args)
		if !found {
			return r
		}
		v, fields = w, append([]string{strconv.FormatUint(uint64(w.ID), 10)}, details...)
	}
	if err := e.Signups.Open(v.Event); err != nil {
		return Reply{Text: fmt.Sprintf(msgSignupNotOpen, v.Title, errText(err)), Category: models.CatService}
	}
	if !another && len(fields) == 1 { // the one-line form finds a true duplicate itself (a twin is not one)
		if r, booked := e.alreadyBooked(ctx, in, v); booked {
			return r
		}
	}
	if e.Limiter != nil && e.Limits.SignupsPerHour > 0 && !e.Limiter.Allow(ctx, "signup:"+in.OpenID, e.Limits.SignupsPerHour, time.Hour) {
		return Reply{Text: e.fill(msgSignupLimit), Route: models.RouteLimited}
	}
	st := State{Flow: signupFlow, Data: map[string]string{"event": strconv.FormatUint(uint64(v.ID), 10)}}
	left := e.leftForm(ctx, in.OpenID, v, &st)
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
			switch {
			case !v.ForChild || st.Get("consent") != "":
			case nextStep(v.Event, &st) == "consent":
				prefix = msgOneLineConsent
			case childSaid(fields[1:]):
				prefix = msgChildLater + "\n"
			}
		default:
			prefix = msgOneLineFixed
		}
		delete(st.Data, "bad")
	}
	if v.Closed() { // no point asking questions (the one-line form above still says 已报名 to a duplicate)
		return Reply{Text: fmt.Sprintf(msgSignupClosed, v.Title), Category: models.CatService}
	}
	if v.Full() && prefix == "" {
		prefix = fmt.Sprintf(msgSignupFullAhead, v.Title, v.Waitlisted+1)
	}
	st.Step = nextStep(v.Event, &st)
	if err := e.StartFlow(ctx, in.OpenID, st); err != nil {
		return Reply{Text: msgSorry}
	}
	convOf(ctx).update(ctx, func(c *convContext) { c.Event = v.ID }) // "要带什么" next is about it
	return Reply{Text: left + prefix + e.fill(firstAsk(v.Event, &st, e.askStep(v.Event, &st, true))), Category: models.CatService}
}

// alreadyBooked tells a resident who already holds a place or a wait for
// the event, with the booking, instead of starting the form again.
func (e *Engine) alreadyBooked(ctx context.Context, in Inbound, v signup.EventView) (Reply, bool) {
	active, r, ok := e.activeSignups(ctx, in.OpenID)
	if !ok {
		return r, false
	}
	for _, en := range active {
		if en.Event.ID != v.ID {
			continue
		}
		state := "名额已确认，签到码 " + en.Signup.CheckinCode
		if en.Signup.Status == models.SignupWaitlisted {
			state = fmt.Sprintf("目前候补第 %d 位", en.Position)
		}
		convOf(ctx).update(ctx, func(c *convContext) { c.Event = v.ID })
		e.EndFlow(ctx, in.OpenID) // a form begun for something else is not left half-filled behind this answer
		return Reply{Text: fmt.Sprintf(msgDuplicate, attendeeText(en.Signup), v.Title, en.Signup.ID, state) +
			fmt.Sprintf("\n要给家里另一个人（比如另一个孩子）也报名，请回复“加报 %d”。", v.ID), Category: models.CatService}, true
	}
	return Reply{}, false
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

// childSaid reports details of a child among the fields (an age), kept only
// after the guardian's consent.
func childSaid(fields []string) bool {
	for _, f := range fields {
		if _, ok := ageInText(f); ok {
			return true
		}
	}
	return false
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

// firstAsk opens a form that some details already fill (报名亲子阅读 王磊 138…,
// or carried over from a form left): which event it is for and what is kept.
func firstAsk(ev models.Event, st *State, ask string) string {
	if st.Step == "name" || st.Step == "phone" {
		return ask
	}
	var took []string
	if n := st.Get("name"); n != "" {
		took = append(took, "姓名 "+n)
	}
	if p := st.Get("phone"); p != "" {
		took = append(took, "手机 "+privacy.MaskPhone(p))
	}
	head := fmt.Sprintf("好的，开始报名「%s」（%s）。回复“退出”可随时结束。\n", ev.Title, signup.FormatWhen(ev))
	if len(took) > 0 {
		head += "已记下：" + strings.Join(took, "，") + "。\n"
	}
	return head + "\n" + ask
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
		fmt.Fprintf(&b, "家长：%s\n手机：%s\n孩子：%s\n", st.Get("name"), privacy.MaskPhone(st.Get("phone")), child)
	} else {
		fmt.Fprintf(&b, "参加人：%s\n手机：%s\n", st.Get("name"), privacy.MaskPhone(st.Get("phone")))
	}
	b.WriteString("回复“确认”提交，回复“修改”重新填写，回复“退出”放弃。")
	return b.String()
}

// signupStep takes one answer of the flow.
func signupStep(ctx context.Context, e *Engine, in Inbound, st *State) (Reply, bool) {
	answer := joinPhone(strings.Trim(strings.TrimSpace(in.Text), "。.!！~～ "))
	// A long message is not an answer: let it be routed as usual (the flow ends).
	if utf8.RuneCountInString(answer) > 40 {
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
	if r, ok := e.forgive(ctx, in, ev, st, answer); ok {
		return r, true
	}
	switch st.Step {
	case "name":
		n, ok := signup.ParseName(answer, 20)
		if !ok || notNames[n] || (isHan(n) && utf8.RuneCountInString(n) > 6) || strings.ContainsAny(n, sentenceChars) {
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
		if !ok || notNames[n] || strings.ContainsAny(n, sentenceChars) {
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
	convOf(ctx).update(ctx, func(c *convContext) { c.Event = ev.ID }) // "在哪里", "几点" next are about it
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
