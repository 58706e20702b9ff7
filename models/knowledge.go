package models

import "time"

func init() { Register(&KBEntry{}, &KBRule{}, &KBFeedback{}, &KBReview{}) }

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
