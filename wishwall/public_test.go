package wishwall_test

import (
	"strings"
	"testing"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
	"familybot/wishwall"
)

func TestPublicDraft(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"张阿姨您好，家长课堂每周六上午在社区二楼，张阿姨可以打13912345678报名。", "家长课堂每周六上午在社区二楼，您可以打（号码已隐去）报名。"},
		{"王先生：您好！补贴已经发放。", "补贴已经发放。"},
		{"您好，已为您登记。", "已为您登记。"},
		{"尊敬的李女士，你好。活动改到周日。", "活动改到周日。"},
		{"活动改到周日，谢谢您的建议。", "活动改到周日，谢谢您的建议。"},
	} {
		if got := wishwall.PublicDraft(tc.in); got != tc.want {
			t.Errorf("PublicDraft(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The 回音壁 shows the public version staff wrote, never the reply sent to
// the resident; a wish without one shows the reply with numbers and the
// greeting taken off.
func TestWallPublicVersion(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		svc := newService(t, s, c)
		w := mustCreate(t, svc, wishwall.NewWish{Text: "希望多办家长课堂", Category: models.WishCatHealth, Public: true})
		if _, err := svc.Accept(ctxb(), admin, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Finish(ctxb(), admin, w.ID, "张阿姨您好，下月起每周六办家长课堂，有事打13912345678找我。"); err != nil {
			t.Fatal(err)
		}
		wall, err := svc.Wall(ctxb(), 10)
		if err != nil || len(wall) != 1 {
			t.Fatalf("wall = %+v, %v", wall, err)
		}
		if got := wall[0].Reply; got != "下月起每周六办家长课堂，有事打（号码已隐去）找我。" {
			t.Errorf("wall reply without a public version = %q", got)
		}
		if _, err := svc.SetPublicReply(ctxb(), admin, w.ID, "  "); !models.IsCode(err, models.EINVALID) {
			t.Errorf("empty public version: %v", err)
		}
		if _, err := svc.SetPublicReply(ctxb(), admin, w.ID, "下月起每周六上午办家长课堂，欢迎报名，电话0571-88886666。"); err != nil {
			t.Fatal(err)
		}
		wall, _ = svc.Wall(ctxb(), 10)
		if got := wall[0].Reply; got != "下月起每周六上午办家长课堂，欢迎报名，电话（号码已隐去）。" {
			t.Errorf("wall reply = %q", got)
		}
		if strings.Contains(wall[0].Reply, "张阿姨") {
			t.Error("the resident's name is on the wall")
		}
		private := mustCreate(t, svc, wishwall.NewWish{Text: "不公开的心愿", Category: models.WishCatHealth})
		if _, err := svc.SetPublicReply(ctxb(), admin, private.ID, "公开版本"); !models.IsCode(err, models.EINVALID) {
			t.Errorf("a public version for a wish the resident kept private: %v", err)
		}
	})
}
