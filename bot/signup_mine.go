package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"familybot/models"
	"familybot/privacy"
	"familybot/signup"
)

// ---- My sign-ups, cancelling, check-in ----

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
	unfinished := e.unfinishedSignup(ctx, in.OpenID)
	if len(list) == 0 {
		if unfinished != "" {
			return Reply{Text: unfinished, Category: models.CatService}
		}
		return Reply{Text: msgMineNone, Category: models.CatService}
	}
	if unfinished != "" {
		unfinished += "\n\n"
	}
	return Reply{Text: unfinished + "您的报名：\n" + entriesText(list, true), Category: models.CatService}
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
		fmt.Fprintf(&b, "【报名号 %d】%s\n%s｜%s\n参加人：%s，手机 %s\n", su.ID, ev.Title, signup.FormatWhen(ev), ev.Place, attendeeText(su), privacy.MaskPhone(su.Phone))
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
		if len(active) == 1 && args == "" { // the only booking: ask, no number needed
			return e.askCancel(ctx, in, active[0])
		}
		ids := make([]uint, 0, len(active))
		for _, en := range active {
			ids = append(ids, en.Event.ID)
		}
		e.rememberList(ctx, listCancel, ids) // "19号那个" next picks one
		return reply(fmt.Sprintf(msgCancelUsage, entriesText(active, false)))
	}
	if e.flowOf(ctx, in.OpenID) == cancelFlow {
		e.EndFlow(ctx, in.OpenID) // said outright: no confirmation pending any more
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
		if len(same) == 1 { // 取消报名 3 meaning event 3: confirm that booking
			r := e.askCancel(ctx, in, same[0])
			r.Text = fmt.Sprintf("（取消要用报名号（不是活动编号），您在这个活动的报名号是 %d，也可以直接回复“取消报名 %d”。）\n", same[0].Signup.ID, same[0].Signup.ID) + r.Text
			return r
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
		return Reply{Text: fmt.Sprintf(msgCheckinNotNow, ev.Title, int(signup.CheckinEarly/time.Hour), signup.FormatWhen(ev))}
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

// unfinishedSignup tells of a sign-up the resident started and has not
// finished; "" when there is none.
func (e *Engine) unfinishedSignup(ctx context.Context, openID string) string {
	conv, err := e.Store.GetConversation(ctx, openID)
	if err != nil || conv.Flow != signupFlow {
		return ""
	}
	st, ok := decodeState(conv)
	if !ok {
		return ""
	}
	v, err := e.Signups.Event(ctx, st.Signup.Event)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("📝 您有一个还没填完的报名：「%s」（还没有报上）。接着回答上一个问题就能继续，回复“退出”放弃。", v.Title)
}
