package kbadmin

import (
	"context"
	"sort"
	"strings"

	"familybot/knowledge"
	"familybot/models"
)

// ListQuery selects entries for the list. Zero fields select everything.
type ListQuery struct {
	Q        string // in the title (any case) or the slug
	Category string
	Review   string // a review state, or "queue" for every state but ok
	Bad      bool   // only entries residents said 没用 to, the worst first
}

// Row is one entry in the list.
type Row struct {
	models.KBEntry
	Review          knowledge.ReviewState
	High            bool // Failing: the 没用 rate is high
	Expired, NotYet bool // outside its effective dates now
}

// Group is the list's rows of one category (Category empty: the 没用 list).
type Group struct {
	Category string
	Rows     []Row
}

// List is the entry list for a query, with the counts its filters show.
type List struct {
	Groups        []Group
	Total, Shown  int
	Flagged       int // entries whose 没用 rate is high
	WithUnhelpful int // entries with any 没用
	PerCategory   map[string]int64
	PerReview     map[knowledge.ReviewState]int64
}

// ReviewWanted reports whether an entry in state st passes the review filter.
func ReviewWanted(filter string, st knowledge.ReviewState) bool {
	switch filter {
	case "":
		return true
	case "queue":
		return st.InQueue()
	}
	return string(st) == filter
}

// Entries lists the entries q selects: by category in the categories' order,
// or with q.Bad those residents said 没用 to, high rates first, then by rate.
func (s *Service) Entries(ctx context.Context, q ListQuery) (List, error) {
	rows, err := s.Store.ListKBEntryRows(ctx)
	if err != nil {
		return List{}, err
	}
	now := s.Now.UTC()
	l := List{Total: len(rows), PerCategory: map[string]int64{}, PerReview: map[knowledge.ReviewState]int64{}}
	needle := strings.ToLower(q.Q)
	byCat := map[string][]Row{}
	var bad []Row
	for _, r := range rows {
		l.PerCategory[r.Category]++
		if r.Unhelpful > 0 {
			l.WithUnhelpful++
		}
		row := Row{KBEntry: r, High: Failing(r.Unhelpful, r.Hits),
			Review:  knowledge.ReviewStateOf(knowledge.EntryFromRow(r), r.ReviewedHash, now),
			Expired: r.ExpiresAt != nil && !now.Before(*r.ExpiresAt), NotYet: r.EffectiveFrom != nil && now.Before(*r.EffectiveFrom)}
		if row.High {
			l.Flagged++
		}
		l.PerReview[row.Review]++
		if (needle != "" && !strings.Contains(strings.ToLower(r.Title), needle) && !strings.Contains(r.Slug, needle)) ||
			(q.Category != "" && r.Category != q.Category) || !ReviewWanted(q.Review, row.Review) {
			continue
		}
		l.Shown++
		byCat[r.Category] = append(byCat[r.Category], row)
		if r.Unhelpful > 0 {
			bad = append(bad, row)
		}
	}
	if q.Bad {
		sort.SliceStable(bad, func(i, j int) bool {
			a, b := bad[i], bad[j]
			if a.High != b.High {
				return a.High
			}
			// Compare 没用/回答 without dividing; an entry never answered sorts last.
			return a.Unhelpful*max(b.Hits, 1) > b.Unhelpful*max(a.Hits, 1)
		})
		if len(bad) > 0 {
			l.Groups = []Group{{Rows: bad}}
		}
		return l, nil
	}
	for _, cat := range knowledge.Categories {
		if len(byCat[cat]) > 0 {
			l.Groups = append(l.Groups, Group{Category: cat, Rows: byCat[cat]})
		}
	}
	return l, nil
}
