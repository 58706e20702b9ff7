package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"familybot/signup"
)

// fakeQR stands in for the official account's QR API (wechat.Client, tested
// against a fake WeChat server in the wechat package).
type fakeQR struct {
	scenes []string
	valid  []time.Duration
	fail   bool
}

func (q *fakeQR) CheckinQR(_ context.Context, scene string, valid time.Duration) (string, time.Time, error) {
	q.scenes, q.valid = append(q.scenes, scene), append(q.valid, valid)
	if q.fail {
		return "", time.Time{}, errors.New("errcode=40164 invalid ip")
	}
	return "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=T%2B" + scene, time.Now().Add(valid), nil
}

func TestEventCheckinQR(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "沟通之道家长课堂", evSaturday, 5, 0, false)
	evMust(t, svc, "草稿活动", evSaturday, 5, 0, true)
	c := f.loggedIn("amy")

	// Without the official account configured: the page explains, the button is absent, a POST is refused.
	doc := mustDoc(t, c.get("/admin/events/1"))
	if doc.Find("#make-qr").Length() != 0 || !strings.Contains(doc.Find("#qr").Text(), "checkin_1") {
		t.Fatalf("unconfigured QR section: %q", doc.Find("#qr").Text())
	}
	wantStatus(t, c.post("/admin/events/1/qr", nil), http.StatusBadRequest)

	q := &fakeQR{}
	f.srv.QR = q
	f.h = f.srv.Router()
	if mustDoc(t, c.get("/admin/events/2")).Find("#make-qr").Length() != 0 {
		t.Error("a draft offers a check-in code")
	}
	wantStatus(t, c.post("/admin/events/2/qr", nil), http.StatusBadRequest)

	w := c.post("/admin/events/1/qr", nil)
	wantStatus(t, w, http.StatusSeeOther)
	if len(q.scenes) != 1 || q.scenes[0] != "checkin_1" {
		t.Fatalf("scenes asked = %v", q.scenes)
	}
	// Valid through the check-in window: until Saturday's end (11:00) + the late window + a day.
	if want := evSaturday.Add(90*time.Minute + signup.CheckinLate + 24*time.Hour).Sub(f.now); q.valid[0] != want {
		t.Errorf("asked validity %v, want %v", q.valid[0], want)
	}
	doc = mustDoc(t, c.get("/admin/events/1"))
	src, _ := doc.Find("#qr-image").Attr("src")
	if src != "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=T%2Bcheckin_1" || !strings.Contains(doc.Find("#make-qr").Text(), "重新生成") {
		t.Errorf("page after making the code: src %q, button %q", src, doc.Find("#make-qr").Text())
	}
	if csp := c.get("/admin/events/1").Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://mp.weixin.qq.com") {
		t.Errorf("the code's image is blocked: %q", csp)
	}
	if f.auditCount("event.qr") != 1 {
		t.Error("making the code was not audited")
	}
	if ev := f.evEvent(1); ev.CheckinQR == "" || ev.CheckinQRUntil == nil {
		t.Errorf("code not kept: %+v", ev)
	}

	// WeChat refuses: a clear sentence, not an error page, and the old code stays.
	q.fail = true
	w = c.post("/admin/events/1/qr", nil)
	wantStatus(t, w, http.StatusServiceUnavailable)
	if got := mustDoc(t, w).Find(".flash.err").Text(); !strings.Contains(got, "稍后再试") {
		t.Errorf("failure shown as %q", got)
	}
	if _, ok := mustDoc(t, w).Find("#qr-image").Attr("src"); !ok {
		t.Error("the working code disappeared after a failed retry")
	}
}
