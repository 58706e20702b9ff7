package models

import "time"

// Route is the way a message took through the bot engine; the message log
// keeps it for statistics and the unanswered-question list.
type Route string

// Routes a message can take through the bot engine.
const (
	RouteCrisis   Route = "crisis"
	RouteCommand  Route = "command"
	RouteFlow     Route = "flow"
	RouteKeyword  Route = "keyword"
	RouteFAQ      Route = "faq"
	RouteClarify  Route = "clarify"
	RouteFallback Route = "fallback"
	RouteEvent    Route = "event" // subscribe, unsubscribe, SCAN, VIEW … with no resident question
	RouteMedia    Route = "media" // image, video, location, link
	RouteLimited  Route = "limited"
	RouteChat     Route = "chat" // small talk and feelings: answered warmly, never counted as unanswered
)

// Message records one inbound message and how it was answered, for statistics and
// the unanswered-question list. Crisis messages keep no text (Text is empty, Flagged true).
type Message struct {
	ID        uint64 `gorm:"primaryKey"`
	OpenID    string `gorm:"type:varchar(64);index"`
	Kind      string `gorm:"type:varchar(16)"`
	Text      string `gorm:"type:text"`
	Route     Route  `gorm:"type:varchar(16);index:idx_messages_route_time,priority:1"`
	Category  string `gorm:"type:varchar(16)"`
	EntryID   uint   `gorm:"index"`
	Score     float64
	LatencyMS int
	Flagged   bool
	CreatedAt time.Time `gorm:"index;index:idx_messages_route_time,priority:2"`
}

// ProcessedMessage makes a WeChat retry have its effect once: the key is claimed
// before any side effect, and the reply is kept so the retry gets the same answer.
// It lives in the cache (process memory for one copy, Redis for several); the
// table holds it only while Redis fails (cache.FallbackDedup), and is pruned.
type ProcessedMessage struct {
	Key       string    `gorm:"column:msg_key;type:varchar(191);primaryKey"`
	Reply     string    `gorm:"type:text"`
	Done      bool      // the reply is final (false while the first attempt still runs)
	Async     bool      // the reply went out as a customer-service message; retries get "success"
	CreatedAt time.Time `gorm:"index"`
}

// Conversation is the resident's ongoing flow (sign-up, wish …). One row per openid.
type Conversation struct {
	OpenID    string    `gorm:"type:varchar(64);primaryKey"`
	Flow      string    `gorm:"type:varchar(32)"`
	Step      string    `gorm:"type:varchar(32)"`
	Data      string    `gorm:"type:text"` // JSON, owned by the flow
	ExpiresAt time.Time `gorm:"index"`
	UpdatedAt time.Time
	// Ephemeral state (a pending clarifying question) is kept only where it
	// is fast, memory or Redis: losing it on a restart costs one repeated
	// question, and it is not worth a database write.
	Ephemeral bool `gorm:"-" json:"e,omitempty"`
}

// Resident is what the bot remembers about a follower between messages: no name,
// no phone; only what the conversation needs.
type Resident struct {
	OpenID     string `gorm:"type:varchar(64);primaryKey"`
	Subscribed bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CrisisEvent is a crisis message flagged for staff. The raw text lives only here,
// a table staff reach through the admin, never in the general message log or logs.
type CrisisEvent struct {
	ID     uint64 `gorm:"primaryKey"`
	OpenID string `gorm:"type:varchar(64);index"`
	Kind   string `gorm:"type:varchar(16)"`
	// Emergency and Person are the crisis layer's verdict: the kind of medical
	// emergency, and who is at risk (self, present, worried).
	Emergency string `gorm:"type:varchar(16)"`
	Person    string `gorm:"type:varchar(16)"`
	// Episode groups a crisis message with the resident's messages after it
	// (bot.crisis_episode); FollowUp marks those.
	Episode   string `gorm:"type:varchar(40);index"`
	FollowUp  bool
	Text      string `gorm:"type:text"`
	HandledBy string `gorm:"type:varchar(64)"`
	HandledAt *time.Time
	CreatedAt time.Time `gorm:"index"`

	// FollowedBy is the staff member who said 我来跟进 on the WeCom card (empty: nobody yet).
	FollowedBy string `gorm:"type:varchar(64)"`
	FollowedAt *time.Time
}

// EntryCount is an FAQ entry and how often it was answered.
type EntryCount struct {
	EntryID uint
	Title   string
	N       int64
}

// MessageStats summarises resident messages since a moment.
type MessageStats struct {
	Total      int64 // every inbound message
	Questions  int64 // messages answered by the FAQ, a keyword rule, a clarification or the fallback
	Unanswered int64 // of those, the fallback ones and those marked 答错了 (Wrong)
	Wrong      int64 // answers staff marked 答错了
}
