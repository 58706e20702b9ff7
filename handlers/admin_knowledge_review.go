package handlers

// The doctors' review of the knowledge base (/admin/knowledge/review): the
// queue of entries that wait for a reviewer (never reviewed, changed since
// their review, a year old, or a policy entry at its review date), the review
// itself recorded against the version the doctor read, and the queue as an
// .xlsx file for doctors who review offline. Reviewing changes nothing a
// resident reads; only the reviewer role may record it, and every review is
// audited.

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
	"familybot/signup"
	"familybot/store"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

func init() {
	registerFlashes(map[string]string{"kbreviewed": "已记录审核，这个条目已离开待审核列表"})
	registerAdminPages(func(s *Server, g *gin.RouterGroup) {
		g.GET("/knowledge/review", s.h(s.kbReviewQueue))
		g.GET("/knowledge/review.xlsx", s.reviewerOrAdmin(), s.h(s.kbReviewExport))
		g.POST("/knowledge/:id/review", s.reviewerOnly(), s.h(s.kbReviewSave))
	})
}

// kbReviewNoteMax bounds the reviewer's note.
const kbReviewNoteMax = 300

// reviewerOnly restricts a route to the association's doctors.
func (s *Server) reviewerOnly() gin.HandlerFunc {
	return s.roleOnly("reviewer only", models.Staff.IsReviewer)
}

// reviewerOrAdmin lets doctors and admins download the review queue.
func (s *Server) reviewerOrAdmin() gin.HandlerFunc {
	return s.roleOnly("reviewer or admin", func(st models.Staff) bool { return st.IsReviewer() || st.IsAdmin() })
}

type kbReviewRow struct {
	ID                         uint
	Title, Category, LastNote  string
	State                      knowledge.ReviewState
	Reviewed, Reviewer, DueDay string
	Hits                       int
}

type kbReviewGroup struct {
	State knowledge.ReviewState
	Name  string
	Rows  []kbReviewRow
}

type kbReviewView struct {
	Page
	Groups    []kbReviewGroup
	Waiting   int
	Total     int
	Counts    []option
	CanReview bool
	CanExport bool
}

func kbReviewRowOf(r store.KBReviewRow) kbReviewRow {
	row := kbReviewRow{ID: r.Entry.ID, Title: r.Entry.Title, Category: kbCategoryName(r.Entry.Category), State: r.State,
		Reviewer: r.Entry.Reviewer, Reviewed: kbDay(r.Entry.ReviewedAt), Hits: r.Hits}
	if due := knowledge.ReviewDueAt(r.Entry); due != nil {
		row.DueDay = kbDay(due)
	}
	return row
}

// kbReviewQueue lists what waits for a doctor, most-asked first in each state.
func (s *Server) kbReviewQueue(c *gin.Context) error {
	rows, err := s.Store.ListKBReviewStates(c.Request.Context(), s.now())
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	v := &kbReviewView{Page: Page{Title: "医学审核", Nav: "knowledge"}, Total: len(rows),
		CanReview: me.IsReviewer(), CanExport: me.IsReviewer() || me.IsAdmin()}
	by := map[knowledge.ReviewState][]kbReviewRow{}
	for _, r := range rows {
		by[r.State] = append(by[r.State], kbReviewRowOf(r))
	}
	for _, st := range knowledge.ReviewStates {
		v.Counts = append(v.Counts, option{Value: string(st), Label: st.Label(), N: int64(len(by[st]))})
		if !st.InQueue() || len(by[st]) == 0 {
			continue
		}
		list := by[st]
		sort.SliceStable(list, func(i, j int) bool { return list[i].Hits > list[j].Hits })
		v.Groups = append(v.Groups, kbReviewGroup{State: st, Name: st.Label(), Rows: list})
		v.Waiting += len(list)
	}
	s.render(c, http.StatusOK, "kb_review.html", v)
	return nil
}

// kbReviewSave records a doctor's review of the version they read.
func (s *Server) kbReviewSave(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	note := strings.TrimSpace(c.PostForm("note"))
	if utf8.RuneCountInString(note) > kbReviewNoteMax {
		return models.Errorf(models.EINVALID, "审核意见最多 %d 个字。", kbReviewNoteMax)
	}
	me, _ := staffOf(c)
	rev, err := s.Store.RecordKBReview(c.Request.Context(), store.KBReviewInput{
		EntryID: uint(id), Hash: c.PostForm("version_hash"), By: me, Note: note})
	if err != nil {
		return err
	}
	// The note is the doctor's words about content, not personal data, but it
	// stays out of the audit detail like every other free text.
	s.audit(c, "kb.review", fmt.Sprintf("kb:%d", id), "review="+strconv.FormatUint(rev.ID, 10)+" note="+strconv.FormatBool(note != ""))
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/review?ok=kbreviewed")
	return nil
}

// kbReviewExport writes the queue as a workbook: one sheet of what waits, one
// of every entry, with the words residents read so a doctor can review offline.
func (s *Server) kbReviewExport(c *gin.Context) error {
	now := s.now()
	rows, err := s.Store.ListKBReviewStates(c.Request.Context(), now)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"编号", "类别", "标题", "审核状态", "上次审核", "审核人", "下次到期", "回答次数", "回答", "就医提示", "依据", "追问回答", "审核意见（请填写）"}
	write := func(sheet string, keep func(store.KBReviewRow) bool) error {
		if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
			return err
		}
		n := 2
		for _, r := range rows {
			if !keep(r) {
				continue
			}
			row := kbReviewRowOf(r)
			line := []any{r.Entry.Slug, row.Category, r.Entry.Title, r.State.Label(), row.Reviewed, row.Reviewer, row.DueDay, r.Hits,
				r.Entry.Answer, r.Entry.SeeDoctor, r.Entry.Source, kbFacetsText(r.Entry.Facets), ""}
			for i, v := range line {
				if s, ok := v.(string); ok {
					line[i] = signup.CSVSafe(s) // a spreadsheet must not read a cell as a formula
				}
			}
			if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(n), &line); err != nil {
				return err
			}
			n++
		}
		_ = f.SetColWidth(sheet, "A", "A", 28)
		_ = f.SetColWidth(sheet, "C", "C", 30)
		_ = f.SetColWidth(sheet, "I", "L", 60)
		return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	const queue, all = "待审核", "全部条目"
	if err := f.SetSheetName("Sheet1", queue); err != nil {
		return err
	}
	if _, err := f.NewSheet(all); err != nil {
		return err
	}
	if err := write(queue, func(r store.KBReviewRow) bool { return r.State.InQueue() }); err != nil {
		return err
	}
	if err := write(all, func(store.KBReviewRow) bool { return true }); err != nil {
		return err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return err
	}
	s.audit(c, "kb.review.export", "kb", fmt.Sprintf("entries=%d", len(rows)))
	name := "knowledge-review-" + now.In(models.Beijing).Format("20060102") + ".xlsx"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	return nil
}

// kbFacetsText lists an entry's follow-up answers, one per line.
func kbFacetsText(m map[knowledge.Facet]string) string {
	var b strings.Builder
	for _, f := range knowledge.Facets {
		if v := m[f]; v != "" {
			fmt.Fprintf(&b, "【%s】%s\n", f, v)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// kbReviewInfo is the review part of an entry's page.
type kbReviewInfo struct {
	State     knowledge.ReviewState
	DueDay    string
	Hash      string
	Reviews   []models.KBReview
	CanReview bool
}

func (s *Server) kbReviewInfo(c *gin.Context, row models.KBEntry, now time.Time) kbReviewInfo {
	e := store.KBEntryFromRow(row)
	me, _ := staffOf(c)
	info := kbReviewInfo{State: knowledge.ReviewStateOf(e, row.ReviewedHash, now), Hash: knowledge.ReviewHash(e), CanReview: me.IsReviewer()}
	if due := knowledge.ReviewDueAt(e); due != nil {
		info.DueDay = kbDay(due)
	}
	if revs, err := s.Store.ListKBReviews(c.Request.Context(), row.ID); err == nil {
		info.Reviews = revs
	} else {
		s.logError(c, err)
	}
	return info
}
