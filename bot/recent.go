package bot

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Recent keeps short-lived facts about a resident: how many questions in a row
// went unanswered and the last answer given (for "没用"). cache.MemoryState
// serves one copy, cache.RedisState several. They are not worth a database
// write per message, and losing them on a restart costs little.
type Recent interface {
	Incr(ctx context.Context, key string, ttl time.Duration) (int, error)
	Set(ctx context.Context, key, value string, ttl time.Duration) error
	Get(ctx context.Context, key string) (string, bool, error)
	Del(ctx context.Context, keys ...string) error
}

const (
	// missesFor is how long an unanswered question counts towards "two in a row".
	missesFor = time.Hour
	// feedbackWithin is how long after an answer "没用" still refers to it.
	feedbackWithin = 2 * time.Hour
)

func answerKey(openID string) string { return "answer:" + openID }

func missKey(openID string) string { return "miss:" + openID }

// messageWindow is the window of limits.messages_per_minute.
const messageWindow = time.Minute

// limitKey is the rate limiter's key for a resident's messages.
func limitKey(openID string) string { return "msg:" + openID }

// Preload is what one message of a resident reads from Recent and the rate
// limiter on its way to a plain answer, so a shared cache can fetch it all in
// one round trip when the message arrives (cache.Visits).
type Preload struct {
	Recent []string // read by most messages; written after the reply
	// Urgent keys are read by every message and written at once: another copy
	// may be waiting for them (a crisis episode it is joining).
	Urgent []string
	Limit  string        // the rate limiter's key ("" when there is no limit)
	Per    time.Duration // its window
}

// Preload names what a message of openID reads (see Preload).
func (e *Engine) Preload(openID string) Preload {
	p := Preload{Recent: []string{contextKey(openID), missKey(openID), answerKey(openID)}, Urgent: []string{episodeKey(openID)}}
	if e.Limiter != nil && e.Limits.MessagesPerMinute > 0 {
		p.Limit, p.Per = limitKey(openID), messageWindow
	}
	return p
}

// markAnswered remembers the answer and starts the count of misses again.
func (e *Engine) markAnswered(ctx context.Context, openID string, entryID uint) {
	if e.Recent == nil {
		return
	}
	v := strconv.FormatUint(uint64(entryID), 10) + " " + strconv.FormatInt(e.now().UnixMilli(), 10)
	_ = e.Recent.Set(ctx, answerKey(openID), v, feedbackWithin)
	_ = e.Recent.Del(ctx, missKey(openID))
}

// addMiss counts an unanswered question and returns how many came in a row.
func (e *Engine) addMiss(ctx context.Context, openID string) int {
	if e.Recent == nil {
		return 0
	}
	n, err := e.Recent.Incr(ctx, missKey(openID), missesFor)
	if err != nil {
		return 0
	}
	return n
}

func (e *Engine) resetMisses(ctx context.Context, openID string) {
	if e.Recent != nil {
		_ = e.Recent.Del(ctx, missKey(openID))
	}
}

// takeLastAnswer returns the entry last answered within feedbackWithin and
// forgets it, so one answer takes one "没用".
func (e *Engine) takeLastAnswer(ctx context.Context, openID string) (uint, bool) {
	if e.Recent == nil {
		return 0, false
	}
	v, ok, err := e.Recent.Get(ctx, answerKey(openID))
	if err != nil || !ok {
		return 0, false
	}
	_ = e.Recent.Del(ctx, answerKey(openID))
	id, at, _ := strings.Cut(v, " ")
	n, err1 := strconv.ParseUint(id, 10, 64)
	ms, err2 := strconv.ParseInt(at, 10, 64)
	if err1 != nil || err2 != nil || n == 0 || e.now().Sub(time.UnixMilli(ms)) > feedbackWithin {
		return 0, false
	}
	return uint(n), true
}
