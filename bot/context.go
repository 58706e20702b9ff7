package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/privacy"
)

// convContext is what the engine remembers of a conversation for a short
// while (Engine.ContextTTL), so a follow-up can lean on it: the last topic,
// who the conversation is about, and the last list offered. It is kept as one
// small JSON value under one key of Recent: one read and at most one write
// per message, shared by every copy of the server.
type convContext struct {
	Entry    uint              `json:"e,omitempty"` // the last entry answered
	Category string            `json:"c,omitempty"` // its category
	Facet    knowledge.Facet   `json:"f,omitempty"` // the facet last answered, if any
	Question string            `json:"q,omitempty"` // the question that led to the entry, cut short
	Subject  knowledge.Subject `json:"s,omitempty"` // who the conversation is about
	Months   int               `json:"m,omitempty"` // their age in months, when given
	List     []uint            `json:"l,omitempty"` // the last list offered, in order
	ListKind string            `json:"k,omitempty"` // what List holds: listEvents
	Event    uint              `json:"v,omitempty"` // the event just signed up for ("在哪里", "几点")
	Wish     uint              `json:"w,omitempty"` // the wish just left ("多久回复")
	Young    bool              `json:"y,omitempty"` // the writer seems a child or teen (我妈又翻我手机)
}

// listEvents marks a context list of event IDs (the events last shown);
// listCancel the events of the bookings just offered for cancelling.
const (
	listEvents = "events"
	listCancel = "cancel"
)

// maxContextQuestion bounds the question kept in the context, in characters.
const maxContextQuestion = 60

// convState is one message's view of the context: read at most once, written
// back once at the end of the message if it changed.
type convState struct {
	e       *Engine
	openID  string
	loaded  bool
	changed bool
	c       convContext
}

type convKey struct{}

// withConv attaches the resident's context to ctx for this message.
func (e *Engine) withConv(ctx context.Context, openID string) (context.Context, *convState) {
	s := &convState{e: e, openID: openID}
	return context.WithValue(ctx, convKey{}, s), s
}

// convOf returns the message's context state; nil outside Handle.
func convOf(ctx context.Context) *convState {
	s, _ := ctx.Value(convKey{}).(*convState)
	return s
}

func contextKey(openID string) string { return "ctx:" + openID }

// get reads the context once per message.
func (s *convState) get(ctx context.Context) *convContext {
	if s.loaded {
		return &s.c
	}
	s.loaded = true
	if s.e.Recent == nil {
		return &s.c
	}
	if v, ok, err := s.e.Recent.Get(ctx, contextKey(s.openID)); err == nil && ok {
		_ = json.Unmarshal([]byte(v), &s.c)
	}
	return &s.c
}

// update changes the context; it is written back when the message is done.
func (s *convState) update(ctx context.Context, fn func(c *convContext)) {
	if s == nil {
		return
	}
	fn(s.get(ctx))
	s.changed = true
}

// save writes a changed context back, for e.contextTTL from now.
func (s *convState) save(ctx context.Context) {
	if s == nil || !s.changed || s.e.Recent == nil {
		return
	}
	data, _ := json.Marshal(s.c)
	_ = s.e.Recent.Set(ctx, contextKey(s.openID), string(data), s.e.contextTTL())
}

func (e *Engine) contextTTL() time.Duration {
	if e.ContextTTL > 0 {
		return e.ContextTTL
	}
	return 15 * time.Minute
}

// context returns the message's context (empty outside Handle or without Recent).
func (e *Engine) context(ctx context.Context) *convContext {
	if s := convOf(ctx); s != nil {
		return s.get(ctx)
	}
	return &convContext{}
}

// rememberTopic makes en the conversation's topic, asked as question.
func (e *Engine) rememberTopic(ctx context.Context, en *knowledge.Entry, question string, facet knowledge.Facet) {
	convOf(ctx).update(ctx, func(c *convContext) {
		c.Entry, c.Category, c.Facet = en.ID, en.Category, facet
		if question != "" { // kept for re-asking, not for reading: numbers are masked
			c.Question = string(truncRunes([]rune(privacy.Mask(question)), maxContextQuestion))
		}
	})
}

// rememberList keeps the list just offered, so "第二个" or "2" can pick from it.
func (e *Engine) rememberList(ctx context.Context, kind string, ids []uint) {
	convOf(ctx).update(ctx, func(c *convContext) { c.List, c.ListKind = ids, kind })
}

func truncRunes(r []rune, n int) []rune {
	if len(r) > n {
		return r[:n]
	}
	return r
}

// parseChoice reads a pick from a numbered list: "2", "２", "第二个", "第2条",
// "二"; 0 when the message is not one.
func parseChoice(text string) int {
	t := normalizeCommand(text)
	t = strings.TrimPrefix(t, "选")
	t = strings.TrimPrefix(t, "第")
	for _, suffix := range []string{"个吧", "个", "条", "项", "种", "吧"} {
		t = strings.TrimSuffix(t, suffix)
	}
	if n, err := strconv.Atoi(t); err == nil {
		return n
	}
	if utf8.RuneCountInString(t) == 1 {
		return chineseNumber(t)
	}
	return 0
}

// pickFromList answers "第二个" or "2" after a list of events: that event's
// details. A bare number that is one of the listed events' own numbers means
// that event; otherwise it counts down the list.
func (e *Engine) pickFromList(ctx context.Context, in Inbound) (Reply, bool) {
	n := parseChoice(in.Text)
	if n < 1 {
		return Reply{}, false
	}
	cx := e.context(ctx)
	if cx.ListKind != listEvents || len(cx.List) == 0 {
		return Reply{}, false
	}
	id := uint(0)
	for _, l := range cx.List {
		if l == uint(n) && !strings.HasPrefix(normalizeCommand(in.Text), "第") {
			id = l
		}
	}
	if id == 0 && n <= len(cx.List) {
		id = cx.List[n-1]
	}
	if id == 0 {
		return Reply{}, false
	}
	return e.command(ctx, in, "活动 "+strconv.FormatUint(uint64(id), 10), false)
}
