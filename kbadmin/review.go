package kbadmin

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
)

// ReviewNoteMax bounds a reviewer's note.
const ReviewNoteMax = 300

// ReviewStates returns every enabled entry with where it stands in the review now.
func (s *Service) ReviewStates(ctx context.Context) ([]knowledge.ReviewRow, error) {
	return s.Store.ListKBReviewStates(ctx, s.Now.UTC())
}

// Review records a doctor's review of the version of entry id they read
// (hash: knowledge.ReviewHash of it). If the entry changed meanwhile nothing is
// recorded (ECONFLICT); a note longer than ReviewNoteMax is EINVALID.
func (s *Service) Review(ctx context.Context, id uint, hash string, by models.Staff, note string) (models.KBReview, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > ReviewNoteMax {
		return models.KBReview{}, models.Errorf(models.EINVALID, "审核意见最多 %d 个字。", ReviewNoteMax)
	}
	return s.Store.RecordKBReview(ctx, models.KBReviewInput{EntryID: id, Hash: hash, By: by, Note: note})
}

// ReviewGroup is the entries in one review state, most asked first.
type ReviewGroup struct {
	State knowledge.ReviewState
	Rows  []knowledge.ReviewRow
}

// ReviewQueue returns every enabled entry by review state, one group per
// state in knowledge.ReviewStates order (empty ones too), each most asked
// first: the doctor's work list.
func (s *Service) ReviewQueue(ctx context.Context) ([]ReviewGroup, error) {
	rows, err := s.Store.ListKBReviewStates(ctx, s.Now.UTC())
	if err != nil {
		return nil, err
	}
	out := make([]ReviewGroup, 0, len(knowledge.ReviewStates))
	for _, st := range knowledge.ReviewStates {
		g := ReviewGroup{State: st}
		for _, r := range rows {
			if r.State == st {
				g.Rows = append(g.Rows, r)
			}
		}
		sort.SliceStable(g.Rows, func(i, j int) bool { return g.Rows[i].Hits > g.Rows[j].Hits })
		out = append(out, g)
	}
	return out, nil
}
