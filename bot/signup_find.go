package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/models"
	"familybot/signup"
)

// Residents name an event the way they speak of it: by its date (12号, 12月19日,
// 周六, 下周六), by words of its title (亲子阅读, 抚触辅食课), or both ("19号
// 那个抚触辅食课"). A date is never read as an event number when more words
// follow it ("报名12号的亲子阅读").

var (
	eventDayRE     = regexp.MustCompile(`(?:^|[^0-9])(?:([0-9]{1,2})月)?([0-9]{1,2})[号日]`)
	eventWeekdayRE = regexp.MustCompile(`(下|这|本)?(?:周|星期|礼拜)([一二三四五六日天])`)
	cnWeekdays     = map[string]time.Weekday{"一": time.Monday, "二": time.Tuesday, "三": time.Wednesday, "四": time.Thursday,
		"五": time.Friday, "六": time.Saturday, "日": time.Sunday, "天": time.Sunday}
)

// eventRef is what a message says of an event.
type eventRef struct {
	evs   []signup.EventView // the events it can mean; one when it is clear
	dated bool               // it gives a date some open event is on
	score int                // title words it shares with the first event
}

// one is the single event the message means.
func (r eventRef) one() (signup.EventView, bool) {
	if len(r.evs) != 1 {
		return signup.EventView{}, false
	}
	return r.evs[0], true
}

// strong reports a reference clear enough to act on a weak word (想去, 也想参加):
// two words of the title, or one with the date (我12号要去医院 names no event).
func (r eventRef) strong() bool { return len(r.evs) == 1 && (r.score >= 2 || r.dated && r.score >= 1) }

// eventsNamed reads the events a message names by date and title.
func (e *Engine) eventsNamed(ctx context.Context, text string) eventRef {
	if e.Signups == nil {
		return eventRef{}
	}
	up, err := e.Signups.Upcoming(ctx, 20)
	if err != nil || len(up) == 0 {
		return eventRef{}
	}
	var byDate []signup.EventView
	hasDate := false
	if m := eventDayRE.FindStringSubmatch(text); m != nil {
		hasDate = true
		month, _ := strconv.Atoi(m[1])
		day, _ := strconv.Atoi(m[2])
		for _, v := range up {
			at := v.StartAt.In(models.Beijing)
			if at.Day() == day && (month == 0 || int(at.Month()) == month) {
				byDate = append(byDate, v)
			}
		}
	} else if m := eventWeekdayRE.FindStringSubmatch(text); m != nil {
		hasDate = true
		byDate = e.onWeekday(up, m[1], cnWeekdays[m[2]])
	}
	score := func(v signup.EventView) int {
		n := 0
		for _, w := range titleWords(v.Title) {
			if strings.Contains(text, w) {
				n++
			}
		}
		return n
	}
	pick := func(cands []signup.EventView) (signup.EventView, int, bool) {
		best, bestN, tie := signup.EventView{}, 0, false
		for _, v := range cands {
			switch n := score(v); {
			case n > bestN:
				best, bestN, tie = v, n, false
			case n == bestN && n > 0:
				tie = true
			}
		}
		return best, bestN, bestN > 0 && !tie
	}
	if hasDate && len(byDate) > 0 {
		if v, n, ok := pick(byDate); ok {
			return eventRef{evs: []signup.EventView{v}, dated: true, score: n}
		}
		if _, n, _ := pick(up); n > 0 {
			return eventRef{} // the date names one event, the words another
		}
		return eventRef{evs: byDate, dated: true}
	}
	if v, n, ok := pick(up); ok {
		return eventRef{evs: []signup.EventView{v}, score: n}
	}
	return eventRef{}
}

// onWeekday are the events on the weekday said: 下周六 in next week, 这周六 in
// this one, 周六 the nearest Saturday with an event.
func (e *Engine) onWeekday(up []signup.EventView, which string, wd time.Weekday) []signup.EventView {
	now := e.now().In(models.Beijing)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, models.Beijing)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	var out []signup.EventView
	for _, v := range up {
		at := v.StartAt.In(models.Beijing)
		if at.Weekday() != wd {
			continue
		}
		switch which {
		case "下":
			if at.Before(monday.AddDate(0, 0, 7)) || !at.Before(monday.AddDate(0, 0, 14)) {
				continue
			}
		case "这", "本":
			if !at.Before(monday.AddDate(0, 0, 7)) {
				continue
			}
		default:
			if len(out) > 0 && at.YearDay() != out[0].StartAt.In(models.Beijing).YearDay() {
				continue // the nearest one (Upcoming is in date order)
			}
		}
		out = append(out, v)
	}
	return out
}

// eventFromArg reads the event a sign-up command names in words ("12号的亲子
// 阅读", "19号的抚触辅食课 给我儿子 5个月大"), and the details said with it.
func (e *Engine) eventFromArg(ctx context.Context, args string) (signup.EventView, []string, bool) {
	v, ok := e.eventsNamed(ctx, args).one()
	if !ok {
		return signup.EventView{}, nil, false
	}
	return v, signupDetails(args), true
}

// kinWords say whose details follow; they are never a name.
var kinWords = []string{"儿子", "女儿", "闺女", "孩子", "宝宝", "小孩", "孙子", "孙女", "外孙", "老婆", "老公", "爱人"}

// signupDetails are the words of a sentence that fill a sign-up form: a phone
// number, an age, a name, 同意. Everything else (the event's name, 给我儿子) is left out.
func signupDetails(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(joinPhone(text), func(r rune) bool { return strings.ContainsRune(" ，,、。！!？?", r) }) {
		switch {
		case f == "同意" || f == "我同意" || f == "不同意":
			out = append(out, f)
		case phoneInText.MatchString(f):
			out = append(out, phoneInText.FindString(f))
		case ageInTextRE.MatchString(f) && !eventDayRE.MatchString(f):
			if _, err := signup.ParseAge(f); err == nil {
				out = append(out, f)
			} else if m := ageInTextRE.FindString(f); m != "" {
				out = append(out, m)
			}
		case hanName(f) && !containsAnyWord(f, kinWords) && !eventDayRE.MatchString(f) && !strings.ContainsAny(f, "课读活动"):
			out = append(out, f)
		default:
			if n, ok := nameInSentence(f); ok { // 我叫张伟
				out = append(out, n)
			}
		}
	}
	return out
}

// samePhoneRE says to use the phone number given before: 电话还是刚才那个, 电话一样, 还是这个号.
var samePhoneRE = regexp.MustCompile(`(电话|手机|号码)(号码?)?(还是|也是|就是|跟|和|同)?(一样|同上|不变|没变|刚才|之前|上次|原来|那个|这个|上面)|还是(刚才|这个|那个|原来|之前|上次)的?(号|电话|手机)|同一个(号|电话|手机)`)

// earlierPhone is the phone number the resident gave before: in this form, or
// in their latest sign-up; "" when there is none.
func (e *Engine) earlierPhone(ctx context.Context, openID string, st *State) string {
	if st.Signup != nil && st.Signup.Phone != "" {
		return st.Signup.Phone
	}
	if e.Signups == nil {
		return ""
	}
	list, err := e.Signups.Mine(ctx, openID)
	if err != nil {
		return ""
	}
	var last models.Signup
	for _, en := range list {
		if en.Signup.ID > last.ID {
			last = en.Signup
		}
	}
	return last.Phone
}

// leftForm tells of a sign-up form left half-way for another event, and
// carries its parent's name and phone number over; "" when there was none.
func (e *Engine) leftForm(ctx context.Context, openID string, v signup.EventView, st *State) string {
	conv, err := e.Store.GetConversation(ctx, openID)
	if err != nil || conv.Flow != signupFlow {
		return ""
	}
	old, ok := decodeState(conv)
	if !ok || old.Signup.Event == v.ID {
		return ""
	}
	id := old.Signup.Event
	// The parent's name and phone carry over, not the child's: consent is per event.
	if st.Signup.Name == "" {
		st.Signup.Name = old.Signup.Name
	}
	if st.Signup.Phone == "" {
		st.Signup.Phone = old.Signup.Phone
	}
	title := "刚才那个活动"
	if ov, err := e.Signups.Event(ctx, uint(id)); err == nil {
		title = "「" + ov.Title + "」"
	}
	return fmt.Sprintf("（%s的报名还没填完，还没有报上，先放下了；想接着报它，之后回复“报名 %d”。）\n", title, id)
}

// nothingToConfirm answers 同意 or 确认 with nothing waiting for it: says so
// honestly, with where the resident's bookings stand.
func (e *Engine) nothingToConfirm(ctx context.Context, in Inbound) Reply {
	lines := []string{"现在没有等您确认的事：没有正在填的报名，也没有正在写的心愿。"}
	cx := e.context(ctx)
	if e.Signups != nil {
		active, _, ok := e.activeSignups(ctx, in.OpenID)
		held := false
		for _, en := range active {
			state := "已经报上了"
			if en.Signup.Status == models.SignupWaitlisted {
				state = fmt.Sprintf("在候补第 %d 位", en.Position)
			}
			lines = append(lines, "「"+en.Event.Title+"」："+attendeeText(en.Signup)+state+"。")
			held = held || en.Event.ID == cx.Event
		}
		if ok && cx.Event != 0 && !held {
			if v, err := e.Signups.Event(ctx, cx.Event); err == nil {
				lines = append(lines, fmt.Sprintf("「%s」还没有报名，要报名请回复“报名 %d”。", v.Title, v.ID))
			}
		}
		if ok && len(active) == 0 && cx.Event == 0 {
			lines = append(lines, "您还没有报上活动。想报名请回复“活动”看看有哪些。")
		}
		if held {
			lines[0] = "已经办好了，不用再确认 😊" // the booking just made stands
		}
	}
	if cx.Wish != 0 && cx.Event == 0 {
		lines[0] = "已经办好了，不用再确认 😊 心愿已经提交。"
	}
	lines = append(lines, "回复“我的报名”或“我的心愿”可以查看。")
	return Reply{Text: strings.Join(lines, "\n"), Route: models.RouteChat}
}

// detailsNothing answers a name and phone number (and a child) sent with no
// form waiting and no event named: which event are they for? Nothing is kept.
func (e *Engine) detailsNothing(ctx context.Context, text string) (Reply, bool) {
	if e.Signups == nil || !phoneInText.MatchString(joinPhone(text)) || utf8.RuneCountInString(text) > 40 || isQuestion(text) {
		return Reply{}, false
	}
	names := 0
	for _, f := range signupDetails(text) {
		if hanName(f) {
			names++
		}
	}
	if names == 0 {
		return Reply{}, false
	}
	evs, err := e.Signups.Upcoming(ctx, 6)
	if err != nil || len(evs) == 0 {
		return Reply{}, false
	}
	var b strings.Builder
	b.WriteString("收到您的姓名和手机号。是要报名活动吗？请告诉我报哪个活动（这些信息还没有保存）：\n")
	for _, v := range evs {
		fmt.Fprintf(&b, "【%d】%s：%s\n", v.ID, v.Title, signup.FormatWhen(v.Event))
	}
	fmt.Fprintf(&b, "回复“报名 编号”，例如“报名 %d”，我再一步一步问您。", evs[0].ID)
	ids := make([]uint, 0, len(evs))
	for _, v := range evs {
		ids = append(ids, v.ID)
	}
	e.rememberList(ctx, listEvents, ids)
	// A name, a phone number and a child's age: nothing of the message is logged.
	return Reply{Text: b.String(), Route: models.RouteCommand, Category: models.CatService, private: true}, true
}

// eventsWanted answers "最近有什么亲子活动" with the events that match: the
// children's events for 亲子, the lectures for 讲座, every open event otherwise.
func (e *Engine) eventsWanted(ctx context.Context, text string) (Reply, bool) {
	if e.Signups == nil || utf8.RuneCountInString(text) > 30 || !strings.Contains(text, "活动") && !strings.Contains(text, "课") ||
		!containsAnyWord(text, []string{"有什么", "有啥", "有哪些", "有没有", "什么活动", "哪些活动"}) ||
		!containsAnyWord(text, []string{"最近", "近期", "这周", "下周", "周末", "这个月", "你们", "现在"}) && !containsAnyWord(plainIntent(text)[:min(len(plainIntent(text)), 9)], []string{"有什么", "有啥", "有没有"}) {
		return Reply{}, false
	}
	evs, err := e.Signups.Upcoming(ctx, 8)
	if err != nil || len(evs) == 0 {
		return Reply{}, false
	}
	months, hasAge := ageInText(text)
	var pick []signup.EventView
	for _, v := range evs {
		kids := v.ForChild || v.Category == models.EventParentChild
		if containsAnyWord(text, []string{"亲子", "孩子", "宝宝", "带娃"}) && !kids {
			continue
		}
		if hasAge && v.ForChild && !signup.AgeFits(v.Event, months) {
			continue
		}
		pick = append(pick, v)
	}
	if len(pick) == 0 {
		return Reply{}, false
	}
	var b strings.Builder
	b.WriteString("近期的活动：\n")
	ids := make([]uint, 0, len(pick))
	for _, v := range pick {
		ids = append(ids, v.ID)
		fmt.Fprintf(&b, "【%d】%s\n%s｜%s\n", v.ID, v.Title, signup.FormatWhen(v.Event), v.Place)
		if who := audienceText(v.Event); who != "" {
			b.WriteString("适合：" + who + "\n")
		}
	}
	fmt.Fprintf(&b, msgEventsFoot, pick[0].ID)
	e.rememberList(ctx, listEvents, ids)
	if len(pick) == 1 {
		convOf(ctx).update(ctx, func(c *convContext) { c.Event = pick[0].ID })
	}
	return Reply{Text: b.String(), Route: models.RouteCommand, Category: models.CatService}, true
}

// fitsFor lists the open events a child of that age may join, for a reply that
// turned the age down.
func (e *Engine) fitsFor(ctx context.Context, months int, not uint) string {
	evs, err := e.Signups.Upcoming(ctx, 8)
	if err != nil {
		return ""
	}
	var lines []string
	for _, v := range evs {
		if v.ID != not && v.ForChild && signup.AgeFits(v.Event, months) {
			lines = append(lines, fmt.Sprintf("【%d】%s（%s，适合%s），报名回复“报名 %d”", v.ID, v.Title, signup.FormatWhen(v.Event), signup.AgeRange(v.Event), v.ID))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "适合" + signup.FormatAge(months) + "孩子的活动：\n" + strings.Join(lines, "\n")
}

// msgChildLater says why a child's details given before the guardian's consent are not kept.
const msgChildLater = "孩子的称呼和年龄，要等您看过孩子信息说明、回复“同意”后再填，刚才说的没有保存。"
