package handlers

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/xuri/excelize/v2"
)

// TestServiceReport: admins and managers read the month's figures with SVG
// charts and download them as a workbook; other staff cannot.
func TestServiceReport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		if err := s.SaveStaff(ctx, models.Staff{UserID: "mgr", Name: "周主任", Role: models.RoleManager}); err != nil {
			t.Fatal(err)
		}
		at := f.now.Add(-time.Hour)
		var msgs []models.Message
		for i, route := range []models.Route{models.RouteFAQ, models.RouteFAQ, models.RouteFallback, models.RouteCommand} {
			msgs = append(msgs, models.Message{OpenID: []string{"a", "b", "b", "c"}[i], Kind: "text", Route: route, Category: "parenting",
				Text: "医保卡 13912345678 怎么办", CreatedAt: at})
		}
		if err := s.InsertMessages(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		month := f.now.In(models.Beijing).Format("2006-01")

		for _, who := range []string{"boss", "mgr"} {
			c := f.loggedIn(who)
			doc := mustDoc(t, c.get("/admin/report"))
			if got := doc.Find("#fig-messages").Text(); got != "4" {
				t.Errorf("%s: messages = %q", who, got)
			}
			if got := doc.Find("#fig-distinct").Text(); got != "3" {
				t.Errorf("%s: residents = %q", who, got)
			}
			if n := doc.Find("svg.chart rect").Length(); n != 4*12 {
				t.Errorf("%s: %d bars, want 4 charts × 12 months", who, n)
			}
			if doc.Find(`a[href="/admin/report"]`).Length() == 0 {
				t.Errorf("%s: no 报告 in the navigation", who)
			}
			if strings.Contains(doc.Text(), "13912345678") {
				t.Errorf("%s: a phone number in the report", who)
			}
		}
		amy := f.loggedIn("amy")
		wantStatus(t, amy.get("/admin/report"), http.StatusForbidden)
		wantStatus(t, amy.get("/admin/report.xlsx"), http.StatusForbidden)
		if mustDoc(t, amy.get("/admin")).Find(`a[href="/admin/report"]`).Length() != 0 {
			t.Error("staff see a link they cannot open")
		}

		// A range typed the wrong way round: said plainly, this month shown.
		c := f.loggedIn("boss")
		doc := mustDoc(t, c.get("/admin/report?kind=range&from=2026-11-30&to=2026-11-01"))
		if !strings.Contains(doc.Find(".flash.err").Text(), "结束日期不能早于开始日期") {
			t.Errorf("error = %q", doc.Find(".flash.err").Text())
		}

		w := c.get("/admin/report.xlsx?kind=month")
		wantStatus(t, w, http.StatusOK)
		x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		if got, _ := x.GetCellValue("咨询", "B3"); got != "4" {
			t.Errorf("咨询!B3 = %q, want 4 messages", got)
		}
		rows, _ := x.GetRows("逐月")
		if len(rows) != 13 || rows[12][0] != month || rows[12][1] != "4" {
			t.Errorf("逐月 = %v", rows)
		}
		for _, sh := range x.GetSheetList() {
			all, _ := x.GetRows(sh)
			for _, r := range all {
				if strings.Contains(strings.Join(r, " "), "13912345678") {
					t.Errorf("sheet %s holds a phone number", sh)
				}
			}
		}
		if f.auditCount("report.export") != 1 {
			t.Error("export not audited")
		}
	})
}
