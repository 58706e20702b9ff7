package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"familybot/signup"

	"github.com/xuri/excelize/v2"
)

// Rows are one section of the report as label/value lines, the same for the
// page, the workbook and the terminal.
type Rows struct {
	Title string
	Lines [][2]string
}

// Sections lays the report out as people read it.
func (r Report) Sections() []Rows {
	e, w, m, c := r.Events, r.Wishes, r.Messages, r.Crisis
	out := []Rows{
		{Title: "活动", Lines: [][2]string{
			{"举办活动（场）", itoa(e.Held)}, {"报名（人次）", itoa(e.Signups)}, {"其中确认参加", itoa(e.Confirmed)},
			{"已签到", itoa(e.CheckedIn)}, {"签到率（已结束的活动）", pct(e.CheckinRate)}, {"报名未到", itoa(e.NoShows)},
			{"候补转正", itoa(e.WaitlistPromoted)}, {"取消报名", itoa(e.Cancelled)},
		}},
		{Title: "服务对象", Lines: [][2]string{
			{"发来消息的居民（人）", itoa(r.Residents.Distinct)}, {"报名活动的家庭（户）", itoa(r.Residents.Families)},
		}},
		{Title: "咨询", Lines: [][2]string{
			{"居民消息（条）", itoa(m.Total)}, {"已回答", itoa(m.Answered)}, {"未能回答", itoa(m.Unanswered)},
			{"回答率", pct(m.AnsweredRate)}, {"危机求助", itoa(m.Crisis)}, {"问候、感谢等闲聊", itoa(m.SmallTalk)},
		}},
		{Title: "心愿墙", Lines: [][2]string{
			{"收到心愿", itoa(w.Received)}, {"其中已回应", itoa(w.Answered)}, {"受理", itoa(w.Accepted)},
			{"办结", itoa(w.Finished)}, {"不予受理", itoa(w.Rejected)},
			{"受理用时中位数（小时）", num(w.MedianHoursToAccept)}, {"办结用时中位数（天）", num(w.MedianDaysToFinish)},
			{"3天内受理", itoa(w.AcceptedOnTime)}, {"15天内办结", itoa(w.FinishedOnTime)},
			{"累计回应心愿（开通以来）", itoa(w.AnsweredTotal)}, {"平均评分（5分制）", num(w.AvgRating)},
			{"评分分布 1–5 分", fmt.Sprintf("%d / %d / %d / %d / %d", w.Ratings[0], w.Ratings[1], w.Ratings[2], w.Ratings[3], w.Ratings[4])},
			{"低评分（3分及以下，需回访）", itoa(w.LowRatings)},
			{"其中已回访", itoa(w.LowFollowedUp)},
		}},
		{Title: "危机消息", Lines: [][2]string{
			{"危机消息（条）", itoa(c.Total)}, {"尚未处理", itoa(c.Unhandled)}, {"处理用时中位数（分钟）", num(c.MedianMinutesToHandle)},
		}},
		{Title: "知识库", Lines: [][2]string{
			{"新增条目", itoa(r.Knowledge.Added)}, {"修改条目", itoa(r.Knowledge.Edited)}, {"医生审核", itoa(r.Knowledge.Reviewed)},
		}},
	}
	add := func(i int, prefix string, cs []Count) {
		for _, x := range cs {
			out[i].Lines = append(out[i].Lines, [2]string{prefix + x.Label, itoa(x.N)})
		}
	}
	add(0, "按类别：", e.HeldByCategory)
	add(1, "儿童年龄：", r.Residents.ChildrenByAge)
	add(2, "按领域：", m.ByArea)
	add(4, "按类型：", c.ByKind)
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

func num(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64)
}

// WriteText prints the report for a terminal.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "服务报告：%s（%s 至 %s）\n", r.Period.Label, r.Period.From, r.Period.To)
	for _, s := range r.Sections() {
		fmt.Fprintf(&b, "\n【%s】\n", s.Title)
		for _, l := range s.Lines {
			fmt.Fprintf(&b, "  %s：%s\n", l[0], l[1])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteXLSX writes the report as a workbook: one sheet per section, one for
// the top questions, one for the month-on-month figures. It holds no personal data.
func (r Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	first := true
	sheet := func(name string) error {
		if first {
			first = false
			return f.SetSheetName("Sheet1", name)
		}
		_, err := f.NewSheet(name)
		return err
	}
	set := func(name string, row int, vals ...any) error {
		return f.SetSheetRow(name, "A"+strconv.Itoa(row), &vals)
	}
	for _, s := range r.Sections() {
		if err := sheet(s.Title); err != nil {
			return err
		}
		if err := set(s.Title, 1, "统计期间", r.Period.Label, r.Period.From+" 至 "+r.Period.To); err != nil {
			return err
		}
		for i, l := range s.Lines {
			var v any = l[1]
			if n, err := strconv.Atoi(l[1]); err == nil {
				v = n
			}
			if err := set(s.Title, i+3, l[0], v); err != nil {
				return err
			}
		}
		_ = f.SetColWidth(s.Title, "A", "A", 30)
	}
	const top = "常见问题"
	if err := sheet(top); err != nil {
		return err
	}
	row := 1
	for _, part := range []struct {
		title string
		list  []Count
	}{{"回答最多的问题", r.Messages.TopAnswered}, {"未能回答最多的问题", r.Messages.TopUnanswered}} {
		if err := set(top, row, part.title, "次数"); err != nil {
			return err
		}
		row++
		for _, c := range part.list {
			if err := set(top, row, signup.CSVSafe(c.Label), c.N); err != nil {
				return err
			}
			row++
		}
		row++
	}
	_ = f.SetColWidth(top, "A", "A", 50)
	const months = "逐月"
	if err := sheet(months); err != nil {
		return err
	}
	if err := set(months, 1, "月份", "居民消息", "已回答", "未能回答", "活动报名", "收到心愿"); err != nil {
		return err
	}
	for i, m := range r.Months {
		if err := set(months, i+2, m.Month, m.Messages, m.Answered, m.Unanswered, m.Signups, m.Wishes); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// Series picks one figure of each month for a chart.
func (r Report) Series(pick func(Month) int) []Count {
	out := make([]Count, len(r.Months))
	for i, m := range r.Months {
		out[i] = Count{Label: strings.TrimPrefix(m.Month[5:], "0") + "月", N: pick(m)}
	}
	return out
}

// BarChart draws counts as an inline SVG bar chart, scaled to its largest
// value, with the numbers written on the bars (readable when printed in grey).
func BarChart(title string, cs []Count) template.HTML {
	const w, h, top, bottom = 360, 170, 22, 22
	max := 0
	for _, c := range cs {
		if c.N > max {
			max = c.N
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<text x="0" y="12" font-size="12" font-weight="600" fill="#222">%s</text>`, template.HTMLEscapeString(title))
	if len(cs) == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	slot := float64(w) / float64(len(cs))
	bar := slot * 0.64
	for i, c := range cs {
		x := float64(i)*slot + (slot-bar)/2
		bh := 0.0
		if max > 0 {
			bh = float64(h-top-bottom) * float64(c.N) / float64(max)
		}
		y := float64(h-bottom) - bh
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1a73e8"><title>%s：%d</title></rect>`,
			x, y, bar, bh, template.HTMLEscapeString(c.Label), c.N)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="#333">%d</text>`, x+bar/2, y-4, c.N)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#555">%s</text>`, x+bar/2, h-6, template.HTMLEscapeString(c.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
