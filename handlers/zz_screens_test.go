package handlers

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/wishwall"

	"github.com/chromedp/chromedp"
)

func TestZZScreens(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	f := fixtureSQLite(t)
	ctx := context.Background()
	f.mustWish(wishwall.NewWish{Text: "希望社区能多办几次0-3岁宝宝的育儿讲座，最好安排在周末，双职工家庭工作日来不了。", Category: models.WishCatHealth, Contact: "王阿姨 13912345678", Public: true})
	f.mustWish(wishwall.NewWish{Text: "小区门口的路灯坏了两个月，晚上老人出门很不方便。", Category: models.WishCatLife, Public: true})
	f.now = f.now.Add(4 * 24 * time.Hour)
	f.mustWish(wishwall.NewWish{Text: "<script>alert(1)</script>想了解独生子女父母奖励怎么申请，电话0851-12345678", Category: models.WishCatPolicy})
	w3, _ := f.wish.Accept(ctx, boss, 2)
	f.wish.Finish(ctx, boss, w3.ID, "已联系物业，路灯已于本周修好。谢谢您的提醒！")
	f.st.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o9", Kind: "suicide", Text: "最近压力很大，不想活了", CreatedAt: f.now})
	f.st.InsertMessages(ctx, []models.Message{{OpenID: "a", Kind: "text", Text: "宝宝发烧38度5怎么办", Route: models.RouteFAQ, EntryID: 1, CreatedAt: f.now},
		{OpenID: "b", Kind: "text", Text: "医保报销去哪里办", Route: models.RouteFallback, CreatedAt: f.now}})
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath("/usr/bin/chromium"), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844)}
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	shot := func(name string) {
		buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join("/tmp/shots", name+".png"), buf, 0o644)
	}
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/admin/dev-login?token="+devToken)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "/wishes", "/wishes/1", "/crisis", "/messages", "/outbox", "/staff", "/staff?edit=amy"} {
		if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/admin"+p)); err != nil {
			t.Fatal(err)
		}
		name := "admin" + strings.ReplaceAll(p, "/", "_")
		shot(name)
	}
	chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/wall"))
	shot("wall")
}
