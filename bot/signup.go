package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	msgDuplicate       = "%s已经报名了「%s」，无需重复报名（报名号 %d，%s）。回复“我的报名”查看。"
	msgSignupFullAhead = "「%s」的名额已经满了，现在报名是排候补（您会排第 %d 位），有人取消会按顺序递补并通知您。想排候补就接着填，不想等请回复“退出”。\n"
	msgCancelled       = "已取消%s在「%s」（%s）的报名。欢迎下次参加！"
	msgCancelUsage     = "请回复“取消报名 报名号”。您的报名：\n%s"
	msgCancelNone      = "您目前没有可以取消的报名。回复“我的报名”查看。"
	msgCancelUnknown   = "没有找到报名号 %d 的报名，请回复“我的报名”查看报名号。"
	msgCancelEventNo   = "取消要用报名号（不是活动编号）。您在「%s」的报名：\n%s"
	msgCancelTooLate   = "已过取消截止时间（%s），不能在这里取消了。如不能参加，请回复“人工”或致电 {{phone}} 告诉工作人员。"
	msgCancelStarted   = "活动已经开始，不能取消了。"
	msgCancelTwice     = "这条报名已经取消了。回复“我的报名”查看。"
	msgMineNone        = "您还没有报名近期的活动。回复“活动”看看有哪些活动。"
	msgCheckinBad      = "这个签到二维码无效，请找现场工作人员签到。"
	msgCheckinDone     = "✅ 签到成功！欢迎参加「%s」。\n已签到：%s"
	msgCheckinAgain    = "您已经签到过了（%s），欢迎参加「%s」！"
	msgCheckinNotNow   = "「%s」的签到时间是活动开始前%d小时到活动结束。活动时间：%s。"
	msgCheckinWait     = "您在「%s」目前还在候补，没有确认名额，请找现场工作人员。"
	msgCheckinNone     = "没有找到您在「%s」的报名。如果是家人用别的微信报的名，请向工作人员出示签到码。"
	msgCheckinGone     = "「%s」已经取消了，给您带来不便，敬请谅解。"
)

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
	ids := make([]uint, 0, len(evs))
	for _, v := range evs {
		ids = append(ids, v.ID)
		fmt.Fprintf(&b, "【%d】%s\n%s｜%s\n%s\n", v.ID, v.Title, signup.FormatWhen(v.Event), v.Place, placesText(v))
	}
	fmt.Fprintf(&b, msgEventsFoot, evs[0].ID)
	e.rememberList(ctx, listEvents, ids)
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
	return fmt.Sprintf("%d月%d日 %s", t.In(models.Beijing).Month(), t.In(models.Beijing).Day(), t.In(models.Beijing).Format("15:04"))
}
