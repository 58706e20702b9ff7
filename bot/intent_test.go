package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"familybot/models"
)

// Regression tests for flows that read the whole sentence, one per class of
// failure a tester found (persona "dad"), with sentences of their own: the
// suite's events are 3 = 绘本时光 (1–3岁, 2 places, 3 waitlist) and 4 = 家长课堂
// for teens' parents.

// flowOfTest is the flow the resident is in, "" when none.
func flowOfTest(e *Engine, openID string) string { return e.flowOf(context.Background(), openID) }

func TestSignupStartsFromAnySentence(t *testing.T) {
	e := suiteEngine(t)
	for i, msg := range []string{"报3", "报 3", "報名3", "报名三", "那个绘本的报个名 报名3", "麻烦 报名 3 吧", "我要报名绘本", "帮我报个绘本那个", "報名 3"} {
		u := fmt.Sprint("start", i)
		say(t, e, u, msg, "绘本时光", "家长姓名")
		if f := flowOfTest(e, u); f != signupFlow {
			t.Errorf("%q: flow %q, want the sign-up", msg, f)
		}
	}
	// From inside another form: the new sign-up replaces it, nothing of the old one is a name.
	say(t, e, "switch", "报名 4", "参加人的姓名")
	say(t, e, "switch", "还是报那个绘本吧 报名3", "绘本时光", "家长姓名", "!参加人：")
	say(t, e, "switch", "王芳", "手机号")
	// A cancellation or a question is not a sign-up.
	say(t, e, "nostart", "取消报名 3", "!家长姓名")
	if f := flowOfTest(e, "nostart"); f == signupFlow {
		t.Error("取消报名 3 started a sign-up")
	}
	say(t, e, "ask", "绘本活动还能报名吗", "剩余", "“报名 3”", "!家长姓名")
}

func TestNamesAreTakenOutOfSentences(t *testing.T) {
	e := suiteEngine(t)
	for i, c := range []struct{ say, name string }{
		{"我叫王芳", "王芳"}, {"名字写李娜", "李娜"}, {"我老婆去 名字写李娜", "李娜"}, {"她叫陈静 电话13912345678", "陈静"},
		{"赵强 139 1234 5678", "赵强"}, {"姓名：周敏", "周敏"},
	} {
		u := fmt.Sprint("name", i)
		say(t, e, u, "报名 4")
		r := say(t, e, u, c.say)
		if !strings.Contains(r.Text, "手机") && !strings.Contains(r.Text, "请核对") {
			t.Errorf("%q: %s", c.say, r.Text)
		}
		if !strings.Contains(r.Text, "请核对") {
			say(t, e, u, fmt.Sprintf("136001360%02d", i))
		}
		say(t, e, u, "确认", "报名成功", "参加人："+c.name)
	}
	// Never a name: consent words, questions, commands, sentences.
	for i, msg := range []string{"同意", "可以", "我排第几啊", "我的报名", "再报个绘本的 报名3", "我老婆去", "要带身份证吗", "好 谢了", "哦 好的"} {
		u := fmt.Sprint("notname", i)
		say(t, e, u, "报名 4")
		r := say(t, e, u, msg)
		if strings.Contains(r.Text, "已记下：姓名") || (flowOfTest(e, u) == signupFlow && strings.Contains(r.Text, "请留一个手机号")) {
			t.Errorf("%q was taken as a name: %s", msg, r.Text)
		}
	}
}

func TestStrayAnswersReachNoKnowledgeEntry(t *testing.T) {
	e := suiteEngine(t)
	rec := e.Recorder.(*memRecorder)
	for i, msg := range []string{"同意", "我同意", "确认", "是的", "跳过", "13912345678", "139 1234 5678", "王建国", "我叫李娜"} {
		r := say(t, e, fmt.Sprint("stray", i), msg, "报名")
		if r.EntryID != 0 || r.Route != models.RouteChat {
			t.Errorf("%q: route %s entry %d, want a chat reply and no entry", msg, r.Route, r.EntryID)
		}
	}
	for _, m := range rec.msgs {
		if m.Route == models.RouteFallback {
			t.Errorf("%q was counted as an unanswered question", m.Text)
		}
	}
	// A word the knowledge base knows something of is not a name.
	for _, w := range []string{"孙子", "钙片", "高烧"} {
		say(t, e, "kin", w, "!没有保存这个名字")
	}
	// Right after a sign-up, 确认 is answered as done.
	say(t, e, "done", "报名 4 王芳 13912340000", "报名成功")
	say(t, e, "done", "确认", "已经办好了")
}

func TestNoDoubleBookingAndFullSaidAtTheStart(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "booked", "报名 4 王芳 13912340001", "报名成功")
	say(t, e, "booked", "报名4", "已经报名", "名额已确认")
	say(t, e, "booked", "我要报名家长课堂", "已经报名")
	if f := flowOfTest(e, "booked"); f != "" {
		t.Errorf("a second form was started: %q", f)
	}
	say(t, e, "booked", "加报 4", "参加人的姓名") // another person of the family, on purpose
	for i := range 2 {
		say(t, e, fmt.Sprint("fill", i), fmt.Sprintf("报名 3 家长%c 1391234100%d 豆豆 2岁 同意", '甲'+rune(i), i), "报名成功")
	}
	say(t, e, "late", "报名 3", "名额已经满了", "排第 1 位", "家长姓名")
	say(t, e, "late2", "绘本那个还有位置吗", "候补", "“报名 3”")
	say(t, e, "wait", "报名 3 李四 13912341009 豆豆 2岁 同意", "候补")
	say(t, e, "wait", "报名 3", "已经报名", "候补第 1 位")
}

func TestCancellingAndLeaving(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "c", "报名 4 王芳 13912342000", "报名成功")
	say(t, e, "c", "家长课堂那个取消掉", "确定要取消吗", "家长课堂")
	say(t, e, "c", "不用了", "报名保留")
	say(t, e, "c", "把绘本那个取消了", "!确定要取消吗") // not booked: no cancellation asked about
	say(t, e, "c", "那 帮我取消吧", "确定要取消吗")
	say(t, e, "c", "取消", "报名保留") // 取消 alone leaves the question: the booking stays
	say(t, e, "c", "取消报名四", "确定要取消吗")
	say(t, e, "c", "是的", "已取消")
	say(t, e, "c", "我的报名", "已取消")

	// Half-way through a form, 帮我取消吧 ends the form.
	say(t, e, "f", "报名 3", "家长姓名")
	say(t, e, "f", "帮我取消吧", "退出", "没有保存")
	if f := flowOfTest(e, "f"); f != "" {
		t.Errorf("the form goes on: %q", f)
	}
	// Giving up on a wish is never the wish.
	ctx := context.Background()
	for i, quit := range []string{"算了 不写了", "嗯 那个 算了不写了", "不提了"} {
		u := fmt.Sprint("w", i)
		say(t, e, u, "我想提个建议", "心愿")
		say(t, e, u, quit, "没有保存")
		if ws, _ := e.Wishes.Mine(ctx, u, 5); len(ws) != 0 {
			t.Errorf("%q was saved as a wish", quit)
		}
		if r := say(t, e, u, "没事了"); r.Route != models.RouteChat {
			t.Errorf("没事了 outside a flow: route %s", r.Route)
		}
	}
	// 算了 after the wish is written asks whether to keep it.
	say(t, e, "keep", "我想提个建议", "心愿")
	say(t, e, "keep", "希望晚上也开放亲子小屋", "跳过")
	say(t, e, "keep", "算了", "保存")
	say(t, e, "keep", "保存", "已收到您的心愿")
}

func TestSuggestionsStartTheWishFlow(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "s1", "我想提个建议呀", "心愿")
	if f := flowOfTest(e, "s1"); f != wishFlow {
		t.Errorf("flow %q, want the wish flow", f)
	}
	say(t, e, "s2", "希望社区多办点周末的活动", "心愿墙", "回复“是”")
	say(t, e, "s2", "是的 最好周六上午", "跳过")
	say(t, e, "s2", "要留电话吗", "不是必须", "跳过")
	say(t, e, "s2", "不用留", "回音壁") // a no with more words is no contact, not the contact
	if r := say(t, e, "s0", "好 谢了"); r.Route != models.RouteChat {
		t.Errorf("好 谢了: route %s, want chat", r.Route)
	}
	r := say(t, e, "s2", "2", "已收到您的心愿")
	ws, _ := e.Wishes.Mine(context.Background(), "s2", 5)
	if len(ws) != 1 || !strings.Contains(ws[0].Text, "周末") || !strings.Contains(ws[0].Text, "周六上午") || ws[0].Contact != "" {
		t.Fatalf("wish saved: %+v (%s)", ws, r.Text)
	}
	say(t, e, "s2", "跳过", "已经办好了")
	if r := say(t, e, "s2", "大概什么时候能回复我", "3天", "15天"); r.EntryID != 0 {
		t.Errorf("the wall's promise came from an entry: %d", r.EntryID)
	}
}

func TestEventQuestionsAnsweredFromTheEvent(t *testing.T) {
	e := suiteEngine(t)
	say(t, e, "q1", "宝宝一岁半能参加吗", "绘本时光", "1–3岁", "18个月可以参加")
	say(t, e, "q2", "家长要去几个 我们俩都去行不", "一位家长")
	say(t, e, "q3", "绘本活动还有名额吗", "剩余", "“报名 3”")
	say(t, e, "q5", "家长课堂 我家孩子一岁半 合适吗", "12岁以上孩子的家长", "可能还用不上")
	say(t, e, "q5", "能带孩子去吗", "不用带孩子") // the class just asked about
	say(t, e, "q6", "能换成我爱人去吗", "人工")
	for _, q := range []string{"孩子两岁了能去游泳吗", "我和老伴一起去打疫苗吗"} { // questions for the knowledge base
		if r := say(t, e, "q9", q); r.Category == models.CatService {
			t.Errorf("%q answered from the events: %s", q, r.Text)
		}
	}
	say(t, e, "q7", "几点结束", "哪个活动", "绘本时光", "11:00")
	say(t, e, "q8", "报名 4", "姓名")
	say(t, e, "q8", "我排第几", "还没填完")
	// A toddler's parent signing up for the teens' class is told who it is for.
	say(t, e, "q4", "报名 4", "姓名")
	say(t, e, "q4", "这个讲什么的 我家才两岁", "青春期", "12岁以上孩子的家长", "参加人的姓名")
	say(t, e, "q4", "我爱人能一起去吗", "“报名 4”")
}

func TestSignupInText(t *testing.T) {
	for in, want := range map[string]string{
		"报1": "报名 1", "绘本那个报个名 报名1": "报名 1", "再报个绘本的 报名3 张伟": "报名 3 张伟", "报名三": "报名 3",
		"报名3号": "报名 3", "那 报 2": "报名 2",
		"取消报名 1": "", "报名3个孩子可以吗": "", "一年报3次": "", "我报了2个班": "", "报名费": "",
	} {
		got, ok := signupInText(in)
		if got != want || ok != (want != "") {
			t.Errorf("signupInText(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestTraditionalFolded(t *testing.T) {
	if got := toSimplified("報名1 張偉 一歲半 確認"); got != "报名1 张伟 一岁半 确认" {
		t.Errorf("got %q", got)
	}
	if got := toSimplified("宝宝发烧怎么办"); got != "宝宝发烧怎么办" {
		t.Errorf("simplified text changed: %q", got)
	}
}
