package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"familybot/models"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// The staff test's crisis findings: the primary actions are 回复居民 and
// 已电话联系, not closing; a reply does not close the case; what was done is
// kept with the episode and shown with who and when; closing a self-harm case
// asks 已确认居民目前安全 first; the 48-hour window is shown and enforced.
func TestCrisisCaseHandling(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	if err := f.st.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o9", Kind: "suicide", Person: "self", Episode: "ep-9", Text: "不想活了", CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("amy")
	page := func() *goquery.Selection {
		t.Helper()
		w := c.get("/admin/crisis")
		wantStatus(t, w, http.StatusOK)
		return mustDoc(t, w).Find("#episode-1")
	}
	ep := page()
	var primary []string
	ep.Find("button.btn:not(.ghost)").Each(func(_ int, b *goquery.Selection) { primary = append(primary, b.Text()) })
	if diff := cmp.Diff([]string{"回复居民", "已电话联系"}, primary); diff != "" {
		t.Errorf("primary actions (-want +got):\n%s", diff)
	}
	if ep.Find("details #crisis-text-1").Length() != 0 || ep.Find("#crisis-text-1").Length() != 1 {
		t.Error("the reply box is folded away or missing")
	}
	// tBase is 10:00 in China: the resident can be written to until two days later.
	if got := ep.Find(".window").Text(); got != "可回复至 11月26日 10:00" {
		t.Errorf("window = %q", got)
	}
	if ep.Find(`#close-1 input[type=checkbox][name=safe][required]`).Length() != 1 {
		t.Error("closing a self-harm case does not ask 已确认居民目前安全")
	}

	// A reply goes out and is kept; the case stays open.
	wantStatus(t, c.post("/admin/crisis/1/reply", url.Values{"text": {"您好，我是协会的小王，看到您的留言很担心您。"}}), http.StatusSeeOther)
	f.now = f.now.Add(10 * time.Minute)
	wantStatus(t, c.post("/admin/crisis/1/note", url.Values{"action": {"called"}, "note": {"已电话联系，孩子已送医"}}), http.StatusSeeOther)
	ep = page()
	if !ep.HasClass("hl") {
		t.Error("replying or noting a call closed the case")
	}
	var hist []string
	ep.Find(".notes li").Each(func(_ int, s *goquery.Selection) { hist = append(hist, strings.Join(strings.Fields(s.Text()), " ")) })
	want := []string{"2026-11-24 10:00 · 王艾米 回复居民：您好，我是协会的小王，看到您的留言很担心您。",
		"2026-11-24 10:10 · 王艾米 已电话联系：孩子已送医"}
	if diff := cmp.Diff(want, hist); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	var logged int64
	f.st.DB.Model(&models.Message{}).Where("text LIKE ?", "%送医%").Count(&logged)
	if logged != 0 || f.auditCount("crisis.note") != 1 || f.auditCount("crisis.reply") != 1 {
		t.Errorf("note in the message log %d, audited notes %d, replies %d", logged, f.auditCount("crisis.note"), f.auditCount("crisis.reply"))
	}
	wantStatus(t, c.post("/admin/crisis/1/note", url.Values{"action": {"note"}, "note": {"  "}}), http.StatusBadRequest)

	// Closing without the confirmation comes back with the box marked and the words kept.
	w := c.post("/admin/crisis/1/handled", url.Values{"note": {"家人已陪在身边"}})
	wantStatus(t, w, http.StatusBadRequest)
	doc := mustDoc(t, w)
	if !strings.Contains(doc.Find(".flash.err, .error, [role=alert]").Text()+w.Body.String(), "已确认居民目前安全") ||
		doc.Find("#close-1 label.confirm.invalid").Length() != 1 {
		t.Error("the missing confirmation is not pointed out")
	}
	if v, _ := doc.Find("#crisis-close-1").Attr("value"); v != "家人已陪在身边" {
		t.Errorf("typed note lost: %q", v)
	}
	if ev, _ := f.st.GetCrisisEvent(ctx, 1); ev.HandledAt != nil {
		t.Fatal("a self-harm case closed without the confirmation")
	}
	wantStatus(t, c.post("/admin/crisis/1/handled", url.Values{"note": {"家人已陪在身边"}, "safe": {"1"}}), http.StatusSeeOther)
	if ev, _ := f.st.GetCrisisEvent(ctx, 1); ev.HandledBy != "王艾米" {
		t.Errorf("closed by %q", ev.HandledBy)
	}
	if got := page().Find(".notes li.note-closed").Text(); !strings.Contains(got, "家人已陪在身边") || !strings.Contains(got, "已确认居民目前安全") {
		t.Errorf("closing note = %q", got)
	}
}

// Closing needs a word of what was done when nothing is kept yet; the window
// counts from the resident's latest message, and after 48 hours the page says
// to phone and a reply is refused.
func TestCrisisReplyWindow(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	if err := f.st.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o7", Kind: "violence", Text: "他打我", CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	later := models.Message{OpenID: "o7", Kind: "text", Text: "还在吗", Route: models.RouteChat, CreatedAt: f.now.Add(23 * time.Hour)}
	if err := f.st.InsertMessages(ctx, []models.Message{later}); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("amy")
	if got := mustDoc(t, c.get("/admin/crisis")).Find("#episode-1 .window").Text(); got != "可回复至 11月27日 09:00" {
		t.Errorf("window from the latest message = %q", got)
	}
	wantStatus(t, c.post("/admin/crisis/1/handled", nil), http.StatusBadRequest)
	f.now = f.now.Add(72 * time.Hour)
	c = f.loggedIn("amy") // the session has ended meanwhile
	doc := mustDoc(t, c.get("/admin/crisis"))
	if got := doc.Find("#episode-1 .window").Text(); !strings.Contains(got, "已超过48小时") || !strings.Contains(got, "请电话联系") {
		t.Errorf("window after 48 hours = %q", got)
	}
	if doc.Find("#reply-1").Length() != 0 {
		t.Error("a reply is offered after the window closed")
	}
	wantStatus(t, c.post("/admin/crisis/1/reply", url.Values{"text": {"您好"}}), http.StatusBadRequest)
	var queued int64
	f.st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ?", "crisisreply:%").Count(&queued)
	if queued != 0 {
		t.Error("a reply was queued after the window closed")
	}
}
