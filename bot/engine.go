// Package bot is familybot's conversation engine: it turns one inbound message
// into one reply. It knows nothing of HTTP or WeChat XML; the webhook and the
// command line both call Engine.Handle. Every sentence of a chat reply is
// written here, but for what it passes on: the knowledge entries' answers
// (knowledge), and the reasons the sign-up and wish rules give for refusing
// (signup, wishwall). Notices sent later, outside any reply (a wish answered,
// a place freed, a reminder), are written by signup and wishwall and sent
// by the outbox.
package bot

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"familybot/config"
	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"
	"familybot/signup"
	"familybot/wishwall"
)

// Inbound kinds.
const (
	KindText     = "text"
	KindVoice    = "voice"
	KindImage    = "image"
	KindVideo    = "video"
	KindLocation = "location"
	KindLink     = "link"
	KindEvent    = "event"
)

// Inbound is one message from a resident, independent of transport.
type Inbound struct {
	OpenID   string
	Kind     string // one of the Kind constants (shortvideo arrives as video)
	Text     string // text content, or the voice recognition result
	MediaID  string // for KindVoice: the audio, downloadable for 3 days (temporary material)
	Format   string // for KindVoice: amr or speex
	Event    string // for KindEvent: subscribe, unsubscribe, CLICK, SCAN, VIEW, …
	EventKey string
}

// Reply is the engine's answer and how it was reached.
type Reply struct {
	Text     string       `json:"reply"`
	Route    models.Route `json:"route"`
	Category string       `json:"category"`
	Score    float64      `json:"score"`
	EntryID  uint         `json:"entry_id,omitempty"`
	// Facet is the facet of the entry a follow-up asked for (用药 …), if any.
	Facet string `json:"facet,omitempty"`
	// Subject is who the answer was steered to (infant, teen, elder …), if anyone.
	Subject string `json:"subject,omitempty"`
	// Silent means nothing is sent to the resident (WeChat gets "success").
	Silent bool `json:"silent,omitempty"`
	// Flagged marks crisis messages: the text is not kept in the message log.
	Flagged bool `json:"-"`
	// private marks replies to commands and flow answers, whose text may carry
	// names, phone numbers and children's ages: the log keeps only logWord
	// (the command's name; nothing for a flow answer), whatever the route.
	private bool
	logWord string
}

// Store is what the engine needs from storage.
type Store interface {
	GetConversation(ctx context.Context, openID string) (models.Conversation, error)
	SaveConversation(ctx context.Context, c models.Conversation) error
	DeleteConversation(ctx context.Context, openID string) error
	SetSubscribed(ctx context.Context, openID string, subscribed bool) error
	ListKBRules(ctx context.Context) ([]knowledge.Rule, error)
	AddKBFeedback(ctx context.Context, id uint, openID string) error
	// RecordCrisis keeps a crisis message and, in the same transaction, the
	// alerts about it (a crisis-subject alert gets the new message's id); the
	// alerts go out even when the message cannot be kept.
	RecordCrisis(ctx context.Context, c models.CrisisEvent, alerts ...models.Notice) error
	// RecordHandoff puts the resident in the admin's 人工 queue (models.Handoff*)
	// and, in the same transaction, the alerts about it; the alerts go out even
	// when the request cannot be kept.
	RecordHandoff(ctx context.Context, openID, why string, alerts ...models.Notice) error
}

// Alerter tells staff on duty about something that needs a person (through
// the outbox, outbox.Notifier): at once, or addressed for the store to write
// with the change that causes it. link is the admin page.
type Alerter interface {
	AlertStaff(ctx context.Context, link string, n models.Notice) error
	ToOnDuty(link string, n models.Notice) []models.Notice
}

// Limiter answers whether key may act once more within window (limit per window).
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) bool
}

// Recorder keeps a record of every message without slowing the reply.
type Recorder interface {
	Record(m models.Message)
}

// Engine routes messages. Fields are set once at start-up.
type Engine struct {
	Store    Store
	KB       *knowledge.Base
	Signups  *signup.Service   // nil: sign-up commands answer that sign-ups are unavailable
	Wishes   *wishwall.Service // nil: wish commands likewise
	Alerts   Alerter
	Limiter  Limiter
	Recorder Recorder
	Recent   Recent // misses in a row and the last answer; nil: neither is kept (the admin's preview)
	Assoc    config.Association
	Limits   config.Limits
	TTL      time.Duration
	// CrisisEpisode is how long after a crisis message the resident's next
	// messages are read inside the crisis (0: DefaultCrisisEpisode).
	CrisisEpisode time.Duration
	// ContextTTL is how long a conversation's context lasts (bot.context_ttl).
	ContextTTL time.Duration
	Now        func() time.Time
	// PublicURL is the server's public address, for links (e.g. /wall).
	PublicURL string
	// Voice transcribes voice messages WeChat sends without text; nil
	// (speech.driver none): the resident is asked to type or pick a number.
	Voice Transcriber

	rulesMu     sync.Mutex
	rules       []knowledge.Rule
	rulesLoaded time.Time
	filler      atomic.Pointer[filler]
	answers     sync.Map // *knowledge.Entry → answerText
	answersN    atomic.Int64
	// assessCrisis replaces knowledge.AssessCrisis in tests that need a verdict
	// the detector in use does not give yet.
	assessCrisis func(string) knowledge.Crisis
}

// Handle answers one inbound message. It never returns an error: problems become
// a friendly sentence, and the failure is reported through the route.
func (e *Engine) Handle(ctx context.Context, in Inbound) (r Reply) {
	start := e.now()
	in.Text = strings.TrimSpace(in.Text)
	defer func() {
		if p := recover(); p != nil {
			r = Reply{Text: msgSorry, Route: models.RouteFallback}
		}
		e.record(in, r, start)
	}()
	if in.Kind == KindEvent {
		return e.handleEvent(ctx, in)
	}
	if in.Kind == KindVoice && in.Text == "" {
		heard, vr, ok := e.transcribe(ctx, in)
		if !ok {
			return vr
		}
		// From here the transcript is handled exactly like typed text; the
		// reply then shows what was heard (runs before the record above).
		in.Text = heard
		defer func() { r = withHeard(r, heard) }()
	}
	switch in.Kind {
	case KindImage, KindVideo, KindLocation, KindLink:
		return Reply{Text: e.fill(msgMedia), Route: models.RouteMedia}
	}
	if in.Text == "" {
		return Reply{Text: e.fill(msgEmpty), Route: models.RouteFallback}
	}
	if utf8.RuneCountInString(in.Text) > 1000 {
		in.Text = string([]rune(in.Text)[:1000])
	}
	ctx, conv := e.withConv(ctx, in.OpenID)
	defer conv.save(ctx)
	return e.route(ctx, in)
}

// route runs the route table in order: crisis → crisis episode → command/menu →
// what the sentence means (a sign-up, cancellation or queue question inside
// a longer message) → flow → a pick from the last list → a question about the event just signed up
// for → answers nobody asked for, event questions and suggestions → feelings and small talk → keyword → follow-up on the last topic → FAQ →
// clarify → fallback.
func (e *Engine) route(ctx context.Context, in Inbound) Reply {
	in.Text = toSimplified(in.Text)
	c := e.assess(in.Text)
	ep, ongoing := e.loadEpisode(ctx, in.OpenID)
	if c.Kind != knowledge.CrisisNone {
		return e.crisis(ctx, in, c, ep, ongoing)
	}
	if !ongoing {
		if r, ok := e.missingMinor(ctx, in); ok {
			return r
		}
	}
	if ongoing {
		// Inside a crisis episode a service command still works; everything
		// else is read as part of the crisis.
		if isEpisodeExit(in.Text) {
			return e.endEpisode(ctx, in, ep)
		}
		if r, ok := e.command(ctx, in, in.Text, false); ok {
			return r
		}
		return e.crisisFollowUp(ctx, in, ep)
	}
	if e.Limiter != nil && e.Limits.MessagesPerMinute > 0 &&
		!e.Limiter.Allow(ctx, limitKey(in.OpenID), e.Limits.MessagesPerMinute, messageWindow) {
		return Reply{Text: msgSlowDown, Route: models.RouteLimited}
	}
	if isExit(in.Text) {
		return e.exit(ctx, in)
	}
	if r, ok := e.command(ctx, in, in.Text, false); ok {
		return r
	}
	if r, ok := e.intent(ctx, in); ok {
		return r
	}
	if r, ok := e.continueFlow(ctx, in); ok {
		return r
	}
	if r, ok := e.pickFromList(ctx, in); ok {
		return r
	}
	if r, ok := e.aboutLastEvent(ctx, in); ok {
		return r
	}
	if r, ok := e.command(ctx, in, in.Text, true); ok {
		return r
	}
	if r, ok := e.residentIntent(ctx, in); ok {
		return r
	}
	if r, ok := e.chat(ctx, in); ok {
		return r
	}
	if r, ok := e.keywordRule(ctx, in); ok {
		return r
	}
	if r, ok := e.followUp(ctx, in); ok {
		return r
	}
	return e.faq(ctx, in)
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) record(in Inbound, r Reply, start time.Time) {
	if e.Recorder == nil {
		return
	}
	text := in.Text
	switch {
	case r.Flagged:
		text = "" // crisis text is kept only in the restricted crisis table
	case r.private:
		text = r.logWord
	default:
		text = privacy.Mask(text) // a question may still contain a phone number
	}
	kind := in.Kind
	if kind == KindEvent {
		text = in.Event + " " + in.EventKey
	}
	e.Recorder.Record(models.Message{
		OpenID: in.OpenID, Kind: kind, Text: text, Route: r.Route, Category: r.Category,
		EntryID: r.EntryID, Score: r.Score, Flagged: r.Flagged,
		LatencyMS: int(e.now().Sub(start) / time.Millisecond), CreatedAt: e.now().UTC(),
	})
}

// fill replaces the association placeholders in text.
func (e *Engine) fill(text string) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	f := e.filler.Load()
	if f == nil || f.assoc != e.Assoc {
		f = &filler{assoc: e.Assoc, r: strings.NewReplacer(
			"{{name}}", e.Assoc.Name,
			"{{phone}}", e.Assoc.Phone,
			"{{address}}", e.Assoc.Address,
			"{{hours}}", e.Assoc.Hours,
			localLineItem, lineItem(e.Assoc.CrisisLine),
			localLine, lineInline(e.Assoc.CrisisLine),
		)}
		e.filler.Store(f)
	}
	return f.r.Replace(text)
}

// filler is the placeholder replacer for one set of association details.
type filler struct {
	assoc config.Association
	r     *strings.Replacer
}
