package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"familybot/models"
	"familybot/wishwall"
)

// finishRated makes a health wish, finishes it and has the resident rate it.
func (f *fixture) finishRated(openID string, score int) models.Wish {
	f.t.Helper()
	ctx := context.Background()
	w := f.mustWish(wishwall.NewWish{OpenID: openID, Text: "想问问家长课堂什么时候开", Category: models.WishCatHealth})
	if _, err := f.wish.Accept(ctx, boss, w.ID); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.wish.Finish(ctx, boss, w.ID, "每月第一个周六上午"); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.wish.Rate(ctx, openID, w.ID, score); err != nil {
		f.t.Fatal(err)
	}
	return w
}

// A 3分 (or lower) rating stands out in the list and on the page, has its own
// filter and nav count, and goes off the count once a follow-up is recorded.
func TestLowRatingsFlagged(t *testing.T) {
	f := fixtureSQLite(t)
	low := f.finishRated("o-low", 3)
	good := f.finishRated("o-good", 5)
	c := f.loggedIn("amy")

	doc := mustDoc(t, c.get("/admin/wishes?status=all"))
	badge := func(id uint64) string {
		return doc.Find(fmt.Sprintf(`a[href="/admin/wishes/%d"] .badge.low`, id)).Text()
	}
	if got := badge(low.ID); !strings.Contains(got, "3分") || !strings.Contains(got, "待回访") {
		t.Errorf("low rating badge = %q", got)
	}
	if got := badge(good.ID); got != "" {
		t.Errorf("a 5分 wish is flagged: %q", got)
	}
	if got := doc.Find("#nav-lowrated").Text(); !strings.Contains(got, "1") {
		t.Errorf("nav low-rating count = %q, want 1", got)
	}
	if got := mustDoc(t, f.loggedIn("bob").get("/admin/wishes")).Find("#nav-lowrated").Length(); got != 0 {
		t.Error("bob's nav counts a wish outside his team")
	}

	doc = mustDoc(t, c.get("/admin/wishes?rated=low"))
	if n := doc.Find("ul.wishes > li").Length(); n != 1 || doc.Find(fmt.Sprintf(`a[href="/admin/wishes/%d"]`, low.ID)).Length() != 1 {
		t.Errorf("?rated=low lists %d wishes, want just #%d", n, low.ID)
	}

	path := fmt.Sprintf("/admin/wishes/%d", low.ID)
	doc = mustDoc(t, c.get(path))
	if doc.Find("#rating .badge.low").Length() != 1 || doc.Find("#followup form").Length() != 1 {
		t.Error("the wish page neither flags the rating nor offers 记录回访")
	}
	if doc.Find("#followup-note[required]").Length() != 1 {
		t.Error("the follow-up note is not marked required")
	}
	wantStatus(t, c.post(path+"/followup", url.Values{"note": {" "}}), http.StatusBadRequest)
	wantStatus(t, c.post(path+"/followup", url.Values{"note": {"已电话联系，改约周末"}}), http.StatusSeeOther)
	doc = mustDoc(t, c.get(path))
	if doc.Find("#followup form").Length() != 0 || !strings.Contains(doc.Find(".history").Text(), "回访居民：已电话联系") {
		t.Error("the follow-up is not recorded on the page")
	}
	if doc.Find("#nav-lowrated").Length() != 0 || f.auditCount("wish.followup") != 1 {
		t.Error("the nav still counts a followed-up wish, or the follow-up was not audited")
	}
	wantStatus(t, c.post(path+"/followup", url.Values{"note": {"再记一次"}}), http.StatusConflict)
	wantStatus(t, c.post(fmt.Sprintf("/admin/wishes/%d/followup", good.ID), url.Values{"note": {"x"}}), http.StatusBadRequest)
}

// Staff correct a wish's category on its page; the team follows when it was
// still the category's own team, not when someone handed the wish elsewhere.
func TestWishCategoryEditable(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	w := f.mustWish(wishwall.NewWish{Text: "医保卡怎么给新生儿办理", Category: models.WishCatOther})
	c := f.loggedIn("boss")
	path := fmt.Sprintf("/admin/wishes/%d", w.ID)
	doc := mustDoc(t, c.get(path))
	if doc.Find(`#category option[selected]`).AttrOr("value", "") != models.WishCatOther || doc.Find("#category option").Length() != len(models.WishCategories) {
		t.Fatal("the wish page offers no category choice with the current one selected")
	}
	r := c.post(path+"/category", url.Values{"category": {models.WishCatPolicy}})
	wantStatus(t, r, http.StatusSeeOther)
	if got := f.wishNow(w.ID); got.Category != models.WishCatPolicy || got.Team != models.WishCatPolicy {
		t.Errorf("after the change: category %s team %s, want policy/policy", got.Category, got.Team)
	}
	doc = mustDoc(t, c.get(r.Header().Get("Location")))
	if !strings.Contains(doc.Find(".history").Text(), "类别：其他 → 政策咨询") || f.auditCount("wish.category") != 1 {
		t.Error("the change is neither in the history nor audited")
	}

	// Handed to the life team by hand: the team stays.
	if _, err := f.wish.Assign(ctx, boss, w.ID, models.WishCatLife, ""); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.post(path+"/category", url.Values{"category": {models.WishCatHealth}}), http.StatusSeeOther)
	if got := f.wishNow(w.ID); got.Category != models.WishCatHealth || got.Team != models.WishCatLife {
		t.Errorf("category %s team %s, want health/life", got.Category, got.Team)
	}
	wantStatus(t, c.post(path+"/category", url.Values{"category": {"nonsense"}}), http.StatusBadRequest)

	// amy (health team) moves her team's wish to 政策咨询: it leaves her view.
	h := f.mustWish(wishwall.NewWish{OpenID: "o-2", Text: "想了解生育补贴政策", Category: models.WishCatHealth})
	r = f.loggedIn("amy").post(fmt.Sprintf("/admin/wishes/%d/category", h.ID), url.Values{"category": {models.WishCatPolicy}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header().Get("Location"); !strings.HasPrefix(loc, "/admin/wishes?") {
		t.Errorf("redirected to %q, which amy may no longer see", loc)
	}
}
