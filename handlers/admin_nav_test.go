package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/outbox"
	"familybot/wishwall"
)

// Every page's nav counts the work waiting: 待办心愿, 未能回答, 发送失败 and 人工.
func TestNavCounts(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	f.mustWish(wishwall.NewWish{OpenID: "o-1", Text: "想问问家长课堂的时间", Category: models.WishCatHealth})
	f.mustWish(wishwall.NewWish{OpenID: "o-2", Text: "希望多办几次义诊活动", Category: models.WishCatHealth})
	f.mustWish(wishwall.NewWish{OpenID: "o-3", Text: "小区路灯坏了很久了", Category: models.WishCatLife})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.st.InsertMessages(ctx, []models.Message{
		{OpenID: "o-4", Kind: "text", Text: "医保卡怎么给新生儿办理", Route: models.RouteFallback, CreatedAt: f.now.Add(-time.Hour)},
		{OpenID: "o-5", Kind: "text", Text: "医保卡怎么给新生儿办理？", Route: models.RouteFallback, CreatedAt: f.now.Add(-time.Hour)},
		{OpenID: "o-5", Kind: "text", Text: "火星上能种土豆吗", Route: models.RouteFallback, CreatedAt: f.now.Add(-time.Hour)},
	}))
	must(f.st.Enqueue(ctx, outbox.ToResident("o-1", models.Notice{Kind: "x", Variant: "1"})))
	f.failOutbox("x:1", "43004")
	must(f.st.RecordHandoff(ctx, "o-4", models.HandoffAsked))
	must(f.st.RecordHandoff(ctx, "o-5", models.HandoffMisses))

	doc := mustDoc(t, f.loggedIn("amy").get("/admin/events"))
	for sel, want := range map[string]string{"#nav-wishes": "2", "#nav-unanswered": "2", "#nav-failed": "1", "#nav-handoffs": "2"} {
		if got := navCount(doc, sel); got != want {
			t.Errorf("%s = %q, want %s", sel, got, want)
		}
		if doc.Find(sel+" .sr-only").Length() != 1 {
			t.Errorf("%s has no words for a screen reader", sel)
		}
	}
	if got := navCount(mustDoc(t, f.loggedIn("boss").get("/admin")), "#nav-wishes"); got != "3" {
		t.Errorf("the admin's open wishes = %q, want 3", got)
	}
}

// The 人工 queue lists who asked for a person, masked, with their last words;
// 已联系 takes them off the list (audited) and keeps what was done.
func TestHandoffQueuePage(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	f.mustWish(wishwall.NewWish{OpenID: "o-a", Text: "想问问家长课堂的时间", Category: models.WishCatHealth, Contact: "王阿姨 13912345678"})
	if err := f.st.InsertMessages(ctx, []models.Message{
		{OpenID: "o-a", Kind: "text", Text: "我电话13912345678，怎么办生育登记", Route: models.RouteFallback, CreatedAt: f.now.Add(-2 * time.Minute)},
		{OpenID: "o-a", Kind: "text", Text: "人工", Route: models.RouteCommand, CreatedAt: f.now.Add(-time.Minute)},
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"o-a", "o-b"} {
		if err := f.st.RecordHandoff(ctx, id, models.HandoffAsked); err != nil {
			t.Fatal(err)
		}
	}
	c := f.loggedIn("bob")
	w := c.get("/admin/handoffs")
	wantStatus(t, w, http.StatusOK)
	doc := mustDoc(t, w)
	rows := doc.Find("#handoffs > li")
	if rows.Length() != 2 {
		t.Fatalf("%d requests listed, want 2", rows.Length())
	}
	body := w.Body.String()
	if strings.Contains(body, "13912345678") || strings.Contains(body, "o-a") {
		t.Error("the queue shows a full number or an openid")
	}
	first := rows.First()
	if got := first.Find(".phone").Text(); !strings.Contains(got, "139****5678") {
		t.Errorf("phone = %q", got)
	}
	if got := first.Find(".reply").Text(); !strings.Contains(got, "怎么办生育登记") {
		t.Errorf("recent words = %q", got)
	}
	if f.auditCount("handoff.view") != 1 {
		t.Error("viewing the queue is not audited")
	}
	action, _ := first.Find("form").Attr("action")
	r := c.post(action, url.Values{"note": {"已电话联系，约了周六来协会办理"}})
	wantStatus(t, r, http.StatusSeeOther)
	doc = mustDoc(t, c.get(r.Header().Get("Location")))
	if doc.Find("#handoffs > li").Length() != 1 || navCount(doc, "#nav-handoffs") != "1" {
		t.Error("the contacted resident is still waiting")
	}
	if got := doc.Find("#handoffs-done").Text(); !strings.Contains(got, "赵波") || !strings.Contains(got, "约了周六") {
		t.Errorf("done list = %q", got)
	}
	if f.auditCount("handoff.done") != 1 {
		t.Error("已联系 is not audited")
	}
	wantStatus(t, c.post(action, nil), http.StatusConflict)
	wantStatus(t, c.post("/admin/handoffs/999/done", nil), http.StatusNotFound)
	wantStatus(t, c.post(action[:len(action)-len("/done")]+"x/done", nil), http.StatusNotFound)
}

// Keyboard users: the first thing to Tab to is 跳到正文; after an action the
// page opens on its result, which takes the focus.
func TestSkipLinkAndFocusOnResult(t *testing.T) {
	f := fixtureSQLite(t)
	w := f.mustWish(wishwall.NewWish{Text: "想问问家长课堂什么时候开", Category: models.WishCatHealth})
	c := f.loggedIn("amy")
	doc := mustDoc(t, c.get("/admin"))
	first := doc.Find("body a[href], body button, body input:not([type=hidden]), body select, body textarea").First()
	if href, _ := first.Attr("href"); href != "#main" || !strings.Contains(first.Text(), "跳到正文") {
		t.Errorf("first Tab stop = %q (%s)", first.Text(), href)
	}
	if doc.Find("main#main").Length() != 1 {
		t.Error("the skip link leads nowhere")
	}
	r := c.post(fmt.Sprintf("/admin/wishes/%d/status", w.ID), url.Values{"to": {string(models.WishAccepted)}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header().Get("Location"); !strings.HasSuffix(loc, "#result") {
		t.Errorf("redirect %q does not lead to the result", loc)
	}
	flash := mustDoc(t, c.get(r.Header().Get("Location"))).Find("#result")
	if _, ok := flash.Attr("autofocus"); !ok || flash.AttrOr("tabindex", "") != "-1" || !strings.Contains(flash.Text(), "已受理") {
		t.Errorf("the result message does not take the focus: %q", flash.Text())
	}
}
