package handlers

// The knowledge pages (/admin/knowledge): the entries with their hit and 没用
// counters, the edit form, the match test ("why did it answer that?"), the
// questions the bot could not answer turned into entries in one step, and the
// keyword rules with their conflicts.
//
// Roles: every staff member may read entries, test questions and triage the
// unanswered list (忽略 changes nothing residents read). Only admins change what
// the bot says: entries, question variants and keyword rules. Entries are
// health advice checked by a reviewer, and a wrong rule answers every resident
// who types its keyword, so those changes stay with the few people accountable
// for the content.
//
// Every change is saved through the store, then the index is rebuilt (or the
// engine told to reload its rules) so the next message already uses it.

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"familybot/knowledge"
	"familybot/models"
	"familybot/store"

	"github.com/gin-gonic/gin"
)

var kbCategoryNames = map[string]string{
	models.CatParenting: "科学育儿", models.CatAdolescent: "青春健康", models.CatElderly: "老年保健", models.CatService: "协会服务",
}

func kbCategoryName(code string) string {
	if n, ok := kbCategoryNames[code]; ok {
		return n
	}
	return code
}

const (
	kbUnansweredDays  = 30  // how far back the unanswered list looks
	kbUnansweredLimit = 100 // question groups shown
	// An answer fails when at least this many residents said 没用, and they are
	// at least a fifth of the answers given.
	kbUnhelpfulMin = 3
	// Entries scoring below this share too little with a question to be worth
	// offering as the place to add it.
	kbCandidateFloor = 0.15
)

// kbUnhelpfulRate formats 没用/hits and says whether it is high enough to flag.
func kbUnhelpfulRate(unhelpful, hits int) (string, bool) {
	if hits <= 0 {
		return "—", false
	}
	return strconv.Itoa(unhelpful*100/hits) + "%", unhelpful >= kbUnhelpfulMin && unhelpful*5 >= hits
}

func (s *Server) kb() (*knowledge.Index, error) {
	if s.KB == nil || s.KB.Index() == nil {
		return nil, models.Errorf(models.ENOTFOUND, "知识库没有加载。")
	}
	return s.KB.Index(), nil
}

// rebuildKB makes the bot use the saved entries at once. A failure is logged
// and reported by the flash: the entry is saved, the old index keeps serving.
func (s *Server) rebuildKB(c *gin.Context) bool {
	if s.RebuildIndex == nil {
		return false
	}
	if err := s.RebuildIndex(c.Request.Context()); err != nil {
		s.logError(c, err)
		return false
	}
	return true
}

func kbCanEdit(c *gin.Context) bool {
	me, _ := staffOf(c)
	return me.IsAdmin()
}

// ---- The list ----

type kbRow struct {
	ID                                  uint
	Title, Slug, Category, Rate         string
	Hits, Unhelpful                     int
	High, Disabled, Expired, NotYet, Ed bool
	Review                              knowledge.ReviewState
}

type kbGroup struct {
	Name string
	Rows []kbRow
}

type kbListView struct {
	Page
	Q, Sort, Cat string
	Review       string   // a review state, "queue" (every state but ok), or empty
	Filters      []option // 全部, each category, 被说没用
	Reviews      []option // each review state
	Groups       []kbGroup
	Total, Shown int
	Flagged      int // entries whose 没用 rate is high
	Unanswered   int
	CanEdit      bool
}

// kbList shows the entries by category, or the failing ones first (sort=bad).
func (s *Server) kbList(c *gin.Context) error {
	ctx := c.Request.Context()
	rows, err := s.Store.ListKBEntryRows(ctx)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(excerpt(c.Query("q"), 40))
	q = strings.TrimSuffix(q, "…")
	v := &kbListView{Page: Page{Title: "知识库", Nav: "knowledge"}, Q: q, Sort: "cat", Total: len(rows), CanEdit: kbCanEdit(c)}
	if c.Query("sort") == "bad" {
		v.Sort = "bad"
	} else if _, ok := kbCategoryNames[c.Query("cat")]; ok {
		v.Cat = c.Query("cat")
	}
	if r := knowledge.ReviewState(c.Query("review")); r == "queue" || knowledge.ReviewStateNames[r] != "" {
		v.Review = string(r)
	}
	now := s.now()
	reviewCounts := map[knowledge.ReviewState]int64{}
	byCat := map[string][]kbRow{}
	var all []kbRow
	for _, r := range rows {
		rate, high := kbUnhelpfulRate(r.Unhelpful, r.Hits)
		if high {
			v.Flagged++
		}
		review := knowledge.ReviewStateOf(store.KBEntryFromRow(r), r.ReviewedHash, now)
		reviewCounts[review]++
		if (q != "" && !strings.Contains(strings.ToLower(r.Title), strings.ToLower(q)) && !strings.Contains(r.Slug, strings.ToLower(q))) ||
			(v.Cat != "" && r.Category != v.Cat) || !kbReviewWanted(v.Review, review) {
			continue
		}
		row := kbRow{ID: r.ID, Title: r.Title, Slug: r.Slug, Category: kbCategoryName(r.Category), Rate: rate,
			Hits: r.Hits, Unhelpful: r.Unhelpful, High: high, Disabled: r.Disabled, Ed: r.StaffEdited, Review: review,
			Expired: r.ExpiresAt != nil && !now.Before(*r.ExpiresAt), NotYet: r.EffectiveFrom != nil && now.Before(*r.EffectiveFrom)}
		byCat[r.Category] = append(byCat[r.Category], row)
		all = append(all, row)
	}
	v.Shown = len(all)
	if v.Sort == "bad" {
		var bad []kbRow
		for _, r := range all {
			if r.Unhelpful > 0 {
				bad = append(bad, r)
			}
		}
		sort.SliceStable(bad, func(i, j int) bool {
			a, b := bad[i], bad[j]
			if a.High != b.High {
				return a.High
			}
			// Compare 没用/回答 without dividing; an entry never answered sorts last.
			return a.Unhelpful*max(b.Hits, 1) > b.Unhelpful*max(a.Hits, 1)
		})
		if len(bad) > 0 {
			v.Groups = []kbGroup{{Name: "有居民说“没用”的条目", Rows: bad}}
		}
	} else {
		for _, cat := range knowledge.Categories {
			if len(byCat[cat]) > 0 {
				v.Groups = append(v.Groups, kbGroup{Name: kbCategoryName(cat), Rows: byCat[cat]})
			}
		}
	}
	counts, withUnhelpful := map[string]int64{}, 0
	for _, r := range rows {
		counts[r.Category]++
		if r.Unhelpful > 0 {
			withUnhelpful++
		}
	}
	link := func(k, val string) string { // the filter's address, keeping the search
		u := url.Values{}
		if k != "" {
			u.Set(k, val)
		}
		if q != "" {
			u.Set("q", q)
		}
		if len(u) == 0 {
			return "/admin/knowledge"
		}
		return "/admin/knowledge?" + u.Encode()
	}
	v.Filters = append(v.Filters, option{Value: link("", ""), Label: "全部", N: int64(len(rows)), Selected: v.Cat == "" && v.Sort != "bad"})
	for _, cat := range knowledge.Categories {
		v.Filters = append(v.Filters, option{Value: link("cat", cat), Label: kbCategoryName(cat), N: counts[cat], Selected: v.Cat == cat})
	}
	v.Filters = append(v.Filters, option{Value: link("sort", "bad"), Label: "被说没用", N: int64(withUnhelpful), Selected: v.Sort == "bad"})
	for _, st := range knowledge.ReviewStates {
		v.Reviews = append(v.Reviews, option{Value: link("review", string(st)), Label: st.Label(), N: reviewCounts[st], Selected: v.Review == string(st)})
	}
	if gs, err := s.Store.ListUnansweredGroups(ctx, now.Add(-kbUnansweredDays*24*time.Hour), kbUnansweredLimit); err == nil {
		v.Unanswered = len(gs)
	}
	s.render(c, http.StatusOK, "kb.html", v)
	return nil
}

// kbReviewWanted reports whether an entry in state st passes the review filter.
func kbReviewWanted(filter string, st knowledge.ReviewState) bool {
	switch filter {
	case "":
		return true
	case "queue":
		return st.InQueue()
	}
	return string(st) == filter
}
