package knowledge

import "familybot/memo"

// CrisisKind names a situation in which the bot must drop everything and
// point the resident to help. It runs before rules, flows and the FAQ.
type CrisisKind string

// Crisis kinds.
const (
	CrisisNone       CrisisKind = ""
	CrisisSuicide    CrisisKind = "suicide"
	CrisisChildAbuse CrisisKind = "child_abuse"
	CrisisViolence   CrisisKind = "violence"
	CrisisMedical    CrisisKind = "medical"
	// CrisisMissingMinor is a child who cannot be reached, as the bot records it
	// for staff (bot/missing.go); DetectCrisis never returns it.
	CrisisMissingMinor CrisisKind = "missing_minor"
)

// DetectCrisis reports which crisis a message signals, or CrisisNone. It is
// deterministic, fast (microseconds) and safe for any input.
func DetectCrisis(text string) CrisisKind {
	return AssessCrisis(text).Kind
}

// Every message is checked, and popular messages recur: verdicts are remembered
// (the rules and the model are fixed once loaded).
var crisisMemo = memo.Bounded[string, Crisis]{Max: memoSize}
