package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"

	"github.com/gin-gonic/gin"
)

// ---- One entry: view, edit, create ----

// kbForm is the entry form as typed: kept as text so a mistake is shown with
// everything the staff member wrote.
type kbForm struct {
	Slug, Category, Title, Questions, Keywords, CounterExamples string
	Answer, SeeDoctor, Source                                   string
	EffectiveFrom, ExpiresAt, ReviewBy                          string
	Disabled                                                    bool
	Facets                                                      []kbFacetField // follow-up answers, one per knowledge.Facets
	Version                                                     string         // the row's UpdatedAt when the form was opened
	From                                                        string         // the unanswered message it is made from
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
	Review     kbReviewInfo
}

func kbDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(models.Beijing).Format("2006-01-02")
}

func kbFormFromEntry(e knowledge.Entry) kbForm {
	return kbForm{Slug: e.Slug, Category: e.Category, Title: e.Title, Questions: strings.Join(e.Questions, "\n"),
		Keywords: strings.Join(e.Keywords, "，"), CounterExamples: strings.Join(e.CounterExamples, "\n"),
		Answer: e.Answer, SeeDoctor: e.SeeDoctor, Source: e.Source, EffectiveFrom: kbDay(e.EffectiveFrom),
		ExpiresAt: kbDay(e.ExpiresAt), ReviewBy: kbDay(e.ReviewBy), Disabled: e.Disabled, Facets: kbFacetFields(e.Facets, nil)}
}

// kbFacetField is one follow-up answer in the form (facet_0 … in knowledge.Facets order).
type kbFacetField struct {
	Name, Label, Value string
}

var kbFacetLabels = map[knowledge.Facet]string{
	knowledge.FacetMedicine: "用药（“要吃什么药”）", knowledge.FacetDoctor: "就医（“去哪里看、要去医院吗、严重吗”）",
	knowledge.FacetDiet: "饮食（“吃什么好”）", knowledge.FacetPrevention: "预防（“怎么预防”）",
	knowledge.FacetContagion: "传染（“会传染吗”）", knowledge.FacetDuration: "多久（“多久能好”）",
}

// kbFacetFields lists the facet fields, filled from m, or from the posted form when c is set.
func kbFacetFields(m map[knowledge.Facet]string, c *gin.Context) []kbFacetField {
	out := make([]kbFacetField, len(knowledge.Facets))
	for i, f := range knowledge.Facets {
		out[i] = kbFacetField{Name: "facet_" + strconv.Itoa(i), Label: kbFacetLabels[f], Value: m[f]}
		if c != nil {
			out[i].Value = c.PostForm(out[i].Name)
		}
	}
	return out
}

func bindKBForm(c *gin.Context) kbForm {
	return kbForm{Slug: strings.TrimSpace(c.PostForm("slug")), Category: c.PostForm("category"), Title: c.PostForm("title"),
		Questions: c.PostForm("questions"), Keywords: c.PostForm("keywords"), CounterExamples: c.PostForm("counter_examples"),
		Answer: c.PostForm("answer"), SeeDoctor: c.PostForm("see_doctor"), Source: c.PostForm("source"),
		EffectiveFrom: c.PostForm("effective_from"), ExpiresAt: c.PostForm("expires_at"), ReviewBy: c.PostForm("review_by"),
		Disabled: c.PostForm("disabled") == "1", Facets: kbFacetFields(nil, c), Version: c.PostForm("version"), From: c.PostForm("from")}
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
	t, err := time.ParseInLocation("2006-1-2", s, models.Beijing)
	return &t, err == nil
}

// entry checks the form and returns the entry it describes, or what to fix,
// in the form's own words.
func (f kbForm) entry() (knowledge.Entry, []string) {
	e := knowledge.Entry{Slug: f.Slug, Category: f.Category, Title: strings.TrimSpace(f.Title),
		Questions: kbSplitList(f.Questions, false), Keywords: kbSplitList(f.Keywords, true), CounterExamples: kbSplitList(f.CounterExamples, false),
		Answer: strings.TrimSpace(strings.ReplaceAll(f.Answer, "\r\n", "\n")), SeeDoctor: strings.TrimSpace(f.SeeDoctor),
		Source: strings.TrimSpace(f.Source), Disabled: f.Disabled}
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
	for i, ff := range f.Facets {
		if v := strings.TrimSpace(strings.ReplaceAll(ff.Value, "\r\n", "\n")); v != "" && i < len(knowledge.Facets) {
			if e.Facets == nil {
				e.Facets = map[knowledge.Facet]string{}
			}
			e.Facets[knowledge.Facets[i]] = v
		}
		long(strings.TrimSpace(ff.Value), "追问回答", 200)
	}
	if e.Source == "" {
		p = append(p, "请填写依据（参考的公开指南或本会的说明）")
	}
	long(e.Source, "依据", 100)
	for _, d := range []struct {
		in, what string
		out      **time.Time
	}{{f.EffectiveFrom, "生效日期", &e.EffectiveFrom}, {f.ExpiresAt, "失效日期", &e.ExpiresAt}, {f.ReviewBy, "复核日期", &e.ReviewBy}} {
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
	add("facets", kbFacetsText(a.Facets) != kbFacetsText(b.Facets))
	add("dates", kbDay(a.EffectiveFrom) != kbDay(b.EffectiveFrom) || kbDay(a.ExpiresAt) != kbDay(b.ExpiresAt) || kbDay(a.ReviewBy) != kbDay(b.ReviewBy))
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
	v := &kbEntryView{Page: Page{Title: "知识库条目", Nav: "knowledge", Error: msg, Invalid: fieldsOf(strings.Join(problems, "；"), kbEntryFields)},
		ID: id, F: f, Problems: problems,
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
		v.State = kbEntryState(knowledge.EntryFromRow(row), s.now())
		v.Review = s.kbReviewInfo(c, row, s.now())
		if qs := kbSplitList(f.Questions, false); len(qs) > 0 {
			v.TestURL = "/admin/knowledge/test?q=" + url.QueryEscape(qs[0])
		}
	}
	if f.From != "" {
		if m, err := s.kbUnansweredMessage(c, f.From); err == nil {
			v.FromText = privacy.Mask(m.Text)
		}
	}
	s.render(c, status, "kb_entry.html", v)
}

func (s *Server) kbEntryPage(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	row, err := s.Knowledge.Entry(c.Request.Context(), uint(id))
	if err != nil {
		return err
	}
	f := kbFormFromEntry(knowledge.EntryFromRow(row))
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
	row, err := s.Knowledge.Entry(ctx, uint(id))
	if err != nil {
		return err
	}
	old := knowledge.EntryFromRow(row)
	f := bindKBForm(c)
	f.Slug, f.From = row.Slug, "" // the slug ties a row to the shipped content: never changed here
	current := strconv.FormatInt(row.UpdatedAt.UnixNano(), 10)
	if f.Version != current {
		// A colleague saved in between. Keep what this staff member typed; saving
		// again (with the new version) overwrites deliberately.
		f.Version = current
		s.renderKBEntry(c, http.StatusConflict, row.ID, f, row, nil,
			"这个条目刚被其他同事修改过（"+row.UpdatedAt.In(models.Beijing).Format("15:04")+"）。下面保留了您填写的内容；"+
				"确认无误再点一次保存会覆盖同事的修改，或先打开新页面查看最新内容。")
		return nil
	}
	e, problems := f.entry()
	if len(problems) > 0 {
		s.renderKBEntry(c, http.StatusBadRequest, row.ID, f, row, problems, "")
		return nil
	}
	e.ID = row.ID
	if err := s.Knowledge.Update(ctx, e); err != nil {
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
	return s.Knowledge.UnansweredMessage(c.Request.Context(), kbMessageID(id))
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
		q := privacy.Mask(strings.TrimSpace(m.Text))
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
	me, _ := staffOf(c)
	created, err := s.Knowledge.Create(ctx, e, kbMessageID(f.From), me.UserID)
	saved := created.Entry
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
	if created.From.ID != 0 {
		if created.Unmarked != nil {
			s.logError(c, created.Unmarked)
		}
		detail += fmt.Sprintf(" from=message:%d", created.From.ID)
	}
	s.audit(c, "kb.entry.create", fmt.Sprintf("kb:%d", saved.ID), detail)
	ok := "kbcreated"
	if !s.rebuildKB(c) {
		ok = "kbstale"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/knowledge/%d?ok=%s", saved.ID, ok))
	return nil
}
