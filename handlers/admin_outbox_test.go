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
	"familybot/wishwall"

	"github.com/PuerkitoBio/goquery"
)

// failOutbox marks the outbox rows whose key starts with prefix as failed with errText.
func (f *fixture) failOutbox(prefix, errText string) {
	f.t.Helper()
	res := f.st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ?", prefix+"%").
		Updates(map[string]any{"status": models.OutboxFailed, "last_error": errText, "attempts": 1})
	if res.Error != nil || res.RowsAffected == 0 {
		f.t.Fatalf("fail outbox %s: %v (%d rows)", prefix, res.Error, res.RowsAffected)
	}
}

// A reply's banner says the notice is queued, not that the resident will get
// it; the wish page then shows whether it went out or failed, and why.
func TestWishNoticeQueuedUntilDelivered(t *testing.T) {
	f := fixtureSQLite(t)
	w := f.mustWish(wishwall.NewWish{Text: "想问问家长课堂", Category: models.WishCatHealth, Contact: "13912345678"})
	c := f.loggedIn("amy")
	r := c.post(fmt.Sprintf("/admin/wishes/%d/reply", w.ID), url.Values{"text": {"下周六上午有一场"}, "action": {"reply"}})
	wantStatus(t, r, http.StatusSeeOther)
	doc := mustDoc(t, c.get(r.Header().Get("Location")))
	flash := doc.Find(".flash.ok").Text()
	if !strings.Contains(flash, "已排队发送") || strings.Contains(flash, "会收到") {
		t.Errorf("flash = %q, want it to say the notice is queued", flash)
	}
	if got := doc.Find("#notices li").Text(); !strings.Contains(got, "排队发送中") {
		t.Errorf("notices = %q, want 排队发送中", got)
	}

	f.st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ?", fmt.Sprintf("wishreply:%d:%%", w.ID)).
		Updates(map[string]any{"status": models.OutboxSent, "sent_at": f.now.Add(time.Minute)})
	if got := mustDoc(t, c.get(fmt.Sprintf("/admin/wishes/%d", w.ID))).Find("#notices li").Text(); !strings.Contains(got, "已发出") {
		t.Errorf("after delivery notices = %q, want 已发出", got)
	}
	f.failOutbox(fmt.Sprintf("wishreply:%d:", w.ID), "send message failed: errcode=43004 errmsg=require subscribe")
	got := mustDoc(t, c.get(fmt.Sprintf("/admin/wishes/%d", w.ID))).Find("#notices li").Text()
	if !strings.Contains(got, "没送到") || !strings.Contains(got, "居民已取消关注公众号") {
		t.Errorf("after failure notices = %q", got)
	}
}

// Failures show on every page's nav; each row says why in plain Chinese (the
// technical text kept for technical staff), links to its wish or sign-up and
// shows the masked number, revealed in full only by an audited POST.
func TestOutboxFailuresVisible(t *testing.T) {
	f, svc := evFixture(t)
	ctx := context.Background()
	w := f.mustWish(wishwall.NewWish{Text: "想问问家长课堂", Category: models.WishCatHealth, Contact: "张阿姨 13912345678"})
	if _, err := f.wish.Accept(ctx, boss, w.ID); err != nil {
		t.Fatal(err)
	}
	ev := evMust(t, svc, "亲子阅读", evSaturday, 1, 2, false)
	first := evJoin(t, svc, ev.ID, "o-a", "李四", "13800001111")
	su := evJoin(t, svc, ev.ID, "o-b", "王五", "13722223333")
	if _, err := svc.CancelByStaff(ctx, first.ID, "家长来电"); err != nil {
		t.Fatal(err)
	}
	f.failOutbox(fmt.Sprintf("wishstatus:%d:", w.ID), "send message failed: errcode=43004 errmsg=require subscribe")
	f.failOutbox(fmt.Sprintf("promote:signup:%d", su.ID), "gave up after 8 attempts: Post \"https://api.weixin.qq.com\": context deadline exceeded")

	c := f.loggedIn("boss")
	resp := c.get("/admin/outbox")
	doc := mustDoc(t, resp)
	if got := navCount(doc, "#nav-failed"); got != "2" {
		t.Errorf("nav badge on 发送失败 = %q, want 2", got)
	}
	if got := navCount(mustDoc(t, c.get("/admin/wishes")), "#nav-failed"); got != "2" {
		t.Errorf("nav badge on another page = %q, want 2", got)
	}
	rows := doc.Find("main ul.list > li")
	if rows.Length() != 2 {
		t.Fatalf("%d failure rows, want 2", rows.Length())
	}
	body := resp.Body.String()
	if strings.Contains(body, "13912345678") || strings.Contains(body, "13722223333") {
		t.Error("a full phone number is on the page before the reveal")
	}
	want := map[string]struct{ link, phone, problem string }{
		"wish":   {fmt.Sprintf("/admin/wishes/%d", w.ID), "139****5678", "居民已取消关注公众号"},
		"signup": {fmt.Sprintf("/admin/events/%d#su-%d", ev.ID, su.ID), "137****3333", "微信暂时不可用"},
	}
	seen := map[string]bool{}
	for i := range rows.Nodes {
		li := rows.Eq(i)
		href, _ := li.Find("a.subject").Attr("href")
		for kind, wnt := range want {
			if href != wnt.link {
				continue
			}
			seen[kind] = true
			if got := li.Find(".phone").Text(); !strings.Contains(got, wnt.phone) {
				t.Errorf("%s row phone = %q, want %q", kind, got, wnt.phone)
			}
			if got := li.Find(".problem").Text(); !strings.Contains(got, wnt.problem) {
				t.Errorf("%s row problem = %q, want %q", kind, got, wnt.problem)
			}
			if title, _ := li.Find(".tech").Attr("title"); title == "" || hasHan(title) {
				t.Errorf("%s row keeps no technical text: %q", kind, title)
			}
			if li.Find("button.reveal").Length() != 1 {
				t.Errorf("%s row has no reveal button", kind)
			}
		}
	}
	if len(seen) != 2 {
		t.Errorf("rows link to %v, want a wish and a sign-up", seen)
	}

	var failed models.OutboxMessage
	f.st.DB.Where("dedup_key LIKE ?", fmt.Sprintf("promote:signup:%d", su.ID)).Take(&failed)
	r := c.post(fmt.Sprintf("/admin/outbox/%d/reveal", failed.ID), nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body.String(), "13722223333") || strings.Contains(r.Body.String(), "13912345678") {
		t.Error("the reveal does not show exactly the one row's number")
	}
	if n := f.auditCount("outbox.reveal"); n != 1 {
		t.Errorf("reveals audited %d times, want 1", n)
	}
	wantStatus(t, c.post("/admin/outbox/99999/reveal", nil), http.StatusNotFound)
}

func TestDeliveryProblem(t *testing.T) {
	for in, want := range map[string]string{
		"send message failed: errcode=43004 errmsg=require subscribe":                 "居民已取消关注公众号",
		"outside the 48-hour customer-service window: errcode=45015":                  "超过48小时",
		"template TPL has no fields configured (official_account.templates.*.fields)": "模板消息还没有配置内容字段",
		"gave up after 8 attempts: EOF":                                               "微信暂时不可用",
		"43004 require subscribe":                                                     "居民已取消关注公众号",
		"something new":                                                               "发送没有成功",
	} {
		if got := deliveryProblem(in); !strings.Contains(got, want) {
			t.Errorf("deliveryProblem(%q) = %q, want %q", in, got, want)
		}
	}
}

// navCount is the number a nav badge shows (its first text, without the words for screen readers).
func navCount(doc *goquery.Document, sel string) string {
	n := doc.Find(sel).Nodes
	if len(n) == 0 || n[0].FirstChild == nil {
		return ""
	}
	return strings.TrimSpace(n[0].FirstChild.Data)
}
