package report

import (
	"familybot/models"
	"strings"
	"testing"
	"time"
)

func TestPeriods(t *testing.T) {
	day := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC) // 2026-12-01 04:00 in Beijing
	for _, c := range []struct {
		name         string
		f            func(time.Time) (string, string)
		from, to, lb string
	}{
		{"month", MonthPeriod, "2026-12-01", "2026-12-31", "2026年12月"},
		{"quarter", QuarterPeriod, "2026-10-01", "2026-12-31", "2026年第4季度"},
		{"year", YearPeriod, "2026-01-01", "2026-12-31", "2026年"},
	} {
		from, to := c.f(day)
		p, start, end, err := ParsePeriod(from, to)
		if err != nil || from != c.from || to != c.to || p.Label != c.lb {
			t.Errorf("%s: %s–%s %q %v", c.name, from, to, p.Label, err)
		}
		if got := start.In(models.Beijing).Format("2006-01-02 15:04"); got != c.from+" 00:00" {
			t.Errorf("%s starts %s", c.name, got)
		}
		if got := end.In(models.Beijing).Format("15:04"); got != "00:00" || !end.After(start) {
			t.Errorf("%s ends %s", c.name, got)
		}
	}
	if p, _, _, _ := ParsePeriod("2026-11-03", "2026-11-09"); p.Label != "2026年11月3日—2026年11月9日" {
		t.Errorf("range label %q", p.Label)
	}
	for _, bad := range [][2]string{{"2026-11-31", "2026-12-01"}, {"2026/11/01", "2026-11-30"}, {"2026-12-01", "2026-11-01"}, {"2020-01-01", "2026-01-01"}} {
		if _, _, _, err := ParsePeriod(bad[0], bad[1]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestBarChartScalesAndEscapes(t *testing.T) {
	svg := string(BarChart("每月<消息>", []Count{{"1月", 0}, {"2月", 50}, {"3月", 100}}))
	if !strings.Contains(svg, "每月&lt;消息&gt;") || strings.Contains(svg, "<消息>") {
		t.Fatalf("title not escaped: %s", svg)
	}
	if strings.Count(svg, "<rect") != 3 || !strings.Contains(svg, `height="126.0"`) || !strings.Contains(svg, `height="63.0"`) {
		t.Fatalf("bars not scaled to the largest: %s", svg)
	}
}
