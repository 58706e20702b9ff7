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
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/bot"
	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/wishwall"

	"github.com/gin-gonic/gin"
)

func init() {
	registerFlashes(map[string]string{
		"kbsaved":     "已保存，机器人已按新内容回答",
		"kbcreated":   "已新建条目，机器人已可以用它回答",
		"kbappended":  "已把这个问法加到条目，机器人已可以回答",
		"kbignored":   "已忽略这个问题",
		"kbstale":     "已保存，但机器人暂时没能更新。请稍后再保存一次，或联系技术人员",
		"rulesaved":   "规则已保存，机器人已按新规则回复",
		"ruledeleted": "规则已删除",
	})
	registerAdminPages(func(s *Server, g *gin.RouterGroup) {
		admin := s.adminOnly()
		g.GET("/knowledge", s.h(s.kbList))
		g.GET("/knowledge/test", s.h(s.kbTest))
		g.GET("/knowledge/unanswered", s.h(s.kbUnanswered))
		g.POST("/knowledge/unanswered/ignore", s.h(s.kbIgnore))
		g.POST("/knowledge/unanswered/append", admin, s.h(s.kbAppend))
		g.GET("/knowledge/new", admin, s.h(s.kbNew))
		g.POST("/knowledge", admin, s.h(s.kbCreate))
		g.GET("/knowledge/rules", s.h(s.kbRules))
		g.GET("/knowledge/rules/new", admin, s.h(s.kbRuleNew))
		g.POST("/knowledge/rules", admin, s.h(s.kbRuleCreate))
		g.GET("/knowledge/rules/:id", admin, s.h(s.kbRulePage))
		g.POST("/knowledge/rules/:id", admin, s.h(s.kbRuleSave))
		g.POST("/knowledge/rules/:id/delete", admin, s.h(s.kbRuleDelete))
		g.GET("/knowledge/:id", s.h(s.kbEntryPage))
		g.POST("/knowledge/:id", admin, s.h(s.kbEntrySave))
	})
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
}

type kbGroup struct {
	Name string
	Rows []kbRow
}

type kbListView struct {
	Page
	Q, Sort, Cat string
	Filters      []option // 全部, each category, 被说没用
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
	now := s.now()
	byCat := map[string][]kbRow{}
	var all []kbRow
	for _, r := range rows {
		rate, high := kbUnhelpfulRate(r.Unhelpful, r.Hits)
		if high {
			v.Flagged++
		}
		if (q != "" && !strings.Contains(strings.ToLower(r.Title), strings.ToLower(q)) && !strings.Contains(r.Slug, strings.ToLower(q))) ||
			(v.Cat != "" && r.Category != v.Cat) {
			continue
		}
		row := kbRow{ID: r.ID, Title: r.Title, Slug: r.Slug, Category: kbCategoryName(r.Category), Rate: rate,
			Hits: r.Hits, Unhelpful: r.Unhelpful, High: high, Disabled: r.Disabled, Ed: r.StaffEdited,
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
	if gs, err := s.Store.ListUnansweredGroups(ctx, now.Add(-kbUnansweredDays*24*time.Hour), kbUnansweredLimit); err == nil {
		v.Unanswered = len(gs)
	}
	s.render(c, http.StatusOK, "kb.html", v)
	return nil
}

// ---- One entry: view, edit, create ----

// kbForm is the entry form as typed: kept as text so a mistake is shown with
// everything the staff member wrote.
type kbForm struct {
	Slug, Category, Title, Questions, Keywords, CounterExamples string
	Answer, SeeDoctor, Source                                   string
	EffectiveFrom, ExpiresAt, ReviewedAt, Reviewer              string
	Disabled                                                    bool
	Version                                                     string // the row's UpdatedAt when the form was opened
	From                                                        string // the unanswered message it is made from
}

type kbEntryView struct {
	Page
	ID         uint
	F          kbForm
	Problems   []string
	New        bool
	CanEdit    bool
	Categories []option
	Row        models.KBEntry // counters; zero for a new entry
	Rate       string
	High       bool
	State      string
	TestURL    string
	FromText   string
}

func kbDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(knowledge.China).Format("2006-01-02")
}

func kbFormFromEntry(e knowledge.Entry) kbForm {
	return kbForm{Slug: e.Slug, Category: e.Category, Title: e.Title, Questions: strings.Join(e.Questions, "\n"),
		Keywords: strings.Join(e.Keywords, "，"), CounterExamples: strings.Join(e.CounterExamples, "\n"),
		Answer: e.Answer, SeeDoctor: e.SeeDoctor, Source: e.Source, EffectiveFrom: kbDay(e.EffectiveFrom),
		ExpiresAt: kbDay(e.ExpiresAt), ReviewedAt: kbDay(e.ReviewedAt), Reviewer: e.Reviewer, Disabled: e.Disabled}
}

func bindKBForm(c *gin.Context) kbForm {
	return kbForm{Slug: strings.TrimSpace(c.PostForm("slug")), Category: c.PostForm("category"), Title: c.PostForm("title"),
		Questions: c.PostForm("questions"), Keywords: c.PostForm("keywords"), CounterExamples: c.PostForm("counter_examples"),
		Answer: c.PostForm("answer"), SeeDoctor: c.PostForm("see_doctor"), Source: c.PostForm("source"),
		EffectiveFrom: c.PostForm("effective_from"), ExpiresAt: c.PostForm("expires_at"), ReviewedAt: c.PostForm("reviewed_at"),
		Reviewer: c.PostForm("reviewer"), Disabled: c.PostForm("disabled") == "1", Version: c.PostForm("version"), From: c.PostForm("from")}
}

// kbSplitList reads one item per line; with commas too, for keywords.
func kbSplitList(s string, commas bool) []string {
	sep := func(r rune) bool { return r == '\n' || r == '\r' }
	if commas {
		sep = func(r rune) bool { return strings.ContainsRune("\n\r,，、;；", r) }
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.FieldsFunc(s, sep) {
		if p = strings.TrimSpace(p); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func kbParseDay(s string) (*time.Time, bool) {
	s = strings.TrimSpace(strings.NewReplacer("/", "-", ".", "-", "年", "-", "月", "-", "日", "").Replace(s))
	if s == "" {
		return nil, true
	}
	t, err := time.ParseInLocation("2006-1-2", s, knowledge.China)
	return &t, err == nil
}

// entry checks the form and returns the entry it describes, or what to fix,
// in the form's own words.
func (f kbForm) entry() (knowledge.Entry, []string) {
	e := knowledge.Entry{Slug: f.Slug, Category: f.Category, Title: strings.TrimSpace(f.Title),
		Questions: kbSplitList(f.Questions, false), Keywords: kbSplitList(f.Keywords, true), CounterExamples: kbSplitList(f.CounterExamples, false),
		Answer: strings.TrimSpace(strings.ReplaceAll(f.Answer, "\r\n", "\n")), SeeDoctor: strings.TrimSpace(f.SeeDoctor),
		Source: strings.TrimSpace(f.Source), Reviewer: strings.TrimSpace(f.Reviewer), Disabled: f.Disabled}
	var p []string
	long := func(v, what string, n int) {
		if utf8.RuneCountInString(v) > n {
			p = append(p, fmt.Sprintf("%s最多 %d 个字", what, n))
		}
	}
	if _, ok := kbCategoryNames[e.Category]; !ok {
		p = append(p, "请选择类别")
	}
	if e.Title == "" {
		p = append(p, "请填写标题")
	}
	long(e.Title, "标题", 60)
	if n := len(e.Questions); n < 3 {
		p = append(p, fmt.Sprintf("请至少写 3 种居民的问法，每行一种（现在有 %d 种）", n))
	}
	for _, q := range e.Questions {
		long(q, "每种问法", 100)
	}
	for _, k := range e.Keywords {
		long(k, "每个关键词", 20)
	}
	for _, q := range e.CounterExamples {
		long(q, "每个反例", 100)
	}
	if e.Answer == "" {
		p = append(p, "请填写回答")
	}
	long(e.Answer, "回答", 600)
	long(e.SeeDoctor, "就医提示", 300)
	if e.Source == "" {
		p = append(p, "请填写依据（参考的公开指南或本会的说明）")
	}
	long(e.Source, "依据", 100)
	long(e.Reviewer, "审核人", 30)
	for _, d := range []struct {
		in, what string
		out      **time.Time
	}{{f.EffectiveFrom, "生效日期", &e.EffectiveFrom}, {f.ExpiresAt, "失效日期", &e.ExpiresAt}, {f.ReviewedAt, "审核日期", &e.ReviewedAt}} {
		t, ok := kbParseDay(d.in)
		if !ok {
			p = append(p, d.what+"请写成 2026-06-01 这样的格式，或留空")
			continue
		}
		*d.out = t
	}
	if e.EffectiveFrom != nil && e.ExpiresAt != nil && !e.EffectiveFrom.Before(*e.ExpiresAt) {
		p = append(p, "失效日期须晚于生效日期")
	}
	if len(p) == 0 {
		// The store's own check, for anything the form missed.
		for _, msg := range e.Validate() {
			if strings.HasPrefix(msg, "slug") {
				msg = "编号只能用小写字母、数字和连字符，以字母或数字开头，最多 64 个字符"
			}
			p = append(p, msg)
		}
	}
	return e, p
}

// kbChangedFields names what an edit changed, for the audit log (never the text).
func kbChangedFields(a, b knowledge.Entry) string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	j := func(l []string) string { return strings.Join(l, "\n") }
	add("category", a.Category != b.Category)
	add("title", a.Title != b.Title)
	add("questions", j(a.Questions) != j(b.Questions))
	add("keywords", j(a.Keywords) != j(b.Keywords))
	add("counter_examples", j(a.CounterExamples) != j(b.CounterExamples))
	add("answer", a.Answer != b.Answer)
	add("see_doctor", a.SeeDoctor != b.SeeDoctor)
	add("source", a.Source != b.Source)
	add("dates", kbDay(a.EffectiveFrom) != kbDay(b.EffectiveFrom) || kbDay(a.ExpiresAt) != kbDay(b.ExpiresAt))
	add("review", kbDay(a.ReviewedAt) != kbDay(b.ReviewedAt) || a.Reviewer != b.Reviewer)
	add("disabled", a.Disabled != b.Disabled)
	if len(out) == 0 {
		return "unchanged"
	}
	return strings.Join(out, ",")
}

func kbEntryState(e knowledge.Entry, now time.Time) string {
	switch {
	case e.Disabled:
		return "已停用：机器人不会用它回答"
	case e.ExpiresAt != nil && !now.Before(*e.ExpiresAt):
		return "已过期：机器人不会用它回答"
	case e.EffectiveFrom != nil && now.Before(*e.EffectiveFrom):
		return "未到生效日期：到期后自动启用"
	}
	return "使用中"
}

// renderKBEntry shows the entry form: id 0 is a new entry.
func (s *Server) renderKBEntry(c *gin.Context, status int, id uint, f kbForm, row models.KBEntry, problems []string, msg string) {
	v := &kbEntryView{Page: Page{Title: "知识库条目", Nav: "knowledge", Error: msg}, ID: id, F: f, Problems: problems,
		New: id == 0, CanEdit: kbCanEdit(c), Row: row}
	if v.New {
		v.Title = "新建条目"
	}
	if v.Error == "" && len(problems) > 0 {
		v.Error = fmt.Sprintf("有 %d 处需要修改，内容还没有保存。", len(problems))
	}
	for _, cat := range knowledge.Categories {
		v.Categories = append(v.Categories, option{Value: cat, Label: kbCategoryName(cat), Selected: cat == f.Category})
	}
	if id != 0 {
		v.Rate, v.High = kbUnhelpfulRate(row.Unhelpful, row.Hits)
		v.State = kbEntryState(store.KBEntryFromRow(row), s.now())
		if qs := kbSplitList(f.Questions, false); len(qs) > 0 {
			v.TestURL = "/admin/knowledge/test?q=" + url.QueryEscape(qs[0])
		}
	}
	if f.From != "" {
		if m, err := s.kbUnansweredMessage(c, f.From); err == nil {
			v.FromText = wishwall.MaskNumbers(m.Text)
		}
	}
	s.render(c, status, "kb_entry.html", v)
}

func (s *Server) kbEntryPage(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	row, err := s.Store.GetKBEntry(c.Request.Context(), uint(id))
	if err != nil {
		return err
	}
	f := kbFormFromEntry(store.KBEntryFromRow(row))
	f.Version = strconv.FormatInt(row.UpdatedAt.UnixNano(), 10)
	s.renderKBEntry(c, http.StatusOK, row.ID, f, row, nil, "")
	return nil
}

func (s *Server) kbEntrySave(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	row, err := s.Store.GetKBEntry(ctx, uint(id))
	if err != nil {
		return err
	}
	old := store.KBEntryFromRow(row)
	f := bindKBForm(c)
	f.Slug, f.From = row.Slug, "" // the slug ties a row to the shipped content: never changed here
	current := strconv.FormatInt(row.UpdatedAt.UnixNano(), 10)
	if f.Version != current {
		// A colleague saved in between. Keep what this staff member typed; saving
		// again (with the new version) overwrites deliberately.
		f.Version = current
		s.renderKBEntry(c, http.StatusConflict, row.ID, f, row, nil,
			"这个条目刚被其他同事修改过（"+row.UpdatedAt.In(wishwall.China).Format("15:04")+"）。下面保留了您填写的内容；"+
				"确认无误再点一次保存会覆盖同事的修改，或先打开新页面查看最新内容。")
		return nil
	}
	e, problems := f.entry()
	if len(problems) > 0 {
		s.renderKBEntry(c, http.StatusBadRequest, row.ID, f, row, problems, "")
		return nil
	}
	e.ID = row.ID
	if _, err := s.Store.SaveKBEntry(ctx, e, true); err != nil {
		if models.IsCode(err, models.EINVALID) {
			s.renderKBEntry(c, http.StatusBadRequest, row.ID, f, row, []string{domainMessage(err)}, "")
			return nil
		}
		return err
	}
	s.audit(c, "kb.entry.save", fmt.Sprintf("kb:%d", row.ID), "slug="+row.Slug+" changed="+kbChangedFields(old, e))
	ok := "kbsaved"
	if !s.rebuildKB(c) {
		ok = "kbstale"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/knowledge/%d?ok=%s", row.ID, ok))
	return nil
}

// kbUnansweredMessage loads the message an unanswered-question action names.
func (s *Server) kbUnansweredMessage(c *gin.Context, id string) (models.Message, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return models.Message{}, models.Errorf(models.ENOTFOUND, "没有找到这条居民提问。")
	}
	m, err := s.Store.GetMessage(c.Request.Context(), n)
	if err == nil && (m.Route != models.RouteFallback || strings.TrimSpace(m.Text) == "") {
		err = models.Errorf(models.ENOTFOUND, "没有找到这条居民提问。")
	}
	return m, err
}

// kbNew opens an empty form, or one made from an unanswered question (from=message
// id): the question is the first variant, the category that of the nearest entry.
func (s *Server) kbNew(c *gin.Context) error {
	f := kbForm{Category: c.Query("category")}
	if from := c.Query("from"); from != "" {
		m, err := s.kbUnansweredMessage(c, from)
		if err != nil {
			return err
		}
		q := wishwall.MaskNumbers(strings.TrimSpace(m.Text))
		f.From, f.Questions = from, q+"\n"
		if ix, err := s.kb(); err == nil {
			if res := ix.Match(q, s.now()); len(res.Top) > 0 && res.Top[0].Score >= kbCandidateFloor {
				f.Category = res.Top[0].Entry.Category
			}
		}
	}
	s.renderKBEntry(c, http.StatusOK, 0, f, models.KBEntry{}, nil, "")
	return nil
}

func (s *Server) kbCreate(c *gin.Context) error {
	ctx := c.Request.Context()
	f := bindKBForm(c)
	f.Slug = strings.ToLower(f.Slug)
	typed := f
	if typed.Slug == "" && kbCategoryNames[typed.Category] != "" {
		// Titles are Chinese: a readable slug cannot be derived, a unique one can.
		typed.Slug = typed.Category + "-" + randomToken(3)
	}
	e, problems := typed.entry()
	if len(problems) > 0 {
		s.renderKBEntry(c, http.StatusBadRequest, 0, f, models.KBEntry{}, problems, "")
		return nil
	}
	saved, err := s.Store.SaveKBEntry(ctx, e, true)
	switch models.ErrorCode(err) {
	case "":
	case models.ECONFLICT:
		s.renderKBEntry(c, http.StatusConflict, 0, f, models.KBEntry{}, []string{"编号“" + e.Slug + "”已被其他条目使用，请换一个"}, "")
		return nil
	case models.EINVALID:
		s.renderKBEntry(c, http.StatusBadRequest, 0, f, models.KBEntry{}, []string{domainMessage(err)}, "")
		return nil
	default:
		return err
	}
	detail := "slug=" + saved.Slug
	if f.From != "" {
		if m, err := s.kbUnansweredMessage(c, f.From); err == nil {
			me, _ := staffOf(c)
			if err := s.Store.MarkUnansweredHandled(ctx, m.Text, store.HandledAdded, me.UserID, saved.ID); err != nil {
				s.logError(c, err)
			}
			detail += fmt.Sprintf(" from=message:%d", m.ID)
		}
	}
	s.audit(c, "kb.entry.create", fmt.Sprintf("kb:%d", saved.ID), detail)
	ok := "kbcreated"
	if !s.rebuildKB(c) {
		ok = "kbstale"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/knowledge/%d?ok=%s", saved.ID, ok))
	return nil
}

// ---- Test a question ----

type kbCand struct {
	ID              uint
	Title, Category string
	Score           string
	Why             []string
	Chosen          bool
}

type kbTestView struct {
	Page
	Q          string
	Ran        bool
	Normalized string
	Decision   string // what the bot does: 直接回答 / 追问 / 兜底 / 危机 (or 关键词回复 / 指令)
	Badge      string // its badge class
	KBDecision string // what the matcher alone decided, when the bot does something else
	Crisis     string
	Route      string // what the bot does, in words
	Chosen     *kbCand
	RuleName   string
	RuleID     uint
	Reply      string
	Notes      []string
	Cands      []kbCand
	Thresholds string
	CanEdit    bool
}

// kbDecisions names the bot's decision for each route, with its badge class.
var kbDecisions = map[string][2]string{
	models.RouteFAQ: {"直接回答", "done"}, models.RouteClarify: {"追问", "pending"}, models.RouteFallback: {"兜底", "rejected"},
	models.RouteCrisis: {"危机", "bad"}, models.RouteKeyword: {"关键词回复", "accepted"}, models.RouteCommand: {"指令", "in_progress"},
}

var kbRouteTexts = map[string]string{
	models.RouteFAQ: "用知识库条目直接回答", models.RouteClarify: "列出几个相近的条目，请居民回复数字选择",
	models.RouteFallback: "没找到答案，回复兜底说明", models.RouteCrisis: "危机回复（最先处理，不查知识库）",
	models.RouteKeyword: "关键词规则回复（先于知识库）", models.RouteCommand: "当作指令处理（如报名、许愿、人工）",
}

// kbTest runs a question the way a resident's message runs: the real engine on
// a store that writes nothing, plus the matcher's candidates and reasons.
func (s *Server) kbTest(c *gin.Context) error {
	ix, err := s.kb()
	if err != nil {
		return err
	}
	v := &kbTestView{Page: Page{Title: "测试问题", Nav: "knowledge"}, CanEdit: kbCanEdit(c)}
	o := ix.Options()
	v.Thresholds = fmt.Sprintf("得分 ≥ %.2f 且明显领先时直接回答；≥ %.2f 时追问；更低时兜底。", o.AnswerThreshold, o.ClarifyThreshold)
	v.Q = strings.TrimSpace(c.Query("q"))
	if id := c.Query("msg"); id != "" && v.Q == "" {
		m, err := s.kbUnansweredMessage(c, id)
		if err != nil {
			return err
		}
		v.Q = wishwall.MaskNumbers(strings.TrimSpace(m.Text))
	}
	if utf8.RuneCountInString(v.Q) > 200 {
		v.Q = string([]rune(v.Q)[:200])
	}
	if v.Q == "" {
		s.render(c, http.StatusOK, "kb_match.html", v)
		return nil
	}
	ctx := c.Request.Context()
	now := s.now()
	v.Ran = true
	res := ix.Match(v.Q, now)
	v.Normalized = res.Normalized
	kbDecision := map[knowledge.Decision]string{knowledge.Answer: "直接回答", knowledge.Clarify: "追问", knowledge.NoMatch: "兜底"}
	if kind := knowledge.DetectCrisis(v.Q); kind != knowledge.CrisisNone {
		v.Crisis = crisisKinds[string(kind)]
	}
	r := s.kbPreviewReply(ctx, v.Q)
	v.Route, v.Reply = kbRouteTexts[r.Route], r.Text
	if v.Route == "" {
		v.Route = routeTexts[r.Route]
	}
	d := kbDecisions[r.Route]
	v.Decision, v.Badge = d[0], d[1]
	if v.Decision == "" {
		v.Decision, v.Badge = routeTexts[r.Route], ""
	}
	if r.Route != models.RouteFAQ && r.Route != models.RouteClarify && r.Route != models.RouteFallback {
		v.KBDecision = kbDecision[res.Decision]
	}
	switch r.Route {
	case models.RouteKeyword:
		if rules, err := s.Store.ListKBRules(ctx); err == nil {
			if rule, ok := knowledge.MatchRule(rules, v.Q); ok {
				v.RuleName, v.RuleID = rule.Name, rule.ID
			}
		}
		v.Notes = append(v.Notes, "关键词规则先于知识库：下面的知识库匹配只供参考。")
	case models.RouteCrisis:
		v.Notes = append(v.Notes, "居民真的发送这句话时，还会记入“危机”页并提醒值班人员。测试不会记录。")
	case models.RouteCommand, models.RouteFlow:
		v.Reply = ""
		v.Notes = append(v.Notes, "这句话会被当作指令，回复取决于居民自己的报名、心愿等记录；测试页不执行指令，也就不显示回复。")
	case models.RouteFallback:
		v.Notes = append(v.Notes, "同一位居民连续两次没得到答案时，第二次会改为转人工的回复，并提醒值班人员。")
	case models.RouteClarify:
		v.Notes = append(v.Notes, "居民回复数字后，会收到所选条目的回答。")
	}
	for _, cand := range res.Top {
		kc := kbCand{ID: cand.Entry.ID, Title: cand.Entry.Title, Category: kbCategoryName(cand.Entry.Category),
			Score: fmt.Sprintf("%.2f", cand.Score), Why: cand.Why, Chosen: r.Route == models.RouteFAQ && cand.Entry.ID == r.EntryID}
		v.Cands = append(v.Cands, kc)
	}
	for i := range v.Cands {
		if v.Cands[i].Chosen {
			v.Chosen = &v.Cands[i]
		}
	}
	s.render(c, http.StatusOK, "kb_match.html", v)
	return nil
}

// kbPreviewStore lets the real engine answer a test question with no effect: no
// conversation, a resident seen for the first time, nothing counted or recorded.
type kbPreviewStore struct{ st *store.Store }

var _ bot.Store = kbPreviewStore{}

func (kbPreviewStore) GetConversation(context.Context, string) (models.Conversation, error) {
	return models.Conversation{}, models.Errorf(models.ENOTFOUND, "conversation not found")
}
func (kbPreviewStore) SaveConversation(context.Context, models.Conversation) error { return nil }
func (kbPreviewStore) DeleteConversation(context.Context, string) error            { return nil }
func (kbPreviewStore) GetResident(_ context.Context, openID string) (models.Resident, error) {
	return models.Resident{OpenID: openID, Subscribed: true}, nil
}
func (kbPreviewStore) MarkAnswered(context.Context, string, uint, time.Time) error { return nil }
func (kbPreviewStore) AddMiss(context.Context, string) (int, error)                { return 1, nil }
func (kbPreviewStore) ResetMisses(context.Context, string) error                   { return nil }
func (kbPreviewStore) ClearLastEntry(context.Context, string) error                { return nil }
func (kbPreviewStore) SetSubscribed(context.Context, string, bool) error           { return nil }
func (p kbPreviewStore) ListKBRules(ctx context.Context) ([]knowledge.Rule, error) {
	return p.st.ListKBRules(ctx)
}
func (kbPreviewStore) AddKBFeedback(context.Context, uint, string) error      { return nil }
func (kbPreviewStore) RecordCrisis(context.Context, models.CrisisEvent) error { return nil }

// kbPreviewReply is the reply a first-time resident would get. Sign-ups, wishes,
// alerts, the rate limit and the message log are left out, so nothing happens.
func (s *Server) kbPreviewReply(ctx context.Context, q string) bot.Reply {
	e := &bot.Engine{Store: kbPreviewStore{s.Store}, KB: s.KB, Assoc: s.Cfg.Association, Now: s.now,
		PublicURL: s.Cfg.Server.PublicURL, TTL: time.Minute}
	if s.Engine != nil {
		e.Assoc, e.PublicURL = s.Engine.Assoc, s.Engine.PublicURL
	}
	return e.Handle(ctx, bot.Inbound{OpenID: "admin-preview", Kind: bot.KindText, Text: q})
}

// ---- Unanswered questions ----

type kbUnansweredRow struct {
	MessageID   uint64
	Text        string // masked
	Count       int
	First, Last time.Time
	Cands       []option // the nearest entries, to add the question to
	Suggest     string   // the category of the nearest entry
}

type kbUnansweredView struct {
	Page
	Rows    []kbUnansweredRow
	Days    int
	CanEdit bool
}

// kbUnanswered lists what the bot could not answer, grouped as the matcher
// reads it, each with the nearest entries.
func (s *Server) kbUnanswered(c *gin.Context) error {
	ix, err := s.kb()
	if err != nil {
		return err
	}
	now := s.now()
	groups, err := s.Store.ListUnansweredGroups(c.Request.Context(), now.Add(-kbUnansweredDays*24*time.Hour), kbUnansweredLimit)
	if err != nil {
		return err
	}
	v := &kbUnansweredView{Page: Page{Title: "未能回答的问题", Nav: "knowledge"}, Days: kbUnansweredDays, CanEdit: kbCanEdit(c)}
	for _, g := range groups {
		row := kbUnansweredRow{MessageID: g.MessageID, Text: wishwall.MaskNumbers(g.Text), Count: g.Count, First: g.First, Last: g.Last}
		res := ix.Match(row.Text, now)
		for i, cand := range res.Top {
			if i == 3 || cand.Score < kbCandidateFloor {
				break
			}
			if i == 0 {
				row.Suggest = kbCategoryName(cand.Entry.Category)
			}
			row.Cands = append(row.Cands, option{Value: strconv.FormatUint(uint64(cand.Entry.ID), 10),
				Label: fmt.Sprintf("%s（%.2f）", cand.Entry.Title, cand.Score), Selected: i == 0})
		}
		v.Rows = append(v.Rows, row)
	}
	s.audit(c, "kb.unanswered.view", "messages", fmt.Sprintf("rows=%d", len(v.Rows)))
	s.render(c, http.StatusOK, "kb_unanswered.html", v)
	return nil
}

// kbIgnore takes a question off the list (until a resident asks it again).
func (s *Server) kbIgnore(c *gin.Context) error {
	m, err := s.kbUnansweredMessage(c, c.PostForm("msg"))
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	if err := s.Store.MarkUnansweredHandled(c.Request.Context(), m.Text, store.HandledIgnored, me.UserID, 0); err != nil {
		return err
	}
	s.audit(c, "kb.unanswered.ignore", fmt.Sprintf("message:%d", m.ID), "")
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/unanswered?ok=kbignored")
	return nil
}

// kbAppend adds the question, as a new variant, to an existing entry.
func (s *Server) kbAppend(c *gin.Context) error {
	m, err := s.kbUnansweredMessage(c, c.PostForm("msg"))
	if err != nil {
		return err
	}
	eid, err := strconv.ParseUint(c.PostForm("entry"), 10, 64)
	if err != nil || eid == 0 {
		return models.Errorf(models.EINVALID, "请选择要加入的条目。")
	}
	ctx := c.Request.Context()
	row, err := s.Store.GetKBEntry(ctx, uint(eid))
	if err != nil {
		return err
	}
	e := store.KBEntryFromRow(row)
	q := wishwall.MaskNumbers(strings.TrimSpace(m.Text))
	if utf8.RuneCountInString(q) > 100 {
		return models.Errorf(models.EINVALID, "这个问题太长（超过100字），不适合直接作为问法。请用“加为新条目”或在条目里写一个简短的问法。")
	}
	known := false
	for _, have := range e.Questions {
		known = known || knowledge.Normalize(have) == knowledge.Normalize(q)
	}
	if !known {
		e.Questions = append(e.Questions, q)
		if _, err := s.Store.SaveKBEntry(ctx, e, true); err != nil {
			return err
		}
	}
	me, _ := staffOf(c)
	if err := s.Store.MarkUnansweredHandled(ctx, m.Text, store.HandledAppended, me.UserID, e.ID); err != nil {
		return err
	}
	s.audit(c, "kb.entry.append", fmt.Sprintf("kb:%d", e.ID), fmt.Sprintf("slug=%s from=message:%d", e.Slug, m.ID))
	ok := "kbappended"
	if !s.rebuildKB(c) {
		ok = "kbstale"
	}
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/unanswered?ok="+ok)
	return nil
}

// ---- Keyword rules ----

var (
	kbRuleKinds   = map[string]string{knowledge.RuleKeyword: "关键词回复", knowledge.RuleWelcome: "被关注回复", knowledge.RuleDefault: "收到消息回复"}
	kbRuleMatches = map[string]string{knowledge.MatchEqual: "完全一致", knowledge.MatchContain: "包含"}
	kbRuleOrigins = map[string]string{"seed": "预置", "autoreply": "公众号后台导入", "staff": "工作人员添加"}
)

type kbRuleRow struct {
	ID                               uint
	Name, Kind, Match, Origin, Reply string
	Keywords                         []string
	Priority                         int
	Enabled, IsKeyword, HasConflict  bool
}

type kbRulesView struct {
	Page
	Rows      []kbRuleRow
	Conflicts []string
	CanEdit   bool
}

func kbRuleKeywords(js string) []string {
	return store.KBRuleFromRow(models.KBRule{Keywords: js}).Keywords
}

// kbRules lists every rule and the keywords another rule takes over.
func (s *Server) kbRules(c *gin.Context) error {
	ctx := c.Request.Context()
	rows, err := s.Store.ListKBRuleRows(ctx)
	if err != nil {
		return err
	}
	enabled, err := s.Store.ListKBRules(ctx)
	if err != nil {
		return err
	}
	v := &kbRulesView{Page: Page{Title: "关键词规则", Nav: "knowledge"}, Conflicts: knowledge.RuleConflicts(enabled), CanEdit: kbCanEdit(c)}
	for _, r := range rows {
		tag := fmt.Sprintf("（#%d）", r.ID)
		conflict := false
		for _, msg := range v.Conflicts {
			conflict = conflict || strings.Contains(msg, tag)
		}
		v.Rows = append(v.Rows, kbRuleRow{ID: r.ID, Name: r.Name, Kind: kbRuleKinds[r.Kind], Match: kbRuleMatches[r.Match],
			Origin: kbRuleOrigins[r.Origin], Reply: excerpt(r.Reply, 80), Keywords: kbRuleKeywords(r.Keywords), Priority: r.Priority,
			Enabled: r.Enabled, IsKeyword: r.Kind == knowledge.RuleKeyword || r.Kind == "", HasConflict: conflict && r.Enabled})
	}
	s.render(c, http.StatusOK, "kb_rules.html", v)
	return nil
}

// kbRuleForm is the rule form as typed.
type kbRuleForm struct {
	Name, Kind, Keywords, Match, Priority, Reply, Origin string
	Enabled                                              bool
}

type kbRuleView struct {
	Page
	ID        uint
	F         kbRuleForm
	Problems  []string
	Kinds     []option
	Matches   []option
	Conflicts []string // the current conflicts involving this rule
}

func (f kbRuleForm) rule() (knowledge.Rule, []string) {
	r := knowledge.Rule{Name: strings.TrimSpace(f.Name), Kind: f.Kind, Keywords: kbSplitList(f.Keywords, true), Match: f.Match,
		Reply: strings.TrimSpace(strings.ReplaceAll(f.Reply, "\r\n", "\n"))}
	var p []string
	if r.Name == "" {
		p = append(p, "请填写规则名称")
	} else if utf8.RuneCountInString(r.Name) > 40 {
		p = append(p, "规则名称最多 40 个字")
	}
	if _, ok := kbRuleKinds[r.Kind]; !ok {
		p = append(p, "请选择规则类型")
	}
	if r.Kind == knowledge.RuleKeyword {
		if len(r.Keywords) == 0 {
			p = append(p, "请至少填写一个关键词")
		}
		for _, k := range r.Keywords {
			if utf8.RuneCountInString(k) > 30 {
				p = append(p, "每个关键词最多 30 个字")
				break
			}
			if knowledge.Normalize(k) == "" {
				p = append(p, "关键词“"+k+"”只有标点或语气词，永远不会匹配")
			}
		}
	}
	if _, ok := kbRuleMatches[r.Match]; !ok {
		p = append(p, "请选择匹配方式")
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.Priority))
	if strings.TrimSpace(f.Priority) == "" {
		n, err = 0, nil
	}
	if err != nil || n < -999 || n > 999 {
		p = append(p, "优先级请填 -999 到 999 之间的整数（数字大的先匹配）")
	}
	r.Priority = n
	if r.Reply == "" {
		p = append(p, "请填写回复内容")
	} else if utf8.RuneCountInString(r.Reply) > 600 {
		p = append(p, "回复内容最多 600 个字")
	}
	return r, p
}

func (s *Server) renderKBRule(c *gin.Context, status int, id uint, f kbRuleForm, problems []string) {
	v := &kbRuleView{Page: Page{Title: "关键词规则", Nav: "knowledge"}, ID: id, F: f, Problems: problems}
	if id == 0 {
		v.Title = "新建关键词规则"
	}
	if len(problems) > 0 {
		v.Error = fmt.Sprintf("有 %d 处需要修改，规则还没有保存。", len(problems))
	}
	for _, k := range []string{knowledge.RuleKeyword, knowledge.RuleWelcome, knowledge.RuleDefault} {
		v.Kinds = append(v.Kinds, option{Value: k, Label: kbRuleKinds[k], Selected: f.Kind == k})
	}
	for _, m := range []string{knowledge.MatchContain, knowledge.MatchEqual} {
		v.Matches = append(v.Matches, option{Value: m, Label: kbRuleMatches[m], Selected: f.Match == m})
	}
	if id != 0 {
		if enabled, err := s.Store.ListKBRules(c.Request.Context()); err == nil {
			for _, msg := range knowledge.RuleConflicts(enabled) {
				if strings.Contains(msg, fmt.Sprintf("（#%d）", id)) {
					v.Conflicts = append(v.Conflicts, msg)
				}
			}
		}
	}
	s.render(c, status, "kb_rule.html", v)
}

func bindKBRuleForm(c *gin.Context) kbRuleForm {
	return kbRuleForm{Name: c.PostForm("name"), Kind: c.PostForm("kind"), Keywords: c.PostForm("keywords"), Match: c.PostForm("match"),
		Priority: c.PostForm("priority"), Reply: c.PostForm("reply"), Enabled: c.PostForm("enabled") == "1"}
}

func (s *Server) kbRuleNew(c *gin.Context) error {
	s.renderKBRule(c, http.StatusOK, 0, kbRuleForm{Kind: knowledge.RuleKeyword, Match: knowledge.MatchContain, Priority: "0", Enabled: true}, nil)
	return nil
}

func (s *Server) kbRulePage(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	row, err := s.Store.GetKBRule(c.Request.Context(), uint(id))
	if err != nil {
		return err
	}
	f := kbRuleForm{Name: row.Name, Kind: row.Kind, Keywords: strings.Join(kbRuleKeywords(row.Keywords), "\n"), Match: row.Match,
		Priority: strconv.Itoa(row.Priority), Reply: row.Reply, Enabled: row.Enabled, Origin: kbRuleOrigins[row.Origin]}
	if f.Kind == "" {
		f.Kind = knowledge.RuleKeyword
	}
	s.renderKBRule(c, http.StatusOK, row.ID, f, nil)
	return nil
}

func (s *Server) kbRuleCreate(c *gin.Context) error { return s.saveKBRule(c, 0) }

func (s *Server) kbRuleSave(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.GetKBRule(c.Request.Context(), uint(id)); err != nil {
		return err
	}
	return s.saveKBRule(c, uint(id))
}

// saveKBRule creates (id 0) or updates a rule, then has the engine read the rules again.
func (s *Server) saveKBRule(c *gin.Context, id uint) error {
	ctx := c.Request.Context()
	f := bindKBRuleForm(c)
	r, problems := f.rule()
	if len(problems) > 0 {
		s.renderKBRule(c, http.StatusBadRequest, id, f, problems)
		return nil
	}
	r.ID = id
	saved, err := s.Store.SaveKBRule(ctx, r, "staff")
	if models.IsCode(err, models.EINVALID) {
		s.renderKBRule(c, http.StatusBadRequest, id, f, []string{domainMessage(err)})
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.Store.SetKBRuleEnabled(ctx, saved.ID, f.Enabled); err != nil {
		return err
	}
	action := "kb.rule.save"
	if id == 0 {
		action = "kb.rule.create"
	}
	s.audit(c, action, fmt.Sprintf("rule:%d", saved.ID), fmt.Sprintf("kind=%s match=%s priority=%d enabled=%t keywords=%d",
		saved.Kind, saved.Match, saved.Priority, f.Enabled, len(saved.Keywords)))
	s.reloadKBRules()
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/rules?ok=rulesaved")
	return nil
}

func (s *Server) kbRuleDelete(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	row, err := s.Store.GetKBRule(c.Request.Context(), uint(id))
	if err != nil {
		return err
	}
	if err := s.Store.DeleteKBRule(c.Request.Context(), row.ID); err != nil {
		return err
	}
	s.audit(c, "kb.rule.delete", fmt.Sprintf("rule:%d", row.ID), "name="+row.Name)
	s.reloadKBRules()
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/rules?ok=ruledeleted")
	return nil
}

// reloadKBRules makes this copy's engine read the rules on the next message;
// other copies read them within the engine's refresh interval.
func (s *Server) reloadKBRules() {
	if s.Engine != nil {
		s.Engine.ReloadRules()
	}
}
