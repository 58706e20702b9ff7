package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"familybot/cards"
	"familybot/models"
)

// /wecom/callback reaches the card callback when it is configured, and is not
// there at all when it is not.
func TestWeComCallbackMount(t *testing.T) {
	cb := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("card:" + r.Method)) })
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		rec := httptest.NewRecorder()
		(&Server{WeComCallback: cb}).Router().ServeHTTP(rec, httptest.NewRequest(method, "/wecom/callback?x=1", nil))
		if rec.Code != http.StatusOK || rec.Body.String() != "card:"+method {
			t.Fatalf("%s: %d %q", method, rec.Code, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	(&Server{}).Router().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wecom/callback", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("unconfigured callback: %d", rec.Code)
	}
}

// Taps on cards are audited in the staff member's name; the log names them in Chinese.
func TestCardAuditActionsHaveChineseLabels(t *testing.T) {
	for _, a := range cards.AuditActions {
		if auditLabels[a] == "" {
			t.Errorf("audit action %q has no Chinese label in auditActions", a)
		}
	}
}

// A card that could not be sent is listed for staff as a WeCom card, with the
// colleagues it was for (UserIDs, not a resident's pseudonym) and its wish.
func TestFailedCardOnOutboxPage(t *testing.T) {
	f := fixtureSQLite(t)
	card := f.notif.ToStaff([]string{"duty1", "duty2"}, "/admin/wishes/7", models.Notice{Kind: models.NoticeWishNew, About: models.WishSubject(7),
		Title: "新心愿 #7（其他）"})
	if err := f.st.Enqueue(context.Background(), card...); err != nil {
		t.Fatal(err)
	}
	f.failOutbox("wish:new:7", "81013 user not found")
	doc := mustDoc(t, f.loggedIn("boss").get("/admin/outbox"))
	row := doc.Find("main li").First().Text()
	if !strings.Contains(row, "企业微信卡片") || !strings.Contains(row, "duty1|duty2") {
		t.Errorf("failed card row = %q", row)
	}
	if href, _ := doc.Find(`main a[href="/admin/wishes/7"]`).Attr("href"); href == "" {
		t.Errorf("the failed card does not link to its wish")
	}
}
