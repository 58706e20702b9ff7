package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"familybot/config"
	"familybot/knowledge"
	"familybot/models"
)

const (
	clarifyFlow  = "clarify"
	rulesRefresh = 30 * time.Second
)

// ReloadRules makes the next message read the keyword rules again (after staff edit them).
func (e *Engine) ReloadRules() {
	e.rulesMu.Lock()
	e.rulesLoaded = time.Time{}
	e.rulesMu.Unlock()
}

func (e *Engine) currentRules(ctx context.Context) []knowledge.Rule {
	e.rulesMu.Lock()
	defer e.rulesMu.Unlock()
	if e.now().Sub(e.rulesLoaded) > rulesRefresh {
		// A failed read keeps the rules it had and waits as long as a good one:
		// with the database down, messages do not queue behind it one by one.
		if rules, err := e.Store.ListKBRules(ctx); err == nil {
			e.rules = rules
		}
		e.rulesLoaded = e.now()
	}
	return e.rules
}

// ruleText returns the reply of the first enabled rule of kind (welcome, default), if any.
func (e *Engine) ruleText(ctx context.Context, kind models.RuleKind) string {
	for _, r := range e.currentRules(ctx) {
		if r.Kind == kind && strings.TrimSpace(r.Reply) != "" {
			return strings.TrimSpace(r.Reply)
		}
	}
	return ""
}

// keywordRule answers from the staff's keyword rules, before the FAQ.
func (e *Engine) keywordRule(ctx context.Context, in Inbound) (Reply, bool) {
	rule, ok := knowledge.MatchRule(e.currentRules(ctx), in.Text)
	if !ok {
		return Reply{}, false
	}
	return Reply{Text: e.fill(rule.Reply), Route: models.RouteKeyword, Score: 1}, true
}

// faq matches the knowledge base: answer, clarify, or fall back.
func (e *Engine) faq(ctx context.Context, in Inbound) Reply {
	if e.KB == nil {
		return e.fallback(ctx, in)
	}
	h := e.hint(ctx, in.Text)
	if r, ok := e.onlyWho(ctx, in); ok {
		return r
	}
	if r, ok := e.severalQuestions(ctx, in); ok {
		r.Subject = string(h.Subject)
		return r
	}
	res, h := e.decide(ctx, withAgeNote(in.Text, detectWho(in.Text)), h)
	if res.Decision == knowledge.Clarify {
		// A long message whose one clear question ("有什么办法预防吗") an entry
		// among the candidates answers outright: that entry.
		if found := e.clauseAnswers(in.Text); len(found) == 1 && inTop(res.Top, found[0].Entry.ID) {
			res = knowledge.Result{Decision: knowledge.Answer, Top: found, Normalized: res.Normalized}
		}
	}
	if cx := e.context(ctx); res.Decision == knowledge.Answer && res.Top[0].Entry.ID == cx.Entry && !sameQuestion(in.Text, cx.Question) {
		// Asked again about the entry just answered ("乳腺炎能吃什么药"): the
		// part asked about, not the whole entry again.
		if f, _ := detectFacet(in.Text); f != "" && hasFacet(res.Top[0].Entry, f) {
			r := e.facetAnswer(ctx, in, res.Top[0].Entry, f)
			r.Subject = string(h.Subject)
			return r
		}
		if r, ok := e.topicLinesAnswer(ctx, in.Text, 2); ok {
			return r
		}
	}
	if res.Decision != knowledge.Answer {
		if r, ok := e.facetQuestion(ctx, in, h); ok {
			return r
		}
		// A message that says little of its own ("平时怎么照顾") leans on the
		// topic; one that names a topic of its own ("辅食怎么加") does not, nor
		// one the knowledge base knows nothing of ("明天上证指数会涨吗").
		if res.Decision == knowledge.Clarify && res.Top[0].Score < e.KB.Index().Options().AnswerThreshold {
			if r, ok := e.withTopic(ctx, in); ok {
				return r
			}
		}
		// Nothing in the knowledge base answers it alone: the topic's lines
		// that speak of it ("老大也能领吗" after the child subsidy), if any.
		need := 2
		if res.Decision == knowledge.NoMatch || e.context(ctx).Category == models.CatService {
			need = 1 // nothing else, or a policy's narrow follow-up ("去哪里申请啊")
		}
		if r, ok := e.topicLinesAnswer(ctx, in.Text, need); ok {
			return r
		}
	}
	r := e.faqResult(ctx, in, in.Text, res)
	r.Subject = string(h.Subject)
	return r
}

// faqResult turns the matcher's verdict on question into the reply: answer,
// clarify, or fall back.
func (e *Engine) faqResult(ctx context.Context, in Inbound, question string, res knowledge.Result) Reply {
	if res.Decision == knowledge.Clarify && len(res.Top) > 0 {
		// Until the resident picks, the nearest entry is the topic: "蛋清呢" still leans on it.
		e.rememberTopic(ctx, res.Top[0].Entry, question, "")
	}
	switch {
	case res.Decision == knowledge.Answer && len(res.Top) > 0:
		r := e.answer(ctx, in, res.Top[0], models.RouteFAQ)
		e.rememberTopic(ctx, res.Top[0].Entry, question, "")
		return r
	case res.Decision == knowledge.Clarify && len(res.Top) == 1:
		c := res.Top[0]
		_ = e.StartFlow(ctx, in.OpenID, State{Flow: clarifyFlow, Step: "choose", Ephemeral: true, Clarify: &clarifyChoice{Entries: []uint{c.Entry.ID}}})
		return Reply{Text: "您是想问「" + c.Entry.Title + "」吗？\n是的话请回复 1；不是的话可以换个说法再问，或回复“人工”联系工作人员。",
			Route: models.RouteClarify, Category: c.Entry.Category, Score: c.Score}
	case res.Decision == knowledge.Clarify && len(res.Top) > 1:
		n := len(res.Top)
		if n > 3 {
			n = 3
		}
		var ids []uint
		var b strings.Builder
		b.WriteString("您想问的是哪一个？请回复数字：\n")
		for i, c := range res.Top[:n] {
			if c.Score <= 0 {
				break
			}
			ids = append(ids, c.Entry.ID)
			fmt.Fprintf(&b, "%d. %s\n", i+1, c.Entry.Title)
		}
		b.WriteString("都不是？可以换个说法再问，或回复“人工”联系工作人员。")
		_ = e.StartFlow(ctx, in.OpenID, State{Flow: clarifyFlow, Step: "choose", Ephemeral: true, Clarify: &clarifyChoice{Entries: ids}})
		return Reply{Text: b.String(), Route: models.RouteClarify, Category: res.Top[0].Entry.Category, Score: res.Top[0].Score}
	}
	return e.fallback(ctx, in)
}

// answer formats an entry exactly as reviewed, with when to see a doctor and its source.
func (e *Engine) answer(ctx context.Context, in Inbound, c knowledge.Candidate, route models.Route) Reply {
	en := c.Entry
	// Hits are counted from the message log (the recorder sums them off the reply path).
	e.markAnswered(ctx, in.OpenID, en.ID)
	q := in.Text
	if parseChoice(q) > 0 {
		q = en.Title // chosen from a list: the title is the question
	}
	e.rememberTopic(ctx, en, q, "")
	return Reply{Text: e.answerText(en), Route: route, Category: en.Category, Score: c.Score, EntryID: en.ID}
}

// answerText is an entry's reply. Entries of an index never change (staff
// edits build a new index), so each text is built once and remembered.
func (e *Engine) answerText(en *knowledge.Entry) string {
	if t, ok := e.answers.Load(en); ok {
		if a := t.(answerText); a.assoc == e.Assoc {
			return a.text
		}
	}
	var b strings.Builder
	b.WriteString("【" + en.Title + "】\n")
	b.WriteString(strings.TrimSpace(en.Answer))
	if s := strings.TrimSpace(en.SeeDoctor); s != "" {
		b.WriteString("\n\n🏥 " + s)
	}
	b.WriteString(sourceLine(en))
	b.WriteString("\n没帮上忙请回复“没用”，我们会改进。")
	text := e.fill(b.String())
	if e.answersN.Add(1) > maxAnswerTexts { // old indexes' entries: start over
		e.answers.Clear()
		e.answersN.Store(1)
	}
	e.answers.Store(en, answerText{assoc: e.Assoc, text: text})
	return text
}

// maxAnswerTexts bounds the remembered answer texts (a few indexes' worth).
const maxAnswerTexts = 4096

type answerText struct {
	assoc config.Association
	text  string
}

// fallback is the honest "I don't know": topics, how to reach staff, how to leave a wish.
// Two misses in a row offer a person and alert staff.
func (e *Engine) fallback(ctx context.Context, in Inbound) Reply {
	if e.afterGrief(ctx) {
		return Reply{Text: e.fill(msgGriefStay), Route: models.RouteChat}
	}
	if e.addMiss(ctx, in.OpenID) >= 2 {
		e.resetMisses(ctx, in.OpenID)
		h := e.handoff(ctx, in, models.HandoffMisses)
		h.Text = "抱歉，这个问题我暂时答不好。\n" + h.Text
		h.Route = models.RouteFallback
		return h
	}
	text := msgFallback
	if d := e.ruleText(ctx, models.RuleDefault); d != "" { // the console's 收到消息回复, imported
		text = d + "\n\n" + text
	}
	return Reply{Text: e.fill(text), Route: models.RouteFallback}
}

// griefSlug is the entry on grief. After it, what the knowledge base cannot
// answer is someone remembering (他要是还在 今年该三十了): a warm reply that
// stays, never "我还不会回答".
const griefSlug = "elderly-grief"

const msgGriefStay = "我在听，想说什么都可以慢慢说。想起孩子的时候，说说他的样子、你们一起过的日子，也是一种想念。\n" +
	"· {{name}}的“暖心家园”可以陪您说说话：回复“人工”或致电 {{phone}}（{{hours}}）。\n" +
	"· 心里特别难受的时候，可以拨打心理援助热线 12356。"

// afterGrief reports whether the conversation's last topic is grief.
func (e *Engine) afterGrief(ctx context.Context) bool {
	if e.KB == nil {
		return false
	}
	en, ok := e.KB.Index().Entry(e.context(ctx).Entry)
	return ok && en.Slug == griefSlug
}

// handoff tells the resident how to reach a person, puts them in the admin's
// 人工 queue and alerts staff on duty.
func (e *Engine) handoff(ctx context.Context, in Inbound, why string) Reply {
	title := "居民请求人工帮助"
	if why == "misses" {
		title = "居民连续两次没得到答案"
	}
	// Once an hour per resident.
	alert := models.Notice{Kind: models.NoticeHandoff, Variant: in.OpenID + ":" + e.now().UTC().Format("2006010215"),
		Title: title, Text: "有居民需要工作人员帮助，请在后台“人工”页查看并尽快联系。"}
	switch {
	case e.Store != nil && in.OpenID != "":
		var alerts []models.Notice
		if e.Alerts != nil {
			alerts = e.Alerts.ToOnDuty("/admin/handoffs", alert)
		}
		_ = e.Store.RecordHandoff(ctx, in.OpenID, why, alerts...) // the alerts reach staff even if the record fails
	case e.Alerts != nil:
		_ = e.Alerts.AlertStaff(ctx, "/admin/handoffs", alert)
	}
	return Reply{Text: e.fill(msgHandoff), Route: models.RouteCommand}
}

// unhelpful records "没用" for the last answer.
func (e *Engine) unhelpful(ctx context.Context, in Inbound) Reply {
	id, ok := e.takeLastAnswer(ctx, in.OpenID)
	if !ok {
		return Reply{Text: e.fill(msgFeedbackNothing)}
	}
	_ = e.Store.AddKBFeedback(ctx, id, in.OpenID)
	return Reply{Text: e.fill(msgFeedbackThanks), EntryID: id}
}

// clarifyStep answers the entry the resident picked by its number.
func clarifyStep(ctx context.Context, e *Engine, in Inbound, st *State) (Reply, bool) {
	n := parseChoice(in.Text)
	var ids []uint
	if st.Clarify != nil {
		ids = st.Clarify.Entries
	}
	if n < 1 || n > len(ids) {
		return Reply{}, false // not a choice: route the message as a new question
	}
	st.Flow = ""
	en, ok := e.KB.Index().Entry(ids[n-1])
	if !ok {
		return Reply{Text: e.fill(msgFallback), Route: models.RouteFallback}, true
	}
	return e.answer(ctx, in, knowledge.Candidate{Entry: en, Score: 1}, models.RouteFAQ), true
}

// inTop reports whether the entry id is among the candidates.
func inTop(top []knowledge.Candidate, id uint) bool {
	for _, c := range top {
		if c.Entry.ID == id {
			return true
		}
	}
	return false
}

// sameQuestion reports whether a and b are the same question but for spacing,
// punctuation and script: asked again in full, it gets the whole answer again.
func sameQuestion(a, b string) bool {
	return a != "" && b != "" && knowledge.Normalize(a) == knowledge.Normalize(b)
}

// sourceLine is the end of every answer from an entry: its source and, for
// health advice, the disclaimer, on one short line after the advice.
func sourceLine(en *knowledge.Entry) string {
	switch src := strings.TrimSpace(en.Source); {
	case src != "" && en.Category != models.CatService:
		return "\n\n来源：" + src + "（健康科普，不代替面诊）"
	case src != "":
		return "\n\n来源：" + src
	case en.Category != models.CatService:
		return "\n\n（健康科普，不代替面诊）"
	}
	return ""
}
