package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"familybot/report"

	"github.com/xuri/excelize/v2"
)

// TestReportCommand: what residents asked shows in `report --json` with the
// documented keys, and --xlsx writes a workbook.
func TestReportCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, err := runCLI(t, db, "宝宝发烧了怎么办\n明天上证指数会涨吗\n", "ask"); err != nil {
		t.Fatal(err)
	}
	from, to := report.MonthPeriod(time.Now())
	out, err := runCLI(t, db, "", "report", "--from", from, "--to", to, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Period    struct{ From, To string }
		Events    map[string]any
		Wishes    map[string]any
		Messages  struct{ Total, Answered, Unanswered, Crisis int }
		Residents struct {
			Distinct int
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Period.From != from || got.Period.To != to || got.Messages.Total != 2 || got.Messages.Answered != 1 ||
		got.Messages.Unanswered != 1 || got.Residents.Distinct != 2 {
		t.Errorf("report = %+v", got)
	}
	for _, k := range []string{"held", "signups", "confirmed", "checked_in", "waitlist_promoted", "cancelled"} {
		if _, ok := got.Events[k]; !ok {
			t.Errorf("events.%s missing", k)
		}
	}
	if v, ok := got.Wishes["avg_rating"]; !ok || v != nil {
		t.Errorf("wishes.avg_rating = %v (want null with no ratings)", v)
	}

	file := filepath.Join(t.TempDir(), "r.xlsx")
	if _, err := runCLI(t, db, "", "report", "--from", from, "--to", to, "--xlsx", file); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := x.GetCellValue("咨询", "B3"); v != "2" {
		t.Errorf("咨询!B3 = %q", v)
	}
	_ = os.Remove(file)

	if _, err := runCLI(t, db, "", "report", "--from", "2026-13-01", "--to", to); err == nil || !strings.Contains(err.Error(), "日期") {
		t.Errorf("bad date: %v", err)
	}
}
