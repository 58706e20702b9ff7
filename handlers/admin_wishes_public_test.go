package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"familybot/models"
	"familybot/wishwall"
)

// The staff test found the 回音壁 publishing the staff reply verbatim ("张阿姨
// 您好" under "这里不显示姓名和电话"). Staff now see a prompt, a version
// prefilled without the name and numbers, a preview as /wall shows it, and
// only the saved public version is published.
func TestWishPublicVersion(t *testing.T) {
	f := fixtureSQLite(t)
	w := f.mustWish(wishwall.NewWish{Text: "希望多办家长课堂", Category: models.WishCatHealth, Public: true})
	c := f.loggedIn("boss")
	wantStatus(t, c.post("/admin/wishes/1/status", url.Values{"to": {string(models.WishAccepted)}}), http.StatusSeeOther)
	reply := "张阿姨您好，下月起每周六办家长课堂，张阿姨有事打13912345678找我。"
	wantStatus(t, c.post("/admin/wishes/1/reply", url.Values{"action": {"finish"}, "text": {reply}}), http.StatusSeeOther)
	if f.wishNow(w.ID).Status != models.WishDone {
		t.Fatal("not finished")
	}
	wall := c.get("/wall").Body.String()
	if strings.Contains(wall, "张阿姨") || strings.Contains(wall, "139") || !strings.Contains(wall, "下月起每周六办家长课堂") {
		t.Errorf("the wall without a public version shows:\n%s", wall)
	}
	if mustDoc(t, c.get("/admin/wishes?status=all")).Find(".nopublic").Length() != 1 {
		t.Error("the wish list does not prompt for the public version")
	}
	doc := mustDoc(t, c.get("/admin/wishes/1"))
	if doc.Find("#public-missing").Length() != 1 {
		t.Error("no prompt to write the public version")
	}
	if got := doc.Find("#public").Text(); got != "下月起每周六办家长课堂，您有事打（号码已隐去）找我。" {
		t.Errorf("prefilled public version = %q", got)
	}

	// Preview: shown as on the wall, nothing saved.
	public := "下月起每周六上午办家长课堂，欢迎来社区二楼报名。"
	w2 := c.post("/admin/wishes/1/public", url.Values{"public": {public + "电话13912345678"}, "action": {"preview"}})
	wantStatus(t, w2, http.StatusOK)
	doc = mustDoc(t, w2)
	if got := doc.Find("#public-preview .answer").Text(); got != public+"电话（号码已隐去）" {
		t.Errorf("preview = %q", got)
	}
	if f.wishNow(1).PublicReply != "" || f.auditCount("wish.public") != 0 {
		t.Error("a preview saved the public version")
	}
	wantStatus(t, c.post("/admin/wishes/1/public", url.Values{"public": {"  "}, "action": {"save"}}), http.StatusBadRequest)
	wantStatus(t, c.post("/admin/wishes/1/public", url.Values{"public": {public}, "action": {"save"}}), http.StatusSeeOther)
	if f.auditCount("wish.public") != 1 {
		t.Error("saving the public version was not audited")
	}
	wallDoc := mustDoc(t, c.get("/wall"))
	if got := wallDoc.Find("article .answer").Text(); got != public {
		t.Errorf("wall answer = %q, want the public version", got)
	}
	if mustDoc(t, c.get("/admin/wishes/1")).Find("#public-missing").Length() != 0 || mustDoc(t, c.get("/admin/wishes?status=all")).Find(".nopublic").Length() != 0 {
		t.Error("the prompt stays after the public version was written")
	}
}
