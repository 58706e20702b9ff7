package knowledge

import (
	"sort"
	"time"

	"familybot/memo"
)

// When an announcement goes out, hundreds of residents ask the same few
// questions within minutes. An index is immutable, so its verdict on a
// normalised question only changes when an entry becomes effective or expires:
// each index remembers its recent verdicts together with the span of time in
// which the set of live entries stays the same. Staff edits build a new index,
// which starts with an empty memory.

const verdictsSize = 8192 // distinct questions remembered per index

type verdict struct {
	res         Result
	explained   bool      // the candidates carry their reasons (Why)
	from, until time.Time // the live-entry span the verdict holds for
}

type verdicts struct{ m memo.Bounded[string, verdict] }

// get returns a remembered verdict on norm that still holds at now (with the
// reasons, when explained is asked for). The caller gets its own copy of the
// candidate list.
func (v *verdicts) get(norm string, now time.Time, explained bool) (Result, bool) {
	got, ok := v.m.Get(norm)
	if !ok || now.Before(got.from) || !now.Before(got.until) || (explained && !got.explained) {
		return Result{}, false
	}
	res := got.res
	res.Top = append([]Candidate(nil), got.res.Top...)
	return res, true
}

func (v *verdicts) put(norm string, res Result, explained bool, from, until time.Time) {
	res.Top = append([]Candidate(nil), res.Top...)
	v.m.Update(norm, func(old verdict, ok bool) (verdict, bool) {
		if ok && old.explained && !explained && old.from.Equal(from) && old.until.Equal(until) {
			return old, false // keep the verdict with reasons for the same span
		}
		return verdict{res: res, explained: explained, from: from, until: until}, true
	})
}

// liveSpan returns the span around now in which no entry becomes effective or
// expires. The far ends are the zero time and a time far in the future.
func (ix *Index) liveSpan(now time.Time) (from, until time.Time) {
	until = farFuture
	i := sort.Search(len(ix.bounds), func(i int) bool { return ix.bounds[i].After(now) })
	if i > 0 {
		from = ix.bounds[i-1]
	}
	if i < len(ix.bounds) {
		until = ix.bounds[i]
	}
	return from, until
}

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// liveBounds lists, sorted, every moment at which an entry's liveness changes.
func liveBounds(entries []Entry) []time.Time {
	var out []time.Time
	for _, e := range entries {
		for _, t := range []*time.Time{e.EffectiveFrom, e.ExpiresAt} {
			if t != nil {
				out = append(out, *t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
