package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// ReviewState is where an entry stands in the association doctors' review.
type ReviewState string

// Review states. Every state but ReviewOK puts the entry in the review queue.
const (
	ReviewNever     ReviewState = "never"      // no review recorded
	ReviewChanged   ReviewState = "changed"    // what residents read changed since the review
	ReviewPolicyDue ReviewState = "policy_due" // a policy entry reached its review date
	ReviewDue       ReviewState = "due"        // reviewed more than ReviewEvery ago
	ReviewOK        ReviewState = "ok"
)

// ReviewStates lists the states in the order the queue shows them.
var ReviewStates = []ReviewState{ReviewNever, ReviewChanged, ReviewPolicyDue, ReviewDue, ReviewOK}

// ReviewStateNames are the states as staff and doctors read them.
var ReviewStateNames = map[ReviewState]string{
	ReviewNever:     "从未审核",
	ReviewChanged:   "审核后内容有改动",
	ReviewPolicyDue: "政策到了复核日期",
	ReviewDue:       "审核已满一年",
	ReviewOK:        "已审核",
}

// reviewYears is how long a review holds: an entry is due again a year after it.
const reviewYears = 1

// InQueue reports whether an entry in this state waits for a doctor.
func (s ReviewState) InQueue() bool { return s != ReviewOK }

// Label is the state as staff read it.
func (s ReviewState) Label() string { return ReviewStateNames[s] }

// ReviewHash fingerprints what a resident reads from an entry (title, answer,
// when to see a doctor, source, follow-up answers). A review holds for this
// hash: editing any of these puts the entry back in the queue; editing the
// ways residents ask or the keywords does not, as the advice is unchanged.
func ReviewHash(e Entry) string {
	b, _ := json.Marshal(struct {
		Title, Answer, SeeDoctor, Source string
		Facets                           map[Facet]string // json sorts map keys
	}{e.Title, e.Answer, e.SeeDoctor, e.Source, e.Facets})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ReviewStateOf says where e stands at now, given the hash of the version last
// reviewed ("" when none was).
func ReviewStateOf(e Entry, reviewedHash string, now time.Time) ReviewState {
	switch {
	case e.ReviewedAt == nil || reviewedHash == "":
		return ReviewNever
	case reviewedHash != ReviewHash(e):
		return ReviewChanged
	case e.ReviewBy != nil && !now.Before(*e.ReviewBy):
		return ReviewPolicyDue
	case !now.Before(e.ReviewedAt.AddDate(reviewYears, 0, 0)):
		return ReviewDue
	}
	return ReviewOK
}

// ReviewDueAt is when a reviewed entry next falls due (the earlier of a year
// after the review and the policy review date); nil when never reviewed.
func ReviewDueAt(e Entry) *time.Time {
	if e.ReviewedAt == nil {
		return nil
	}
	due := e.ReviewedAt.AddDate(reviewYears, 0, 0)
	if e.ReviewBy != nil && e.ReviewBy.Before(due) {
		due = *e.ReviewBy
	}
	return &due
}
