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
// Every change is saved through the Knowledge service (kbadmin), then the index
// is rebuilt (or the engine told to reload its rules) so the next message
// already uses it.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"familybot/kbadmin"
	"familybot/knowledge"
	"familybot/models"

	"github.com/gin-gonic/gin"
)

// Knowledge is the knowledge administration (kbadmin.Service).
type Knowledge interface {
	Entries(ctx context.Context, q kbadmin.ListQuery) (kbadmin.List, error)
	Entry(ctx context.Context, id uint) (models.KBEntry, error)
	Update(ctx context.Context, e knowledge.Entry) error
	// Create saves a new entry, taking the question it was made from off the unanswered list.
	Create(ctx context.Context, e knowledge.Entry, from uint64, by string) (kbadmin.Created, error)

	Unanswered(ctx context.Context) ([]models.UnansweredGroup, error)
	UnansweredMessage(ctx context.Context, id uint64) (models.Message, error)
	Ignore(ctx context.Context, id uint64, by string) (models.Message, error)
	Append(ctx context.Context, id uint64, entryID uint, by string) (knowledge.Entry, models.Message, error)

	ReviewStates(ctx context.Context) ([]knowledge.ReviewRow, error)
	// ReviewQueue returns the entries by review state, most asked first.
	ReviewQueue(ctx context.Context) ([]kbadmin.ReviewGroup, error)
	Reviews(ctx context.Context, entryID uint) ([]models.KBReview, error)
	Review(ctx context.Context, id uint, hash string, by models.Staff, note string) (models.KBReview, error)

	Rules(ctx context.Context) ([]models.KBRule, []string, error)
	RuleConflicts(ctx context.Context) ([]string, error)
	EnabledRules(ctx context.Context) ([]knowledge.Rule, error)
	Rule(ctx context.Context, id uint) (models.KBRule, error)
	SaveRule(ctx context.Context, r knowledge.Rule, enabled bool) (knowledge.Rule, error)
	DeleteRule(ctx context.Context, id uint) (models.KBRule, error)
}

var kbCategoryNames = map[string]string{
	models.CatParenting: "科学育儿", models.CatAdolescent: "青春健康", models.CatElderly: "老年保健", models.CatService: "协会服务",
}

func kbCategoryName(code string) string {
	if n, ok := kbCategoryNames[code]; ok {
		return n
	}
	return code
}

// Entries scoring below this share too little with a question to be worth
// offering as the place to add it.
const kbCandidateFloor = 0.15

// kbUnhelpfulRate formats 没用/hits and says whether it is high enough to flag.
func kbUnhelpfulRate(unhelpful, hits int) (string, bool) {
	if hits <= 0 {
		return "—", false
	}
	return strconv.Itoa(unhelpful*100/hits) + "%", kbadmin.Failing(unhelpful, hits)
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
	q := strings.TrimSpace(excerpt(c.Query("q"), 40))
	q = strings.TrimSuffix(q, "…")
	v := &kbListView{Page: Page{Title: "知识库", Nav: "knowledge"}, Q: q, Sort: "cat", CanEdit: kbCanEdit(c)}
	if c.Query("sort") == "bad" {
		v.Sort = "bad"
	} else if _, ok := kbCategoryNames[c.Query("cat")]; ok {
		v.Cat = c.Query("cat")
	}
	if r := knowledge.ReviewState(c.Query("review")); r == "queue" || knowledge.ReviewStateNames[r] != "" {
		v.Review = string(r)
	}
	ctx := c.Request.Context()
	l, err := s.Knowledge.Entries(ctx, kbadmin.ListQuery{Q: q, Category: v.Cat, Review: v.Review, Bad: v.Sort == "bad"})
	if err != nil {
		return err
	}
	v.Total, v.Shown, v.Flagged = l.Total, l.Shown, l.Flagged
	for _, g := range l.Groups {
		name := kbCategoryName(g.Category)
		if g.Category == "" {
			name = "有居民说“没用”的条目"
		}
		group := kbGroup{Name: name}
		for _, r := range g.Rows {
			rate, _ := kbUnhelpfulRate(r.Unhelpful, r.Hits)
			group.Rows = append(group.Rows, kbRow{ID: r.ID, Title: r.Title, Slug: r.Slug, Category: kbCategoryName(r.Category), Rate: rate,
				Hits: r.Hits, Unhelpful: r.Unhelpful, High: r.High, Disabled: r.Disabled, Ed: r.StaffEdited, Review: r.Review,
				Expired: r.Expired, NotYet: r.NotYet})
		}
		v.Groups = append(v.Groups, group)
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
	v.Filters = append(v.Filters, option{Value: link("", ""), Label: "全部", N: int64(l.Total), Selected: v.Cat == "" && v.Sort != "bad"})
	for _, cat := range knowledge.Categories {
		v.Filters = append(v.Filters, option{Value: link("cat", cat), Label: kbCategoryName(cat), N: l.PerCategory[cat], Selected: v.Cat == cat})
	}
	v.Filters = append(v.Filters, option{Value: link("sort", "bad"), Label: "被说没用", N: int64(l.WithUnhelpful), Selected: v.Sort == "bad"})
	for _, st := range knowledge.ReviewStates {
		v.Reviews = append(v.Reviews, option{Value: link("review", string(st)), Label: st.Label(), N: l.PerReview[st], Selected: v.Review == string(st)})
	}
	if gs, err := s.Knowledge.Unanswered(ctx); err == nil {
		v.Unanswered = len(gs)
	}
	s.render(c, http.StatusOK, "kb.html", v)
	return nil
}
