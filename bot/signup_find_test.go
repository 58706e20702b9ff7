package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"familybot/models"
)

// Suite events (now: Tue 24 Nov 2026): 1 亲子阅读会 Sun 29 Nov (1–3岁), 2 防跌倒讲座
// Mon 30 Nov, 3 绘本时光 Tue 1 Dec, 4 家长课堂 Wed 2 Dec, 5 婴儿抚触与辅食课 Sat 5 Dec (0–1岁).

// Class E: an event is named by its date, its weekday or words of its title,
// never by a date read as its number.
func TestEventNamedByDateAndTitle(t *testing.T) {
	e := suiteEngine(t)
	ctx := context.Background()
	for text, want := range map[string]uint{
		"29号的亲子阅读":     1,
		"11月29日那个":     1,
		"12月5号那个抚触辅食课": 5,
		"5号那个":         5,
		"下周六的课":        5,
		"周六那个":         5,
		"抚触辅食课":        5,
		"家长课堂":         4,
		"12月2号":        4,
	} {
		v, ok := e.eventsNamed(ctx, text).one()
		if !ok || v.ID != want {
			t.Errorf("%q → event %d (%v), want %d", text, v.ID, ok, want)
		}
	}
	for _, text := range []string{"29号的抚触课", "20号那个", "宝宝发烧怎么办"} {
		if v, ok := e.eventsNamed(ctx, text).one(); ok {
			t.Errorf("%q → event %d, want none", text, v.ID)
		}
	}
	for i, msg := range []string{"你好 想给女儿报名29号的亲子阅读", "报名29号的亲子阅读", "再报一个5号的抚触辅食课 给我儿子 5个月大",
		"12月5号那个抚触辅食课我儿子也想去 他5个月"} {
		r := say(t, e, fmt.Sprint("date", i), msg, "开始报名", "!没有找到编号")
		if f := flowOfTest(e, fmt.Sprint("date", i)); f != signupFlow {
			t.Errorf("%q: flow %q, want the sign-up (%s)", msg, f, r.Text)
		}
	}
	// 报名 3号 alone is still event 3.
	say(t, e, "num", "报名3号", "绘本时光")
	// 报, right after an event's places were shown, starts it.
	say(t, e, "bao", "5号那个婴儿抚触辅食课还能报吗", "婴儿抚触", "报名 5")
	say(t, e, "bao", "报", "开始报名", "婴儿抚触")
}

// Class E: the details said with the command are taken; fields in free text
// are labelled right; the child's details wait for consent; 电话一样 reuses
// the number given before (shown masked).
func TestSignupFieldsLabelledRight(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "cmd", "报名亲子阅读 王磊 13812340001", "亲子阅读会", "138****0001", "同意")
	say(t, e, "lab", "报名 1")
	say(t, e, "lab", "王磊 13812340002 孩子王小雨 两岁半", "王磊", "138****0002", "后再填", "!姓名 两岁半", "!姓名 王小雨")
	say(t, e, "lab", "同意 小名叫小雨 两岁半", "小雨", "2岁半", "请核对")
	say(t, e, "kid", "报名 1")
	say(t, e, "kid", "小雨 3岁", "后再填", "家长姓名", "!姓名 小雨")
	// Another event begun half-way: the first is said to be left, the parent's details carried.
	say(t, e, "kid", "王磊 13812340003", "138****0003")
	say(t, e, "kid", "还有12月5号那个抚触辅食课 我儿子5个月 也想报", "还没填完", "报名 1", "婴儿抚触")
	say(t, e, "kid", "名字王小宝 5个月 电话还是刚才那个", "138****0003", "后再填", "!姓名 王小宝", "!13812340003")
	// The number of the last sign-up is reused in a new form.
	say(t, e, "reuse", "报名 2 李娜 13812340004", "报名成功")
	say(t, e, "reuse", "报名 4")
	say(t, e, "reuse", "李娜 电话一样", "138****0004", "!13812340004")
}

// Class E: a name and phone number with nothing waiting ask which event;
// neither the names nor the number reach the message log.
func TestDetailsWithNothingWaiting(t *testing.T) {
	e := suiteEngine(t)
	rec := e.Recorder.(*memRecorder)
	for i, msg := range []string{"王磊 13812345678 孩子叫王小雨 两岁半", "王建国 139 1234 5678"} {
		r := say(t, e, fmt.Sprint("nw", i), msg, "报哪个活动", "亲子阅读会", "!13812345678")
		if r.Route == models.RouteFallback || r.EntryID != 0 {
			t.Errorf("%q: route %s entry %d, want the events", msg, r.Route, r.EntryID)
		}
	}
	for _, m := range rec.msgs {
		if strings.Contains(m.Text, "王") || strings.Contains(m.Text, "5678") {
			t.Errorf("logged %q", m.Text)
		}
	}
}

// Class F: a correction is taken at the consent and the confirm step.
func TestCorrectionAtAnyStep(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "fix", "报名 1 王磊 13812340010")
	say(t, e, "fix", "同意")
	say(t, e, "fix", "小雨 两岁半", "2岁半", "请核对")
	say(t, e, "fix", "等下 我记错了 她三岁了 上个月过的生日", "3岁", "请核对")
	say(t, e, "fix", "电话写错了 是13812340011", "138****0011", "请核对")
	say(t, e, "fix", "确认", "报名成功", "小雨（3岁）")
}

// Class G: an age outside the event's range says why and offers suitable events.
func TestAgeOutOfRangeOffersEvents(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "age", "报名 1 王磊 13812340020")
	say(t, e, "age", "同意")
	say(t, e, "age", "小宝 5个月", "1–3岁", "5个月", "婴儿抚触与辅食课", "报名 5")
	say(t, e, "age2", "报名 1 王磊 13812340021")
	say(t, e, "age2", "同意")
	say(t, e, "age2", "小宝")
	say(t, e, "age2", "5个月", "1–3岁", "婴儿抚触与辅食课")
}

// Class G: 同意 or 确认 with nothing waiting never says it is done.
func TestConfirmWithNothingWaiting(t *testing.T) {
	e := suiteEngine(t)
	for i, msg := range []string{"同意", "确认", "确定"} {
		r := say(t, e, fmt.Sprint("none", i), msg, "没有等您确认", "!已经办好了")
		if r.Route != models.RouteChat {
			t.Errorf("%q: route %s, want chat", msg, r.Route)
		}
	}
	say(t, e, "talked", "5号那个婴儿抚触辅食课还能报吗", "报名 5")
	say(t, e, "talked", "确认", "还没有报名", "报名 5", "!已经办好了")
}

// Class H: while a cancellation awaits its yes, a message naming another
// event cancels nothing.
func TestCancelConfirmOnlyForTheEventAsked(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "h", "报名 1 王磊 13812340030 小雨 2岁 同意", "报名成功")
	say(t, e, "h", "帮我取消吧", "确定要取消吗", "亲子阅读会")
	say(t, e, "h", "取消5号那个", "没有取消", "没有报名「婴儿抚触与辅食课」")
	say(t, e, "h", "我的报名", "已确认")
	// Holding both, the other one is asked about instead.
	say(t, e, "h", "报名 5 王磊 13812340030 小宝 5个月 同意", "报名成功")
	say(t, e, "h", "取消报名 1") // the numbers are 报名号, not events: only asks or lists
	say(t, e, "h2", "报名 1 王芳 13812340031 豆豆 2岁 同意", "报名成功")
	say(t, e, "h2", "报名 5 王芳 13812340031 小宝 5个月 同意", "报名成功")
	say(t, e, "h2", "取消亲子阅读", "确定要取消吗", "亲子阅读会")
	say(t, e, "h2", "取消5号那个", "确定要取消吗", "婴儿抚触与辅食课")
	say(t, e, "h2", "确定", "已取消", "婴儿抚触与辅食课")
	say(t, e, "h2", "我的报名", "亲子阅读会", "已确认")
	// A question while a cancellation waits cancels nothing.
	say(t, e, "h2", "帮我取消吧", "确定要取消吗")
	say(t, e, "h2", "亲子阅读在哪来着 几点", "!已取消")
	say(t, e, "h2", "我的报名", "已确认")
}

// Class I: the event named is used; the matching events are listed.
func TestEventContextUsed(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "i", "最近有什么亲子活动吗 我女儿两岁半", "亲子阅读会", "绘本时光", "!家长课堂", "!婴儿抚触")
	say(t, e, "i2", "你好 想给女儿报名29号的亲子阅读", "开始报名")
	say(t, e, "i2", "退出")
	say(t, e, "i2", "几点开始 在哪里来着", "09:30", "协会二楼亲子小屋", "!哪个活动")
}

// Class J: the wish flow starts from a sentence, takes a wish for company as
// a 心愿, lets go on 算了 不许了 with more words, and answers feelings inside it.
func TestWishFlowForgives(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "w", "我想许个心愿", "心愿墙", "!怎么用")
	if f := flowOfTest(e, "w"); f != wishFlow {
		t.Fatalf("flow %q, want the wish", f)
	}
	say(t, e, "w", "希望过年的时候有人能来家里坐坐 陪我们老两口说说话", "类别")
	say(t, e, "w", "你是机器人还是真人啊", "不是真人", "类别")
	say(t, e, "w", "我叫赵秀兰 电话13987654321 住在幸福社区", "联系方式", "回音壁", "!13987654321")
	say(t, e, "w", "算了 不许了 麻烦人家", "已退出", "不麻烦")
	if f := flowOfTest(e, "w"); f != "" {
		t.Errorf("flow %q after 算了 不许了 麻烦人家, want none", f)
	}
	say(t, e, "w2", "希望过年的时候有人能来家里坐坐 陪我们老两口说说话", "心愿", "!建议吗")
	say(t, e, "w3", "唉 其实还是挺想有人来的", "心愿", "回复“是”")
	// A suggestion is still offered as one.
	say(t, e, "w4", "希望社区周末多办点亲子活动", "建议")
}

// A date alone with a going word names no event: 我5号要去医院 starts nothing.
func TestDateAloneIsNotASignup(t *testing.T) {
	e := suiteEngine(t)
	for i, msg := range []string{"我5号要去医院复查", "周六想去公园", "把29号的门诊预约取消了"} {
		u := fmt.Sprint("nodate", i)
		say(t, e, u, msg, "!开始报名", "!不用取消")
		if f := flowOfTest(e, u); f == signupFlow || f == cancelFlow {
			t.Errorf("%q started the %q flow", msg, f)
		}
	}
}

// An event named clearly with the form's details, and no form open ("那就报
// 29号的亲子阅读吧 我叫张伟 手机…"), starts that event's sign-up with them,
// rather than asking which event; without an event named, it asks.
func TestNamedEventWithDetailsStartsItsForm(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "n", "那就报29号的亲子阅读吧 我叫张伟 手机13912345678", "开始报名", "亲子阅读会", "张伟", "139****5678", "!没有在填的报名", "!13912345678")
	say(t, e, "n2", "我叫张伟 手机13912345678", "报哪个活动", "!13912345678")
}
