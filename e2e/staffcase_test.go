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
	"familybot/store/storetest"
	"familybot/wishwall"

	"github.com/chromedp/chromedp"
)

// TestCrisisWallAndAnswersOnAPhone walks the three last staff findings at
// 390 px: a crisis case answered, noted and closed with the self-harm
// confirmation (which the browser itself asks for, with no script); a
// 回音壁 public version previewed and published; a wrong answer marked on 留言.
// Nothing to read is below 14px, nothing wider than the phone.
func TestCrisisWallAndAnswersOnAPhone(t *testing.T) {
	st := storetest.SQLite(t)
	now := func() time.Time { return time.Now().UTC() }
	cfg := config.Default()
	cfg.Admin.DevLoginToken = devToken
	n := &outbox.Notifier{Store: st, OnDuty: []string{"duty1"}, Templates: map[models.TemplateKind]string{}}
	wishes := &wishwall.Service{Store: st, Notify: n, Now: now}
	ts := httptest.NewServer(withServices(&handlers.Server{Cfg: cfg, Wishes: wishes, Now: now}, st).Router())
	t.Cleanup(ts.Close)
	bg := context.Background()
	boss := models.Staff{UserID: "boss", Name: "李会长", Role: models.RoleAdmin}

	must(t, st.RecordCrisis(bg, models.CrisisEvent{OpenID: "o-s", Kind: "suicide", Person: "self", Episode: "ep-1", Text: "活着没意思，不想活了", CreatedAt: now().Add(-time.Hour)}))
	w, err := wishes.Create(bg, wishwall.NewWish{OpenID: "o-a", Text: "希望社区多办几次育儿讲座", Category: models.WishCatHealth, Public: true}, 0)
	must(t, err)
	_, err = wishes.Accept(bg, boss, w.ID)
	must(t, err)
	_, err = wishes.Finish(bg, boss, w.ID, "张阿姨您好，每月第二个周六上午在社区活动室开讲座，有事打13912345678找我。")
	must(t, err)
	must(t, st.InsertMessages(bg, []models.Message{{OpenID: "o-b", Kind: "text", Text: "医保卡怎么给新生儿办理", Route: models.RouteFAQ,
		EntryID: 5, Score: 0.56, CreatedAt: now().Add(-time.Minute)}}))

	ctx := browser(t)
	shot := newShots(t)
	checkSmall := func(path string) {
		t.Helper()
		bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](smallText))
		must(t, err)
		if bad != "" {
			t.Errorf("%s at 390px: %s", path, bad)
		}
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/dev-login?token="+devToken+"&next=/admin/crisis"),
		chromedp.WaitVisible(chromedp.ID("crisis-text-1"))))
	shot.take(ctx, "50-crisis-open")
	checkSmall("/admin/crisis")
	if got := text(t, ctx, "#episode-1 .window"); !strings.HasPrefix(got, "可回复至 ") {
		t.Errorf("reply window = %q", got)
	}
	if got := text(t, ctx, "#episode-1 .actions button"); got != "回复居民" {
		t.Errorf("first action = %q, want 回复居民", got)
	}

	// A call, noted.
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("crisis-note-1"), "已电话联系，家人已赶到")))
	must(t, clickAndLoad(ctx, `#note-1 button[value=called]`))
	if got := text(t, ctx, "#episode-1 .notes"); !strings.Contains(got, "已电话联系") || !strings.Contains(got, "家人已赶到") {
		t.Errorf("history after the call = %q", got)
	}
	// Closing without ticking 已确认居民目前安全: the browser refuses to send it.
	valid, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('close-1').checkValidity()`))
	must(t, err)
	if valid {
		t.Error("the close form can be sent without confirming the resident is safe")
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#close-1 input[name=safe]`))))
	shot.take(ctx, "51-crisis-closing")
	must(t, clickAndLoad(ctx, `#close-1 button[type=submit]`))
	if got := text(t, ctx, "#episode-1 .notes"); !strings.Contains(got, "已确认居民目前安全") {
		t.Errorf("history after closing = %q", got)
	}
	shot.take(ctx, "52-crisis-closed")

	// The 回音壁 version: prompt, prefilled without the name and number, preview, save.
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/wishes/1"), chromedp.WaitVisible(chromedp.ID("public-missing"))))
	if got := text(t, ctx, "#public"); strings.Contains(got, "张阿姨") || strings.Contains(got, "139") {
		t.Errorf("prefilled public version = %q", got)
	}
	must(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("public"), "每月第二个周六上午在社区活动室开育儿讲座，欢迎参加。")))
	must(t, clickAndLoad(ctx, `#public-form button[value=preview]`))
	if got := text(t, ctx, "#public-preview .answer"); got != "每月第二个周六上午在社区活动室开育儿讲座，欢迎参加。" {
		t.Errorf("preview = %q", got)
	}
	shot.take(ctx, "53-wall-preview")
	checkSmall("/admin/wishes/1 (preview)")
	must(t, clickAndLoad(ctx, `#public-form button[value=save]`))
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/wall"), chromedp.WaitVisible(chromedp.CSS("article .answer"))))
	if got := text(t, ctx, "article .answer"); got != "每月第二个周六上午在社区活动室开育儿讲座，欢迎参加。" {
		t.Errorf("wall shows %q", got)
	}
	shot.take(ctx, "54-wall")

	// 留言: the entry that answered, and 答错了.
	must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/messages"), chromedp.WaitVisible(chromedp.CSS("#msg-1 .answered"))))
	checkSmall("/admin/messages")
	must(t, clickAndLoad(ctx, `#msg-1 form[action$=wrong] button`))
	if got := text(t, ctx, "#msg-1 .wrong"); !strings.Contains(got, "答错了") {
		t.Errorf("after 答错了: %q", got)
	}
	shot.take(ctx, "55-messages-wrong")
}
