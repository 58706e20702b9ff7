package bot

import (
	"context"

	"familybot/models"
)

// What a resident can start, in one place: every command word and menu key,
// every multi-step flow and every QR-code scene, with the function that runs it.

// commands are matched by route() (engine.go) before an ongoing flow, the Soft
// ones after it; the longest matching name wins. A menu key (a CLICK event)
// runs the command that lists it.
var commands = []Command{
	{Names: []string{"帮助", "菜单", "help", "Help", "HELP", "?", "？"}, Fn: helpCommand},
	{Names: []string{"你好", "您好", "在吗", "在不在", "hi", "Hi", "hello"}, Soft: true, Fn: helpCommand},
	{Names: []string{"人工", "转人工", "人工服务", "找人工", "客服", "工作人员", "联系工作人员"}, MenuKeys: []string{"CONTACT"}, Fn: handoffCommand},
	{Names: []string{"没用", "没解决", "没帮助", "没有用", "不对", "答非所问", "没帮上"}, Soft: true, Fn: unhelpfulCommand},
	{Names: []string{"谢谢", "谢谢你", "多谢", "感谢", "好的谢谢", "好的", "知道了", "明白了"}, Soft: true, Fn: thanksCommand},
	{Names: []string{"科学育儿", "育儿"}, MenuKeys: []string{"KB_PARENTING"}, Fn: topic(msgTopicParenting, models.CatParenting)},
	{Names: []string{"青春健康", "青春期"}, MenuKeys: []string{"KB_ADOLESCENT"}, Fn: topic(msgTopicAdolescent, models.CatAdolescent)},
	{Names: []string{"老年保健", "老年健康"}, MenuKeys: []string{"KB_ELDERLY"}, Fn: topic(msgTopicElderly, models.CatElderly)},
	{Names: []string{"协会服务", "服务"}, MenuKeys: []string{"KB_SERVICE"}, Fn: topic(msgTopicService, models.CatService)},

	// Events and sign-ups (signup.go, signup_forgive.go).
	{Names: []string{"活动", "活动报名", "近期活动"}, Args: true, MenuKeys: []string{"EVENTS"}, Fn: eventsCommand},
	{Names: []string{"报名"}, Args: true, Fn: signupCommand},
	{Names: []string{"加报", "再报一位", "再报一个"}, Args: true, Fn: addSignupCommand},
	{Names: []string{"我的报名", "我的活动"}, Fn: mySignups},
	{Names: []string{"取消报名"}, Args: true, Fn: cancelSignup},
	{Names: []string{"帮我取消", "帮我取消吧", "我要取消", "我想取消", "取消我的报名", "不去了", "去不了了", "我不去了", "参加不了了"}, Fn: cancelOne},
	{Names: []string{"我排第几", "排第几", "我排第几位", "排到第几了", "候补第几", "我是第几个", "候补排第几"}, Fn: waitPosition},

	// The wish wall (wish.go).
	{Names: wishCommandNames, Args: true, MenuKeys: []string{"WISH"}, Fn: wishStart},
	{Names: []string{"我的心愿", "心愿进度"}, Args: true, MenuKeys: []string{"MY_WISHES"}, Fn: myWishes},
	{Names: []string{"回音壁"}, MenuKeys: []string{"ECHO_WALL"}, Fn: echoWall},
	{Names: []string{"评价", "打分"}, Args: true, Fn: rateWish},
}

// flows continue a conversation a command or an answer started, by the name
// kept in the resident's state.
var flows = map[string]FlowFunc{
	clarifyFlow:     clarifyStep,     // faq.go: "which of these did you mean?"
	signupFlow:      signupStep,      // signup_flow.go: name, phone, child's age …
	cancelFlow:      cancelStep,      // signup_forgive.go: which sign-up to cancel
	voiceChoiceFlow: voiceChoiceStep, // voice.go: a number picked after an unheard voice message
	wishFlow:        wishStep,        // wish.go: the wish, its category, contact
}

// scenes route QR-code scenes (a SCAN event, or subscribe through a code) by prefix.
var scenes = map[string]SceneFunc{
	"checkin_": checkinScene, // signup.go: the check-in code at an event
}

func helpCommand(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	return Reply{Text: e.fill(msgHelp)}
}

func handoffCommand(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	return e.handoff(ctx, in, models.HandoffAsked)
}

func unhelpfulCommand(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	return e.unhelpful(ctx, in)
}

func thanksCommand(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	return Reply{Text: msgThanks}
}

// topic answers a menu topic (科学育儿 …) with its introduction.
func topic(text, category string) func(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	return func(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
		return Reply{Text: e.fill(text), Category: category}
	}
}
