package handlers

// The service report (/admin/report): the figures the association reports
// upward for a month, quarter, year or any range, with month-on-month charts
// drawn by the server as inline SVG, a print layout that fits A4, and the same
// figures as an .xlsx workbook. Admins and managers only; figures only, no
// resident's name or number.

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"time"

	"familybot/models"
	"familybot/report"

	"github.com/gin-gonic/gin"
)

type reportView struct {
	Page
	R        report.Report
	Sections []report.Rows
	Kind     string // month quarter year range
	From, To string
	Prev     string // the previous period's address
	Next     string
	Charts   []template.HTML
	XLSX     string
}

// reportPeriod reads the period from the query: kind (month, quarter, year)
// around day, or a from–to range. Default: this month.
func (s *Server) reportPeriod(c *gin.Context) (kind, from, to string) {
	kind = c.DefaultQuery("kind", "month")
	if kind == "range" || (c.Query("from") != "" && c.Query("to") != "") {
		return "range", strings.TrimSpace(c.Query("from")), strings.TrimSpace(c.Query("to"))
	}
	day := s.now()
	if d, err := time.ParseInLocation("2006-01-02", c.Query("day"), models.Beijing); err == nil {
		day = d
	}
	switch kind {
	case "quarter":
		from, to = report.QuarterPeriod(day)
	case "year":
		from, to = report.YearPeriod(day)
	default:
		kind = "month"
		from, to = report.MonthPeriod(day)
	}
	return kind, from, to
}

func (s *Server) reportPage(c *gin.Context) error {
	kind, from, to := s.reportPeriod(c)
	v := &reportView{Page: Page{Title: "服务报告", Nav: "report"}, Kind: kind, From: from, To: to}
	r, err := report.Build(c.Request.Context(), s.Reports, from, to)
	if models.IsCode(err, models.EINVALID) {
		// A mistyped range: say so and show this month instead.
		v.Error = domainMessage(err)
		v.Kind, v.From, v.To = "month", "", ""
		v.From, v.To = report.MonthPeriod(s.now())
		r, err = report.Build(c.Request.Context(), s.Reports, v.From, v.To)
	}
	if err != nil {
		return err
	}
	v.R, v.Sections = r, r.Sections()
	v.XLSX = "/admin/report.xlsx?from=" + r.Period.From + "&to=" + r.Period.To
	if kind != "range" {
		f, _ := time.ParseInLocation("2006-01-02", r.Period.From, models.Beijing)
		t, _ := time.ParseInLocation("2006-01-02", r.Period.To, models.Beijing)
		v.Prev = "/admin/report?kind=" + kind + "&day=" + f.AddDate(0, 0, -1).Format("2006-01-02")
		v.Next = "/admin/report?kind=" + kind + "&day=" + t.AddDate(0, 0, 1).Format("2006-01-02")
	}
	v.Charts = []template.HTML{
		report.BarChart("每月居民消息", r.Series(func(m report.Month) int { return m.Messages })),
		report.BarChart("每月已回答", r.Series(func(m report.Month) int { return m.Answered })),
		report.BarChart("每月活动报名", r.Series(func(m report.Month) int { return m.Signups })),
		report.BarChart("每月收到心愿", r.Series(func(m report.Month) int { return m.Wishes })),
	}
	s.render(c, http.StatusOK, "report.html", v)
	return nil
}

func (s *Server) reportExport(c *gin.Context) error {
	_, from, to := s.reportPeriod(c)
	r, err := report.Build(c.Request.Context(), s.Reports, from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := r.WriteXLSX(&buf); err != nil {
		return err
	}
	s.audit(c, "report.export", "report", "from="+r.Period.From+" to="+r.Period.To)
	c.Header("Content-Disposition", `attachment; filename="familybot-report-`+r.Period.From+`-`+r.Period.To+`.xlsx"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	return nil
}
