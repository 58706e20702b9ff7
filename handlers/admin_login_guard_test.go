package handlers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"familybot/cache"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/PuerkitoBio/goquery"
)

// from sends an anonymous GET as the client at ip.
func (f *fixture) from(ip, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = ip + ":40000"
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	return w
}

// withLimiter gives the server a limiter on the fixture's clock.
func (f *fixture) withLimiter() {
	l := cache.NewMemoryLimiter()
	l.Now = f.clock
	f.srv.Limiter = l
	f.h = f.srv.Router()
}

// The audit flood of issue 14: wrong dev-login tokens and bad OAuth callbacks
// from many clients leave a few summary rows, the guessing client is stopped
// even with the right token, other clients are not, and real records stay
// reachable on the audit page.
func TestLoginFloodIsLimitedAndSummarised(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.withLimiter()
		boss := f.loggedIn("boss")
		wantStatus(t, boss.get("/admin/wishes.csv"), http.StatusOK) // a real record before the flood
		before := f.auditCount("wish.export")

		const clients, tries = 60, 20
		refused := 0
		for i := range clients {
			ip := fmt.Sprintf("203.0.113.%d", i+1)
			for j := range tries {
				path := fmt.Sprintf("/admin/dev-login?token=guess-%d-%d", i, j)
				if j%2 == 1 {
					path = fmt.Sprintf("/admin/oauth/callback?code=x&state=forged%d", j)
				}
				switch w := f.from(ip, path); w.Code {
				case http.StatusForbidden:
				case http.StatusTooManyRequests:
					refused++
					if !strings.Contains(w.Body.String(), "10分钟后再试") {
						t.Fatalf("429 without a reason: %.300s", w.Body.String())
					}
				default:
					t.Fatalf("attempt answered %d", w.Code)
				}
			}
		}
		if want := clients * (tries - loginFailLimit); refused != want {
			t.Errorf("%d attempts refused by the limit, want %d", refused, want)
		}
		// The guessing client is stopped even with the right token; a new one is not.
		wantStatus(t, f.from("203.0.113.1", "/admin/dev-login?token="+devToken), http.StatusTooManyRequests)
		wantStatus(t, f.from("198.51.100.1", "/admin/dev-login?token="+devToken), http.StatusFound)

		var rows int64
		var times struct{ N int64 }
		f.st.DB.Model(&models.AuditLog{}).Where("actor = ?", "anonymous").Count(&rows)
		f.st.DB.Model(&models.AuditLog{}).Select("SUM(times) AS n").Where("actor = ?", "anonymous").Scan(&times)
		if rows != clients || times.N != clients*tries+1 {
			t.Errorf("%d attempts left %d audit rows counting %d, want %d rows (one per client)",
				clients*tries+1, rows, times.N, clients)
		}
		if f.auditCount("forbidden") != 0 {
			t.Errorf("failed logins also wrote %d 'forbidden' rows", f.auditCount("forbidden"))
		}

		// A minute later the same client's attempts make a new summary row; after
		// the window it may try again.
		f.now = f.now.Add(loginFailWindow)
		wantStatus(t, f.from("203.0.113.1", "/admin/dev-login?token=again"), http.StatusForbidden)
		if n := f.auditCount("login.reject"); n != clients+1 {
			t.Errorf("%d reject rows after a new minute, want %d", n, clients+1)
		}

		// Real records after the flood are on page one; the one before it is
		// reached by paging, and by the filter.
		wantStatus(t, boss.post("/admin/staff", url.Values{"user_id": {"carol"}, "name": {"陈"}, "role": {"staff"}, "team": {"life"}}), http.StatusSeeOther)
		doc := mustDoc(t, boss.get("/admin/audit"))
		if !strings.Contains(doc.Find("table").Text(), "保存工作人员") {
			t.Errorf("the latest staff change is not on page one")
		}
		found, pages := false, 0
		for next := "/admin/audit"; next != "" && !found && pages < 10; pages++ {
			doc := mustDoc(t, boss.get(next))
			doc.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
				found = found || strings.Contains(tr.Find(".action").Text(), "导出心愿表")
			})
			next, _ = doc.Find(`a[rel=next]`).Attr("href")
		}
		if !found || pages < 2 || before != 1 {
			t.Errorf("the export before the flood: found %v after %d pages", found, pages)
		}
		doc = mustDoc(t, boss.get("/admin/audit?what=wish.export"))
		if doc.Find("tbody tr").Length() != 1 {
			t.Errorf("filter by what: %d rows", doc.Find("tbody tr").Length())
		}
	})
}

// Without WeCom configured the OAuth callback does not exist: 404, no audit row.
func TestOAuthCallbackClosedWithoutWeCom(t *testing.T) {
	for _, unset := range []func(f *fixture){
		func(f *fixture) { f.srv.OAuth = nil },
		func(f *fixture) { f.srv.Cfg.WeCom.CorpID = "" },
		func(f *fixture) { f.srv.Cfg.WeCom.AgentID = "" },
	} {
		f := fixtureSQLite(t)
		unset(f)
		f.h = f.srv.Router()
		for range 5 {
			wantStatus(t, f.client().get("/admin/oauth/callback?code=x&state=forged"), http.StatusNotFound)
		}
		var n int64
		f.st.DB.Model(&models.AuditLog{}).Count(&n)
		if n != 0 {
			t.Errorf("closed callback wrote %d audit rows", n)
		}
	}
}

// A token too short to be safe keeps dev login closed even if configuration
// validation was skipped; while dev login is on, start-up logs a warning.
func TestDevLoginTokenRule(t *testing.T) {
	for _, tok := range []string{" ", "short", "  fifteen-chars-  "} {
		f := fixtureSQLite(t)
		f.srv.Cfg.Admin.DevLoginToken = tok
		f.h = f.srv.Router()
		wantStatus(t, f.client().get("/admin/dev-login?token="+url.QueryEscape(tok)), http.StatusNotFound)
		wantStatus(t, f.client().get("/admin/dev-login?token="), http.StatusNotFound)
	}
	f := fixtureSQLite(t)
	var logs bytes.Buffer
	f.srv.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f.srv.Cfg.Admin.DevLoginToken = "  " + devToken + " "
	f.h = f.srv.Router()
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "dev login is on") {
		t.Errorf("no start-up warning: %q", logs.String())
	}
	wantStatus(t, f.client().get("/admin/dev-login?token="+devToken), http.StatusFound) // trimmed
}

// Paging and the who / what / when filters over HTTP, with actions in Chinese.
func TestAuditPagePagingAndFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		day := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC) // 12:00 in China
		for i := range 120 {
			who, what := "amy", "wish.view"
			if i%3 == 0 {
				who, what = "bob", "crisis.reveal"
			}
			at := day.Add(time.Duration(i/40) * 24 * time.Hour) // 40 records on each of 11-20, 11-21, 11-22
			if err := s.AddAudit(ctx, models.AuditLog{Actor: who, Action: what, Object: fmt.Sprintf("x:%d", i), CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		c := f.loggedIn("boss") // adds a "login" record today
		rows := func(path string) (n int, doc *goquery.Document) {
			t.Helper()
			w := c.get(path)
			wantStatus(t, w, http.StatusOK)
			doc = mustDoc(t, w)
			return doc.Find("tbody tr").Length(), doc
		}
		n, doc := rows("/admin/audit")
		if n != auditPageSize || !strings.Contains(doc.Text(), "共 121 条，第 1 / 3 页") || doc.Find("a[rel=prev]").Length() != 0 {
			t.Errorf("page 1: %d rows, %q", n, doc.Find("p.muted.small").First().Text())
		}
		if got := doc.Find("tbody tr").First().Find(".action").Text(); got != "登录（企业微信）" {
			t.Errorf("first row's action = %q, want the Chinese label", got)
		}
		next, _ := doc.Find("a[rel=next]").Attr("href")
		next, _ = mustDoc(t, c.get(next)).Find("a[rel=next]").Attr("href")
		if n, doc = rows(next); n != 21 || doc.Find("a[rel=next]").Length() != 0 || doc.Find("a[rel=prev]").Length() != 1 {
			t.Errorf("last page (%s): %d rows", next, n)
		}
		for _, c := range []struct {
			path string
			want int
		}{
			{"/admin/audit?who=bob", 40},
			{"/admin/audit?what=crisis.reveal", 40},
			{"/admin/audit?what=wish.", 50}, // 80 wish.view, first page
			{"/admin/audit?what=wish.&page=2", 30},
			{"/admin/audit?from=2026-11-21&to=2026-11-21", 40},
			{"/admin/audit?who=amy&what=wish.view&from=2026-11-22", 27},
			{"/admin/audit?to=2026-11-20", 40},
			{"/admin/audit?who=nobody", 0},
		} {
			if n, _ := rows(c.path); n != c.want {
				t.Errorf("%s: %d rows, want %d", c.path, n, c.want)
			}
		}
		// The next link keeps the filter.
		_, doc = rows("/admin/audit?what=wish.")
		if href, _ := doc.Find("a[rel=next]").Attr("href"); !strings.Contains(href, "what=wish.") || !strings.Contains(href, "page=2") {
			t.Errorf("next link %q loses the filter", href)
		}
		if doc.Find(`select[name=what] option[selected]`).AttrOr("value", "") != "wish." {
			t.Error("the chosen filter is not kept in the form")
		}
		for _, bad := range []string{"/admin/audit?from=yesterday", "/admin/audit?what=drop+table", "/admin/audit?to=2026-13-01"} {
			wantStatus(t, c.get(bad), http.StatusBadRequest)
		}
		// Staff who are not admins cannot read it.
		wantStatus(t, f.loggedIn("amy").get("/admin/audit"), http.StatusForbidden)
	})
}

// Every action the handlers audit has a Chinese name on the audit page.
func TestEveryAuditActionHasAChineseLabel(t *testing.T) {
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`(?:audit|auditSummary)\(c, "([a-z_.]+)"`)
	seen := 0
	for _, fi := range files {
		if !strings.HasSuffix(fi.Name(), ".go") || strings.HasSuffix(fi.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(fi.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			seen++
			if m[1] != "wish." && auditLabels[m[1]] == "" { // "wish."+ok: replied, finished
				t.Errorf("%s: action %q has no Chinese label", fi.Name(), m[1])
			}
		}
	}
	for _, a := range []string{"login.dev", "wish.replied", "wish.finished", "wish.reveal", "kb.rule.create", "kb.rule.save"} {
		if auditLabels[a] == "" {
			t.Errorf("action %q has no Chinese label", a)
		}
	}
	if seen < 30 {
		t.Fatalf("found only %d audit calls: the pattern is out of date", seen)
	}
}
