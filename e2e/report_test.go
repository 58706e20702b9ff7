package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestManagerReadsTheReport: residents ask in the chat; on a phone the report
// shows the month's figures and draws its charts; the Excel link (fetched with
// the browser's session) is a workbook with the same figures.
func TestManagerReadsTheReport(t *testing.T) {
	a := newKBApp(t)
	ctx := browser(t)
	shot := newShots(t)
	a.say("o-mum", "宝宝发烧了怎么办")
	a.say("o-grandpa", "老人血压高要注意什么")
	a.say("o-teen", "明天上证指数会涨吗")
	a.rec.Flush()

	must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+"/admin/dev-login?token="+devToken+"&next=/admin/report"),
		chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	if got := text(t, ctx, "#fig-messages"); got != "3" {
		t.Errorf("messages = %q", got)
	}
	if got := text(t, ctx, "#fig-distinct"); got != "3" {
		t.Errorf("residents = %q", got)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("svg.chart rect")).map(r => r.getAttribute("height"))`))
	must(t, err)
	if len(bars) != 48 {
		t.Fatalf("%d bars drawn, want 48", len(bars))
	}
	if last := bars[11]; last == "0.0" || last == "" {
		t.Errorf("this month's messages bar has height %q", last)
	}
	shot.take(ctx, "40-report")

	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#xlsx"), "href"))
	must(t, err)
	// The download, as the same staff member (a client with its own login).
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login, err := client.Get(a.url + "/admin/dev-login?token=" + devToken)
	must(t, err)
	login.Body.Close()
	res, err := client.Get(a.url + link.Value)
	must(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	must(t, err)
	if v, _ := x.GetCellValue("咨询", "B3"); v != "3" {
		t.Errorf("workbook 咨询!B3 = %q", v)
	}
}
