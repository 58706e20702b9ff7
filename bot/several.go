package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
)

// Several questions in one message are answered each in short (up to three),
// with the full answers one number away; more than three are listed to pick
// from, one at a time.

// questionBreak splits a message into its questions: sentence ends, and the
// words that start another question.
var questionBreak = regexp.MustCompile(`[？?。；;！!\n]+|还有就是|还有|另外|顺便问一下|顺便问`)

const (
	// minPartRunes: a shorter part ("能洗澡吗") leans on the one before it and
	// is not a question of its own.
	minPartRunes = 6
	maxAnswered  = 3
	// shortAnswerRunes bounds each short answer.
	shortAnswerRunes = 90
)

func (e *Engine) severalQuestions(ctx context.Context, in Inbound) (Reply, bool) {
	found := e.clauseAnswers(in.Text)
	if len(found) < 2 {
		return Reply{}, false
	}
	var b strings.Builder
	var ids []uint
	if len(found) > maxAnswered {
		b.WriteString("您一次问了好几个问题，我们一个一个来。请回复数字，先看哪一个：\n")
		for i, c := range found {
			ids = append(ids, c.Entry.ID)
			fmt.Fprintf(&b, "%d. %s\n", i+1, c.Entry.Title)
		}
		_ = e.StartFlow(ctx, in.OpenID, State{Flow: clarifyFlow, Step: "choose", Ephemeral: true, Clarify: &clarifyChoice{Entries: ids}})
		return Reply{Text: strings.TrimSpace(b.String()), Route: models.RouteClarify, Category: found[0].Entry.Category, Score: found[0].Score}, true
	}
	b.WriteString("您问了几个问题，我分开简单说：\n")
	for i, c := range found {
		ids = append(ids, c.Entry.ID)
		fmt.Fprintf(&b, "\n%d.【%s】%s\n", i+1, c.Entry.Title, shortAnswer(c.Entry.Answer))
	}
	b.WriteString("\n想看哪一条的完整回答（含什么时候要看医生、依据），请回复它的数字。")
	_ = e.StartFlow(ctx, in.OpenID, State{Flow: clarifyFlow, Step: "choose", Ephemeral: true, Clarify: &clarifyChoice{Entries: ids}})
	first := found[0]
	e.markAnswered(ctx, in.OpenID, first.Entry.ID)
	e.rememberTopic(ctx, first.Entry, first.Entry.Title, "")
	return Reply{Text: e.fill(b.String()), Route: models.RouteFAQ, Category: first.Entry.Category, Score: first.Score,
		EntryID: first.Entry.ID}, true
}

// clauseAnswers are the entries that answer the questions of a message of
// several clauses outright, one per entry, in the message's order.
func (e *Engine) clauseAnswers(text string) []knowledge.Candidate {
	parts := questionBreak.Split(text, -1)
	if len(parts) < 2 {
		return nil
	}
	var found []knowledge.Candidate
	seen := map[uint]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if utf8.RuneCountInString(p) < minPartRunes {
			continue
		}
		ph := knowledge.Hint{} // each question is about whom it names itself
		if w := detectWho(p); w.Subject != "" {
			ph = knowledge.Hint{Subject: w.Subject, Override: true}
		}
		res := e.KB.Index().DecideWith(p, e.now(), ph)
		if res.Decision != knowledge.Answer || seen[res.Top[0].Entry.ID] {
			continue
		}
		seen[res.Top[0].Entry.ID] = true
		found = append(found, res.Top[0])
	}
	return found
}

// shortAnswer is an answer's first point, cut for a phone screen.
func shortAnswer(answer string) string {
	line := strings.TrimSpace(answer)
	if i := strings.Index(line, "\n"); i > 0 {
		line = line[:i]
	}
	r := []rune(line)
	if len(r) > shortAnswerRunes {
		return string(r[:shortAnswerRunes]) + "…"
	}
	return line
}

// whoFillers are the words around a bare statement of who a question is about.
var whoFillers = strings.NewReplacer("我家", "", "我们家", "", "家里", "", "今年", "", "已经", "", "快", "", "刚", "", "满", "",
	"我", "", "的", "", "了", "", "是", "", "有", "", "啊", "", "呀", "", "，", "", "。", "", " ", "", "多", "", "就", "")

// saysOnlyWho reports whether text says nothing but who w is.
func saysOnlyWho(text string, w who) bool {
	if w.Subject == "" || w.Subject == knowledge.SubjectSelf {
		return false
	}
	for _, word := range w.Words {
		text = strings.ReplaceAll(text, word, "")
	}
	return whoFillers.Replace(text) == ""
}

// onlyWho answers a message that only says who the next questions are about
// ("我家宝宝8个月了", "我爸78岁了"): it is remembered, and the resident is asked
// what they want to know.
func (e *Engine) onlyWho(ctx context.Context, in Inbound) (Reply, bool) {
	w := detectWho(in.Text)
	if !saysOnlyWho(in.Text, w) {
		return Reply{}, false
	}
	examples := map[knowledge.Subject]string{
		knowledge.SubjectInfant: "“辅食怎么加”“晚上老醒怎么办”“发烧怎么办”",
		knowledge.SubjectChild:  "“挑食怎么办”“发烧怎么办”“不听话怎么管”",
		knowledge.SubjectTeen:   "“长痘痘怎么办”“不爱说话怎么沟通”“怎么长高”",
		knowledge.SubjectElder:  "“血压高要注意什么”“晚上睡不好”“怎么防摔倒”",
		knowledge.SubjectMother: "“奶水不够怎么办”“喂奶期间能吃药吗”“产后心情不好”",
	}[w.Subject]
	text := "好的，记下了：您问的是" + subjectLabel(w.Subject, w.Months) + "。想了解什么直接问我就行，比如" + examples + "。"
	return Reply{Text: text, Route: models.RouteChat, Subject: string(w.Subject)}, true
}
