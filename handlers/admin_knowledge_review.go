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
	"strconv"
	"strings"
	"time"

	"familybot/knowledge"
	"familybot/models"
	"familybot/signup"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

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

func kbReviewRowOf(r knowledge.ReviewRow) kbReviewRow {
	row := kbReviewRow{ID: r.Entry.ID, Title: r.Entry.Title, Category: kbCategoryName(r.Entry.Category), State: r.State,
		Reviewer: r.Entry.Reviewer, Reviewed: kbDay(r.Entry.ReviewedAt), Hits: r.Hits}
	if due := knowledge.ReviewDueAt(r.Entry); due != nil {
		row.DueDay = kbDay(due)
	}
	return row
}

// kbReviewQueue lists what waits for a doctor, most-asked first in each state.
func (s *Server) kbReviewQueue(c *gin.Context) error {
	groups, err := s.Knowledge.ReviewQueue(c.Request.Context())
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	v := &kbReviewView{Page: Page{Title: "医学审核", Nav: "knowledge"},
		CanReview: me.IsReviewer(), CanExport: me.IsReviewer() || me.IsAdmin()}
	for _, g := range groups {
		v.Total += len(g.Rows)
		v.Counts = append(v.Counts, option{Value: string(g.State), Label: g.State.Label(), N: int64(len(g.Rows))})
		if !g.State.InQueue() || len(g.Rows) == 0 {
			continue
		}
		group := kbReviewGroup{State: g.State, Name: g.State.Label()}
		for _, r := range g.Rows {
			group.Rows = append(group.Rows, kbReviewRowOf(r))
		}
		v.Groups = append(v.Groups, group)
		v.Waiting += len(g.Rows)
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
	me, _ := staffOf(c)
	rev, err := s.Knowledge.Review(c.Request.Context(), uint(id), c.PostForm("version_hash"), me, c.PostForm("note"))
	if err != nil {
		return err
	}
	// The note is the doctor's words about content, not personal data, but it
	// stays out of the audit detail like every other free text.
	s.audit(c, "kb.review", fmt.Sprintf("kb:%d", id), "review="+strconv.FormatUint(rev.ID, 10)+" note="+strconv.FormatBool(rev.Note != ""))
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/review?ok=kbreviewed")
	return nil
}

// kbReviewExport writes the queue as a workbook: one sheet of what waits, one
// of every entry, with the words residents read so a doctor can review offline.
func (s *Server) kbReviewExport(c *gin.Context) error {
	now := s.now()
	rows, err := s.Knowledge.ReviewStates(c.Request.Context())
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"编号", "类别", "标题", "审核状态", "上次审核", "审核人", "下次到期", "回答次数", "回答", "就医提示", "依据", "追问回答", "审核意见（请填写）"}
	write := func(sheet string, keep func(knowledge.ReviewRow) bool) error {
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
	if err := write(queue, func(r knowledge.ReviewRow) bool { return r.State.InQueue() }); err != nil {
		return err
	}
	if err := write(all, func(knowledge.ReviewRow) bool { return true }); err != nil {
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
	e := knowledge.EntryFromRow(row)
	me, _ := staffOf(c)
	info := kbReviewInfo{State: knowledge.ReviewStateOf(e, row.ReviewedHash, now), Hash: knowledge.ReviewHash(e), CanReview: me.IsReviewer()}
	if due := knowledge.ReviewDueAt(e); due != nil {
		info.DueDay = kbDay(due)
	}
	if revs, err := s.Knowledge.Reviews(c.Request.Context(), row.ID); err == nil {
		info.Reviews = revs
	} else {
		s.logError(c, err)
	}
	return info
}
