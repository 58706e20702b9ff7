package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"familybot/cache"
	"familybot/config"
	"familybot/models"
	"familybot/outbox"
	"familybot/signup"
	"familybot/store"
	"familybot/store/storetest"
)

// suClock is a fake clock shared by the engine, the service and the store.
type suClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *suClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *suClock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *suClock) add(d time.Duration) { c.set(c.now().Add(d)) }

// signupEngine wires a real engine and sign-up service on st; no knowledge base
// is needed for sign-ups (questions fall back).
func signupEngine(t *testing.T, st *store.Store) (*Engine, *signup.Service, *suClock) {
	t.Helper()
	clk := &suClock{t: time.Date(2025, 6, 2, 10, 0, 0, 0, models.Beijing)} // Monday 10:00
	st.Now = func() time.Time { return clk.now().UTC() }
	svc := &signup.Service{Store: st, Notify: &outbox.Notifier{Store: st}, Now: clk.now}
	e := &Engine{
		Store: st, Signups: svc, Assoc: config.Association{Name: "测试市计生协", Phone: "0571-12345678", Address: "健康路1号", Hours: "工作日9-17点"},
		Limits: config.Default().Limits, TTL: 15 * time.Minute, Now: clk.now,
	}
	return e, svc, clk
}

// suEvent creates an open event next Sunday 09:30–11:00.
func suEvent(t *testing.T, svc *signup.Service, title string, capacity, waitlist int, forChild bool) models.Event {
	t.Helper()
	start := time.Date(2025, 6, 8, 9, 30, 0, 0, models.Beijing)
	end := start.Add(90 * time.Minute)
	ev := models.Event{Title: title, Category: models.EventParentClass, StartAt: start, EndAt: &end, Place: "协会二楼亲子小屋",
		Capacity: capacity, WaitlistCap: waitlist, Status: models.EventOpen}
	if forChild {
		ev.Category, ev.ForChild, ev.ChildAgeMinMonths, ev.ChildAgeMaxMonths = models.EventParentChild, true, 12, 36
		ev.Bring = "水杯、宝宝的备用尿布"
	}
	ev, err := svc.CreateEvent(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// say sends one text and checks the reply contains every want and none of the
// words after a "!" prefix.
func say(t *testing.T, e *Engine, openID, msg string, want ...string) Reply {
	t.Helper()
	r := e.Handle(context.Background(), Inbound{OpenID: openID, Kind: KindText, Text: msg})
	for _, w := range want {
		if no, ok := strings.CutPrefix(w, "!"); ok {
			if strings.Contains(r.Text, no) {
				t.Errorf("%q → reply contains %q:\n%s", msg, no, r.Text)
			}
		} else if !strings.Contains(r.Text, w) {
			t.Errorf("%q → reply lacks %q:\n%s", msg, w, r.Text)
		}
	}
	if strings.Contains(r.Text, "{{") {
		t.Errorf("unfilled placeholder: %s", r.Text)
	}
	return r
}

func signupsOf(t *testing.T, st *store.Store, evID uint) []models.Signup {
	t.Helper()
	rows, err := st.ListSignups(context.Background(), evID)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestSignupConversationForAChild(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, _, _ := signupEngine(t, st)
		ev := suEvent(t, e.Signups, "向日葵亲子小屋·绘本时光", 20, 10, true)
		id := fmt.Sprint(ev.ID)
		steps := []struct {
			msg  string
			want []string
		}{
			{"活动", []string{"【" + id + "】向日葵亲子小屋·绘本时光", "6月8日（周日）09:30–11:00", "剩余 20 个名额", "报名 " + id}},
			{"活动 " + id, []string{"适合：1–3岁宝宝及一位家长", "请带上：水杯", "活动结束30天后自动删除", "0571-12345678", "同意"}},
			{"报名" + id, []string{"家长姓名"}},
			{"张3", []string{"只填写姓名"}},
			{"张三", []string{"手机号"}},
			{"1380013800", []string{"11位手机号"}},
			{"138 0013 8000", []string{"孩子信息说明", "监护人", "不同意"}},
			{"嗯嗯", []string{"“同意”或“不同意”"}},
			{"同意", []string{"称呼"}},
			{"豆豆", []string{"豆豆多大了", "1–3岁"}},
			{"18", []string{"单位"}},
			{"5岁", []string{"适合1–3岁", "豆豆现在5岁", "不在范围内", "多大了"}},
			{"一岁半", []string{"请核对", "家长：张三", "138****8000", "豆豆，18个月", "!13800138000"}},
			{"确认", []string{"报名成功", "豆豆（18个月）", "签到码", "取消报名 ", "协会二楼亲子小屋", "!候补"}},
		}
		for _, s := range steps {
			say(t, e, "parent1", s.msg, s.want...)
		}
		rows := signupsOf(t, st, ev.ID)
		if len(rows) != 1 || rows[0].ChildName != "豆豆" || rows[0].ChildAgeMonths != 18 || rows[0].Phone != "13800138000" ||
			rows[0].ConsentVersion != models.ConsentVersion || rows[0].OpenID != "parent1" || rows[0].Status != models.SignupConfirmed {
			t.Fatalf("stored %+v", rows)
		}
		if _, err := st.GetConversation(context.Background(), "parent1"); err == nil {
			t.Fatal("flow state kept after the sign-up")
		}
	})
}

func TestConsentRefusalStoresNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, _, _ := signupEngine(t, st)
		ev := suEvent(t, e.Signups, "向日葵亲子小屋", 20, 0, true)
		say(t, e, "p", fmt.Sprint("报名 ", ev.ID))
		say(t, e, "p", "李四")
		say(t, e, "p", "13900001111", "孩子信息说明")
		say(t, e, "p", "不同意", "没有保存任何信息", "0571-12345678")
		say(t, e, "p2", fmt.Sprint("报名 ", ev.ID, " 王五 13700000000 豆豆 2岁 不同意"), "没有保存任何信息")
		if rows := signupsOf(t, st, ev.ID); len(rows) != 0 {
			t.Fatalf("stored %d sign-ups after refusal", len(rows))
		}
		for _, who := range []string{"p", "p2"} {
			if _, err := st.GetConversation(context.Background(), who); err == nil {
				t.Fatalf("%s: flow state (with the parent's details) kept after refusal", who)
			}
		}
	})
}

func TestOneLineSignup(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, _, _ := signupEngine(t, st)
		adultEv := suEvent(t, e.Signups, "老年健康讲座", 30, 0, false)
		kidEv := suEvent(t, e.Signups, "向日葵亲子小屋", 20, 0, true)
		a, k := fmt.Sprint(adultEv.ID), fmt.Sprint(kidEv.ID)
		tests := []struct {
			name, who string
			msgs      []string
			want      []string
			stored    int // sign-ups of this resident afterwards
		}{
			{"adult", "o1", []string{"报名 " + a + " 张三 13800138000"}, []string{"报名成功", "参加人：张三"}, 1},
			{"adult full-width", "o2", []string{"报名　" + a + "，李四，１３９００００１１１１"}, []string{"报名成功"}, 1},
			{"child with consent", "o3", []string{"报名 " + k + " 王五 13700000000 果果 2岁 同意"}, []string{"报名成功", "果果（2岁）"}, 1},
			{"child nickname optional", "o4", []string{"报名 " + k + " 赵六 13600000000 20个月 同意"}, []string{"报名成功", "孩子（20个月）"}, 1},
			{"child without consent asks it, keeps nothing of the child", "o5",
				[]string{"报名 " + k + " 孙七 13500000000 小米 2岁", "同意", "小米", "2岁", "确认"}, []string{"报名成功", "小米（2岁）"}, 1},
			{"age out of range re-asks", "o6", []string{"报名 " + k + " 周八 13400000000 5岁 同意"}, []string{"适合1–3岁", "多大了"}, 0},
			{"bad phone goes step by step", "o7", []string{"报名 " + a + " 吴九 1380013"}, []string{"没看懂", "手机号"}, 0},
			{"name only asks the phone", "o8", []string{"报名 " + a + " 郑十"}, []string{"手机号", "!姓名"}, 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var r Reply
				for _, m := range tc.msgs {
					r = say(t, e, tc.who, m)
				}
				for _, w := range tc.want {
					if no, ok := strings.CutPrefix(w, "!"); ok && strings.Contains(r.Text, no) || !ok && !strings.Contains(r.Text, w) {
						t.Errorf("last reply vs %q:\n%s", w, r.Text)
					}
				}
				n := 0
				for _, ev := range []uint{adultEv.ID, kidEv.ID} {
					for _, su := range signupsOf(t, st, ev) {
						if su.OpenID == tc.who {
							n++
						}
					}
				}
				if n != tc.stored {
					t.Errorf("stored %d sign-ups, want %d", n, tc.stored)
				}
			})
		}
		// Without 同意, the child's details in the line were not kept in the flow state either.
		say(t, e, "o9", "报名 "+k+" 钱一 13300000000 毛毛 2岁")
		conv, err := st.GetConversation(context.Background(), "o9")
		if err != nil || strings.Contains(conv.Data, "毛毛") || conv.Step != "consent" {
			t.Fatalf("state before consent: %+v, %v", conv, err)
		}
	})
}

func TestDuplicateWaitlistCancelAndPromotion(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, _, _ := signupEngine(t, st)
		suEvent(t, e.Signups, "占位活动一", 5, 0, false) // so that event and sign-up numbers differ
		suEvent(t, e.Signups, "占位活动二", 5, 0, false)
		ev := suEvent(t, e.Signups, "沟通之道家长课堂", 1, 1, false)
		id := fmt.Sprint(ev.ID)
		say(t, e, "a", "报名 "+id+" 张三 13912345678", "报名成功", "!候补")
		say(t, e, "a", "报名 "+id+" 张三 13912345678", "已经报名", "名额已确认", "!报名成功", "!候补")
		say(t, e, "b", "报名 "+id+" 李四 13800000000", "候补", "第 1 位", "!报名成功")
		say(t, e, "b", "报名 "+id+" 李四 13800000000", "已经报名", "候补第 1 位", "!报名成功")
		say(t, e, "c", "活动", "名额和候补都已满")
		say(t, e, "c", "报名 "+id, "名额和候补都已满")
		rows := signupsOf(t, st, ev.ID)
		if len(rows) != 2 {
			t.Fatalf("%d rows, want 2", len(rows))
		}
		a, b := rows[0], rows[1]
		say(t, e, "a", "我的报名", fmt.Sprintf("报名号 %d", a.ID), "139****5678", "已确认", a.CheckinCode, fmt.Sprintf("取消报名 %d", a.ID), "!13912345678")
		say(t, e, "b", fmt.Sprint("取消报名 ", a.ID), "没有找到报名号")
		say(t, e, "a", "取消报名 "+id, "报名号（不是活动编号）", fmt.Sprintf("取消报名 %d", a.ID))
		say(t, e, "a", "取消报名", "确定要取消吗", fmt.Sprintf("报名号 %d", a.ID)) // the only booking: asked, no number needed
		say(t, e, "a", fmt.Sprint("取消报名 ", a.ID), "已取消", "张三")
		say(t, e, "a", fmt.Sprint("取消报名 ", a.ID), "已经取消")
		var msg models.OutboxMessage
		if err := st.DB.Where("dedup_key = ?", fmt.Sprintf("promote:signup:%d", b.ID)).Take(&msg).Error; err != nil || msg.To != "b" {
			t.Fatalf("promotion message: %+v, %v", msg, err)
		}
		say(t, e, "b", "我的报名", "已确认", "!候补")
	})
}

func TestCheckinByScanningTheEventCode(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, _, clk := signupEngine(t, st)
		ev := suEvent(t, e.Signups, "向日葵亲子小屋", 1, 2, true)
		say(t, e, "a", fmt.Sprint("报名 ", ev.ID, " 张三 13800138000 豆豆 2岁 同意"), "报名成功")
		say(t, e, "a", fmt.Sprint("报名 ", ev.ID, " 张三 13800138000 果果 2岁 同意"), "候补")
		say(t, e, "b", fmt.Sprint("报名 ", ev.ID, " 李四 13900001111 2岁 同意"), "候补")
		scan := func(who, event, key string) Reply {
			return e.Handle(context.Background(), Inbound{OpenID: who, Kind: KindEvent, Event: event, EventKey: key})
		}
		key := fmt.Sprint("checkin_", ev.ID)
		if r := scan("a", "SCAN", key); !strings.Contains(r.Text, "签到时间") {
			t.Fatalf("days early: %q", r.Text)
		}
		clk.set(ev.StartAt.Add(-20 * time.Minute))
		if r := scan("a", "SCAN", key); !strings.Contains(r.Text, "签到成功") || !strings.Contains(r.Text, "豆豆") || strings.Contains(r.Text, "果果") {
			t.Fatalf("scan: %q", r.Text)
		}
		if r := scan("a", "SCAN", key); !strings.Contains(r.Text, "已经签到过了") {
			t.Fatalf("second scan: %q", r.Text)
		}
		if r := scan("b", "subscribe", "qrscene_"+key); !strings.Contains(r.Text, "欢迎关注") || !strings.Contains(r.Text, "候补") {
			t.Fatalf("subscribe scan by a waitlisted parent: %q", r.Text)
		}
		if r := scan("c", "SCAN", key); !strings.Contains(r.Text, "没有找到您") {
			t.Fatalf("stranger: %q", r.Text)
		}
		if r := scan("c", "SCAN", "checkin_x"); !strings.Contains(r.Text, "无效") {
			t.Fatalf("bad scene: %q", r.Text)
		}
		rows := signupsOf(t, st, ev.ID)
		if rows[0].CheckedInAt == nil || rows[1].CheckedInAt != nil {
			t.Fatalf("check-in recorded on the wrong rows: %v %v", rows[0].CheckedInAt, rows[1].CheckedInAt)
		}
	})
}

type denyAll struct{}

func (denyAll) Allow(context.Context, string, int, time.Duration) bool { return false }

func TestSignupEdges(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, svc, _ := signupEngine(t, st)
		say(t, e, "x", "活动", "暂时没有")
		ev := suEvent(t, svc, "义诊", 5, 0, false)
		r := e.Handle(context.Background(), Inbound{OpenID: "x", Kind: KindEvent, Event: "CLICK", EventKey: "EVENTS"})
		if !strings.Contains(r.Text, "义诊") || r.Route != models.RouteCommand {
			t.Fatalf("menu: %+v", r)
		}
		say(t, e, "x", "活动 999", "没有找到编号为 999")
		say(t, e, "x", "报名", "报名 活动编号")
		say(t, e, "x", "我的报名", "还没有报名")
		// A question during the flow is answered, and the flow asks its question again.
		say(t, e, "x", fmt.Sprint("报名 ", ev.ID), "姓名")
		if r := say(t, e, "x", "义诊要带医保卡吗？", "致电", "姓名"); strings.Contains(r.Text, "请核对") {
			t.Fatalf("question taken as a name: %+v", r)
		}
		say(t, e, "x", "我的报名", "还没填完", "义诊")
		say(t, e, "x", "同意", "只填写姓名") // a consent word is never a name
		say(t, e, "x", "退出", "已退出")
		// 退出 leaves, nothing stored.
		say(t, e, "x", fmt.Sprint("报名 ", ev.ID))
		say(t, e, "x", "张三")
		say(t, e, "x", "退出", "已退出")
		if len(signupsOf(t, st, ev.ID)) != 0 {
			t.Fatal("stored after 退出")
		}
		// Rate limit on starting sign-ups.
		e.Limiter = denyAll{}
		e.Limits.MessagesPerMinute = 0
		say(t, e, "x", fmt.Sprint("报名 ", ev.ID), "报名操作有点多")
		// No service configured.
		e.Signups, e.Limiter = nil, nil
		for _, m := range []string{"活动", "报名 1", "我的报名", "取消报名 1"} {
			say(t, e, "x", m, "暂时无法使用")
		}
		if r := e.Handle(context.Background(), Inbound{OpenID: "x", Kind: KindEvent, Event: "SCAN", EventKey: "checkin_1"}); !strings.Contains(r.Text, "暂时无法使用") {
			t.Fatalf("scan without service: %q", r.Text)
		}
	})
}

// Many parents sending the one-line form at the same moment, through the engine.
// A sign-up forgives: several fields at once, a correction at a later step,
// and questions about the event right after signing up.
func TestSignupForgives(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, svc, _ := signupEngine(t, st)
		e.Recent = cache.NewMemoryState()
		ev := suEvent(t, svc, "亲子绘本课", 10, 0, true)
		say(t, e, "p", fmt.Sprint("报名 ", ev.ID), "家长姓名")
		say(t, e, "p", "张伟 13800138000", "张伟", "孩子信息说明") // name and phone together: straight to consent
		say(t, e, "p", "电话写错了 是13900139000", "139****9000", "同意")
		say(t, e, "p", "同意", "称呼")
		say(t, e, "p", "豆豆", "多大")
		say(t, e, "p", "18个月", "请核对")
		say(t, e, "p", "哦打错了 是2岁", "2岁", "请核对")
		say(t, e, "p", "停车方便吗", "致电", "请核对")
		say(t, e, "p", "确认", "报名成功")
		say(t, e, "p", "在哪里 几点", "协会二楼亲子小屋", "6月8日")
		say(t, e, "p", "我排第几", "已经报上了")
		list := signupsOf(t, st, ev.ID)
		if len(list) != 1 || list[0].Name != "张伟" || list[0].Phone != "13900139000" || list[0].ChildAgeMonths != 24 {
			t.Fatalf("stored %+v", list)
		}
		// "帮我取消吧" with one sign-up asks first, and cancels on 确定.
		say(t, e, "p", "帮我取消吧", "亲子绘本课", "确定要取消吗")
		say(t, e, "p", "算了不取消", "报名保留")
		say(t, e, "p", "帮我取消吧", "确定要取消吗")
		say(t, e, "p", "确定", "已取消")
		if list := signupsOf(t, st, ev.ID); list[0].Status != models.SignupCancelled {
			t.Fatalf("not cancelled: %+v", list[0])
		}
	})
}

func TestEngineConcurrentSignups(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, _, _ := signupEngine(t, st)
		ev := suEvent(t, e.Signups, "向日葵亲子小屋", 20, 10, false)
		const parents = 100
		var ok, wait, full, both atomic.Int64
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range parents {
			wg.Go(func() {
				<-gate
				name := "家长" + string(rune('甲'+i))
				r := e.Handle(context.Background(), Inbound{OpenID: fmt.Sprint("p", i), Kind: KindText, Text: fmt.Sprintf("报名 %d %s 139%08d", ev.ID, name, i)})
				s, w := strings.Contains(r.Text, "报名成功"), strings.Contains(r.Text, "候补")
				switch {
				case strings.Contains(r.Text, "都已满") && !s:
					full.Add(1)
				case s && w:
					both.Add(1)
				case s:
					ok.Add(1)
				case w:
					wait.Add(1)
				default:
					t.Errorf("reply %q", r.Text)
				}
			})
		}
		close(gate)
		wg.Wait()
		if ok.Load() != 20 || wait.Load() != 10 || full.Load() != parents-30 || both.Load() != 0 {
			t.Fatalf("报名成功 %d, 候补 %d, full %d, both words %d", ok.Load(), wait.Load(), full.Load(), both.Load())
		}
	})
}

// TestEventQuestionsUseTheEvent: "在哪里 几点开始" is answered from the event
// the message names or the one just listed, never the association's address.
func TestEventQuestionsUseTheEvent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, svc, _ := signupEngine(t, st)
		e.Recent = cache.NewMemoryState()
		start := time.Date(2025, 6, 7, 8, 30, 0, 0, models.Beijing)
		ev, err := svc.CreateEvent(context.Background(), models.Event{Title: "老年健康义诊（量血压、测血糖）", Category: models.EventParentClass,
			StartAt: start, Place: "文三路社区卫生服务站门口", Capacity: 30, Status: models.EventOpen, Description: "免费量血压、测血糖。"})
		if err != nil {
			t.Fatal(err)
		}
		say(t, e, "named", "义诊在哪里 几点开始", "文三路社区卫生服务站门口", "08:30", "!健康路1号")
		say(t, e, "named", "讲什么内容的", "测血糖")
		say(t, e, "named", "我要报名", "姓名")
		say(t, e, "named", "赵建国", "手机号")
		say(t, e, "named", "13800138000", "请核对")
		say(t, e, "named", "名字写错了 是陈建国", "陈建国", "请核对")
		say(t, e, "named", "确认", "报名成功")
		if list := signupsOf(t, st, ev.ID); len(list) != 1 || list[0].Name != "陈建国" {
			t.Fatalf("stored %+v", list)
		}
		say(t, e, "listed", "活动", "义诊")
		say(t, e, "listed", "在哪里 几点开始", "文三路社区卫生服务站门口", "!健康路1号", "!哪个活动")
	})
}
