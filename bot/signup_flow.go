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
	st := State{Flow: signupFlow, Signup: &signupForm{Event: v.ID}}
	left := e.leftForm(ctx, in.OpenID, v, &st)
	prefix := ""
	if len(fields) > 1 {
		complete, problem := oneLine(v.Event, fields[1:], st.Signup)
		if complete {
			st.Flow = ""
			return e.submitSignup(ctx, in, v.Event, st.Signup)
		}
		switch problem {
		case lineRefused:
			return Reply{Text: e.fill(msgConsentRefused), Category: models.CatService}
		case lineAge:
			prefix = fmt.Sprintf("这个活动适合%s的孩子，您填的年龄不在范围内。\n", signup.AgeRange(v.Event))
		case lineOK:
			switch {
			case !v.ForChild || st.Signup.Consent:
			case nextStep(v.Event, st.Signup) == "consent":
				prefix = msgOneLineConsent
			case childSaid(fields[1:]):
				prefix = msgChildLater + "\n"
			}
		default:
			prefix = msgOneLineFixed
		}
	}
	if v.Closed() { // no point asking questions (the one-line form above still says 已报名 to a duplicate)
		return Reply{Text: fmt.Sprintf(msgSignupClosed, v.Title), Category: models.CatService}
	}
	if v.Full() && prefix == "" {
		prefix = fmt.Sprintf(msgSignupFullAhead, v.Title, v.Waitlisted+1)
	}
	st.Step = nextStep(v.Event, st.Signup)
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

// signupForm is the sign-up flow's state: the answers so far.
type signupForm struct {
	Event   uint   `json:"event"`
	Name    string `json:"name,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Consent bool   `json:"consent,omitempty"`
	// Child is the child's nickname; ChildGiven says it was asked for (it is
	// optional, and left out of the one-line form).
	Child      string `json:"child,omitempty"`
	ChildGiven bool   `json:"child_given,omitempty"`
	AgeMonths  int    `json:"age_months,omitempty"`
	AgeGiven   bool   `json:"age_given,omitempty"`
}

func (f *signupForm) setAge(months int) { f.AgeMonths, f.AgeGiven = months, true }

func (f *signupForm) setChild(name string) { f.Child, f.ChildGiven = name, true }

// lineProblem is what keeps a one-line sign-up from going through.
type lineProblem int

const (
	lineOK      lineProblem = iota // nothing wrong, though something may be missing
	lineRefused                    // 不同意
	lineAge                        // the child's age is outside the event's range
	lineFixed                      // a field that is none of the form's
)

// oneLine fills f from "姓名 手机号 [孩子称呼] [年龄] [同意]" in any order and
// reports whether everything the event needs is there and valid, or what is
// wrong. Without 同意, a children's event keeps nothing of the child's.
func oneLine(ev models.Event, fields []string, f *signupForm) (complete bool, problem lineProblem) {
	var names []string
	for _, field := range fields {
		if p, ok := signup.ParsePhone(field); ok {
			f.Phone = p
			continue
		}
		switch field {
		case "同意", "我同意":
			f.Consent = true
			continue
		case "不同意":
			return false, lineRefused
		}
		if m, err := signup.ParseAge(field); err == nil && ev.ForChild {
			f.setAge(m)
			continue
		}
		if n, ok := signup.ParseName(field, 20); ok && len(names) < 2 {
			names = append(names, n)
			continue
		}
		problem = lineFixed
	}
	if len(names) > 0 {
		f.Name = names[0]
	}
	if ev.ForChild && len(names) > 1 {
		f.setChild(names[1])
	}
	if !ev.ForChild && len(names) > 1 {
		problem = lineFixed
	}
	if ev.ForChild && f.Consent {
		f.ChildGiven = true // the nickname is optional in one line
	}
	if ev.ForChild && !f.Consent {
		f.Child, f.ChildGiven, f.AgeMonths, f.AgeGiven = "", false, 0, false
	}
	if ev.ForChild && f.AgeGiven && !signup.AgeFits(ev, f.AgeMonths) {
		f.AgeMonths, f.AgeGiven = 0, false
		if problem == lineOK {
			problem = lineAge
		}
	}
	if problem != lineOK || f.Name == "" || f.Phone == "" {
		return false, problem
	}
	// In one line the child's nickname is optional; age and consent are not.
	return !ev.ForChild || (f.Consent && f.AgeGiven), lineOK
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
func nextStep(ev models.Event, f *signupForm) string {
	switch {
	case f.Name == "":
		return "name"
	case f.Phone == "":
		return "phone"
	case ev.ForChild && !f.Consent:
		return "consent"
	case ev.ForChild && !f.ChildGiven:
		return "child"
	case ev.ForChild && !f.AgeGiven:
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
		return fmt.Sprintf(msgAskAge, childLabel(st.Signup.Child), signup.AgeRange(ev))
	}
	return summary(ev, st.Signup)
}

// firstAsk opens a form that some details already fill (报名亲子阅读 王磊 138…,
// or carried over from a form left): which event it is for and what is kept.
func firstAsk(ev models.Event, st *State, ask string) string {
	if st.Step == "name" || st.Step == "phone" {
		return ask
	}
	var took []string
	if n := st.Signup.Name; n != "" {
		took = append(took, "姓名 "+n)
	}
	if p := st.Signup.Phone; p != "" {
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

func summary(ev models.Event, f *signupForm) string {
	var b strings.Builder
	fmt.Fprintf(&b, "请核对报名信息：\n活动：%s\n时间：%s\n地点：%s\n", ev.Title, signup.FormatWhen(ev), ev.Place)
	if ev.ForChild {
		child := signup.FormatAge(f.AgeMonths)
		if f.Child != "" {
			child = f.Child + "，" + child
		}
		fmt.Fprintf(&b, "家长：%s\n手机：%s\n孩子：%s\n", f.Name, privacy.MaskPhone(f.Phone), child)
	} else {
		fmt.Fprintf(&b, "参加人：%s\n手机：%s\n", f.Name, privacy.MaskPhone(f.Phone))
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
	f := st.Signup
	v, err := e.Signups.Event(ctx, f.Event)
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
		f.Name = n
	case "phone":
		p, ok := signup.ParsePhone(answer)
		if !ok {
			return Reply{Text: msgBadPhone}, true
		}
		f.Phone = p
	case "consent":
		switch answer {
		case "不同意", "不", "否", "2", "拒绝", "不愿意":
			st.Flow = ""
			return Reply{Text: e.fill(msgConsentRefused)}, true
		case "同意", "我同意", "是", "1", "同意的", "是的", "可以":
			f.Consent = true
		default:
			return Reply{Text: msgConsentAgain}, true
		}
	case "child":
		n, ok := signup.ParseName(answer, 12)
		if !ok || notNames[n] || strings.ContainsAny(n, sentenceChars) {
			return Reply{Text: msgBadChild}, true
		}
		f.setChild(n)
	case "age":
		m, err := signup.ParseAge(answer)
		switch {
		case errors.Is(err, signup.ErrAgeUnit):
			return Reply{Text: msgAgeUnit}, true
		case err != nil:
			return Reply{Text: msgAgeBad}, true
		case !signup.AgeFits(ev, m):
			return reask(fmt.Sprintf(msgAgeRange, signup.AgeRange(ev), childLabel(f.Child), signup.FormatAge(m)))
		}
		f.setAge(m)
	case "confirm":
		switch {
		case strings.HasPrefix(answer, "确认") || answer == "1" || answer == "是" || answer == "提交" || answer == "确定":
			st.Flow = ""
			return e.submitSignup(ctx, in, ev, f), true
		case answer == "修改" || answer == "2" || answer == "重新填写":
			*f = signupForm{Event: f.Event, Consent: f.Consent}
		default:
			return Reply{Text: msgConfirmAgain}, true
		}
	}
	st.Step = nextStep(ev, f)
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

// submitSignup signs up what f holds and says what happened: 报名成功 or 候补,
// never both in one reply.
func (e *Engine) submitSignup(ctx context.Context, in Inbound, ev models.Event, f *signupForm) Reply {
	res, err := e.Signups.Join(ctx, signup.Request{
		EventID: ev.ID, OpenID: in.OpenID, Name: f.Name, Phone: f.Phone,
		ChildName: f.Child, ChildAgeMonths: f.AgeMonths, Consent: f.Consent,
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
