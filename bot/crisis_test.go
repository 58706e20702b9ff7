package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"familybot/cache"
	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
)

// crisisRows returns the resident's rows in the restricted crisis table, oldest first.
func crisisRows(t *testing.T, st *store.Store, openID string) []models.CrisisEvent {
	t.Helper()
	var out []models.CrisisEvent
	if err := st.DB.Where("open_id = ?", openID).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func staffAlerts(t *testing.T, st *store.Store) []models.OutboxMessage {
	t.Helper()
	var out []models.OutboxMessage
	st.DB.Where("channel IN ?", []models.OutboxChannel{models.ChannelWeCom, models.ChannelWeComCard}).Find(&out)
	return out
}

// A medical crisis and everything the carer writes after it: each follow-up is
// answered inside the crisis, stored with it, and staff are alerted once.
func TestMedicalEpisodeStaysWithTheCarer(t *testing.T) {
	e, st, rec, clk := engineForTest(t)
	ms := cache.NewMemoryState()
	ms.Now = clk.now
	e.Recent = ms
	// The crisis layer in use may not name the kind yet: this test gives the verdict the merged one gives.
	e.assessCrisis = func(s string) knowledge.Crisis {
		c := knowledge.AssessCrisis(s)
		if c.Kind == knowledge.CrisisMedical {
			c.Emergency, c.Person, c.Subject = knowledge.EmergencySeizure, knowledge.PersonPresent, knowledge.SubjectInfant
		}
		return c
	}
	ctx := context.Background()
	r := e.Handle(ctx, text("carer", "宝宝抽搐了"))
	if r.Route != models.RouteCrisis || !strings.HasPrefix(r.Text, "正在抽搐时：\n1. 马上拨打 120") || !strings.Contains(r.Text, "嘴里什么都不要塞") {
		t.Fatalf("crisis reply: %+v", r)
	}
	follow := []struct{ text, has string }{
		{"要不要等等看", "不要等"},
		{"能不能先观察", "不要等"},
		{"打了120了 等车的时候我要做什么", "侧躺"},
		{"去医院路上能给他喝点啥", "什么都不要给他吃、喝"},
		{"去哪个医院", "让 120 决定"},
		{"宝宝发烧了怎么办", "120"}, // an FAQ question, but read inside the crisis
	}
	for _, f := range follow {
		clk.t = clk.t.Add(2 * time.Minute)
		r := e.Handle(ctx, text("carer", f.text))
		if r.Route != models.RouteCrisis || !r.Flagged || !strings.Contains(r.Text, f.has) {
			t.Errorf("%s: %+v", f.text, r)
		}
	}
	// A service command still works inside the episode.
	if r := e.Handle(ctx, text("carer", "活动")); r.Route != models.RouteCommand {
		t.Errorf("活动 inside an episode: %+v", r)
	}
	// A new crisis inside the episode gets its own reply, and no second alert.
	if r := e.Handle(ctx, text("carer", "老公打我")); r.Route != models.RouteCrisis || !strings.Contains(r.Text, line12338) {
		t.Errorf("new crisis inside the episode: %+v", r)
	}
	rows := crisisRows(t, st, "carer")
	if len(rows) != 2+len(follow) {
		t.Fatalf("%d crisis rows, want %d", len(rows), 2+len(follow))
	}
	for i, row := range rows {
		if row.Episode == "" || row.Episode != rows[0].Episode || row.FollowUp != (i > 0 && i <= len(follow)) {
			t.Errorf("row %d: episode %q follow-up %v", i, row.Episode, row.FollowUp)
		}
	}
	if rows[0].Kind != "medical" || rows[0].Emergency != "seizure" || rows[0].Person != "present" || rows[1].Text != "要不要等等看" {
		t.Errorf("first rows: %+v %+v", rows[0], rows[1])
	}
	if a := staffAlerts(t, st); len(a) != 1 || !strings.Contains(a[0].Title, "急症") {
		t.Fatalf("alerts %+v, want one for the episode", a)
	}
	for _, m := range rec.msgs {
		if m.Text == "要不要等等看" || m.Text == "去医院路上能给他喝点啥" {
			t.Errorf("an episode message is in the general log: %+v", m)
		}
	}

	// Half an hour after the latest message the episode is over: the next
	// question is a question again, and a new crisis alerts staff again.
	clk.t = clk.t.Add(e.episodeFor() + time.Minute)
	if r := e.Handle(ctx, text("carer", "宝宝发烧了怎么办")); r.Route == models.RouteCrisis {
		t.Errorf("episode did not end: %+v", r)
	}
	e.Handle(ctx, text("carer", "宝宝抽搐了"))
	if a := staffAlerts(t, st); len(a) != 2 {
		t.Errorf("a new episode: %d alerts, want 2", len(a))
	}
}

// The writer at risk, through the real crisis layer: the follow-ups that fell
// to the fallback before stay with them.
func TestDespairFollowUpsStay(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	ctx := context.Background()
	if r := e.Handle(ctx, text("w", "我想自杀")); r.Route != models.RouteCrisis || !strings.Contains(r.Text, line12356) {
		t.Fatalf("%+v", r)
	}
	for _, f := range []struct{ text, has string }{
		{"我不想打电话", "在这里打字"},
		{"你能陪我聊聊吗", "我在这里"},
		{"没用的", line12356},
		{"我没事 就是说说", "身边有人吗"},
	} {
		r := e.Handle(ctx, text("w", f.text))
		if r.Route != models.RouteCrisis || !strings.Contains(r.Text, f.has) {
			t.Errorf("%s: %+v", f.text, r)
		}
	}
	if a := staffAlerts(t, st); len(a) != 1 {
		t.Errorf("%d alerts, want 1", len(a))
	}
}

// Every crisis kind alerts staff, a medical one included.
func TestEveryCrisisKindAlertsStaff(t *testing.T) {
	for _, msg := range []string{"宝宝抽搐了", "我想自杀", "老公打我"} {
		e, st, _, _ := engineForTest(t)
		if r := e.Handle(context.Background(), text("k", msg)); r.Route != models.RouteCrisis {
			t.Fatalf("%s: %+v", msg, r)
		}
		if a := staffAlerts(t, st); len(a) != 1 || !strings.HasSuffix(a[0].URL, "/admin/crisis") {
			t.Errorf("%s: alerts %+v", msg, a)
		}
	}
}

// A cache that fails leaves every message a fresh start: crisis replies still
// come, normal questions are answered normally.
func TestEpisodeWithoutCache(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	e.Recent = nil
	ctx := context.Background()
	e.Handle(ctx, text("n", "我想自杀"))
	if r := e.Handle(ctx, text("n", "宝宝发烧了怎么办")); r.Route != models.RouteFAQ {
		t.Errorf("%+v", r)
	}
}

// otherCopyStarts is the shared state as a copy sees it when another copy
// starts the same resident's episode at the same moment: its claim is first.
type otherCopyStarts struct {
	*cache.MemoryState
	ep string // the other copy's episode, as stored
}

func (o otherCopyStarts) Incr(ctx context.Context, key string, ttl time.Duration) (int, error) {
	if strings.HasPrefix(key, "crisis-start:") {
		o.MemoryState.Incr(ctx, key, ttl)
		o.MemoryState.Set(ctx, episodeKey("both"), o.ep, time.Hour)
	}
	return o.MemoryState.Incr(ctx, key, ttl)
}

// Two crisis messages sent together reach two copies: the second joins the
// episode the first started, and staff are not alerted twice.
func TestEpisodeStartedByAnotherCopyIsJoined(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	e.Recent = otherCopyStarts{cache.NewMemoryState(), `{"id":"other-copy","c":{"Kind":"suicide","Person":"self"}}`}
	if r := e.Handle(context.Background(), text("both", "我不想活了")); r.Route != models.RouteCrisis {
		t.Fatalf("%+v", r)
	}
	rows := crisisRows(t, st, "both")
	if len(rows) != 1 || rows[0].Episode != "other-copy" || len(staffAlerts(t, st)) != 0 {
		t.Fatalf("rows %+v, alerts %d: want the other copy's episode and no second alert", rows, len(staffAlerts(t, st)))
	}
}

// A knife threat and what the wife writes next, with the verdicts the crisis
// layer gave the testers (the statistical layer read 躲在卫生间 and 不想报警 as
// self-harm, 他睡着了 as an emergency): every reply stays with the violence,
// the episode alerts staff once and keeps its kind.
func TestViolenceEpisodeStaysWithTheViolence(t *testing.T) {
	e, st, _, clk := engineForTest(t)
	ms := cache.NewMemoryState()
	ms.Now = clk.now
	e.Recent = ms
	verdicts := map[string]knowledge.Crisis{
		"我老公喝醉了拿着菜刀说要砍死我": {Kind: knowledge.CrisisViolence, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "rule+model"},
		"我躲在卫生间了 门锁了":     {Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "model"},
		"我不想报警 他是我老公":     {Kind: knowledge.CrisisSuicide, Person: knowledge.PersonWorried, Subject: knowledge.SubjectPartner, Layer: "model"},
		"他现在睡着了 刀我藏起来了":   {Kind: knowledge.CrisisMedical, Person: knowledge.PersonPresent, Subject: knowledge.SubjectOther, Layer: "model"},
	}
	e.assessCrisis = func(s string) knowledge.Crisis { return verdicts[s] }
	ctx := context.Background()
	for _, step := range []struct{ text, has string }{
		{"我老公喝醉了拿着菜刀说要砍死我", line12338},
		{"我躲在卫生间了 门锁了", "锁好门"},
		{"孩子还在外面客厅", "孩子在哪里"},
		{"他在砸门", "不要开门"},
		{"我不想报警 他是我老公", "尊重你的决定"},
		{"他现在睡着了 刀我藏起来了", "保护令"},
	} {
		clk.t = clk.t.Add(time.Minute)
		r := e.Handle(ctx, text("wife", step.text))
		if r.Route != models.RouteCrisis || !strings.Contains(r.Text, step.has) || strings.Contains(r.Text, "伤害了自己") || strings.Contains(r.Text, "急症") {
			t.Errorf("%s: %s", step.text, r.Text)
		}
	}
	if ep, ok := e.loadEpisode(ctx, "wife"); !ok || ep.Crisis.Kind != knowledge.CrisisViolence || ep.Crisis.Person != knowledge.PersonSelf {
		t.Errorf("episode %+v, want violence against the writer", ep)
	}
	rows := crisisRows(t, st, "wife")
	if len(rows) != 6 || rows[1].Kind != "violence" || !rows[1].FollowUp {
		t.Errorf("rows %+v", rows)
	}
	if a := staffAlerts(t, st); len(a) != 1 || !strings.Contains(a[0].Title, "家庭暴力") {
		t.Errorf("alerts %+v, want one for the episode", a)
	}
}

// Inside an episode, a question about the association's services is answered
// with the crisis kept open under it, and "退出" ends the episode with the
// lines: the next question is a question again.
func TestEpisodeLetsServiceQuestionsAndExitThrough(t *testing.T) {
	e, st, _, clk := engineForTest(t)
	ms := cache.NewMemoryState()
	ms.Now = clk.now
	e.Recent = ms
	ctx := context.Background()
	e.assessCrisis = func(s string) knowledge.Crisis {
		if s == "我同桌说她有时候会划自己" {
			return knowledge.Crisis{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonWorried, Subject: knowledge.SubjectTeen, Layer: "rule"}
		}
		return knowledge.AssessCrisis(s)
	}
	e.Handle(ctx, text("teen", "我同桌说她有时候会划自己"))
	r := e.Handle(ctx, text("teen", "家长课堂是哪天"))
	if r.Route != models.RouteFAQ || !r.Flagged || !strings.Contains(r.Text, "家长课堂") || !strings.Contains(r.Text, line12356) {
		t.Errorf("service question inside the episode: %+v", r)
	}
	if r := e.Handle(ctx, text("teen", "她让我保密")); r.Route != models.RouteCrisis || !strings.Contains(r.Text, "不能替她保密") {
		t.Errorf("the episode did not go on: %+v", r)
	}
	if r := e.Handle(ctx, text("teen", "退出")); r.Route != models.RouteCommand || !strings.Contains(r.Text, line12356) {
		t.Errorf("退出: %+v", r)
	}
	if r := e.Handle(ctx, text("teen", "宝宝发烧了怎么办")); r.Route == models.RouteCrisis {
		t.Errorf("the episode did not end: %+v", r)
	}
	if rows := crisisRows(t, st, "teen"); len(rows) != 4 {
		t.Errorf("%d crisis rows, want 4 (the question after the episode is not one)", len(rows))
	}
}

// After a kind's own first steps, the matching entry adds when to call 120,
// never its everyday care: "多半是轻伤 … 可以正常睡觉" must not follow "呕吐、
// 老想睡 → 120".
func TestFirstStepsAreNotContradictedByTheEntry(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	e.assessCrisis = func(string) knowledge.Crisis {
		return knowledge.Crisis{Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyHeadInjury, Person: knowledge.PersonPresent, Subject: knowledge.SubjectInfant, Layer: "rule"}
	}
	r := e.Handle(context.Background(), text("g", "宝宝从床上掉下来了 吐了两次 老想睡觉"))
	if r.Route != models.RouteCrisis || !strings.HasPrefix(r.Text, "摔到头后") || !strings.Contains(r.Text, "【") {
		t.Fatalf("%+v", r)
	}
	wantWords(t, r.Text, []string{"🏥", "反复呕吐"}, []string{"多半是轻伤", "可以正常睡觉"})
}

// An episode must not trap a resident: a question with a topic of its own that
// the knowledge base answers clearly is answered, with the crisis kept open
// under it; "怎么办" on its own, or in a medical emergency, stays in the crisis.
func TestEpisodeAnswersAQuestionOfItsOwn(t *testing.T) {
	e, _, _, clk := engineForTest(t)
	ms := cache.NewMemoryState()
	ms.Now = clk.now
	e.Recent = ms
	ctx := context.Background()
	if r := e.Handle(ctx, text("s", "我好自卑 不想活了")); r.Route != models.RouteCrisis {
		t.Fatalf("not a crisis: %+v", r)
	}
	r := e.Handle(ctx, text("s", "青春期长痘痘怎么办"))
	if r.Route != models.RouteFAQ || !strings.Contains(r.Text, "痘") || !strings.Contains(r.Text, "12356") || !r.Flagged {
		t.Errorf("a question of its own inside the episode: %+v", r)
	}
	if r := e.Handle(ctx, text("s", "怎么办")); r.Route != models.RouteCrisis {
		t.Errorf("怎么办 left the episode: %+v", r)
	}
	if r := e.Handle(ctx, text("m", "宝宝抽搐了 眼睛往上翻")); r.Route != models.RouteCrisis {
		t.Fatalf("not a crisis: %+v", r)
	}
	if r := e.Handle(ctx, text("m", "宝宝抽搐了怎么办")); r.Route != models.RouteCrisis {
		t.Errorf("a medical emergency's 怎么办 left the episode: %+v", r)
	}
}

// A child who cannot be found or reached at night: 110 first (no 24-hour
// wait for a minor), staff alerted, the text kept only in the crisis table.
func TestMissingChildGets110First(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	r := e.Handle(context.Background(), text("dad", "儿子凌晨一点还没回家 打电话也不接"))
	if r.Route != models.RouteCrisis || !strings.HasPrefix(r.Text, "孩子联系不上，请现在就拨打 110") || !strings.Contains(r.Text, "不用等 24 小时") {
		t.Fatalf("reply: %+v", r)
	}
	if a := staffAlerts(t, st); len(a) != 1 {
		t.Errorf("alerts %d, want 1", len(a))
	}
	var ev models.CrisisEvent
	if err := st.DB.Where("kind = ?", "missing_minor").Take(&ev).Error; err != nil || ev.Text == "" {
		t.Errorf("not kept in the crisis table: %v %+v", err, ev)
	}
	if r := e.Handle(context.Background(), text("dad2", "孩子放学回家了 在写作业")); r.Route == models.RouteCrisis {
		t.Errorf("an everyday message: %+v", r)
	}
}

// An episode that rests on the statistical layer alone is a possible
// emergency: when the resident then asks an ordinary question the knowledge
// base is sure of, it is answered and the episode ends, so that the next
// follow-up (那要吃啥药) is about that answer — not "give him nothing by mouth"
// for a knee. An episode a rule named keeps the follow-up with the crisis.
func TestPossibleEpisodeLetsTheResidentOut(t *testing.T) {
	for _, layer := range []string{"model", "rule"} {
		e, _, _, clk := engineForTest(t)
		ms := cache.NewMemoryState()
		ms.Now = clk.now
		e.Recent = ms
		first := "我老伴膝盖疼 上下楼梯疼的厉害 蹲下去起不来"
		e.assessCrisis = func(s string) knowledge.Crisis {
			if s == first {
				return knowledge.Crisis{Kind: knowledge.CrisisMedical, Person: knowledge.PersonPresent, Subject: knowledge.SubjectElder, Layer: layer}
			}
			return knowledge.AssessCrisis(s)
		}
		ctx := context.Background()
		if r := e.Handle(ctx, text("g", first)); r.Route != models.RouteCrisis || !strings.Contains(r.Text, "120") {
			t.Fatalf("%s: the alarm itself: %+v", layer, r)
		}
		r := e.Handle(ctx, text("g", "她今年70了 是不是骨质疏松"))
		if layer == "model" && (r.Route != models.RouteFAQ || !strings.Contains(r.Text, "骨") || !strings.Contains(r.Text, "120")) {
			t.Errorf("%s: an ordinary question after a possible alarm: %+v", layer, r)
		}
		r = e.Handle(ctx, text("g", "那要吃啥药"))
		nothing := strings.Contains(r.Text, "什么都不要给")
		if layer == "model" && (r.Route != models.RouteFAQ || nothing || !strings.Contains(r.Text, "钙")) {
			t.Errorf("%s: the medicine follow-up must be about the answer, not the alarm: %+v", layer, r)
		}
		if layer == "rule" && (r.Route != models.RouteCrisis || !nothing) {
			t.Errorf("%s: inside a named emergency nothing goes by mouth: %+v", layer, r)
		}
	}
}
