package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"familybot/models"
	"familybot/store/storetest"
	"familybot/wishwall"
)

// The event form marks required fields (attribute and a visible ＊), outlines
// exactly the fields a submission got wrong, and takes children's ages as 岁 and 月.
func TestEventFormMarksRequiredAndWrongFields(t *testing.T) {
	f, _ := evFixture(t)
	c := f.loggedIn("boss")
	doc := mustDoc(t, c.get("/admin/events/new"))
	for _, id := range []string{"title", "start", "capacity"} {
		if doc.Find("#"+id+"[required]").Length() != 1 || !strings.Contains(doc.Find(`label[for=`+id+`]`).Text(), "＊") {
			t.Errorf("%s is not marked required", id)
		}
	}
	if doc.Find(`[aria-invalid]`).Length() != 0 {
		t.Error("a fresh form shows fields in error")
	}

	w := c.post("/admin/events", url.Values{"title": {"家长课堂"}, "category": {models.EventParentChild}, "start": {"2026-11-28T09:30"},
		"place": {"协会"}, "capacity": {"0"}, "for_child": {"1"}, "age_min_years": {"3"}, "age_max_years": {"1"}, "age_max_months": {"6"}})
	wantStatus(t, w, http.StatusBadRequest)
	doc = mustDoc(t, w)
	for _, id := range []string{"capacity", "age_max_years", "age_max_months"} {
		if doc.Find(`#`+id+`[aria-invalid=true].invalid`).Length() != 1 {
			t.Errorf("%s is not highlighted: %s", id, doc.Find(".flash.err").Text())
		}
	}
	for _, id := range []string{"title", "start", "place"} {
		if doc.Find(`#`+id+`[aria-invalid]`).Length() != 0 {
			t.Errorf("%s is highlighted though it was right", id)
		}
	}
	if doc.Find("#form-error").Length() != 1 {
		t.Error("the highlighted fields point at no message")
	}

	w = c.post("/admin/events", url.Values{"title": {"绘本时光"}, "category": {models.EventParentChild}, "start": {"2026-11-28T09:30"},
		"capacity": {"10"}, "for_child": {"1"}, "age_min_years": {"1"}, "age_min_months": {"6"}, "age_max_years": {"3"}})
	wantStatus(t, w, http.StatusSeeOther)
	if ev := f.evEvent(1); ev.ChildAgeMinMonths != 18 || ev.ChildAgeMaxMonths != 36 {
		t.Errorf("ages stored as %d–%d months, want 18–36", ev.ChildAgeMinMonths, ev.ChildAgeMaxMonths)
	}
	doc = mustDoc(t, c.get("/admin/events/1/edit"))
	got := fmt.Sprint(doc.Find("#age_min_years").AttrOr("value", ""), "/", doc.Find("#age_min_months").AttrOr("value", ""), " ",
		doc.Find("#age_max_years").AttrOr("value", ""), "/", doc.Find("#age_max_months").AttrOr("value", ""))
	if got != "1/6 3/0" {
		t.Errorf("the edit form shows ages %q, want 1/6 3/0", got)
	}
}

// A fold-out form (不予受理, 重新办理) that fails validation comes back open,
// with its field highlighted.
func TestFoldOutFormStaysOpenOnError(t *testing.T) {
	f := fixtureSQLite(t)
	w := f.mustWish(wishwall.NewWish{Text: "想问问家长课堂什么时候开", Category: models.WishCatHealth})
	c := f.loggedIn("amy")
	r := c.post(fmt.Sprintf("/admin/wishes/%d/status", w.ID), url.Values{"to": {string(models.WishRejected)}, "reason": {"  "}})
	wantStatus(t, r, http.StatusBadRequest)
	doc := mustDoc(t, r)
	if _, open := doc.Find("details#reject").Attr("open"); !open {
		t.Error("the 不予受理 fold-out closed after the error")
	}
	if doc.Find(`#reason[aria-invalid=true].invalid`).Length() != 1 {
		t.Error("the reason field is not highlighted")
	}
	if doc.Find(`#reply-text[aria-invalid]`).Length() != 0 {
		t.Error("the reply field is highlighted for the rejection's mistake")
	}
	if doc.Find("#reason[required]").Length() != 1 || !strings.Contains(doc.Find("label[for=reason]").Text(), "＊") {
		t.Error("the reason is not marked required")
	}
}

// formMarks checks a form page after a bad submission: the required fields
// carry the attribute and a ＊ in their label, the wrong fields and only they
// are highlighted.
func formMarks(t *testing.T, w *httptest.ResponseRecorder, required, wrong, right []string) *goquery.Document {
	t.Helper()
	wantStatus(t, w, http.StatusBadRequest)
	doc := mustDoc(t, w)
	for _, id := range required {
		if doc.Find("#"+id+"[required]").Length() != 1 || !strings.Contains(doc.Find("label[for="+id+"]").Text(), "＊") {
			t.Errorf("%s is not marked required", id)
		}
	}
	for _, id := range wrong {
		if doc.Find("#"+id+"[aria-invalid=true].invalid").Length() != 1 {
			t.Errorf("%s is not highlighted: %s", id, doc.Find(".flash.err").Text())
		}
	}
	for _, id := range right {
		if doc.Find("#"+id+"[aria-invalid]").Length() != 0 {
			t.Errorf("%s is highlighted though it was right", id)
		}
	}
	if doc.Find("#form-error").Length() != 1 {
		t.Error("the highlighted fields point at no message")
	}
	return doc
}

// The knowledge entry form marks its required fields and outlines the ones
// the problems list is about, keeping what was typed.
func TestKnowledgeEntryFormMarksRequiredAndWrongFields(t *testing.T) {
	f := kbFixture(t, storetest.SQLite(t))
	c := f.loggedIn("boss")
	if mustDoc(t, c.get("/admin/knowledge/new")).Find("[aria-invalid]").Length() != 0 {
		t.Error("a fresh form shows fields in error")
	}
	w := c.post("/admin/knowledge", url.Values{"category": {"parenting"}, "title": {" "}, "questions": {"宝宝发烧怎么办\n宝宝发热"},
		"answer": {"先量体温"}, "source": {""}, "expires_at": {"明年"}})
	doc := formMarks(t, w, []string{"title", "category", "questions", "answer", "source"},
		[]string{"title", "questions", "source", "expires-at"}, []string{"category", "answer", "keywords", "effective-from"})
	if got := doc.Find("#questions").Text(); got != "宝宝发烧怎么办\n宝宝发热" {
		t.Errorf("typed questions lost: %q", got)
	}
}

// The keyword-rule form marks its required fields and outlines the wrong ones.
func TestKeywordRuleFormMarksRequiredAndWrongFields(t *testing.T) {
	f := kbFixture(t, storetest.SQLite(t))
	c := f.loggedIn("boss")
	w := c.post("/admin/knowledge/rules", url.Values{"name": {""}, "kind": {"keyword"}, "keywords": {""}, "match": {"contain"},
		"priority": {"很高"}, "reply": {"热线：{{phone}}"}})
	doc := formMarks(t, w, []string{"name", "kind", "match", "reply"}, []string{"name", "keywords", "priority"}, []string{"kind", "match", "reply"})
	if got := doc.Find("#reply").Text(); got != "热线：{{phone}}" {
		t.Errorf("typed reply lost: %q", got)
	}
}

// The staff form outlines a bad UserID and keeps it for correcting.
func TestStaffFormMarksWrongField(t *testing.T) {
	f := fixtureSQLite(t)
	c := f.loggedIn("boss")
	w := c.post("/admin/staff", url.Values{"user_id": {"chen ka"}, "name": {"陈卡罗"}, "role": {"staff"}})
	doc := formMarks(t, w, []string{"user_id"}, []string{"user_id"}, []string{"name", "role", "team"})
	if v := doc.Find("#user_id").AttrOr("value", ""); v != "chen ka" {
		t.Errorf("typed UserID lost: %q", v)
	}
}

// Cancelling an event without a proper reason outlines the reason and keeps it.
func TestEventCancelMarksReason(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "沟通之道家长课堂", evSaturday, 2, 2, false)
	c := f.loggedIn("boss")
	formMarks(t, c.post("/admin/events/1/cancel", url.Values{"reason": {"  "}}), []string{"reason"}, []string{"reason"}, nil)
	long := strings.Repeat("台风", 101)
	doc := formMarks(t, c.post("/admin/events/1/cancel", url.Values{"reason": {long}}), []string{"reason"}, []string{"reason"}, nil)
	if doc.Find("#reason").Text() != long || f.evEvent(1).Status == models.EventCancelled {
		t.Error("the typed reason was lost or the event cancelled")
	}
}
