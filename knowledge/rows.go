package knowledge

import (
	"encoding/json"
	"time"

	"familybot/models"
)

// The database rows of entries and rules (models.KBEntry, models.KBRule) keep
// their lists as JSON text; these read them back as the matcher's types.

// EntryFromRow reads a stored entry row as an entry.
func EntryFromRow(row models.KBEntry) Entry {
	return Entry{
		ID: row.ID, Slug: row.Slug, Category: row.Category, Title: row.Title,
		Questions: listFromJSON(row.Questions), Keywords: listFromJSON(row.Keywords), CounterExamples: listFromJSON(row.CounterExamples),
		Answer: row.Answer, SeeDoctor: row.SeeDoctor, Source: row.Source,
		EffectiveFrom: row.EffectiveFrom, ExpiresAt: row.ExpiresAt, ReviewedAt: row.ReviewedAt, ReviewBy: row.ReviewBy,
		Reviewer: row.Reviewer, Disabled: row.Disabled, Facets: facetsFromJSON(row.Facets),
	}
}

// RuleFromRow reads a stored keyword-rule row as a rule.
func RuleFromRow(m models.KBRule) Rule {
	return Rule{ID: m.ID, Name: m.Name, Keywords: listFromJSON(m.Keywords), Match: m.Match, Reply: m.Reply, Priority: m.Priority, Kind: m.Kind}
}

// ReviewRow is one entry with where it stands in the medical review.
type ReviewRow struct {
	Entry Entry
	State ReviewState
	Hits  int
}

// ReviewRowOf is row's entry with its review state at now.
func ReviewRowOf(row models.KBEntry, now time.Time) ReviewRow {
	e := EntryFromRow(row)
	return ReviewRow{Entry: e, State: ReviewStateOf(e, row.ReviewedHash, now), Hits: row.Hits}
}

func listFromJSON(s string) []string {
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

func facetsFromJSON(s string) map[Facet]string {
	if s == "" {
		return nil
	}
	var out map[Facet]string
	_ = json.Unmarshal([]byte(s), &out)
	return out
}
