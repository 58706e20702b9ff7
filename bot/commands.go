package bot

import (
	"context"
	"strings"
	"unicode"

	"familybot/models"
)

// Command is a chat command or menu key.
type Command struct {
	Names    []string // exact words; with Args also a prefix followed by arguments
	Args     bool     // accepts arguments after the name ("活动 3")
	MenuKeys []string // CLICK event keys that run this command
	// Soft commands (greetings, thanks, "没用") give way to an ongoing flow, whose
	// question "好的" or "不对" may be answering.
	Soft bool
	Fn   func(ctx context.Context, e *Engine, in Inbound, args string) Reply
}

// normalizeCommand folds full-width characters and spaces so "活动３" and "活动 3" agree.
func normalizeCommand(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '\u3000':
			r = ' '
		case r >= '！' && r <= '～':
			r -= 0xFEE0
		}
		b.WriteRune(r)
	}
	return strings.Trim(b.String(), "。!！?？ ")
}

// command finds the command for text and runs it; soft selects the soft commands
// (run after an ongoing flow) or the others (run before it).
func (e *Engine) command(ctx context.Context, in Inbound, text string, soft bool) (Reply, bool) {
	if r, ok := e.commandExact(ctx, in, text, soft); ok {
		return r, true
	}
	// 算了 帮我取消吧, 我想提个建议哈: the command without the words around it.
	// Small talk keeps its words (谢谢你啊 is for the chat layer).
	if p := plainIntent(text); !soft && p != "" && p != normalizeCommand(text) {
		return e.commandExact(ctx, in, p, soft)
	}
	return Reply{}, false
}

// commandExact runs the command text names exactly (with its arguments).
func (e *Engine) commandExact(ctx context.Context, in Inbound, text string, soft bool) (Reply, bool) {
	text = normalizeCommand(text)
	type match struct {
		c    Command
		name string
	}
	var best *match
	for _, c := range commands {
		if c.Soft != soft {
			continue
		}
		for _, name := range c.Names {
			if text == name || (c.Args && strings.HasPrefix(text, name) && argStart(text[len(name):])) {
				if best == nil || len(name) > len(best.name) {
					best = &match{c, name}
				}
			}
		}
	}
	if best == nil {
		return Reply{}, false
	}
	args := arabicArgs(strings.TrimSpace(strings.TrimLeft(text[len(best.name):], ":：,， ")))
	r := best.c.Fn(ctx, e, in, args)
	if r.Route == "" {
		r.Route = models.RouteCommand
	}
	r.private, r.logWord = true, best.name // arguments may be a name and a phone number
	return r, true
}

// argStart reports whether rest looks like arguments: empty, or starting with a space or digit.
func argStart(rest string) bool {
	if _, ok := cnNumbers[strings.TrimSuffix(rest, "号")]; rest == "" || ok {
		return true // 取消报名三
	}
	r := []rune(rest)[0]
	return r == ' ' || r == ':' || r == '：' || r == ',' || r == '，' || unicode.IsDigit(r)
}

// menuKey runs the command bound to a menu key.
func (e *Engine) menuKey(ctx context.Context, in Inbound, key string) (Reply, bool) {
	for _, c := range commands {
		for _, k := range c.MenuKeys {
			if k == key {
				r := c.Fn(ctx, e, in, "")
				if r.Route == "" {
					r.Route = models.RouteCommand
				}
				return r, true
			}
		}
	}
	return Reply{}, false
}
