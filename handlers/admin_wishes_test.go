package handlers

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"familybot/models"
	"familybot/outbox"
	"familybot/wishwall"
)

const hostile = `<script>alert("x")</script><img src=x> 电话13912345678`

func TestWishPagesEscapeAndMask(t *testing.T) {
	f := fixtureSQLite(t)
	w0 := f.mustWish(wishwall.NewWish{Text: hostile, Category: models.WishCatHealth, Contact: "王阿姨 13812345678", Public: true})
	c := f.loggedIn("amy")

	w := c.get("/admin/wishes")
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	doc := mustDoc(t, w)
	if doc.Find("script").Length() != 0 || doc.Find("img").Length() != 0 {
		t.Fatal("resident text became markup in the inbox")
	}
	row := doc.Find("ul.wishes > li").First()
	if got := row.Find(".excerpt").Text(); !strings.Contains(got, `<script>alert("x")</script>`) || !strings.Contains(got, "139****5678") {
		t.Errorf("excerpt = %q", got)
	}
	if got := row.Find(".contact").Text(); got != "联系：王阿姨 138****5678" {
		t.Errorf("contact = %q", got)
	}
	for _, full := range []string{"13912345678", "13812345678", "o-resident-1"} {
		if strings.Contains(body, full) {
			t.Errorf("the inbox shows %q", full)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;") {
		t.Error("the script tag is not escaped as text")
	}

	// The wish page: masked, escaped, audited view; reveal is an audited POST.
	w = c.get("/admin/wishes/1")
	wantStatus(t, w, http.StatusOK)
	doc = mustDoc(t, w)
	if doc.Find("main script, main img").Length() != 0 {
		t.Fatal("resident text became markup on the wish page")
	}
	if got := doc.Find("#wish-text").Text(); !strings.HasPrefix(got, `<script>`) || !strings.Contains(got, "139****5678") {
		t.Errorf("wish text = %q", got)
	}
	if got := doc.Find("#contact").Text(); got != "王阿姨 138****5678" {
		t.Errorf("contact = %q", got)
	}
	if strings.Contains(w.Body.String(), "13812345678") || f.auditCount("wish.view") != 1 {
		t.Errorf("full number shown or view not audited (%d)", f.auditCount("wish.view"))
	}
	wantStatus(t, c.get("/admin/wishes/1/reveal"), http.StatusMethodNotAllowed) // never on GET
	w = c.post("/admin/wishes/1/reveal", nil)
	wantStatus(t, w, http.StatusOK)
	doc = mustDoc(t, w)
	if got := doc.Find("#contact").Text(); got != "王阿姨 13812345678" {
		t.Errorf("revealed contact = %q", got)
	}
	var a models.AuditLog
	f.st.DB.Where("action = ?", "wish.reveal").Take(&a)
	if a.Actor != "amy" || a.Object != "wish:1" || strings.Contains(a.Detail, "138") {
		t.Errorf("reveal audit = %+v", a)
	}
	// Security headers on admin pages.
	h := w.Header()
	if h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
		h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers = %v", h)
	}
	_ = w0
}

func TestWishActionsOverHTTP(t *testing.T) {
	f := fixtureSQLite(t)
	f.mustWish(wishwall.NewWish{Text: "希望多办家长课堂", Category: models.WishCatHealth, Public: true})
	c := f.loggedIn("amy")

	// Invalid: finishing before accepting, finishing without text → page with the problem, no change.
	w := c.post("/admin/wishes/1/reply", url.Values{"action": {"finish"}, "text": {"好的"}})
	wantStatus(t, w, http.StatusBadRequest)
	if got := mustDoc(t, w).Find(".flash.err").Text(); !strings.Contains(got, "不能改为") {
		t.Errorf("error shown = %q", got)
	}
	if got := mustDoc(t, w).Find("#reply-text").Text(); got != "好的" {
		t.Errorf("the typed reply was lost: %q", got)
	}
	wantStatus(t, c.post("/admin/wishes/1/status", url.Values{"to": {"done"}}), http.StatusBadRequest)
	wantStatus(t, c.post("/admin/wishes/1/status", url.Values{"to": {"rejected"}}), http.StatusBadRequest) // no reason

	w = c.post("/admin/wishes/1/status", url.Values{"to": {"accepted"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/wishes/1?ok=accepted#result" {
		t.Errorf("redirect = %q", loc)
	}
	doc := mustDoc(t, c.get("/admin/wishes/1?ok=accepted"))
	if got := doc.Find(".flash.ok").Text(); !strings.Contains(got, "已受理") || doc.Find("#status").Text() != "已受理" {
		t.Errorf("after accept: flash %q status %q", got, doc.Find("#status").Text())
	}
	wantStatus(t, c.post("/admin/wishes/1/reply", url.Values{"action": {"finish"}, "text": {"  "}}), http.StatusBadRequest)
	wantStatus(t, c.post("/admin/wishes/1/reply", url.Values{"action": {"reply"}, "text": {"在联系讲师"}}), http.StatusSeeOther)
	wantStatus(t, c.post("/admin/wishes/1/reply", url.Values{"action": {"finish"}, "text": {"<b>下月开课</b>"}}), http.StatusSeeOther)
	wd := f.wishNow(1)
	if wd.Status != models.WishDone || wd.ReplyCount != 2 {
		t.Fatalf("wish = %+v", wd)
	}
	doc = mustDoc(t, c.get("/admin/wishes/1"))
	if doc.Find(".reply b").Length() != 0 || !strings.Contains(doc.Find(".reply").Text(), "<b>下月开课</b>") {
		t.Error("a staff reply is not escaped")
	}
	if n := doc.Find("ul.history li").Length(); n != 4 {
		t.Errorf("history rows = %d, want 4", n)
	}
	if doc.Find("#finish").Length() != 0 {
		t.Error("a finished wish still offers 办结")
	}
	// Stale: accepting a finished wish.
	wantStatus(t, c.post("/admin/wishes/1/status", url.Values{"to": {"accepted"}}), http.StatusBadRequest)
	wantStatus(t, c.post("/admin/wishes/1/wall", url.Values{"hidden": {"1"}}), http.StatusSeeOther)
	if !f.wishNow(1).WallHidden {
		t.Error("hide from the wall did not stick")
	}

	var keys []string
	f.st.DB.Model(&models.OutboxMessage{}).Order("id").Pluck("dedup_key", &keys)
	want := []string{"wish:new:1", "wishstatus:1:accepted", "wishreply:1:1", "wishreply:1:2"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("outbox = %v, want %v", keys, want)
	}
	for _, a := range []string{"wish.status", "wish.replied", "wish.finished", "wish.wall"} {
		if f.auditCount(a) != 1 {
			t.Errorf("audit %s = %d", a, f.auditCount(a))
		}
	}

	// Reopening a finished wish: the page offers it (not a bare 开始办理), a reason is required.
	doc = mustDoc(t, c.get("/admin/wishes/1"))
	if doc.Find("#reopen-submit").Length() != 1 || strings.Contains(doc.Find("#act .btns").First().Text(), "开始办理") {
		t.Fatal("a finished wish does not offer 重新办理 (or offers it without a reason)")
	}
	w = c.post("/admin/wishes/1/status", url.Values{"to": {"in_progress"}, "reopen": {"1"}, "reason": {" "}})
	wantStatus(t, w, http.StatusBadRequest)
	if got := mustDoc(t, w).Find(".flash.err").Text(); !strings.Contains(got, "原因") {
		t.Errorf("reopen without a reason: %q", got)
	}
	wantStatus(t, c.post("/admin/wishes/1/status", url.Values{"to": {"in_progress"}}), http.StatusBadRequest) // not by the back door
	w = c.post("/admin/wishes/1/status", url.Values{"to": {"in_progress"}, "reopen": {"1"}, "reason": {"居民说时间不合适"}})
	wantStatus(t, w, http.StatusSeeOther)
	if wd := f.wishNow(1); wd.Status != models.WishInProgress || wd.FinishedAt != nil {
		t.Fatalf("after reopening: %+v", wd)
	}
	var told int64
	f.st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ? AND text LIKE ?", "wishstatus:1:reopened:%", "%居民说时间不合适%").Count(&told)
	var audited int64
	f.st.DB.Model(&models.AuditLog{}).Where("action = ? AND detail = ?", "wish.status", "reopened").Count(&audited)
	if told != 1 || audited != 1 {
		t.Errorf("reopen: resident told %d times, audited as reopened %d times", told, audited)
	}
	if got := mustDoc(t, c.get(w.Header().Get("Location"))).Find(".flash.ok").Text(); !strings.Contains(got, "重新办理") {
		t.Errorf("reopen flash = %q", got)
	}
}

func TestInboxFiltersAndOverdue(t *testing.T) {
	f := fixtureSQLite(t)
	f.mustWish(wishwall.NewWish{Text: "很早的健康心愿", Category: models.WishCatHealth})
	f.now = f.now.Add(4 * 24 * time.Hour)
	f.mustWish(wishwall.NewWish{Text: "新的生活心愿", Category: models.WishCatLife})
	c := f.loggedIn("boss")
	doc := mustDoc(t, c.get("/admin/wishes"))
	rows := doc.Find("ul.wishes > li")
	if rows.Length() != 2 || !rows.First().HasClass("over") || !strings.Contains(rows.First().Text(), "超过3天未受理") {
		t.Fatalf("overdue not first: %s", rows.Text())
	}
	doc = mustDoc(t, c.get("/admin/wishes?category=life"))
	if rows := doc.Find("ul.wishes > li"); rows.Length() != 1 || !strings.Contains(rows.Text(), "新的生活心愿") {
		t.Errorf("category filter: %s", rows.Text())
	}
	doc = mustDoc(t, c.get("/admin/wishes?status=overdue"))
	if rows := doc.Find("ul.wishes > li"); rows.Length() != 1 {
		t.Errorf("overdue filter rows = %d", rows.Length())
	}
	doc = mustDoc(t, c.get("/admin/wishes?status=done"))
	if doc.Find("ul.wishes > li").Length() != 0 || !strings.Contains(doc.Find(".chips a.on").Text(), "已办结") {
		t.Errorf("done filter: %s", doc.Find(".chips").Text())
	}
	// Unknown filter values fall back safely.
	wantStatus(t, c.get("/admin/wishes?status=%27%3Bdrop&category=<x>"), http.StatusOK)
}

func TestWishesCSV(t *testing.T) {
	f := fixtureSQLite(t)
	f.mustWish(wishwall.NewWish{Text: `=HYPERLINK("http://evil","点我") 电话13912345678`, Category: models.WishCatHealth, Contact: "+8613812345678"})
	f.mustWish(wishwall.NewWish{Text: "@SUM(1+1) 正常内容", Category: models.WishCatLife, Contact: "-1+2"})
	f.mustWish(wishwall.NewWish{Text: "\t制表符开头的内容", Category: models.WishCatLife})
	c := f.loggedIn("boss")
	w := c.get("/admin/wishes.csv?status=all")
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("headers: %v", w.Header())
	}
	body := strings.TrimPrefix(w.Body.String(), "\ufeff")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "编号" {
		t.Fatalf("csv = %v", recs)
	}
	for _, r := range recs[1:] {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("formula cell not neutralised: %q", cell)
			}
		}
	}
	byID := map[string][]string{}
	for _, r := range recs[1:] {
		byID[r[0]] = r
	}
	if got := byID["1"][6]; !strings.HasPrefix(got, "'=HYPERLINK") || !strings.Contains(got, "139****5678") {
		t.Errorf("text cell = %q", got)
	}
	if got := byID["1"][7]; got != "'+86138****5678" {
		t.Errorf("contact cell = %q", got)
	}
	if got := byID["2"][7]; got != "'-1+2" {
		t.Errorf("contact cell = %q", got)
	}
	if strings.Contains(body, "13912345678") || f.auditCount("wish.export") != 1 {
		t.Errorf("export unmasked or not audited")
	}
	// A staff member exports only what they may see.
	amyC := f.loggedIn("amy")
	recs, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(amyC.get("/admin/wishes.csv?status=all").Body.String(), "\ufeff"))).ReadAll()
	if len(recs) != 2 {
		t.Errorf("amy's export has %d rows", len(recs)-1)
	}
}

func TestWall(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	pub := f.mustWish(wishwall.NewWish{OpenID: "o-secret-openid", Text: hostile, Category: models.WishCatActivity,
		Contact: "张三 13700001111", Public: true})
	priv := f.mustWish(wishwall.NewWish{Text: "私下的心愿不公开", Category: models.WishCatActivity})
	open := f.mustWish(wishwall.NewWish{Text: "还没办结的公开心愿", Public: true})
	for _, id := range []uint64{pub.ID, priv.ID} {
		if _, err := f.wish.Accept(ctx, boss, id); err != nil {
			t.Fatal(err)
		}
		if _, err := f.wish.Finish(ctx, boss, id, "已安排，联系电话 13600001234"); err != nil {
			t.Fatal(err)
		}
	}
	w := f.client().get("/wall")
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	doc := mustDoc(t, w)
	arts := doc.Find("article")
	if arts.Length() != 1 {
		t.Fatalf("wall has %d items", arts.Length())
	}
	if doc.Find("script, img").Length() != 0 || !strings.Contains(arts.Find(".wish").Text(), "<script>") {
		t.Error("wall text not escaped")
	}
	for _, secret := range []string{"o-secret-openid", "张三", "13700001111", "13912345678", "13600001234", "私下的心愿", "还没办结", "李会长"} {
		if strings.Contains(body, secret) {
			t.Errorf("the wall shows %q", secret)
		}
	}
	if !strings.Contains(arts.Find(".answer").Text(), "号码已隐去") || strings.Contains(body, "1234") || !strings.Contains(arts.Text(), "活动建议") {
		t.Errorf("wall item: %s", arts.Text())
	}
	if doc.Find(`link[href="/static/wall.css"]`).Length() != 1 {
		t.Error("wall stylesheet missing")
	}
	css := f.client().get("/static/wall.css")
	wantStatus(t, css, http.StatusOK)
	if !strings.Contains(css.Body.String(), "font: 20px/1.75") {
		t.Error("the wall's base type is not large")
	}
	_ = open
}

// recordingSender records deliveries, for the outbox end-to-end test.
type recordingSender struct {
	mu       sync.Mutex
	customer []string
	cards    []string
}

func (r *recordingSender) SendCustomerText(_ context.Context, openID, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.customer = append(r.customer, openID+"|"+text)
	return nil
}

func (r *recordingSender) SendTemplate(context.Context, string, string, string, map[string]string) error {
	return nil
}

func (r *recordingSender) SendWeComTextCard(_ context.Context, to []string, title, _, link string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cards = append(r.cards, strings.Join(to, ",")+"|"+title+"|"+link)
	return nil
}

func TestReplyReachesResidentThroughOutbox(t *testing.T) {
	f := fixtureSQLite(t)
	f.mustWish(wishwall.NewWish{OpenID: "o-resident-9", Text: "希望有周末的亲子活动", Category: models.WishCatActivity})
	sender := &recordingSender{}
	worker := &outbox.Worker{Store: f.st, Sender: sender, ID: "w1", Now: f.clock}
	ctx := context.Background()
	if _, err := worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sender.cards) != 1 || sender.cards[0] != "duty1|新心愿 #1（活动建议）|https://bot.example.org/admin/wishes/1" {
		t.Fatalf("staff card = %v", sender.cards)
	}
	c := f.loggedIn("boss")
	wantStatus(t, c.post("/admin/wishes/1/status", url.Values{"to": {"accepted"}}), http.StatusSeeOther)
	wantStatus(t, c.post("/admin/wishes/1/reply", url.Values{"action": {"finish"}, "text": {"周六上午有亲子阅读"}}), http.StatusSeeOther)
	for i := 0; i < 3; i++ { // running again sends nothing twice
		if _, err := worker.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(sender.customer) != 2 {
		t.Fatalf("customer messages = %v", sender.customer)
	}
	if got := sender.customer[1]; !strings.HasPrefix(got, "o-resident-9|") || !strings.Contains(got, "周六上午有亲子阅读") || !strings.Contains(got, "评价 1 5") {
		t.Errorf("reply message = %q", got)
	}
}
