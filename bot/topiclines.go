package bot

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"familybot/knowledge"
)

// Narrow follow-ups on a long entry ("什么时候能到账", "在哪里申报", "老大满3岁
// 以后呢" after a policy answer) are answered with the lines of the entry that
// speak of them, not with the whole entry again nor with another entry.

// stopPairs are two-character pieces every question has; they say nothing of
// which line is meant.
var stopPairs = map[string]bool{
	"什么": true, "时候": true, "怎么": true, "多少": true, "多久": true, "可以": true, "能不": true, "不能": true, "要不": true,
	"不要": true, "是不": true, "不是": true, "没有": true, "有没": true, "一下": true, "这个": true, "那个": true, "我们": true,
	"你们": true, "他们": true, "就是": true, "的话": true, "现在": true, "已经": true, "能吗": true, "在哪": true, "哪里": true,
	"哪儿": true, "去哪": true, "还能": true, "是怎": true, "么算": true, "怎样": true, "如何": true, "需要": true, "还要": true,
}

// maxTopicLine is how long a message may be to be read against the topic's lines.
const maxTopicLine = 32

// topicLineMatch returns the lines of answer that share the most telling
// pieces with text (at most three), and how many pieces the best one shares.
// A piece counts only when at most three lines have it.
func topicLineMatch(answer, text string) (string, int) {
	var lines []string
	for _, l := range strings.Split(answer, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	pieces := map[string]bool{}
	rs := []rune(knowledge.Normalize(text)) // 剖腹产 is written 剖宫产
	for i := 0; i+1 < len(rs); i++ {
		a, b := rs[i], rs[i+1]
		if !(unicode.Is(unicode.Han, a) || unicode.Is(unicode.Han, b)) || !telling(a) || !telling(b) {
			continue
		}
		if p := string(rs[i : i+2]); !stopPairs[p] {
			pieces[p] = true
		}
	}
	var telling []string
	for p := range pieces {
		n := 0
		for _, l := range lines {
			if strings.Contains(l, p) {
				n++
			}
		}
		if n > 0 && n <= 3 {
			telling = append(telling, p)
		}
	}
	scores := make([]int, len(lines))
	best := 0
	for i, l := range lines {
		for _, p := range telling {
			if strings.Contains(l, p) {
				scores[i]++
			}
		}
		best = max(best, scores[i])
	}
	if best == 0 {
		return "", 0
	}
	var out []string
	for i, l := range lines {
		if scores[i] == best && len(out) < 3 {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n"), best
}

// telling: a letter or digit, not punctuation or a space.
func telling(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// topicLinesAnswer answers text with the topic's lines about it when at least
// need pieces say which; false when there is no topic or no such line.
func (e *Engine) topicLinesAnswer(ctx context.Context, text string, need int) (Reply, bool) {
	cx := e.context(ctx)
	if e.KB == nil || cx.Entry == 0 || utf8.RuneCountInString(text) > maxTopicLine || parseChoice(text) > 0 {
		return Reply{}, false
	}
	en, ok := e.KB.Index().Entry(cx.Entry)
	if !ok {
		return Reply{}, false
	}
	lines, n := topicLineMatch(en.Answer, text)
	if n < need {
		return Reply{}, false
	}
	return e.topicLines(ctx, en, lines), true
}
