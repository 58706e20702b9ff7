package models

import "time"

// What staff did about a crisis episode.
// CrisisNoteKind is what staff did about a crisis episode.
type CrisisNoteKind string

// Crisis note kinds.
const (
	CrisisNoteReply  CrisisNoteKind = "reply"  // a message sent to the resident from the crisis page
	CrisisNoteCalled CrisisNoteKind = "called" // staff phoned the resident
	CrisisNoteNote   CrisisNoteKind = "note"   // anything else staff want kept (孩子已送医 …)
	CrisisNoteClosed CrisisNoteKind = "closed" // the episode was marked handled, with what was done
)

// CrisisNote is one thing staff did about a crisis episode, kept with it (like
// the crisis text, never in the general message log): CrisisID is the episode's
// message it was done on, so notes group with their episode.
type CrisisNote struct {
	ID        uint64         `gorm:"primaryKey"`
	CrisisID  uint64         `gorm:"index"`
	Kind      CrisisNoteKind `gorm:"type:varchar(16)"`
	Text      string         `gorm:"type:text"`
	By        string         `gorm:"type:varchar(64)"` // the staff member's name as shown
	CreatedAt time.Time
}
