package e2e

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"familybot/config"
	"familybot/handlers"
	"familybot/models"
	"familybot/outbox"
	"familybot/signup"
	"familybot/store/storetest"
	"familybot/wishwall"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// smallText lists visible text set below 14px, and reports whether the page is
// wider than the phone.
const smallText = `(() => {
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.sr-only')) continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    const r = el.getBoundingClientRect();
    if (!own || r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (parseFloat(getComputedStyle(el).fontSize) < 14) bad.push(el.tagName + '.' + el.className + ' ' + el.textContent.trim().slice(0, 16));
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) bad.push('page wider than the phone: ' + document.documentElement.scrollWidth);
  return bad.join(' | ');
})()`

// TestStaffFindingsOnAPhone walks the pages the staff test's findings changed
// at 390 px: nothing to read below 14px, nothing wider than the phone; the
// skip link is the first Tab stop with a visible focus ring; after an action
// the focus is on its result; a form's wrong field is highlighted.
func TestStaffFindingsOnAPhone(t *testing.T) {
	st := storetest.SQLite(t)
	now := func() time.Time { return time.Now().UTC() }
	cfg := config.Default()
	cfg.Admin.DevLoginToken = devToken
	n := &outbox.Notifier{Store: st, OnDuty: []string{"duty1"}, Templates: map[models.TemplateKind]string{}}
	wishes := &wishwall.Service{Store: st, Notify: n, Now: now}
	events := &signup.Service{Store: st, Notify: n, Now: now}
	ts := httptest.NewServer(withServices(&handlers.Server{Cfg: cfg, Wishes: wishes, Signups: events, Now: now,
		QR: pixelQR{now: now}}, st).Router())
	t.Cleanup(ts.Close)
	bg := context.Background()
	boss := models.Staff{UserID: "boss", Name: "李会长", Role: models.RoleAdmin}

	// A low-rated wish whose answer did not reach the resident, a wish filed as 其他,
	// a resident asking for a person, an event ahead and one called off.
	w1, err := wishes.Create(bg, wishwall.NewWish{OpenID: "o-a", Text: "希望社区多办几次育儿讲座，最好在周末", Category: models.WishCatHealth,
		Contact: "王阿姨 13912345678"}, 0)
	must(t, err)
	_, err = wishes.Accept(bg, boss, w1.ID)
	must(t, err)
	_, err = wishes.Finish(bg, boss, w1.ID, "每月第二个周六上午在社区活动室开讲座。")
	must(t, err)
	_, err = wishes.Rate(bg, "o-a", w1.ID, 2)
	must(t, err)
	st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ?", "wishreply:%").
		Updates(map[string]any{"status": models.OutboxFailed, "attempts": 1, "last_error": "send message failed: errcode=43004 errmsg=require subscribe"})
	_, err = wishes.Create(bg, wishwall.NewWish{OpenID: "o-b", Text: "医保卡怎么给新生儿办理，要带什么材料", Category: models.WishCatOther}, 0)
	must(t, err)
	must(t, st.RecordHandoff(bg, "o-a", models.HandoffAsked))
	day := time.Now().In(models.Beijing).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 30, 0, 0, models.Beijing)
	end := start.Add(90 * time.Minute)
	var evIDs []string
	for _, title := range []string{"向日葵亲子小屋·绘本时光", "老年健康讲座：预防跌倒"} {
		ev, err := events.CreateEvent(bg, models.Event{Title: title, Category: models.EventParentClass, StartAt: start, EndAt: &end,
			Place: "协会二楼", Capacity: 10})
		must(t, err)
		_, err = events.PublishEvent(bg, ev.ID)
		must(t, err)
		_, err = events.Join(bg, signup.Request{EventID: ev.ID, OpenID: "o-c", Name: "李雷", Phone: "13812345678"})
		must(t, err)
		evIDs = append(evIDs, itoa(ev.ID))
	}
	_, err = events.CancelEvent(bg, 2, "讲课的医生临时出诊，改期另行通知。")
	must(t, err)

	ctx := browser(t)
	shot := newShots(t)
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/dev-login?token="+devToken+"&next=/admin/wishes/2"),
		chromedp.WaitVisible(chromedp.ID("category"))))

	// The first Tab stop is 跳到正文, and it shows with a ring.
	must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
	focus, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const a = document.activeElement, s = getComputedStyle(a);
		return a.textContent.trim() + '|' + (a.getBoundingClientRect().top >= 0) + '|' + s.outlineStyle + '|' + s.outlineWidth; })()`))
	must(t, err)
	if parts := strings.Split(focus, "|"); parts[0] != "跳到正文" || parts[1] != "true" || parts[2] == "none" || parts[3] == "0px" {
		t.Errorf("first Tab stop = %q, want a visible 跳到正文 with a focus ring", focus)
	}
	shot.take(ctx, "30-skip-link")

	// Correct the category: the page opens on the result, which has the focus.
	must(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("category"), models.WishCatPolicy)))
	must(t, clickAndLoad(ctx, "#category-submit"))
	active, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id + '|' + document.activeElement.textContent`))
	must(t, err)
	if !strings.HasPrefix(active, "result|类别已修改") {
		t.Errorf("after the action the focus is on %q, want the result", active)
	}
	shot.take(ctx, "31-wish-category")

	for _, p := range []struct{ path, name, ready string }{
		{"/admin", "32-dashboard", ".stats"},
		{"/admin/wishes?rated=low", "33-wishes-low", "ul.wishes"},
		{"/admin/wishes/1", "34-wish-low-rated", "#followup"},
		{"/admin/outbox", "35-outbox", "main .card"},
		{"/admin/handoffs", "36-handoffs", "#handoffs"},
		{"/admin/events/" + evIDs[0], "37-event-window", "#checkin-window"},
		{"/admin/events/" + evIDs[1], "38-event-cancelled", "#cancelled-note"},
		{"/admin/events/new", "39-event-form", "#event-form"},
	} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready))))
		shot.take(ctx, p.name)
		bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](smallText))
		must(t, err)
		if bad != "" {
			t.Errorf("%s at 390px: %s", p.path, bad)
		}
	}
	if got := text(t, ctx, "#nav-handoffs"); !strings.HasPrefix(got, "1") {
		t.Errorf("人工 badge = %q", got)
	}

	// A wrong number in the event form: that field is outlined and the message has the focus.
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("title"), "家长课堂"),
		chromedp.SetValue(chromedp.ID("start"), day.Format("2006-01-02")+"T09:30"),
		chromedp.SendKeys(chromedp.ID("capacity"), "0"),
		chromedp.Click(chromedp.CSS(`input[name=for_child]`)),
		chromedp.SendKeys(chromedp.ID("age_min_years"), "1"),
		chromedp.SendKeys(chromedp.ID("age_min_months"), "6"),
	))
	must(t, clickAndLoad(ctx, "#save"))
	// autofocus moves the focus once the page is parsed; a slow machine (CI
	// under -race) may get here first, so wait for it (bounded).
	for i := 0; i < 50; i++ {
		if id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); err == nil && id == "form-error" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id + '|' +
		document.getElementById('capacity').getAttribute('aria-invalid') + '|' + getComputedStyle(document.getElementById('capacity')).borderTopColor + '|' +
		document.getElementById('age_min_months').value`))
	must(t, err)
	if parts := strings.Split(state, "|"); parts[0] != "form-error" || parts[1] != "true" || parts[2] != "rgb(198, 40, 40)" || parts[3] != "6" {
		t.Errorf("after a wrong capacity: %q", state)
	}
	shot.take(ctx, "40-event-form-error")
}
