package knowledge

import (
	"familybot/models"
	"fmt"
	"sort"
	"strings"
)

// Rule is a keyword rule answered before the FAQ, like the official account
// console's 关键词回复. Rules of kind welcome and default are chosen by the bot
// on other occasions and never match text.
type Rule struct {
	ID       uint
	Name     string
	Keywords []string
	Match    string // "equal" | "contain"
	Reply    string
	Priority int
	Kind     models.RuleKind
}

// Match modes.
const (
	MatchEqual   = "equal"
	MatchContain = "contain"
)

// IsKeyword reports whether the rule matches text (kind keyword, or unset).
func (r *Rule) IsKeyword() bool { return r.Kind == models.RuleKeyword || r.Kind == "" }

// hit returns the length in runes of the longest keyword of r that matches
// the normalised text, or -1.
func (r *Rule) hit(norm string) int {
	best := -1
	for _, k := range r.Keywords {
		k = Normalize(k)
		if k == "" {
			continue
		}
		ok := norm == k
		if r.Match != MatchEqual {
			ok = strings.Contains(norm, k)
		}
		if n := len([]rune(k)); ok && n > best {
			best = n
		}
	}
	return best
}

// MatchRule returns the keyword rule that answers text: the highest
// priority, then the longest matching keyword, then the lowest ID. Text and
// keywords are compared after Normalize, so 電話 matches 电话.
func MatchRule(rules []Rule, text string) (*Rule, bool) {
	return matchNorm(rules, Normalize(text), -1)
}

func matchNorm(rules []Rule, norm string, skip int) (*Rule, bool) {
	var best *Rule
	bestLen := -1
	for i := range rules {
		r := &rules[i]
		if i == skip || !r.IsKeyword() {
			continue
		}
		n := r.hit(norm)
		if n < 0 {
			continue
		}
		if best == nil || r.Priority > best.Priority ||
			(r.Priority == best.Priority && (n > bestLen || (n == bestLen && r.ID < best.ID))) {
			best, bestLen = r, n
		}
	}
	return best, best != nil
}

// RuleConflicts describes, in Chinese for staff, every keyword that another
// rule takes over: a resident typing exactly that keyword gets the other
// rule's reply. Each keyword is tried as a message; when the winner is not
// its own rule, that is a conflict.
func RuleConflicts(rules []Rule) []string {
	var out []string
	for i := range rules {
		r := &rules[i]
		if !r.IsKeyword() {
			continue
		}
		for _, k := range r.Keywords {
			norm := Normalize(k)
			if norm == "" {
				out = append(out, fmt.Sprintf("规则“%s”（#%d）的关键词“%s”规范化后为空，永远不会匹配。", r.Name, r.ID, k))
				continue
			}
			w, ok := matchNorm(rules, norm, -1)
			if !ok || w == r {
				continue
			}
			why := "优先级更高"
			switch {
			case w.Priority == r.Priority && w.hit(norm) > r.hit(norm):
				why = "优先级相同、匹配的关键词更长"
			case w.Priority == r.Priority:
				why = "优先级相同、编号更小"
			}
			out = append(out, fmt.Sprintf("关键词“%s”同时被规则“%s”（#%d）和“%s”（#%d）认领：居民发送“%s”时将回复“%s”（%s）。",
				k, r.Name, r.ID, w.Name, w.ID, k, w.Name, why))
		}
	}
	sort.Strings(out)
	return out
}
