package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"familybot/cache"
	"familybot/knowledge"
	"familybot/models"
)

// A follow-up leans on the last topic only within bot.context_ttl, and the
// whole context is one key of the shared state.
func TestContextLastsForItsTTL(t *testing.T) {
	e, _, _, clk := engineForTest(t)
	state := cache.NewMemoryState()
	state.Now = clk.now
	e.Recent, e.ContextTTL = state, 10*time.Minute
	ctx := context.Background()
	e.Handle(ctx, text("u1", "我孙子发烧了"))
	clk.t = clk.t.Add(9 * time.Minute)
	if r := e.Handle(ctx, text("u1", "要去医院吗")); r.Facet != string(knowledge.FacetDoctor) || !strings.Contains(r.Text, "关于「宝宝发烧") {
		t.Fatalf("follow-up within the TTL not read against the topic: %+v", r)
	}
	v, ok, _ := state.Get(ctx, "ctx:u1")
	if !ok || !strings.Contains(v, `"s":"infant"`) {
		t.Fatalf("context not kept as one compact value: %q", v)
	}
	clk.t = clk.t.Add(11 * time.Minute)
	if r := e.Handle(ctx, text("u1", "要去医院吗")); strings.Contains(r.Text, "关于「宝宝发烧") {
		t.Fatalf("follow-up after the TTL still read against the old topic: %q", r.Text)
	}
}

// The same words about a baby and about an elder get different answers, and
// who it is about carries to the next message.
func TestWhoTheQuestionIsAbout(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	ctx := context.Background()
	slug := func(r Reply) string {
		if en, ok := e.KB.Index().Entry(r.EntryID); ok {
			return en.Slug
		}
		return ""
	}
	e.Handle(ctx, text("mum", "我家宝宝8个月了"))
	e.Handle(ctx, text("son", "我爸78岁了"))
	baby, elder := e.Handle(ctx, text("mum", "晚上老醒怎么办")), e.Handle(ctx, text("son", "晚上老醒怎么办"))
	if slug(baby) != "parenting-night-waking" || slug(elder) != "elderly-insomnia" {
		t.Fatalf("baby got %s, elder got %s", slug(baby), slug(elder))
	}
	if baby.Subject != "infant" || elder.Subject != "elder" {
		t.Errorf("subjects %q and %q", baby.Subject, elder.Subject)
	}
	// A question that plainly belongs elsewhere is not bent to the carried subject.
	if r := e.Handle(ctx, text("mum", "来月经肚子疼能吃布洛芬吗")); slug(r) != "adolescent-period-pain" {
		t.Errorf("period pain after a baby's questions got %s", slug(r))
	}
}

// Feelings and small talk get a reply of their own; none is an unanswered
// question, so the "two misses" alert only counts real questions.
func TestFeelingsAndSmallTalkAreNotMisses(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	ctx := context.Background()
	for _, m := range []string{"谢谢你啊", "你好笨啊", "股票能买吗", "照顾老伴三年了 太累了", "没人理解我", "你是真人还是机器人"} {
		if r := e.Handle(ctx, text("u1", m)); r.Route != models.RouteChat {
			t.Errorf("%s: route %s, want chat", m, r.Route)
		}
	}
	if r := e.Handle(ctx, text("u1", "帮我写一首诗")); r.Route != models.RouteFallback || strings.Contains(r.Text, "已通知值班") {
		t.Fatalf("small talk counted as a miss: the first real miss alerted staff: %q", r.Text)
	}
	var alerts int64
	st.DB.Model(&models.OutboxMessage{}).Count(&alerts)
	if alerts != 0 {
		t.Errorf("%d staff alerts for small talk", alerts)
	}
	if r := e.Handle(ctx, text("u2", "你是真人还是机器人")); !strings.Contains(r.Text, "不是真人") || !strings.Contains(r.Text, "人工") {
		t.Errorf("not honest about being automated: %q", r.Text)
	}
	if r := e.Handle(ctx, text("u3", "在吗 宝宝发烧怎么办")); r.Route != models.RouteFAQ {
		t.Errorf("a greeting swallowed the question: %+v", r)
	}
}

// Several questions in one message are answered each, and a number opens one in full.
func TestSeveralQuestionsInOneMessage(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	ctx := context.Background()
	r := e.Handle(ctx, text("u1", "宝宝湿疹怎么护理？老人血压多少算高？"))
	if !strings.Contains(r.Text, "宝宝湿疹") || !strings.Contains(r.Text, "高血压") {
		t.Fatalf("not every question answered: %q", r.Text)
	}
	if r := e.Handle(ctx, text("u1", "第二个")); !strings.Contains(r.Text, "【血压多少算高血压】") {
		t.Fatalf("第二个 did not open the second answer: %q", r.Text)
	}
}

func TestDetectWho(t *testing.T) {
	tests := []struct {
		text   string
		want   knowledge.Subject
		months int
	}{
		{"我家宝宝8个月了", knowledge.SubjectInfant, 8},
		{"我爸78岁了", knowledge.SubjectElder, 78 * 12},
		{"我女儿12岁", knowledge.SubjectTeen, 144},
		{"孩子初二了", knowledge.SubjectTeen, 0},
		{"我15岁", knowledge.SubjectTeen, 180},
		{"我今年七十八了", knowledge.SubjectElder, 78 * 12},
		{"老伴记性差", knowledge.SubjectElder, 0},
		{"我刚生完孩子", knowledge.SubjectMother, 0},
		{"我妈不让我玩手机", knowledge.SubjectTeen, 0},
		{"我是他奶奶 孙子发烧了", knowledge.SubjectInfant, 0},
		{"宝宝一岁半", knowledge.SubjectInfant, 18},
		{"血压高怎么办", "", 0},
	}
	for _, tt := range tests {
		if got := detectWho(tt.text); got.Subject != tt.want || got.Months != tt.months {
			t.Errorf("%s: %q %d months, want %q %d", tt.text, got.Subject, got.Months, tt.want, tt.months)
		}
	}
}
