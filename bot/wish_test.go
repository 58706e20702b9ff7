package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"familybot/config"
	"familybot/models"
	"familybot/outbox"
	"familybot/store"
	"familybot/store/storetest"
	"familybot/wishwall"
)

var wishStaff = models.Staff{UserID: "amy", Name: "王艾米", Role: models.RoleAdmin}

// wishEngine wires an engine with the wish service on a real store (no knowledge
// base: the messages here never reach the FAQ).
func wishEngine(t *testing.T, s *store.Store) (*Engine, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)}
	s.Now = clk.now
	n := &outbox.Notifier{Store: s, OnDuty: []string{"duty1"}, PublicURL: "https://bot.example.org",
		Templates: map[models.TemplateKind]string{"wish_reply": "TPL"}}
	e := &Engine{
		Store: s, Wishes: &wishwall.Service{Store: s, Notify: n, Now: clk.now}, Alerts: n,
		Assoc:  config.Association{Name: "测试市计生协", Phone: "0571-12345678", Hours: "工作日9-17点"},
		Limits: config.Limits{WishesPerDay: 3}, TTL: 15 * time.Minute, Now: clk.now, PublicURL: "https://bot.example.org/",
	}
	if err := s.SaveStaff(context.Background(), wishStaff); err != nil {
		t.Fatal(err)
	}
	return e, clk
}

// chat sends each message in turn and returns the last reply.
func chat(t *testing.T, e *Engine, openID string, msgs ...string) Reply {
	t.Helper()
	var r Reply
	for _, m := range msgs {
		r = e.Handle(context.Background(), text(openID, m))
	}
	return r
}

func mustContain(t *testing.T, r Reply, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Text, p) {
			t.Errorf("reply lacks %q:\n%s", p, r.Text)
		}
	}
}

func wishes(t *testing.T, s *store.Store) []models.Wish {
	t.Helper()
	var ws []models.Wish
	if err := s.DB.Order("id").Find(&ws).Error; err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestWishFlow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e, _ := wishEngine(t, s)
		r := e.Handle(context.Background(), Inbound{OpenID: "o1", Kind: KindEvent, Event: "CLICK", EventKey: "WISH"})
		mustContain(t, r, "心愿", "身份证号", "退出")
		mustContain(t, chat(t, e, "o1", "短"), "太短")
		mustContain(t, chat(t, e, "o1", "希望小区门口的路灯修一修，我的身份证110101199003071234"), "身份证号已自动隐藏", "1. 育儿", "6. 其他")
		mustContain(t, chat(t, e, "o1", "七"), "1 到 6")
		mustContain(t, chat(t, e, "o1", "２"), "联系")
		mustContain(t, chat(t, e, "o1", "王阿姨 13912345678"), "回音壁", "1 同意")
		mustContain(t, chat(t, e, "o1", "也许"), "1（同意展示）")
		r = chat(t, e, "o1", "1")
		mustContain(t, r, "#1", "青春期", "3天内受理", "15天内", "我的心愿", "匿名展示在回音壁")
		ws := wishes(t, s)
		if len(ws) != 1 {
			t.Fatalf("wishes = %+v", ws)
		}
		w := ws[0]
		if w.OpenID != "o1" || w.Category != models.WishCatAdolescent || w.Contact != "王阿姨 13912345678" || !w.Public ||
			strings.Contains(w.Text, "110101199003071234") {
			t.Errorf("stored wish = %+v", w)
		}
		var alerts int64
		s.DB.Model(&models.OutboxMessage{}).Where("dedup_key = ?", "wish:new:1").Count(&alerts)
		if alerts != 1 {
			t.Errorf("staff alert rows = %d", alerts)
		}
		// The flow is over: the next message is not taken as a wish.
		if r := chat(t, e, "o1", "1"); strings.Contains(r.Text, "#2") {
			t.Errorf("flow did not end: %q", r.Text)
		}

		// Leaving half-way stores nothing; 跳过 picks 其他 and no contact.
		chat(t, e, "o2", "许愿", "想要小区多装几张长椅")
		mustContain(t, chat(t, e, "o2", "不许了"), "已退出")
		r = chat(t, e, "o2", "许愿", "想要小区多装几张长椅", "跳过", "不需要", "2")
		mustContain(t, r, "#2", "其他")
		if strings.Contains(r.Text, "回音壁") {
			t.Errorf("a private wish mentions the wall: %q", r.Text)
		}
		if ws := wishes(t, s); len(ws) != 2 || ws[1].Contact != "" || ws[1].Public || ws[1].Category != models.WishCatOther {
			t.Errorf("second wish = %+v", ws[1])
		}
	})
}

// A wish whose text says its category is filed under it without asking:
// 育儿, 青春期, 养老, 活动, 服务, else 其他.
func TestWishCategoryFromText(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e, _ := wishEngine(t, s)
		mustContain(t, chat(t, e, "o1", "我想给你们提个建议", "希望多办几次家长课堂"), "已归入「活动建议」", "联系")
		mustContain(t, chat(t, e, "o1", "跳过", "2"), "类别：活动建议")
		mustContain(t, chat(t, e, "o2", "许愿 社区能不能办个托育点，宝宝没人带"), "类别：育儿")
		mustContain(t, chat(t, e, "o3", "提个建议 独居老人希望有人上门助餐"), "类别：养老")
		mustContain(t, chat(t, e, "o4", "我想许个愿"), "心愿")
		mustContain(t, chat(t, e, "o4", "希望小区多装几张长椅"), "请选择类别")
		mustContain(t, chat(t, e, "o4", "回音壁是什么？"), "心愿还没写完", "请选择类别") // answered (no knowledge base here), then asked again
		mustContain(t, chat(t, e, "o4", "算了 不许了"), "已退出")
		got := map[string]string{}
		for _, w := range wishes(t, s) {
			got[w.OpenID] = w.Category
		}
		want := map[string]string{"o1": models.WishCatActivity, "o2": models.WishCatParenting, "o3": models.WishCatElderly}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("wish of %s filed under %q, want %q", k, got[k], v)
			}
		}
		if len(got) != 3 {
			t.Errorf("wishes = %v, want 3 (o4 left the flow)", got)
		}
	})
}

func TestWishOneLineAndLimit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e, clk := wishEngine(t, s)
		r := chat(t, e, "o1", "许愿 希望小区装路灯，晚上太黑了！")
		mustContain(t, r, "#1", "其他", "3天内受理")
		if ws := wishes(t, s); ws[0].Text != "希望小区装路灯，晚上太黑了！" {
			t.Errorf("one-line text = %q (the resident's punctuation is kept)", ws[0].Text)
		}
		chat(t, e, "o1", "许愿 第二个愿望在这里")
		mustContain(t, chat(t, e, "o1", "我要许愿 第三个愿望在这里"), "#3")
		r = chat(t, e, "o1", "许愿 第四个愿望在这里")
		mustContain(t, r, "今天已经留了3条", "明天", "0571-12345678")
		if r.Route != models.RouteLimited {
			t.Errorf("route = %s", r.Route)
		}
		// Refused for the limit, the wish (a name, a number) still stays out of the message log.
		rec := &memRecorder{}
		e.Recorder = rec
		chat(t, e, "o1", "许愿 我是王芳，电话13912345678，想要一个母婴室")
		if len(rec.msgs) != 1 || rec.msgs[0].Text != "许愿" || rec.msgs[0].Route != models.RouteLimited {
			t.Errorf("logged %+v, want only the command word", rec.msgs)
		}
		e.Recorder = nil
		// Over the limit the flow does not even start.
		mustContain(t, chat(t, e, "o1", "许愿"), "今天已经留了3条")
		if n := len(wishes(t, s)); n != 3 {
			t.Errorf("stored %d wishes, want 3", n)
		}
		clk.t = clk.t.Add(24 * time.Hour)
		mustContain(t, chat(t, e, "o1", "许愿 新的一天新的愿望"), "#4")
		// Another resident is not affected.
		mustContain(t, chat(t, e, "o2", "许愿 我也想要路灯"), "#5")
	})
}

func TestMyWishesRatingAndWall(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e, clk := wishEngine(t, s)
		ctx := context.Background()
		mustContain(t, chat(t, e, "o1", "我的心愿"), "还没有留过心愿")
		mustContain(t, chat(t, e, "o1", "回音壁"), "暂时还没有内容")
		chat(t, e, "o1", "许愿", "希望社区办老年人智能手机培训", "3", "跳过", "1")
		chat(t, e, "o1", "许愿 第二个心愿是多种些树")
		r := e.Handle(ctx, Inbound{OpenID: "o1", Kind: KindEvent, Event: "CLICK", EventKey: "MY_WISHES"})
		mustContain(t, r, "#1【待受理】", "#2【待受理】", "智能手机")
		mustContain(t, chat(t, e, "o1", "评价 5"), "还没有已办结")
		mustContain(t, chat(t, e, "o1", "评价 1 5"), "还没有办结")

		svc := e.Wishes
		clk.t = clk.t.Add(time.Hour)
		if _, err := svc.Accept(ctx, wishStaff, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Finish(ctx, wishStaff, 1, "下周三下午在活动室开课，咨询电话 13812345678"); err != nil {
			t.Fatal(err)
		}
		r = chat(t, e, "o1", "我的心愿")
		mustContain(t, r, "#1【已办结】", "下周三下午", "评价 1 5")
		r = chat(t, e, "o1", "我的心愿 1")
		mustContain(t, r, "心愿 #1【已办结】", "活动建议", "下周三下午在活动室开课", "评价 1 5")
		mustContain(t, chat(t, e, "o2", "我的心愿 1"), "没有找到您的心愿 #1")

		// 回音壁: public, finished, masked, with the page link.
		r = e.Handle(ctx, Inbound{OpenID: "o3", Kind: KindEvent, Event: "CLICK", EventKey: "ECHO_WALL"})
		mustContain(t, r, "#1 活动建议", "智能手机", "号码已隐去", "https://bot.example.org/wall")
		if strings.Contains(r.Text, "13812345678") {
			t.Errorf("wall shows a full number: %q", r.Text)
		}

		mustContain(t, chat(t, e, "o1", "评价 9"), "评价 12 5")
		mustContain(t, chat(t, e, "o2", "评价 1 5"), "没有找到")
		mustContain(t, chat(t, e, "o1", "评价 ２"), "2分", "再联系您")
		mustContain(t, chat(t, e, "o1", "评价 #1 5"), "已经评价过心愿 #1")
		mustContain(t, chat(t, e, "o1", "我的心愿"), "您的评价：2分")
		var alert int64
		s.DB.Model(&models.OutboxMessage{}).Where("dedup_key = ?", "wish:rating:1").Count(&alert)
		if alert != 1 {
			t.Errorf("a low rating did not alert the staff on duty")
		}
	})
}

func TestWishesUnavailable(t *testing.T) {
	s := storetest.SQLite(t)
	e, _ := wishEngine(t, s)
	e.Wishes = nil
	for _, m := range []string{"许愿", "许愿 想要路灯啊", "我的心愿", "回音壁", "评价 5"} {
		mustContain(t, chat(t, e, "o1", m), "心愿墙暂时不可用", "0571-12345678")
	}
}
