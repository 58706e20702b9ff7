package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Days before the event the page states the check-in window and offers no
// check-in; a code typed anyway is refused with the window. From two hours
// before the start the form is there and the code is accepted.
func TestCheckinOnlyInsideWindow(t *testing.T) {
	f, svc := evFixture(t)
	ev := evMust(t, svc, "沟通之道家长课堂", evSaturday, 5, 0, false)
	a := evJoin(t, svc, ev.ID, "o-a", "王芳", "13912345678")
	c := f.loggedIn("amy")

	doc := mustDoc(t, c.get("/admin/events/1"))
	if got := doc.Find("#checkin-window").Text(); !strings.Contains(got, "11月28日 07:30 到 11:00") {
		t.Errorf("window = %q", got)
	}
	if doc.Find(`input[name=code]`).Length() != 0 {
		t.Error("check-in offered four days before the event")
	}
	w := c.post("/admin/events/1/checkin", url.Values{"code": {a.CheckinCode}})
	wantStatus(t, w, http.StatusConflict)
	if got := mustDoc(t, w).Find(".flash.err").Text(); !strings.Contains(got, "现在不能签到") || !strings.Contains(got, "07:30") {
		t.Errorf("message = %q", got)
	}
	if f.evSignup(a.ID).CheckedInAt != nil {
		t.Fatal("checked in four days early")
	}

	f.now = evSaturday.Add(-2 * time.Hour)
	c = f.loggedIn("amy")
	if mustDoc(t, c.get("/admin/events/1")).Find(`#checkin input[name=code]`).Length() != 1 {
		t.Error("no check-in form inside the window")
	}
	wantStatus(t, c.post("/admin/events/1/checkin", url.Values{"code": {a.CheckinCode}}), http.StatusSeeOther)
}

// A cancelled event's page says why, lists who had signed up (as cancelled),
// and offers no check-in count, no check-in and no QR code.
func TestCancelledEventPage(t *testing.T) {
	f, svc := evFixture(t)
	ev := evMust(t, svc, "亲子阅读", evSaturday, 5, 0, false)
	a := evJoin(t, svc, ev.ID, "o-a", "王芳", "13912345678")
	evJoin(t, svc, ev.ID, "o-b", "李雷", "13812345678")
	f.now = evSaturday.Add(-time.Hour)
	if _, err := svc.CheckIn(context.Background(), ev.ID, a.CheckinCode); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("boss")
	wantStatus(t, c.post("/admin/events/1/cancel", url.Values{"reason": {"场地临时维修"}}), http.StatusSeeOther)
	doc := mustDoc(t, c.get("/admin/events/1"))
	if got := doc.Find("#cancel-reason").Text(); got != "场地临时维修" {
		t.Errorf("reason = %q", got)
	}
	main := doc.Find("main").Text()
	if strings.Contains(main, "还没有人报名") || strings.Contains(main, "已签到 1") || strings.Contains(doc.Find("#counts").Text(), "已签到") {
		t.Errorf("the cancelled page says nobody signed up or counts check-ins:\n%s", main)
	}
	if rows := doc.Find("#confirmed li"); rows.Length() != 2 || rows.Find(".badge.rejected").Length() != 2 {
		t.Errorf("the list of who had signed up: %d rows", rows.Length())
	}
	if doc.Find("#qr, #checkin, #make-qr").Length() != 0 {
		t.Error("a cancelled event offers check-in or a QR code")
	}
}
