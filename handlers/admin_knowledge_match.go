package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/bot"
	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"

	"github.com/gin-gonic/gin"
)

// ---- Test a question ----

type kbCand struct {
	ID              uint
	Title, Category string
	Score           string
	Why             []string
	Chosen          bool
}

type kbTestView struct {
	Page
	Q          string
	Ran        bool
	Normalized string
	Decision   string // what the bot does: 直接回答 / 追问 / 兜底 / 危机 (or 关键词回复 / 指令)
	Badge      string // its badge class
	KBDecision string // what the matcher alone decided, when the bot does something else
	Crisis     string
	Route      string // what the bot does, in words
	Chosen     *kbCand
	RuleName   string
	RuleID     uint
	Reply      string
	Notes      []string
	Cands      []kbCand
	Thresholds string
	CanEdit    bool
}

// kbDecisions names the bot's decision for each route, with its badge class.
var kbDecisions = map[models.Route][2]string{
	models.RouteFAQ: {"直接回答", "done"}, models.RouteClarify: {"追问", "pending"}, models.RouteFallback: {"兜底", "rejected"},
	models.RouteCrisis: {"危机", "bad"}, models.RouteKeyword: {"关键词回复", "accepted"}, models.RouteCommand: {"指令", "in_progress"},
}

var kbRouteTexts = map[models.Route]string{
	models.RouteFAQ: "用知识库条目直接回答", models.RouteClarify: "列出几个相近的条目，请居民回复数字选择",
	models.RouteFallback: "没找到答案，回复兜底说明", models.RouteCrisis: "危机回复（最先处理，不查知识库）",
	models.RouteKeyword: "关键词规则回复（先于知识库）", models.RouteCommand: "当作指令处理（如报名、许愿、人工）",
}

// kbTest runs a question the way a resident's message runs: the real engine on
// a store that writes nothing, plus the matcher's candidates and reasons.
func (s *Server) kbTest(c *gin.Context) error {
	ix, err := s.kb()
	if err != nil {
		return err
	}
	v := &kbTestView{Page: Page{Title: "测试问题", Nav: "knowledge"}, CanEdit: kbCanEdit(c)}
	o := ix.Options()
	v.Thresholds = fmt.Sprintf("得分 ≥ %.2f 且明显领先时直接回答；≥ %.2f 时追问；更低时兜底。", o.AnswerThreshold, o.ClarifyThreshold)
	v.Q = strings.TrimSpace(c.Query("q"))
	if id := c.Query("msg"); id != "" && v.Q == "" {
		m, err := s.kbUnansweredMessage(c, id)
		if err != nil {
			return err
		}
		v.Q = privacy.Mask(strings.TrimSpace(m.Text))
	}
	if utf8.RuneCountInString(v.Q) > 200 {
		v.Q = string([]rune(v.Q)[:200])
	}
	if v.Q == "" {
		s.render(c, http.StatusOK, "kb_match.html", v)
		return nil
	}
	ctx := c.Request.Context()
	now := s.now()
	v.Ran = true
	res := ix.Match(v.Q, now)
	v.Normalized = res.Normalized
	kbDecision := map[knowledge.Decision]string{knowledge.Answer: "直接回答", knowledge.Clarify: "追问", knowledge.NoMatch: "兜底"}
	if kind := knowledge.DetectCrisis(v.Q); kind != knowledge.CrisisNone {
		v.Crisis = crisisKinds[string(kind)]
	}
	r := s.kbPreviewReply(ctx, v.Q)
	v.Route, v.Reply = kbRouteTexts[r.Route], r.Text
	if v.Route == "" {
		v.Route = routeTexts[r.Route]
	}
	d := kbDecisions[r.Route]
	v.Decision, v.Badge = d[0], d[1]
	if v.Decision == "" {
		v.Decision, v.Badge = routeTexts[r.Route], ""
	}
	if r.Route != models.RouteFAQ && r.Route != models.RouteClarify && r.Route != models.RouteFallback {
		v.KBDecision = kbDecision[res.Decision]
	}
	switch r.Route {
	case models.RouteKeyword:
		if rules, err := s.Knowledge.EnabledRules(ctx); err == nil {
			if rule, ok := knowledge.MatchRule(rules, v.Q); ok {
				v.RuleName, v.RuleID = rule.Name, rule.ID
			}
		}
		v.Notes = append(v.Notes, "关键词规则先于知识库：下面的知识库匹配只供参考。")
	case models.RouteCrisis:
		v.Notes = append(v.Notes, "居民真的发送这句话时，还会记入“危机”页并提醒值班人员。测试不会记录。")
	case models.RouteCommand, models.RouteFlow:
		v.Reply = ""
		v.Notes = append(v.Notes, "这句话会被当作指令，回复取决于居民自己的报名、心愿等记录；测试页不执行指令，也就不显示回复。")
	case models.RouteFallback:
		v.Notes = append(v.Notes, "同一位居民连续两次没得到答案时，第二次会改为转人工的回复，并提醒值班人员。")
	case models.RouteClarify:
		v.Notes = append(v.Notes, "居民回复数字后，会收到所选条目的回答。")
	}
	for _, cand := range res.Top {
		kc := kbCand{ID: cand.Entry.ID, Title: cand.Entry.Title, Category: kbCategoryName(cand.Entry.Category),
			Score: fmt.Sprintf("%.2f", cand.Score), Why: cand.Why, Chosen: r.Route == models.RouteFAQ && cand.Entry.ID == r.EntryID}
		v.Cands = append(v.Cands, kc)
	}
	for i := range v.Cands {
		if v.Cands[i].Chosen {
			v.Chosen = &v.Cands[i]
		}
	}
	s.render(c, http.StatusOK, "kb_match.html", v)
	return nil
}

// kbPreviewStore lets the real engine answer a test question with no effect: no
// conversation, a resident seen for the first time, nothing counted or recorded.
type kbPreviewStore struct {
	rules interface {
		EnabledRules(ctx context.Context) ([]knowledge.Rule, error)
	}
}

var _ bot.Store = kbPreviewStore{}

func (kbPreviewStore) GetConversation(context.Context, string) (models.Conversation, error) {
	return models.Conversation{}, models.Errorf(models.ENOTFOUND, "conversation not found")
}
func (kbPreviewStore) SaveConversation(context.Context, models.Conversation) error { return nil }
func (kbPreviewStore) DeleteConversation(context.Context, string) error            { return nil }
func (kbPreviewStore) SetSubscribed(context.Context, string, bool) error           { return nil }
func (p kbPreviewStore) ListKBRules(ctx context.Context) ([]knowledge.Rule, error) {
	return p.rules.EnabledRules(ctx)
}
func (kbPreviewStore) AddKBFeedback(context.Context, uint, string) error { return nil }
func (kbPreviewStore) RecordCrisis(context.Context, models.CrisisEvent, ...models.Notice) error {
	return nil
}
func (kbPreviewStore) RecordHandoff(context.Context, string, string, ...models.Notice) error {
	return nil
}

// kbPreviewReply is the reply a first-time resident would get. Sign-ups, wishes,
// alerts, the rate limit and the message log are left out, so nothing happens.
func (s *Server) kbPreviewReply(ctx context.Context, q string) bot.Reply {
	e := &bot.Engine{Store: kbPreviewStore{s.Knowledge}, KB: s.KB, Assoc: s.Cfg.Association, Now: s.now,
		PublicURL: s.Cfg.Server.PublicURL, TTL: time.Minute}
	if s.Engine != nil {
		e.Assoc, e.PublicURL = s.Engine.Assoc, s.Engine.PublicURL
	}
	return e.Handle(ctx, bot.Inbound{OpenID: "admin-preview", Kind: bot.KindText, Text: q})
}
