package e2e

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"familybot/bot"
	"familybot/cache"
	"familybot/config"
	"familybot/crisis"
	"familybot/handlers"
	"familybot/kbadmin"
	"familybot/messages"
	"familybot/models"
	"familybot/outbox"
	"familybot/staff"
	"familybot/store"
	"familybot/store/storetest"
	"familybot/wishwall"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const devToken = "e2e-dev-login-token"

// app is the real router with the wish service and the chat engine on one store.
type app struct {
	st     *store.Store
	engine *bot.Engine
	url    string
	rec    *bot.BatchRecorder
}

func newApp(t *testing.T) *app {
	t.Helper()
	st := storetest.SQLite(t)
	now := func() time.Time { return time.Now().UTC() }
	cfg := config.Default()
	cfg.Admin.DevLoginToken = devToken
	cfg.Association.Name = "示范市计划生育协会"
	n := &outbox.Notifier{Store: st, OnDuty: []string{"duty1"}, Templates: map[models.TemplateKind]string{}}
	wishes := &wishwall.Service{Store: st, Notify: n, Now: now}
	rec := bot.NewBatchRecorder(st, nil)
	t.Cleanup(rec.Close)
	e := &bot.Engine{Store: st, Wishes: wishes, Alerts: n, Recorder: rec, Recent: cache.NewMemoryState(), Assoc: cfg.Association, Limits: cfg.Limits,
		TTL: 15 * time.Minute, Now: now}
	srv := withServices(&handlers.Server{Cfg: cfg, Engine: e, Wishes: wishes, Now: now}, st)
	ts := httptest.NewServer(srv.Router())
	t.Cleanup(ts.Close)
	e.PublicURL = ts.URL
	return &app{st: st, engine: e, url: ts.URL, rec: rec}
}

// withServices gives srv the real admin services over st, as the program does.
func withServices(srv *handlers.Server, st *store.Store) *handlers.Server {
	people, msgs := &staff.Service{Store: st, Now: srv.Now}, &messages.Service{Store: st, Now: srv.Now}
	srv.DB, srv.Sessions, srv.Audit, srv.Staff = st, people, people, people
	srv.Crisis = &crisis.Service{Store: st, Association: srv.Cfg.Association.Name, Now: srv.Now}
	srv.Messages, srv.Handoffs, srv.Outbox = msgs, msgs, &messages.Outbox{Store: st}
	srv.Knowledge, srv.Reports = &kbadmin.Service{Store: st, Now: srv.Now}, st
	return srv
}

// say sends the resident's messages through the engine and returns the last reply.
func (a *app) say(openID string, msgs ...string) string {
	var r bot.Reply
	for _, m := range msgs {
		r = a.engine.Handle(context.Background(), bot.Inbound{OpenID: openID, Kind: bot.KindText, Text: m})
	}
	return r.Text
}

// browser starts a fresh headless Chromium, or skips the test when there is none.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("FAMILYBOT_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("FAMILYBOT_REQUIRE_BROWSER") != "" { // CI: the browser test must run
			t.Fatalf("no Chromium at %s but FAMILYBOT_REQUIRE_BROWSER is set", path)
		}
		t.Skipf("no Chromium at %s (apt-get install chromium, or set FAMILYBOT_CHROMIUM): browser test skipped", path)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// A phone: 390×844 CSS pixels at 2×, as inside WeCom on a common handset.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// shots saves full-page PNGs to e2e/screenshots/ (FAMILYBOT_SCREENSHOTS=1) or a temporary directory.
type shots struct {
	t   *testing.T
	dir string
}

func newShots(t *testing.T) *shots {
	dir := t.TempDir()
	if os.Getenv("FAMILYBOT_SCREENSHOTS") == "1" {
		dir = "screenshots"
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &shots{t: t, dir: dir}
}

func (s *shots) take(ctx context.Context, name string) {
	s.t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(s.dir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("screenshot: %s", p)
}

// clickAndLoad clicks and waits for the page the click leads to.
func clickAndLoad(ctx context.Context, sel string) error {
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	return err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// TestStaffAnswersAWish: a resident makes a wish in the chat; staff log in with
// the development login, open it, accept it and reply; the reply shows on the
// public 回音壁 and in the resident's 我的心愿.
func TestStaffAnswersAWish(t *testing.T) {
	a := newApp(t)
	ctx := browser(t)
	shot := newShots(t)

	// The resident, in the chat.
	reply := a.say("o-resident", "许愿", "希望社区能多办几次0-3岁宝宝的育儿讲座，最好在周末。我电话13912345678", "2", "王阿姨 13912345678", "1")
	if !strings.Contains(reply, "#1") {
		t.Fatalf("wish not created: %q", reply)
	}
	a.say("o-other", "许愿 <script>alert(1)</script>小区路灯坏了，晚上出门不方便")
	must(t, a.st.RecordCrisis(context.Background(), models.CrisisEvent{OpenID: "o-x", Kind: "violence", Text: "他又打我了", CreatedAt: time.Now().UTC()}))
	must(t, a.st.Enqueue(context.Background(), outbox.ToResident("o-gone", models.Notice{Kind: models.NoticeWishReply, About: models.WishSubject(2),
		Variant: "1", Title: "您的心愿有新回复", Text: "工作人员回复了您的心愿 #2：已安排志愿者上门，电话 13800001111"})))
	must(t, a.st.DB.Model(&models.OutboxMessage{}).Where("dedup_key = ?", "wishreply:2:1").
		Updates(map[string]any{"status": models.OutboxFailed, "attempts": 8, "last_error": "43004 require subscribe: 居民已取消关注"}).Error)
	a.say("o-asker", "医保报销去哪里办")
	a.say("o-asker", "帮助")
	a.rec.Flush()

	// Staff: log in, the dashboard, the inbox.
	must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+"/admin/dev-login?token="+devToken), chromedp.WaitVisible(chromedp.CSS(".stats"))))
	shot.take(ctx, "01-dashboard")
	must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+"/admin/wishes"), chromedp.WaitVisible(chromedp.CSS("ul.wishes"))))
	inbox := text(t, ctx, "ul.wishes")
	if !strings.Contains(inbox, "139****5678") || strings.Contains(inbox, "13912345678") || !strings.Contains(inbox, "<script>") {
		t.Errorf("inbox not masked or not escaped: %q", inbox)
	}
	shot.take(ctx, "02-wishes")

	// Open wish #1, accept it, reply and close it.
	must(t, clickAndLoad(ctx, `a.item[href="/admin/wishes/1"]`))
	shot.take(ctx, "03-wish")
	must(t, clickAndLoad(ctx, `#act form[action$="/status"] button`))
	if got := text(t, ctx, "#status"); got != "已受理" {
		t.Fatalf("status after 受理 = %q", got)
	}
	const answer = "已和社区卫生服务中心商量好，从下个月起每月第二个周六上午9点在社区活动室开育儿讲座，欢迎参加。"
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("reply-text"), answer)))
	must(t, clickAndLoad(ctx, "#finish"))
	if got := text(t, ctx, "#status"); got != "已办结" {
		t.Fatalf("status after 办结 = %q", got)
	}
	if got := text(t, ctx, ".reply"); !strings.Contains(got, answer) {
		t.Fatalf("reply not shown: %q", got)
	}
	shot.take(ctx, "04-wish-done")

	// The public 回音壁 shows it, anonymously.
	must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+"/wall"), chromedp.WaitVisible(chromedp.CSS("article"))))
	wall := text(t, ctx, "main")
	if !strings.Contains(wall, answer) || !strings.Contains(wall, "号码已隐去") || strings.Contains(wall, "5678") || strings.Contains(wall, "王阿姨") || strings.Contains(wall, "13912345678") {
		t.Errorf("wall = %q", wall)
	}
	shot.take(ctx, "05-wall")

	// The resident sees the reply in 我的心愿.
	if mine := a.say("o-resident", "我的心愿 1"); !strings.Contains(mine, answer) || !strings.Contains(mine, "已办结") {
		t.Errorf("我的心愿 = %q", mine)
	}
	var keys []string
	a.st.DB.Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxPending).Order("id").Pluck("dedup_key", &keys)
	if strings.Join(keys, " ") != "wish:new:1 wish:new:2 wishstatus:1:accepted wishreply:1:1" {
		t.Errorf("outbox = %v", keys)
	}

	// The resident says the answer does not fit: staff take the wish up again, with a reason.
	must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+"/admin/wishes/1"),
		chromedp.Click(chromedp.CSS("#reopen summary")), chromedp.WaitVisible(chromedp.ID("reopen-reason")),
		chromedp.SendKeys(chromedp.ID("reopen-reason"), "居民说周六上午要上班，改约周日下午场。")))
	shot.take(ctx, "04b-wish-reopen")
	must(t, clickAndLoad(ctx, "#reopen-submit"))
	shot.take(ctx, "04c-after-reopen")
	if got := text(t, ctx, "#status"); got != "办理中" {
		t.Fatalf("status after 重新办理 = %q", got)
	}
	if got := text(t, ctx, ".flash.ok"); !strings.Contains(got, "重新办理") {
		t.Errorf("flash after reopening = %q", got)
	}

	// A crisis message: staff write to the resident from the crisis page.
	must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+"/admin/crisis"),
		chromedp.WaitVisible(chromedp.ID("crisis-text-1")),
		chromedp.SendKeys(chromedp.ID("crisis-text-1"), "您好，我是协会的小王，看到您的留言很担心您。方便的话回复一个电话，我们马上联系您。")))
	shot.take(ctx, "06-crisis")
	must(t, clickAndLoad(ctx, `#reply-1 button[type=submit]`))
	if got := text(t, ctx, ".flash.ok"); !strings.Contains(got, "已排队发给居民") {
		t.Errorf("flash after the crisis reply = %q", got)
	}
	var crisisReplies int64
	a.st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ? AND `to` = ? AND text LIKE ?", "crisisreply:1:%", "o-x", "%120%").Count(&crisisReplies)
	if crisisReplies != 1 {
		t.Errorf("%d crisis replies queued for the resident, want 1", crisisReplies)
	}
	shot.take(ctx, "06b-crisis-replied")

	// The other pages staff use every day.
	for _, p := range []struct{ path, name, ready string }{
		{"/admin/messages", "07-messages", "main .card"},
		{"/admin/outbox", "08-outbox", "main .card"}, {"/admin/staff", "09-staff", "#edit"},
	} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready))))
		shot.take(ctx, p.name)
	}

	// Logging out ends the session: the admin sends the browser back to the login.
	must(t, clickAndLoad(ctx, `form[action="/admin/logout"] button`))
	must(t, chromedp.Do(ctx, chromedp.Navigate(a.url+"/admin/wishes")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err)
	if !strings.Contains(loc, "/admin/login") {
		t.Errorf("after logout /admin/wishes ended at %s", loc)
	}
}
