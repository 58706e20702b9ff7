package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"familybot/models"
	"familybot/store/storetest"
)

// The staff test's "wrong answers are invisible": 医保卡怎么给新生儿办理 was
// answered with 新生儿脐带护理 (0.56) and counted as answered. 留言 now shows
// the entry and its first line; 答错了 (audited) puts the question on the
// unanswered list with the wrong entry, and the nav, the list and the
// dashboard count it the same way.
func TestWrongAnswers(t *testing.T) {
	f := kbFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	entry := f.entry("parenting-umbilical-bath")
	msgs := []models.Message{
		{OpenID: "a", Kind: "text", Text: "医保卡怎么给新生儿办理", Route: models.RouteFAQ, EntryID: entry.ID, Score: 0.56, CreatedAt: f.now},
		{OpenID: "b", Kind: "text", Text: "小区里有没有跳广场舞的", Route: models.RouteFallback, CreatedAt: f.now},
	}
	if err := f.st.InsertMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("amy")
	doc := mustDoc(t, c.get("/admin/messages"))
	row := doc.Find("#msg-1")
	link := row.Find(".answered a.entry")
	if href, _ := link.Attr("href"); link.Text() != entry.Title || href != "/admin/knowledge/"+strconv.FormatUint(uint64(entry.ID), 10) {
		t.Errorf("answering entry = %q → %q, want %q", link.Text(), href, entry.Title)
	}
	if got := row.Find(".score").Text(); !strings.Contains(got, "0.56") {
		t.Errorf("score = %q", got)
	}
	first := strings.TrimSpace(strings.SplitN(strings.TrimSpace(entry.Answer), "\n", 2)[0])
	if got := row.Find(".reply").Text(); got == "" || !strings.HasPrefix(first, strings.TrimSuffix(got, "…")) {
		t.Errorf("answer's first line = %q, want the start of %q", got, first)
	}
	if row.HasClass("unanswered") || doc.Find("#msg-2 form[action$=wrong]").Length() != 0 {
		t.Error("an answered message is flagged, or a fallback offers 答错了")
	}
	counts := func() (nav string, list int, dash string) {
		d := mustDoc(t, c.get("/admin"))
		nav, dash = d.Find("#nav-unanswered").Contents().First().Text(), d.Find("#stat-unanswered b").Text()
		list = mustDoc(t, c.get("/admin/knowledge/unanswered")).Find("section.q").Length()
		return
	}
	if nav, list, dash := counts(); nav != "1" || list != 1 || dash != "1" {
		t.Fatalf("before: nav %q, list %d, dashboard %q; want 1 each", nav, list, dash)
	}

	wantStatus(t, c.post("/admin/messages/2/wrong", nil), http.StatusBadRequest) // a fallback has no entry to blame
	wantStatus(t, c.post("/admin/messages/99/wrong", nil), http.StatusNotFound)
	w := c.post("/admin/messages/1/wrong", nil)
	wantStatus(t, w, http.StatusSeeOther)
	wantStatus(t, c.post("/admin/messages/1/wrong", nil), http.StatusSeeOther) // a second tap changes nothing
	if f.auditCount("message.wrong") != 2 {
		t.Errorf("答错了 audited %d times", f.auditCount("message.wrong"))
	}
	doc = mustDoc(t, c.get(w.Header().Get("Location")))
	if !doc.Find("#msg-1").HasClass("unanswered") || doc.Find("#msg-1 form[action$=wrong]").Length() != 0 || doc.Find("#msg-1 .wrong").Length() != 1 {
		t.Error("留言 does not show the message as answered wrongly")
	}
	only := mustDoc(t, c.get("/admin/messages?unanswered=1"))
	if only.Find("#msg-1").Length() != 1 || only.Find("#msg-2").Length() != 1 {
		t.Error("the 未能回答 filter leaves out the wrong answer")
	}
	if nav, list, dash := counts(); nav != "2" || list != 2 || dash != "2" {
		t.Fatalf("after 答错了: nav %q, list %d, dashboard %q; want 2 each", nav, list, dash)
	}
	q := mustDoc(t, c.get("/admin/knowledge/unanswered")).Find("#q-1")
	if got := q.Find(".wrong a").Text(); got != entry.Title {
		t.Errorf("the unanswered list names %q as the wrong entry, want %q", got, entry.Title)
	}
	stat := mustDoc(t, c.get("/admin")).Find(`.stat[href="/admin/messages?unanswered=1"]`)
	if stat.Find("b").Text() != "100%" || !strings.Contains(stat.Text(), "答错了") {
		t.Errorf("weekly figure = %q", stat.Text())
	}

	// Dealt with on the list (ignored): off everywhere, until it is marked again.
	form := url.Values{"msg": {"1"}}
	wantStatus(t, c.post("/admin/knowledge/unanswered/ignore", form), http.StatusSeeOther)
	if nav, list, _ := counts(); nav != "1" || list != 1 {
		t.Errorf("after ignoring: nav %q, list %d", nav, list)
	}
}
