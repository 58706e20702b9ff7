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

// episodeStep is one message inside an episode and what its reply must and
// must not say.
type episodeStep struct {
	text        string
	route       string
	has, hasNot []string
}

// playEpisode sends the steps as one resident, verdicts injected (a message
// not in verdicts is no crisis), and checks each reply.
func playEpisode(t *testing.T, user string, verdicts map[string]knowledge.Crisis, steps []episodeStep) *Engine {
	t.Helper()
	e, _, _, clk := engineForTest(t)
	ms := cache.NewMemoryState()
	ms.Now = clk.now
	e.Recent = ms
	e.assessCrisis = func(s string) knowledge.Crisis { return verdicts[s] }
	ctx := context.Background()
	var last string
	for _, s := range steps {
		clk.t = clk.t.Add(time.Minute)
		r := e.Handle(ctx, text(user, s.text))
		if s.route != "" && r.Route != models.Route(s.route) {
			t.Errorf("%s: route %s, want %s: %s", s.text, r.Route, s.route, r.Text)
		}
		checkWords(t, s.text, r.Text, s.has, s.hasNot)
		if r.Text == last && len([]rune(r.Text)) > 100 {
			t.Errorf("%s: the previous long reply again: %s", s.text, r.Text)
		}
		last = r.Text
	}
	return e
}

// A pregnant woman bleeding at 26 weeks: "should I lie down first" is
// answered (don't wait, lie on the left side while waiting), "I called 120"
// gets what to do while waiting, not "call 120" again.
func TestPregnancyEpisodeAnswersWhatSheAsks(t *testing.T) {
	verdicts := map[string]knowledge.Crisis{
		"肚子一阵一阵疼 下面有点见红": {Kind: knowledge.CrisisMedical, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "model"},
	}
	playEpisode(t, "zn", verdicts, []episodeStep{
		{text: "肚子一阵一阵疼 下面有点见红", route: "crisis", has: []string{"120", "左侧"}, hasNot: []string{"纽扣电池"}},
		{text: "要不要先躺躺看", route: "crisis", has: []string{"不要等", "120", "左侧"}},
		{text: "好 我打120了", route: "crisis", has: []string{"做得对", "左侧", "孕检本"}, hasNot: []string{"请先拨打"}},
	})
	// The pregnancy told only in the next message ("26周").
	playEpisode(t, "zn2", verdicts, []episodeStep{
		{text: "肚子一阵一阵疼 下面有点见红", route: "crisis"},
		{text: "26周", route: "crisis", has: []string{"孕", "左侧"}},
	})
}

// A teenager who told of cutting herself asks about the help itself: what
// 12355 is and whether it tells her mother, whether the school counsellor can
// be trusted, whom to talk to; "嗯 那我再想想" gets a short warm answer, a
// change of topic its answer with the line kept under it.
func TestTeenEpisodeAnswersQuestionsAboutHelp(t *testing.T) {
	self := knowledge.Crisis{Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "rule+model"}
	verdicts := map[string]knowledge.Crisis{"手上划了几道 不深 就是想让自己清醒点": self}
	playEpisode(t, "xy", verdicts, []episodeStep{
		{text: "我妈又偷看我手机了 气死"},
		{text: "手上划了几道 不深 就是想让自己清醒点", route: "crisis", has: []string{"12356", "12355"}},
		{text: "12355是什么 打了会告诉我妈吗", route: "crisis", has: []string{"12355", "免费", "一般不会"}},
		{text: "学校心理老师靠谱吗", route: "crisis", has: []string{"心理老师", "保密"}},
		{text: "那我能跟谁说啊", route: "crisis", has: []string{"12355"}},
		{text: "嗯 那我再想想", route: "crisis", has: []string{"慢慢想"}, hasNot: []string{"想说多少都可以"}},
		{text: "嗯", route: "crisis"},
		{text: "嗯", route: "crisis"}, // never the same long block twice
		{text: "算了不说这个了 明天体育中考 跑800有什么技巧吗", route: "faq", has: []string{"热身", "12356"}},
	})
}

// The first words of despair with a worry about who will know: the reply
// says the lines keep it to themselves.
func TestFirstCrisisReplyAnswersTheWorry(t *testing.T) {
	verdicts := map[string]knowledge.Crisis{
		"可是我不想让老师知道": {Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "model"},
	}
	playEpisode(t, "xy3", verdicts, []episodeStep{
		{text: "可是我不想让老师知道", route: "crisis", has: []string{"12356", "保密", "一般不会"}},
	})
}

// A carer's episode: a false alarm the model raised, then "想一走了之", then
// what he meant (想跑掉, not death), a question about respite care read as a
// baby's emergency, "怎么申请 要钱吗", and thanks for listening.
func TestCarerEpisodeHearsWhatHeMeant(t *testing.T) {
	verdicts := map[string]knowledge.Crisis{
		"真的快熬不住了 晚上她不睡":          {Kind: knowledge.CrisisMedical, Person: knowledge.PersonPresent, Subject: knowledge.SubjectOther, Layer: "model"},
		"有时候真想一走了之":              {Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "model"},
		"不是说寻死 就是想跑掉 不管了":        {Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "rule+model"},
		"有没有那种能帮忙照顾几天的 我听说有喘息服务": {Kind: knowledge.CrisisMedical, Emergency: knowledge.EmergencyInfant, Person: knowledge.PersonPresent, Subject: knowledge.SubjectInfant, Layer: "rule"},
	}
	playEpisode(t, "ls", verdicts, []episodeStep{
		{text: "你好 我妈80了 老年痴呆好几年了 我一个人照顾"},
		{text: "真的快熬不住了 晚上她不睡", route: "crisis"},
		{text: "有时候真想一走了之", route: "crisis", has: []string{"12356"}, hasNot: []string{"急症"}},
		{text: "不是说寻死 就是想跑掉 不管了", route: "crisis", has: []string{"喘息服务", "暖心家园", "12356"}, hasNot: []string{"已经伤害了自己"}},
		{text: "有没有那种能帮忙照顾几天的 我听说有喘息服务", route: "faq", has: []string{"喘息服务", "12356"}, hasNot: []string{"小宝宝"}},
		{text: "怎么申请 要钱吗", route: "faq", has: []string{"居委会"}, hasNot: []string{"打车", "钱的事以后再说"}},
		{text: "谢谢 能和你说说话心里好受点", route: "crisis", hasNot: []string{"120", "小宝宝"}},
	})
}

// Who is at risk changes: an episode about someone else, then the writer
// says it of themself; the reply speaks to the writer.
func TestEpisodeTurnsToTheWriter(t *testing.T) {
	verdicts := map[string]knowledge.Crisis{
		"我弟弟说他不想活了": {Kind: knowledge.CrisisSuicide, Person: knowledge.PersonWorried, Subject: knowledge.SubjectOther, Layer: "rule+model"},
		"活着真没意思":    {Kind: knowledge.CrisisSuicide, Person: knowledge.PersonSelf, Subject: knowledge.SubjectSelf, Layer: "rule+model"},
	}
	e := playEpisode(t, "bro", verdicts, []episodeStep{
		{text: "我弟弟说他不想活了", route: "crisis", has: []string{"陪着他"}},
		{text: "活着真没意思", route: "crisis", has: []string{"你并不孤单", "12356"}, hasNot: []string{"陪着他"}},
	})
	if ep, ok := e.loadEpisode(context.Background(), "bro"); !ok || ep.Crisis.Person != knowledge.PersonSelf {
		t.Errorf("episode %+v, want the writer at risk", ep)
	}
}

// checkWords reports the words a reply lacks (has) or must not have (hasNot).
func checkWords(t *testing.T, say, reply string, has, hasNot []string) {
	t.Helper()
	for _, h := range has {
		if !strings.Contains(reply, h) {
			t.Errorf("%s: reply lacks %q: %s", say, h, reply)
		}
	}
	for _, h := range hasNot {
		if strings.Contains(reply, h) {
			t.Errorf("%s: reply has %q: %s", say, h, reply)
		}
	}
}

// An elder with dementia gone missing is a crisis like a missing child: 110
// now with no 24-hour wait, the search answered inside the episode, staff
// alerted once; found ends it with relief, checks and how to keep it from
// happening, and the next question is a question again.
func TestMissingElderEpisode(t *testing.T) {
	e, st, _, clk := engineForTest(t)
	ms := cache.NewMemoryState()
	ms.Now = clk.now
	e.Recent = ms
	e.assessCrisis = func(string) knowledge.Crisis { return knowledge.Crisis{} }
	ctx := context.Background()
	steps := []episodeStep{
		{text: "我妈又找不到了 出门一个小时了", route: "crisis", has: []string{"110", "不用等 24 小时", "照片", "穿", "监控", "常去", "邻居"}},
		{text: "她有老年痴呆 手机也没带", route: "crisis", has: []string{"110", "老年痴呆"}},
		{text: "报警了警察会管吗 要不要等24小时", route: "crisis", has: []string{"警察会管", "不用等 24 小时"}},
		{text: "我在小区附近找了一圈了 没有", route: "crisis", has: []string{"110", "监控"}},
		{text: "她以前老去菜市场那边", route: "crisis", has: []string{"那边要去找", "110"}},
		{text: "找到了 在公交站坐着 吓死我了", route: "crisis", has: []string{"找到了就好", "冻着", "摔伤", "防走失"}, hasNot: []string{"110"}},
		{text: "以后怎么防止她再走丢", route: "faq"},
	}
	for _, s := range steps {
		clk.t = clk.t.Add(time.Minute)
		r := e.Handle(ctx, text("sun", s.text))
		if r.Route != models.Route(s.route) {
			t.Errorf("%s: route %s, want %s: %s", s.text, r.Route, s.route, r.Text)
		}
		checkWords(t, s.text, r.Text, s.has, s.hasNot)
	}
	if a := staffAlerts(t, st); len(a) != 1 || !strings.Contains(a[0].Title, "走失") {
		t.Errorf("alerts %+v, want one for the episode", a)
	}
	rows := crisisRows(t, st, "sun")
	if len(rows) != 6 || rows[0].Kind != "missing_adult" || rows[0].FollowUp || !rows[5].FollowUp || rows[5].Episode != rows[0].Episode {
		t.Errorf("rows %+v", rows)
	}
	// Not a missing person: a phone, prevention, a son merely late.
	for _, s := range []string{"我妈的手机找不到了", "老年痴呆怎么防止走丢", "我爸还没回家 喝酒去了"} {
		if r := e.Handle(ctx, text("other", s)); r.Route == "crisis" {
			t.Errorf("%s: %s", s, r.Text)
		}
	}
}
