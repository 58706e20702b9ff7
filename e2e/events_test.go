package e2e

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"familybot/config"
	"familybot/handlers"
	"familybot/models"
	"familybot/outbox"
	"familybot/signup"
	"familybot/store/storetest"

	"github.com/chromedp/chromedp"
)

// TestStaffRunsAnEvent: an admin creates an event in the browser, publishes it;
// parents sign up; at the door the admin checks one in by code; the pages are
// photographed at a phone's size.
func TestStaffRunsAnEvent(t *testing.T) {
	st := storetest.SQLite(t)
	// The clock jumps to the morning of the event for the check-in at the door.
	var shift atomic.Int64
	now := func() time.Time { return time.Now().UTC().Add(time.Duration(shift.Load())) }
	cfg := config.Default()
	cfg.Admin.DevLoginToken = devToken
	n := &outbox.Notifier{Store: st, OnDuty: []string{"duty1"}, Templates: map[models.TemplateKind]string{}}
	svc := &signup.Service{Store: st, Notify: n, Now: now}
	ts := httptest.NewServer(withServices(&handlers.Server{Cfg: cfg, Signups: svc, Now: now, QR: pixelQR{now: now}}, st).Router())
	t.Cleanup(ts.Close)
	ctx := browser(t)
	shot := newShots(t)
	bg := context.Background()

	// Another event already running, so the list has more than one line.
	day := time.Now().In(models.Beijing).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 30, 0, 0, models.Beijing)
	end := start.Add(90 * time.Minute)
	other, err := svc.CreateEvent(bg, models.Event{Title: "老年健康讲座：预防跌倒", Category: models.EventElderly, StartAt: start,
		EndAt: &end, Place: "社区卫生服务中心二楼", Capacity: 40})
	must(t, err)
	_, err = svc.PublishEvent(bg, other.ID)
	must(t, err)

	// The admin creates a children's event through the form.
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/dev-login?token="+devToken+"&next=/admin/events/new"),
		chromedp.WaitVisible(chromedp.ID("event-form"))))
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("title"), "向日葵亲子小屋·绘本时光"),
		chromedp.SetValue(chromedp.ID("category"), models.EventParentChild),
		chromedp.SetValue(chromedp.ID("start"), day.Format("2006-01-02")+"T09:30"),
		chromedp.SetValue(chromedp.ID("end"), day.Format("2006-01-02")+"T11:00"),
		chromedp.SendKeys(chromedp.ID("place"), "协会二楼亲子小屋"),
		chromedp.SendKeys(chromedp.ID("capacity"), "2"),
		chromedp.SetValue(chromedp.ID("waitlist"), "3"),
		chromedp.SendKeys(chromedp.ID("bring"), "宝宝水杯、一件备用衣服"),
		chromedp.Click(chromedp.CSS(`input[name=for_child]`)),
		chromedp.SendKeys(chromedp.ID("age_min_years"), "1"),
		chromedp.SendKeys(chromedp.ID("age_max_years"), "3"),
	))
	shot.take(ctx, "20-event-form")
	must(t, clickAndLoad(ctx, "#save"))
	if got := text(t, ctx, "#state"); got != "草稿" {
		t.Fatalf("after saving: state %q", got)
	}
	must(t, clickAndLoad(ctx, "#publish"))
	if got := text(t, ctx, "#state"); got != "报名中" {
		t.Fatalf("after publishing: state %q", got)
	}
	id := other.ID + 1

	// Parents sign up (the chat's service); the third waits.
	var codes []string
	for _, p := range []struct{ name, phone, child string }{{"王芳", "13912345678", "豆豆"}, {"李雷", "13812345678", "小米"}, {"韩梅梅", "13700001111", ""}} {
		res, err := svc.Join(bg, signup.Request{EventID: id, OpenID: "o-" + p.phone, Name: p.name, Phone: p.phone,
			ChildName: p.child, ChildAgeMonths: 24, Consent: true})
		must(t, err)
		codes = append(codes, res.Signup.CheckinCode)
	}

	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/events"), chromedp.WaitVisible(chromedp.ID("upcoming"))))
	if list := text(t, ctx, "#upcoming"); !strings.Contains(list, "2/2") || !strings.Contains(list, "绘本时光") {
		t.Errorf("list = %q", list)
	}
	shot.take(ctx, "21-events")

	// Days before, the page says when check-in opens and offers none.
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/events/"+itoa(id)), chromedp.WaitVisible(chromedp.ID("checkin-window"))))
	if w := text(t, ctx, "#checkin-window"); !strings.Contains(w, "07:30 到 11:00") {
		t.Errorf("check-in window = %q", w)
	}
	shot.take(ctx, "22a-event-before-checkin")

	// At the door, an hour before the start: the code as a parent reads it out, in lower case.
	doors := time.Date(day.Year(), day.Month(), day.Day(), 8, 30, 0, 0, models.Beijing)
	shift.Store(int64(time.Until(doors)))
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/dev-login?token="+devToken+"&next=/admin/events/"+itoa(id)),
		chromedp.WaitVisible(chromedp.ID("code"))))
	page := text(t, ctx, "main")
	if !strings.Contains(page, "139****5678") || strings.Contains(page, "13912345678") {
		t.Errorf("phones not masked: %q", page)
	}
	shot.take(ctx, "22-event")
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("code"), strings.ToLower(codes[0]))))
	must(t, clickAndLoad(ctx, `#checkin button`))
	if got := text(t, ctx, ".flash.ok"); !strings.Contains(got, "签到成功") || !strings.Contains(got, "豆豆") {
		t.Errorf("after check-in: %q", got)
	}
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("code"), "ZZZZZZ")))
	must(t, clickAndLoad(ctx, `#checkin button`))
	if got := text(t, ctx, ".flash.err"); !strings.HasPrefix(got, "签到码不对") {
		t.Errorf("wrong code: %q", got)
	}
	shot.take(ctx, "23-event-checkin-error")
	// The check-in code for the door.
	must(t, clickAndLoad(ctx, "#make-qr"))
	if got := text(t, ctx, ".flash.ok"); !strings.Contains(got, "签到二维码已生成") {
		t.Errorf("after making the code: %q", got)
	}
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("qr-image"))))
	// The address reaches the page intact (html/template would blank an unsafe one);
	// WeChat's image host itself cannot be reached from this machine.
	src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("qr-image").getAttribute("src")`))
	must(t, err)
	if src != pixelQRImage {
		t.Errorf("image address on the page = %q", src)
	}
	shot.take(ctx, "22b-event-qr")
	if opts := text(t, ctx, "#purpose"); !strings.Contains(opts, "活动签到") {
		t.Errorf("export purposes = %q", opts)
	}

	// The place changes: everyone signed up is told, the waiting family too.
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/events/"+itoa(id)+"/edit"), chromedp.WaitVisible(chromedp.ID("published-warning"))))
	if w := text(t, ctx, "#published-warning"); !strings.Contains(w, "自动通知") {
		t.Errorf("edit warning = %q", w)
	}
	must(t, chromedp.Do(ctx, chromedp.Clear(chromedp.ID("place")), chromedp.SendKeys(chromedp.ID("place"), "协会一楼多功能厅")))
	must(t, clickAndLoad(ctx, "#save"))
	var moved int64
	st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ? AND text LIKE ?", "eventmoved:%", "%协会一楼多功能厅%").Count(&moved)
	if moved != 3 {
		t.Errorf("%d families told of the new place, want 3", moved)
	}

	// Staff cancel one sign-up at a parent's request: the form opens in the row.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#su-2 details summary`)), chromedp.WaitVisible(chromedp.ID("reason-2"))))
	shot.take(ctx, "25-signup-cancel")

	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/events/"+itoa(id)+"/cancel"), chromedp.WaitVisible(chromedp.ID("impact"))))
	shot.take(ctx, "24-event-cancel")
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("reason"), "因台风预警，为保障大家安全，本次活动取消。")))
	must(t, clickAndLoad(ctx, "#confirm-cancel"))
	if got := text(t, ctx, "#state"); got != "已取消" {
		t.Errorf("after cancelling: state %q", got)
	}
	var told int64
	st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ? AND text LIKE ?", "eventcancel:%", "%台风预警%").Count(&told)
	if told != 3 {
		t.Errorf("%d residents told of the cancellation, want 3", told)
	}
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

// pixelQR stands in for the official account's QR API (the real client is
// tested against a fake WeChat server in package wechat).
type pixelQR struct{ now func() time.Time }

const pixelQRImage = "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQE%2Be2e%3D%3D"

func (q pixelQR) CheckinQR(_ context.Context, _ string, valid time.Duration) (string, time.Time, error) {
	return pixelQRImage, q.now().Add(valid), nil
}
