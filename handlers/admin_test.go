package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"familybot/config"
	"familybot/crisis"
	"familybot/kbadmin"
	"familybot/messages"
	"familybot/models"
	"familybot/outbox"
	"familybot/staff"
	"familybot/store"
	"familybot/store/storetest"
	"familybot/wishwall"

	"github.com/PuerkitoBio/goquery"
)

var (
	tBase    = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC) // a Tuesday, 10:00 in China
	boss     = models.Staff{UserID: "boss", Name: "李会长", Role: models.RoleAdmin}
	amy      = models.Staff{UserID: "amy", Name: "王艾米", Role: models.RoleStaff, Team: models.WishCatHealth}
	bob      = models.Staff{UserID: "bob", Name: "赵波", Role: models.RoleStaff, Team: models.WishCatLife}
	devToken = "dev-secret-token"
)

// fakeOAuth turns "code-<userid>" into that UserID; "code-fail" is a WeCom error.
type fakeOAuth struct{}

func (fakeOAuth) UserIDFromCode(_ context.Context, code string) (string, error) {
	if code == "code-fail" {
		return "", errors.New("wecom: 40029 invalid code")
	}
	return strings.TrimPrefix(code, "code-"), nil
}

type fixture struct {
	t     *testing.T
	srv   *Server
	h     http.Handler
	st    *store.Store
	now   time.Time
	wish  *wishwall.Service
	notif *outbox.Notifier
}

func (f *fixture) clock() time.Time { return f.now }

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	f := &fixture{t: t, st: s, now: tBase}
	s.Now = f.clock
	for _, st := range []models.Staff{boss, amy, bob} {
		if err := s.SaveStaff(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	}
	f.notif = &outbox.Notifier{Store: s, OnDuty: []string{"duty1"}, PublicURL: "https://bot.example.org",
		Templates: map[models.TemplateKind]string{"wish_reply": "TPL-WISH"}}
	f.wish = &wishwall.Service{Store: s, Notify: f.notif, Now: f.clock}
	cfg := config.Default()
	cfg.Server.PublicURL = "https://bot.example.org"
	cfg.WeCom = config.WeCom{CorpID: "ww123", AgentID: "1000002"}
	cfg.Admin.DevLoginToken = devToken
	cfg.Association.Name = "测试市计生协"
	f.srv = withServices(&Server{Cfg: cfg, Wishes: f.wish, OAuth: fakeOAuth{}, Now: f.clock}, s)
	f.h = f.srv.Router()
	return f
}

// withServices gives srv the real admin services over st, as the program does.
func withServices(srv *Server, st *store.Store) *Server {
	people, msgs := &staff.Service{Store: st, Now: srv.Now}, &messages.Service{Store: st, Now: srv.Now}
	srv.DB, srv.Sessions, srv.Audit, srv.Staff = st, people, people, people
	srv.Crisis = &crisis.Service{Store: st, Association: srv.Cfg.Association.Name, Now: srv.Now}
	srv.Messages, srv.Handoffs, srv.Outbox = msgs, msgs, &messages.Outbox{Store: st}
	srv.Knowledge, srv.Reports = &kbadmin.Service{Store: st, Now: srv.Now}, st
	return srv
}

func fixtureSQLite(t *testing.T) *fixture { return newFixture(t, storetest.SQLite(t)) }

// client is a browser: it keeps cookies and the page's CSRF token.
type client struct {
	f       *fixture
	cookies map[string]*http.Cookie
	csrf    string
	https   bool
}

func (f *fixture) client() *client { return &client{f: f, cookies: map[string]*http.Cookie{}} }

func (c *client) do(req *http.Request) *httptest.ResponseRecorder {
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	if c.https {
		req.Header.Set("X-Forwarded-Proto", "https")
	}
	w := httptest.NewRecorder()
	c.f.h.ServeHTTP(w, req)
	for _, ck := range w.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return w
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	path, _, _ = strings.Cut(path, "#") // a browser keeps the fragment to itself
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the client's CSRF token (unless the form sets "csrf").
func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login runs the WeCom OAuth round trip for userID and picks up the CSRF token.
// The login is started from a cookie-less tab (an existing session would skip
// it), whose pre-login cookie is then carried over, as a browser would.
func (c *client) login(userID string) {
	c.f.t.Helper()
	start := c.f.client()
	start.https = c.https
	w := start.get("/admin/login?next=/admin/wishes")
	if w.Code != http.StatusFound {
		c.f.t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	c.cookies[preLoginName] = start.cookies[preLoginName]
	u, _ := url.Parse(w.Header().Get("Location"))
	state := u.Query().Get("state")
	w = c.get("/admin/oauth/callback?code=code-" + userID + "&state=" + state)
	if w.Code != http.StatusFound {
		c.f.t.Fatalf("callback for %s: %d %s", userID, w.Code, w.Body)
	}
	c.refreshCSRF()
}

func (c *client) refreshCSRF() {
	c.f.t.Helper()
	w := c.get("/admin")
	doc := mustDoc(c.f.t, w)
	c.csrf, _ = doc.Find(`input[name=csrf]`).First().Attr("value")
	if c.csrf == "" {
		c.f.t.Fatalf("no CSRF token on the dashboard: %d", w.Code)
	}
}

func (f *fixture) loggedIn(userID string) *client {
	c := f.client()
	c.login(userID)
	return c
}

func mustDoc(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, code int) {
	t.Helper()
	if w.Code != code {
		t.Fatalf("status %d, want %d; body:\n%.600s", w.Code, code, w.Body.String())
	}
}

func (f *fixture) mustWish(in wishwall.NewWish) models.Wish {
	f.t.Helper()
	if in.OpenID == "" {
		in.OpenID = "o-resident-1"
	}
	w, err := f.wish.Create(context.Background(), in, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}

func (f *fixture) auditCount(action string) int64 {
	var n int64
	f.st.DB.Model(&models.AuditLog{}).Where("action = ?", action).Count(&n)
	return n
}

func (f *fixture) wishNow(id uint64) models.Wish {
	w, err := f.st.GetWish(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}
