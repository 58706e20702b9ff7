package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"familybot/cache"
	"familybot/config"
	"familybot/knowledge"
	"familybot/models"
	"familybot/outbox"
	"familybot/store"
	"familybot/store/storetest"
)

type memRecorder struct {
	mu   sync.Mutex
	msgs []models.Message
}

func (m *memRecorder) Record(msg models.Message) {
	m.mu.Lock()
	m.msgs = append(m.msgs, msg)
	m.mu.Unlock()
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// engineForTest wires a real engine on a fresh SQLite store with the embedded knowledge.
func engineForTest(t *testing.T) (*Engine, *store.Store, *memRecorder, *clock) {
	t.Helper()
	return engineWithContent(t, nil)
}

// engineWithContent is engineForTest with the embedded entries changed by edit first.
func engineWithContent(t *testing.T, edit func([]knowledge.Entry)) (*Engine, *store.Store, *memRecorder, *clock) {
	t.Helper()
	st := storetest.SQLite(t)
	ctx := context.Background()
	seed, err := knowledge.Seed()
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(seed)
	}
	if _, _, err := st.SeedKnowledge(ctx, seed); err != nil {
		t.Fatal(err)
	}
	entries, err := st.ListKBEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := config.Default()
	clk := &clock{t: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	st.Now = clk.now
	rec := &memRecorder{}
	e := &Engine{
		Store: st, KB: knowledge.NewBase(knowledge.NewIndex(entries, knowledge.Options{AnswerThreshold: d.Bot.AnswerThreshold, ClarifyThreshold: d.Bot.ClarifyThreshold})),
		Alerts:   &outbox.Notifier{Store: st, OnDuty: []string{"duty1"}, PublicURL: "https://bot.example.org"},
		Recorder: rec, Recent: cache.NewMemoryState(),
		Assoc:  config.Association{Name: "测试市计生协", Phone: "0571-12345678", Address: "健康路1号", Hours: "工作日9-17点"},
		Limits: d.Limits, TTL: 15 * time.Minute, Now: clk.now,
	}
	return e, st, rec, clk
}

func text(openID, s string) Inbound { return Inbound{OpenID: openID, Kind: KindText, Text: s} }

func TestRoutingTable(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	st.SaveKBRule(context.Background(), knowledge.Rule{Name: "地址", Keywords: []string{"你们在哪"}, Match: "contain", Reply: "地址：{{address}}", Priority: 5, Kind: "keyword"}, "staff")
	e.ReloadRules()
	tests := []struct {
		name  string
		in    Inbound
		route models.Route
		cat   string
		has   []string
	}{
		{"crisis suicide", text("u1", "我真的不想活了"), models.RouteCrisis, "", []string{"12356", "010-82951332"}},
		{"crisis medical", text("u1", "我爸胸口疼喘不上气"), models.RouteCrisis, "", []string{"120"}},
		{"crisis violence", text("u1", "老公又打我了"), models.RouteCrisis, "", []string{"110", "12338"}},
		{"benign look-alike", text("u10", "今天热死了"), "", "", nil},
		{"help command", text("u2", "帮助"), models.RouteCommand, "", []string{"活动", "许愿", "人工"}},
		{"full-width command", text("u2", "帮助！"), models.RouteCommand, "", nil},
		{"person", text("u3", "人工"), models.RouteCommand, "", []string{"0571-12345678", "工作日9-17点", "健康路1号"}},
		{"keyword rule", text("u4", "请问你们在哪里"), models.RouteKeyword, "", []string{"健康路1号"}},
		{"faq parenting", text("u5", "宝宝发烧了怎么办"), models.RouteFAQ, models.CatParenting, []string{"来源"}},
		{"faq elderly", text("u6", "老人血压高要注意什么"), models.RouteFAQ, models.CatElderly, []string{"来源"}},
		{"fallback", text("u7", "明天上证指数会涨吗"), models.RouteFallback, "", []string{"许愿", "人工"}},
		{"voice recognised", Inbound{OpenID: "u8", Kind: KindVoice, Text: "宝宝发烧了怎么办"}, models.RouteFAQ, models.CatParenting, nil},
		{"voice not recognised", Inbound{OpenID: "u8", Kind: KindVoice}, models.RouteMedia, "", []string{"打字"}},
		{"image", Inbound{OpenID: "u8", Kind: KindImage}, models.RouteMedia, "", []string{"0571-12345678"}},
		{"location", Inbound{OpenID: "u8", Kind: KindLocation}, models.RouteMedia, "", nil},
		{"link", Inbound{OpenID: "u8", Kind: KindLink}, models.RouteMedia, "", nil},
		{"subscribe", Inbound{OpenID: "u9", Kind: KindEvent, Event: "subscribe"}, models.RouteEvent, "", []string{"欢迎关注测试市计生协", "菜单", "120"}},
		{"menu topic", Inbound{OpenID: "u9", Kind: KindEvent, Event: "CLICK", EventKey: "KB_ELDERLY"}, models.RouteCommand, models.CatElderly, []string{"中风"}},
		{"menu contact", Inbound{OpenID: "u9", Kind: KindEvent, Event: "CLICK", EventKey: "CONTACT"}, models.RouteCommand, "", []string{"0571-12345678"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Handle(context.Background(), tc.in)
			if tc.route == "" {
				if r.Route == models.RouteCrisis {
					t.Fatalf("benign text treated as crisis: %q", r.Text)
				}
				return
			}
			if r.Route != tc.route || (tc.cat != "" && r.Category != tc.cat) {
				t.Fatalf("route %q category %q, want %q %q; reply %q", r.Route, r.Category, tc.route, tc.cat, r.Text)
			}
			for _, h := range tc.has {
				if !strings.Contains(r.Text, h) {
					t.Errorf("reply lacks %q: %q", h, r.Text)
				}
			}
			if strings.Contains(r.Text, "{{") {
				t.Errorf("unfilled placeholder: %q", r.Text)
			}
		})
	}
}

func TestSilentEvents(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	for _, ev := range []string{"unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH", "something_new"} {
		if r := e.Handle(context.Background(), Inbound{OpenID: "u", Kind: KindEvent, Event: ev}); !r.Silent {
			t.Errorf("%s: want no reply, got %q", ev, r.Text)
		}
	}
}

func TestCrisisIsFlaggedNotLoggedAndAlertsStaff(t *testing.T) {
	e, st, rec, _ := engineForTest(t)
	r := e.Handle(context.Background(), text("u1", "活着没意思，我想自杀"))
	if r.Route != models.RouteCrisis || !r.Flagged {
		t.Fatalf("%+v", r)
	}
	for _, m := range rec.msgs {
		if strings.Contains(m.Text, "自杀") {
			t.Fatal("crisis text kept in the general message log")
		}
	}
	var ev []models.CrisisEvent
	st.DB.Find(&ev)
	var alerts []models.OutboxMessage
	st.DB.Where("channel = ?", models.ChannelWeComCard).Find(&alerts) // a card with 我来跟进
	if len(ev) != 1 || ev[0].Kind != string(knowledge.CrisisSuicide) || len(alerts) != 1 || alerts[0].To != "duty1" ||
		!strings.HasPrefix(alerts[0].URL, "https://bot.example.org/admin/crisis") || strings.Contains(alerts[0].Text, "自杀") ||
		alerts[0].Data != (models.CardSubject{Kind: models.CardCrisis, ID: ev[0].ID}).JSON() {
		t.Fatalf("crisis events %+v alerts %+v", ev, alerts)
	}
}

func TestCrisisIsNeverRateLimited(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	e.Limiter = limitAll{}
	if r := e.Handle(context.Background(), text("u1", "你好")); r.Route != models.RouteLimited {
		t.Fatalf("limiter not applied: %+v", r)
	}
	if r := e.Handle(context.Background(), text("u1", "孩子吞了纽扣电池")); r.Route != models.RouteCrisis {
		t.Fatalf("crisis limited: %+v", r)
	}
}

type limitAll struct{}

func (limitAll) Allow(context.Context, string, int, time.Duration) bool { return false }

func TestTwoMissesOfferAPerson(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	ctx := context.Background()
	first := e.Handle(ctx, text("u1", "帮我写一首关于秋天的诗"))
	second := e.Handle(ctx, text("u1", "推荐一部好看的电影"))
	if first.Route != models.RouteFallback || second.Route != models.RouteFallback || !strings.Contains(second.Text, "0571-12345678") {
		t.Fatalf("first %+v second %+v", first, second)
	}
	var alerts int64
	st.DB.Model(&models.OutboxMessage{}).Where("channel = ?", models.ChannelWeCom).Count(&alerts)
	if alerts != 1 {
		t.Fatalf("staff alerts %d, want 1", alerts)
	}
}

func TestUnhelpfulFeedbackIsCounted(t *testing.T) {
	e, st, _, clk := engineForTest(t)
	ctx := context.Background()
	if r := e.Handle(ctx, text("u1", "没用")); !strings.Contains(r.Text, "换个说法") {
		t.Fatalf("no answer to rate: %q", r.Text)
	}
	a := e.Handle(ctx, text("u1", "宝宝发烧了怎么办"))
	clk.t = clk.t.Add(10 * time.Minute)
	r := e.Handle(ctx, text("u1", "没用"))
	var entry models.KBEntry
	st.DB.First(&entry, a.EntryID)
	if a.EntryID == 0 || entry.Unhelpful != 1 || !strings.Contains(r.Text, "改进") {
		t.Fatalf("entry %+v reply %q", entry, r.Text)
	}
}

func TestClarifyChoiceAndExpiry(t *testing.T) {
	e, _, _, clk := engineForTest(t)
	ctx := context.Background()
	// Start a clarify state by hand: the matcher decides when to ask; the engine must honour the choice.
	ix := e.KB.Index()
	res := ix.Match("宝宝发烧了怎么办", clk.now())
	if len(res.Top) == 0 {
		t.Fatal("no candidates")
	}
	id := res.Top[0].Entry.ID
	e.StartFlow(ctx, "u1", State{Flow: clarifyFlow, Step: "choose", Clarify: &clarifyChoice{Entries: []uint{id, id}}})
	if r := e.Handle(ctx, text("u1", "１")); r.Route != models.RouteFAQ || r.EntryID != id {
		t.Fatalf("choice: %+v", r)
	}
	// A state older than the TTL is forgotten: "2" is then just a message.
	e.StartFlow(ctx, "u1", State{Flow: clarifyFlow, Step: "choose", Clarify: &clarifyChoice{Entries: []uint{id, id}}})
	clk.t = clk.t.Add(16 * time.Minute)
	if r := e.Handle(ctx, text("u1", "2")); r.Route == models.RouteFAQ {
		t.Fatalf("expired state still used: %+v", r)
	}
	// 退出 leaves a flow.
	e.StartFlow(ctx, "u1", State{Flow: clarifyFlow, Step: "choose", Clarify: &clarifyChoice{Entries: []uint{id}}})
	if r := e.Handle(ctx, text("u1", "退出")); !strings.Contains(r.Text, "已退出") {
		t.Fatalf("exit: %q", r.Text)
	}
	if r := e.Handle(ctx, text("u1", "1")); r.Route == models.RouteFAQ {
		t.Fatal("flow survived 退出")
	}
}

func TestEveryMessageIsRecorded(t *testing.T) {
	e, _, rec, _ := engineForTest(t)
	e.Handle(context.Background(), text("u1", "宝宝发烧了怎么办"))
	e.Handle(context.Background(), text("u1", "明天上证指数会涨吗"))
	if len(rec.msgs) != 2 || rec.msgs[0].Route != models.RouteFAQ || rec.msgs[0].EntryID == 0 ||
		rec.msgs[1].Route != models.RouteFallback || rec.msgs[1].Text != "明天上证指数会涨吗" || rec.msgs[1].OpenID != "u1" {
		t.Fatalf("%+v", rec.msgs)
	}
}

func TestOddInputNeverPanics(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	for _, s := range []string{"", " ", "\x00\x01", strings.Repeat("啊", 5000), "\xff\xfe", "🙂👨‍👩‍👧", "活动 99999999999999999999", "1"} {
		r := e.Handle(context.Background(), text("u1", s))
		if r.Text == "" && !r.Silent {
			t.Errorf("%q: empty reply", s)
		}
	}
}

func TestMessageLogKeepsNoPersonalData(t *testing.T) {
	e, st, rec, clk := engineForTest(t)
	ctx := context.Background()
	e.Handle(ctx, text("u1", "我的电话是13912345678，宝宝发烧了怎么办"))
	e.Handle(ctx, text("u1", "报名 3 王芳 13912345678"))
	e.StartFlow(ctx, "u1", State{Flow: clarifyFlow, Step: "choose", Clarify: &clarifyChoice{Entries: []uint{1}}})
	e.Handle(ctx, text("u1", "1"))
	for _, m := range rec.msgs {
		if strings.Contains(m.Text, "13912345678") || strings.Contains(m.Text, "王芳") {
			t.Fatalf("personal data in the message log: %+v", m)
		}
	}
	if rec.msgs[0].Text == "" || rec.msgs[1].Text != "报名" {
		t.Fatalf("log lost what staff need: %q %q", rec.msgs[0].Text, rec.msgs[1].Text)
	}
	// Expired conversations (which may hold a name and phone) are deleted.
	e.StartFlow(ctx, "u2", State{Flow: clarifyFlow, Step: "choose"})
	clk.t = clk.t.Add(20 * time.Minute)
	if n, err := st.PruneConversations(ctx); err != nil || n != 1 {
		t.Fatalf("pruned %d %v", n, err)
	}
}

func TestSoftWordsGiveWayToAFlow(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	ctx := context.Background()
	var got []string
	flows["test_soft"] = func(ctx context.Context, e *Engine, in Inbound, st *State) (Reply, bool) {
		got = append(got, in.Text)
		return Reply{Text: "收到：" + in.Text}, true
	}
	t.Cleanup(func() { delete(flows, "test_soft") })
	e.StartFlow(ctx, "u1", State{Flow: "test_soft", Step: "x"})
	for _, w := range []string{"好的", "不对", "你好"} {
		if r := e.Handle(ctx, text("u1", w)); r.Route != models.RouteFlow {
			t.Fatalf("%q left the flow: %+v", w, r)
		}
	}
	if r := e.Handle(ctx, text("u1", "帮助")); r.Route != models.RouteCommand {
		t.Fatalf("帮助 should still work mid-flow: %+v", r)
	}
	if len(got) != 3 {
		t.Fatalf("flow saw %v", got)
	}
}

func TestCommandArgumentsAfterPunctuation(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	var got string
	saved := commands
	commands = append(commands[:len(commands):len(commands)], Command{Names: []string{"测试命令"}, Args: true,
		Fn: func(ctx context.Context, e *Engine, in Inbound, args string) Reply {
			got = args
			return Reply{Text: "ok"}
		}})
	t.Cleanup(func() { commands = saved })
	for _, s := range []string{"测试命令：希望多办活动", "测试命令:希望多办活动", "测试命令 希望多办活动", "测试命令，希望多办活动"} {
		got = ""
		e.Handle(context.Background(), text("u1", s))
		if got != "希望多办活动" {
			t.Errorf("%q: args %q", s, got)
		}
	}
}

func TestMedicalCrisisAddsFirstAidAfter120(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	// An emergency that is also the subject of an entry: the first steps (120
	// first), then the entry. (A how-to question alone, 热性惊厥发作时怎么处理,
	// is the entry's: the crisis layer's guard keeps it out.)
	r := e.Handle(context.Background(), text("u1", "孩子发烧突然抽搐了 热性惊厥怎么办"))
	if r.Route != models.RouteCrisis || !strings.Contains(r.Text, "120") || !strings.Contains(r.Text, "【") || !strings.Contains(r.Text, "惊厥") || !strings.Contains(r.Text, "来源") {
		t.Fatalf("%+v", r)
	}
	if strings.Index(r.Text, "120") > strings.Index(r.Text, "【") {
		t.Fatal("120 must come before the first-aid entry")
	}
}

func TestClarifyAsksWithNumberedTitles(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	ctx := context.Background()
	r := e.Handle(ctx, text("u1", "開塞露能經常用嗎"))
	if r.Route != models.RouteClarify || !strings.Contains(r.Text, "1. ") || !strings.Contains(r.Text, "2. ") {
		t.Fatalf("%+v", r)
	}
	a := e.Handle(ctx, text("u1", "2"))
	if a.Route != models.RouteFAQ || !strings.Contains(a.Text, "便秘") {
		t.Fatalf("choice 2: %+v", a)
	}
}

// hungStore is a database that never answers the crisis table.
type hungStore struct{ *store.Store }

func (hungStore) RecordCrisis(ctx context.Context, _ models.CrisisEvent, _ ...models.Notice) error {
	<-ctx.Done()
	return ctx.Err()
}

// A crisis reply (120/110 first) does not wait for a database that hangs.
func TestCrisisReplyDoesNotWaitForTheDatabase(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	e.Store = hungStore{st}
	start := time.Now()
	r := e.Handle(context.Background(), text("u1", "我不想活了"))
	if took := time.Since(start); took > 3*crisisWait {
		t.Fatalf("the crisis reply waited %v for the database", took)
	}
	if r.Route != models.RouteCrisis || !strings.Contains(r.Text, "110") {
		t.Fatalf("reply = %+v", r)
	}
}
