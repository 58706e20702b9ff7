package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/staff"
	"familybot/store"
	"familybot/store/storetest"
	"familybot/wishwall"
)

func TestAdminWithoutSession(t *testing.T) {
	f := fixtureSQLite(t)
	w0 := f.mustWish(wishwall.NewWish{Text: "不该被看到的心愿"})
	c := f.client()
	pages := []string{"/admin", "/admin/wishes", "/admin/wishes/1", "/admin/wishes.csv", "/admin/crisis", "/admin/messages",
		"/admin/outbox", "/admin/staff", "/admin/audit"}
	for _, p := range pages {
		w := c.get(p)
		wantStatus(t, w, http.StatusFound)
		if loc := w.Header().Get("Location"); loc != "/admin/login?next="+url.QueryEscape(p) {
			t.Errorf("GET %s redirects to %q", p, loc)
		}
		if strings.Contains(w.Body.String(), "不该被看到") {
			t.Errorf("GET %s leaks data", p)
		}
	}
	for _, p := range []string{"/admin/wishes/1/status", "/admin/wishes/1/reply", "/admin/logout", "/admin/staff"} {
		w := c.post(p, url.Values{"to": {"accepted"}, "text": {"x"}})
		wantStatus(t, w, http.StatusUnauthorized)
	}
	if got := f.wishNow(w0.ID); got.Status != models.WishPending {
		t.Errorf("a POST without a session changed the wish: %s", got.Status)
	}
}

func TestOAuthLogin(t *testing.T) {
	f := fixtureSQLite(t)
	c := f.client()
	w := c.get("/admin/login?next=/admin/wishes/7")
	wantStatus(t, w, http.StatusFound)
	u, err := url.Parse(w.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "open.weixin.qq.com" || u.Path != "/connect/oauth2/authorize" || u.Fragment != "wechat_redirect" ||
		q.Get("appid") != "ww123" || q.Get("agentid") != "1000002" || q.Get("scope") != "snsapi_base" ||
		q.Get("response_type") != "code" || q.Get("redirect_uri") != "https://bot.example.org/admin/oauth/callback" ||
		len(q.Get("state")) != 32 {
		t.Fatalf("authorize URL = %s", u)
	}
	pre := c.cookies[preLoginName]
	if pre == nil || !pre.HttpOnly || pre.MaxAge <= 0 || pre.MaxAge > 600 {
		t.Fatalf("pre-login cookie = %+v", pre)
	}
	state := q.Get("state")

	// Another browser (without the pre-login cookie) cannot use the state.
	other := f.client()
	wantStatus(t, other.get("/admin/oauth/callback?code=code-boss&state="+state), http.StatusForbidden)
	// That attempt used the state up: the real browser has to start again.
	wantStatus(t, c.get("/admin/oauth/callback?code=code-boss&state="+state), http.StatusForbidden)

	c = f.client()
	w = c.get("/admin/login?next=/admin/wishes/7")
	state = mustQuery(t, w.Header().Get("Location"), "state")
	saved := *c.cookies[preLoginName]
	w = c.get("/admin/oauth/callback?code=code-boss&state=" + state)
	wantStatus(t, w, http.StatusFound)
	if loc := w.Header().Get("Location"); loc != "/admin/wishes/7" {
		t.Errorf("after login: %q", loc)
	}
	sess := c.cookies["fb_session"]
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure || sess.Path != "/" {
		t.Fatalf("session cookie = %+v", sess)
	}
	if c.cookies[preLoginName] != nil {
		t.Errorf("the pre-login cookie was not cleared")
	}
	wantStatus(t, c.get("/admin"), http.StatusOK)

	// Replaying the same state (with the same pre-login cookie) is refused.
	replay := f.client()
	replay.cookies[preLoginName] = &saved
	wantStatus(t, replay.get("/admin/oauth/callback?code=code-boss&state="+state), http.StatusForbidden)

	// A code for a UserID that is not staff is refused and audited.
	stranger := f.client()
	w = stranger.get("/admin/login")
	w = stranger.get("/admin/oauth/callback?code=code-stranger&state=" + mustQuery(t, w.Header().Get("Location"), "state"))
	wantStatus(t, w, http.StatusForbidden)
	if stranger.cookies["fb_session"] != nil {
		t.Errorf("a stranger got a session")
	}
	var a models.AuditLog
	f.st.DB.Where("action = ? AND object = ?", "login.reject", "staff:stranger").Take(&a)
	if a.ID == 0 {
		t.Errorf("the refused login is not audited")
	}
	// A non-member (WeCom returns no UserID) is refused.
	nonMember := f.client()
	w = nonMember.get("/admin/login")
	wantStatus(t, nonMember.get("/admin/oauth/callback?code=code-&state="+mustQuery(t, w.Header().Get("Location"), "state")), http.StatusForbidden)
	// WeCom failing is a 502 with a retry link, not a login.
	failing := f.client()
	w = failing.get("/admin/login")
	wantStatus(t, failing.get("/admin/oauth/callback?code=code-fail&state="+mustQuery(t, w.Header().Get("Location"), "state")), http.StatusBadGateway)
	// Malformed input.
	wantStatus(t, f.client().get("/admin/oauth/callback?code=x&state=<script>"), http.StatusForbidden)
	// An open redirect through next is not possible.
	evil := f.client()
	w = evil.get("/admin/login?next=//evil.example.com/admin")
	w = evil.get("/admin/oauth/callback?code=code-boss&state=" + mustQuery(t, w.Header().Get("Location"), "state"))
	if loc := w.Header().Get("Location"); loc != "/admin" {
		t.Errorf("next=//evil… redirected to %q", loc)
	}
	if f.auditCount("login") != 2 {
		t.Errorf("logins audited: %d, want 2", f.auditCount("login"))
	}
}

func mustQuery(t *testing.T, rawURL, key string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}

func TestSessionCookieOverHTTPS(t *testing.T) {
	f := fixtureSQLite(t)
	c := f.client()
	c.https = true
	c.login("amy")
	ck := c.cookies["__Host-fb_session"]
	if ck == nil || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("HTTPS session cookie = %+v (all: %v)", ck, c.cookies)
	}
}

func TestSessionRotationLogoutAndExpiry(t *testing.T) {
	f := fixtureSQLite(t)
	c := f.loggedIn("amy")
	first := *c.cookies["fb_session"]
	c.login("amy") // logging in again gives a new session and ends the old one
	second := c.cookies["fb_session"]
	if second.Value == first.Value {
		t.Fatal("the session ID was not renewed at login")
	}
	old := f.client()
	old.cookies["fb_session"] = &first
	wantStatus(t, old.get("/admin"), http.StatusFound)

	// Logout needs the token, then invalidates the session server-side.
	stolen := *second
	wantStatus(t, c.post("/admin/logout", url.Values{"csrf": {"wrong"}}), http.StatusForbidden)
	wantStatus(t, c.post("/admin/logout", nil), http.StatusOK)
	if c.cookies["fb_session"] != nil {
		t.Error("logout did not clear the cookie")
	}
	replay := f.client()
	replay.cookies["fb_session"] = &stolen
	wantStatus(t, replay.get("/admin"), http.StatusFound)
	if f.auditCount("logout") != 1 {
		t.Error("logout not audited")
	}

	// Idle for longer than staff.SessionIdle: back to the login.
	c = f.loggedIn("amy")
	f.now = f.now.Add(staff.SessionIdle + time.Minute)
	wantStatus(t, c.get("/admin"), http.StatusFound)

	// Removing a staff member locks them out at once.
	c = f.loggedIn("bob")
	if err := f.st.DeleteStaff(t.Context(), "bob"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.get("/admin"), http.StatusFound)
}

func TestDevLogin(t *testing.T) {
	f := fixtureSQLite(t)
	wantStatus(t, f.client().get("/admin/dev-login?token=nope"), http.StatusForbidden)
	wantStatus(t, f.client().get("/admin/dev-login"), http.StatusForbidden)
	c := f.client()
	w := c.get("/admin/dev-login?token=" + devToken)
	wantStatus(t, w, http.StatusFound)
	c.refreshCSRF()
	wantStatus(t, c.get("/admin/staff"), http.StatusOK) // the development user is an admin
	// Both failures: one summary row (same client, same minute).
	var rejected models.AuditLog
	f.st.DB.Where("action = ?", "login.reject").Take(&rejected)
	if f.auditCount("login.dev") != 1 || f.auditCount("login.reject") != 1 || rejected.Times != 2 {
		t.Errorf("dev logins audited: ok %d, rejected %d rows %d times", f.auditCount("login.dev"), f.auditCount("login.reject"), rejected.Times)
	}

	// With the setting empty the route does not exist.
	s := storetest.SQLite(t)
	g := newFixture(t, s)
	g.srv.Cfg.Admin.DevLoginToken = ""
	g.h = g.srv.Router()
	wantStatus(t, g.client().get("/admin/dev-login?token="+devToken), http.StatusNotFound)
	wantStatus(t, g.client().get("/admin/dev-login?token="), http.StatusNotFound)
}

func TestLoginNotConfigured(t *testing.T) {
	f := fixtureSQLite(t)
	f.srv.OAuth = nil
	f.h = f.srv.Router()
	w := f.client().get("/admin/login")
	wantStatus(t, w, http.StatusServiceUnavailable)
	if !strings.Contains(w.Body.String(), "企业微信登录还没有配置") {
		t.Errorf("body: %s", w.Body)
	}
}

func TestAuthorization(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		health := f.mustWish(wishwall.NewWish{Text: "健康组的心愿内容", Category: models.WishCatHealth})
		life := f.mustWish(wishwall.NewWish{Text: "生活组的心愿内容", Category: models.WishCatLife})
		amyC := f.loggedIn("amy")

		// Wrong role: admin pages are 403 and audited.
		for _, p := range []string{"/admin/staff", "/admin/audit"} {
			wantStatus(t, amyC.get(p), http.StatusForbidden)
		}
		wantStatus(t, amyC.post("/admin/staff", url.Values{"user_id": {"mallory"}, "role": {"admin"}}), http.StatusForbidden)
		if _, err := f.st.GetStaff(t.Context(), "mallory"); err == nil {
			t.Error("a staff member added an admin")
		}

		// Another team's wish: 403 (view and every action), audited, nothing changes.
		before := f.auditCount("forbidden")
		wantStatus(t, amyC.get("/admin/wishes/2"), http.StatusForbidden)
		for _, a := range []struct{ path, k, v string }{
			{"/status", "to", "accepted"}, {"/reply", "text", "越权回复"}, {"/assign", "user", "amy"},
			{"/wall", "hidden", "1"}, {"/reveal", "", ""},
		} {
			wantStatus(t, amyC.post("/admin/wishes/2"+a.path, url.Values{a.k: {a.v}}), http.StatusForbidden)
		}
		if got := f.auditCount("forbidden") - before; got != 6 {
			t.Errorf("forbidden attempts audited: %d, want 6", got)
		}
		if w := f.wishNow(life.ID); w.Status != models.WishPending || w.ReplyCount != 0 || w.AssignedTo != "" || w.WallHidden {
			t.Errorf("another team's wish changed: %+v", w)
		}
		// The list shows only her team's wish.
		doc := mustDoc(t, amyC.get("/admin/wishes"))
		if n := doc.Find("ul.wishes > li").Length(); n != 1 || !strings.Contains(doc.Find("ul.wishes").Text(), "健康组") {
			t.Errorf("amy's inbox has %d rows: %s", n, doc.Find("ul.wishes").Text())
		}
		// Her own team's wish works; once assigned to her, the life wish too.
		wantStatus(t, amyC.get("/admin/wishes/1"), http.StatusOK)
		boss := f.loggedIn("boss")
		wantStatus(t, boss.post("/admin/wishes/2/assign", url.Values{"team": {models.WishCatLife}, "user": {"amy"}}), http.StatusSeeOther)
		wantStatus(t, amyC.get("/admin/wishes/2"), http.StatusOK)
		if w := f.wishNow(health.ID); w.Team != models.WishCatHealth {
			t.Errorf("health wish team = %q", w.Team)
		}
		// A missing wish is 404, a malformed id too.
		wantStatus(t, boss.get("/admin/wishes/999"), http.StatusNotFound)
		wantStatus(t, boss.get("/admin/wishes/abc"), http.StatusNotFound)
	})
}

func TestCSRF(t *testing.T) {
	f := fixtureSQLite(t)
	w0 := f.mustWish(wishwall.NewWish{Text: "需要保护的心愿", Category: models.WishCatHealth})
	amyC := f.loggedIn("amy")
	other := f.loggedIn("boss")
	cases := []struct {
		name  string
		token []string
		site  string
	}{
		{"missing", nil, ""},
		{"empty", []string{""}, ""},
		{"wrong", []string{"0123456789abcdef"}, ""},
		{"another session's", []string{other.csrf}, ""},
		{"cross-site with a valid token", []string{amyC.csrf}, "cross-site"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"to": {"accepted"}}
			if tc.token != nil {
				form["csrf"] = tc.token
			}
			req := newFormRequest("/admin/wishes/1/status", form.Encode())
			if tc.site != "" {
				req.Header.Set("Sec-Fetch-Site", tc.site)
			}
			wantStatus(t, amyC.do(req), http.StatusForbidden)
			if w := f.wishNow(w0.ID); w.Status != models.WishPending {
				t.Fatalf("the wish changed: %s", w.Status)
			}
		})
	}
	if n := f.auditCount("csrf.reject"); n != int64(len(cases)) {
		t.Errorf("CSRF rejections audited: %d", n)
	}
	// The right token works.
	wantStatus(t, amyC.post("/admin/wishes/1/status", url.Values{"to": {"accepted"}}), http.StatusSeeOther)
	if w := f.wishNow(w0.ID); w.Status != models.WishAccepted {
		t.Fatalf("with the token the change did not happen: %s", w.Status)
	}
}

func newFormRequest(path, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
