package models

import "time"

// KB categories.
const (
	CatParenting  = "parenting"
	CatAdolescent = "adolescent"
	CatElderly    = "elderly"
	CatService    = "service"
)

// KBEntry is one reviewed FAQ entry. Lists are stored as JSON text so the same
// schema works on SQLite and MySQL.
type KBEntry struct {
	ID              uint   `gorm:"primaryKey"`
	Slug            string `gorm:"type:varchar(64);uniqueIndex"`
	Category        string `gorm:"type:varchar(16);index"`
	Title           string `gorm:"type:varchar(255)"`
	Questions       string `gorm:"type:text"` // JSON []string
	Keywords        string `gorm:"type:text"` // JSON []string
	CounterExamples string `gorm:"type:text"` // JSON []string
	Answer          string `gorm:"type:text"`
	SeeDoctor       string `gorm:"type:text"`
	Source          string `gorm:"type:varchar(255)"`
	Facets          string `gorm:"type:text"` // JSON map facet → answer
	EffectiveFrom   *time.Time
	ExpiresAt       *time.Time
	// ReviewBy is when a policy entry must be checked again (its rules may change).
	ReviewBy *time.Time
	// ReviewedAt, Reviewer and ReviewedHash are set only by a recorded review
	// (KBReview): ReviewedHash is the reviewed version's content hash, so any
	// change to what residents read puts the entry back in the review queue.
	ReviewedAt   *time.Time
	Reviewer     string `gorm:"type:varchar(64)"`
	ReviewedHash string `gorm:"type:varchar(64)"`
	Disabled     bool
	// StaffEdited entries are never overwritten by the embedded content on upgrade.
	StaffEdited bool
	// SeedHash is the hash of the embedded content last loaded into this row.
	SeedHash  string `gorm:"type:varchar(64)"`
	Hits      int
	Unhelpful int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RuleKind says when a keyword rule answers: on its keywords, on a new
// follower (the console's 被关注回复), or on a message nothing else answers
// (收到消息回复).
type RuleKind string

// Rule kinds.
const (
	RuleKeyword RuleKind = "keyword"
	RuleWelcome RuleKind = "welcome"
	RuleDefault RuleKind = "default"
)

// KBRule is a keyword rule answered before the FAQ (like the console's 关键词回复).
type KBRule struct {
	ID        uint     `gorm:"primaryKey"`
	Name      string   `gorm:"type:varchar(128)"`
	Kind      RuleKind `gorm:"type:varchar(16)"` // keyword | welcome | default
	Keywords  string   `gorm:"type:text"`        // JSON []string
	Match     string   `gorm:"type:varchar(8)"`  // equal | contain
	Reply     string   `gorm:"type:text"`
	Priority  int
	Enabled   bool
	Origin    string `gorm:"type:varchar(16)"` // seed | autoreply | staff
	CreatedAt time.Time
	UpdatedAt time.Time
}

// KBFeedback is one "没用" mark on an answer.
type KBFeedback struct {
	ID        uint64 `gorm:"primaryKey"`
	EntryID   uint   `gorm:"index"`
	OpenID    string `gorm:"type:varchar(64)"`
	CreatedAt time.Time
}

// KBReview is one medical review of one version of an entry, by a reviewer.
type KBReview struct {
	ID           uint64 `gorm:"primaryKey"`
	EntryID      uint   `gorm:"index"`
	ContentHash  string `gorm:"type:varchar(64)"` // the version reviewed (knowledge.ReviewHash)
	ReviewerID   string `gorm:"type:varchar(64)"` // staff UserID
	ReviewerName string `gorm:"type:varchar(64)"`
	Note         string `gorm:"type:text"`
	CreatedAt    time.Time
}

// UnansweredGroup is one question residents asked that the bot could not
// answer, with every message that normalises to the same text counted.
type UnansweredGroup struct {
	Norm      string    // the question as the matcher reads it
	Text      string    // the newest message's text, as recorded (numbers masked by the recorder)
	MessageID uint64    // the newest message, to act on the group by
	Count     int       // messages since the group was last handled
	First     time.Time // oldest of those messages
	Last      time.Time // newest
	// WrongEntryID is the entry that answered a message of the group before
	// staff marked it 答错了 (0: the bot fell back), and WrongScore its score.
	WrongEntryID uint
	WrongScore   float64
}

// KBWrongAnswer records that staff marked the bot's answer to a message as
// wrong (答错了): the question goes back to the unanswered list, with the
// entry that answered it, until staff deal with it there. Like the store's
// KBHandledQuestion it is the knowledge admin's own table.
type KBWrongAnswer struct {
	MessageID uint64 `gorm:"primaryKey;autoIncrement:false"`
	EntryID   uint
	Score     float64
	MarkedBy  string `gorm:"type:varchar(64)"`
	MarkedAt  time.Time
}

// TableName keeps the table name readable.
func (KBWrongAnswer) TableName() string { return "kb_wrong_answers" }

// KBReviewInput is a doctor's review of the version of an entry they read.
type KBReviewInput struct {
	EntryID uint
	Hash    string // knowledge.ReviewHash of the version shown to the reviewer
	By      Staff
	Note    string
}

// What staff did with an unanswered question (store.MarkUnansweredHandled).
const (
	HandledIgnored  = "ignored"
	HandledAdded    = "added"
	HandledAppended = "appended"
)
