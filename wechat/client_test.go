package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"familybot/config"
	"familybot/models"
	"familybot/outbox"
	"familybot/store/storetest"

	"github.com/silenceper/wechat/v2/cache"
)

// fakeAPI is a local stand-in for api.weixin.qq.com and qyapi.weixin.qq.com.
type fakeAPI struct {
	mu       sync.Mutex
	calls    []string // path?query without the token
	bodies   []string
	tokenErr int   // errcode answered by the token endpoints
	sendErr  []int // errcodes answered by successive send calls (0 = ok)
	tokens   int   // how many tokens were handed out
	slow     time.Duration
	userID   string // answered by auth/getuserinfo
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, r.URL.Path)
	f.bodies = append(f.bodies, string(body))
	slow := f.slow
	f.mu.Unlock()
	if slow > 0 {
		time.Sleep(slow)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/cgi-bin/stable_token", "/cgi-bin/token", "/cgi-bin/gettoken":
		if f.tokenErr != 0 {
			json.NewEncoder(w).Encode(map[string]any{"errcode": f.tokenErr, "errmsg": "invalid appsecret"})
			return
		}
		f.tokens++
		json.NewEncoder(w).Encode(map[string]any{"access_token": "AT" + string(rune('0'+f.tokens)), "expires_in": 7200})
	case "/cgi-bin/qrcode/create":
		if len(f.sendErr) > 0 && f.sendErr[0] != 0 {
			code := f.sendErr[0]
			f.sendErr = f.sendErr[1:]
			json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": "x"})
			return
		}
		var req struct {
			Expire int64 `json:"expire_seconds"`
		}
		json.Unmarshal(body, &req)
		json.NewEncoder(w).Encode(map[string]any{"ticket": "gQH4+8DwAAAA/AS==", "expire_seconds": req.Expire, "url": "http://weixin.qq.com/q/x"})
	case "/cgi-bin/auth/getuserinfo":
		if f.userID == "" {
			json.NewEncoder(w).Encode(map[string]any{"errcode": 0, "openid": "o-outsider"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"errcode": 0, "userid": f.userID})
	default:
		code := 0
		if len(f.sendErr) > 0 {
			code, f.sendErr = f.sendErr[0], f.sendErr[1:]
		}
		var msgid any = 1 // the official account answers a number…
		if r.URL.Path == "/cgi-bin/message/send" {
			msgid = "m1" // …WeCom a string
		}
		json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": "x", "msgid": msgid})
	}
}

func (f *fakeAPI) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == path {
			n++
		}
	}
	return n
}

// rewrite sends the SDK's requests for WeChat hosts to the fake.
type rewrite struct{ target *url.URL }

func (rw rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == "api.weixin.qq.com" || req.URL.Host == "qyapi.weixin.qq.com" {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = rw.target.Scheme, rw.target.Host, rw.target.Host
	}
	return http.DefaultTransport.RoundTrip(req)
}

// current is the fake the SDK's global client talks to; tests swap the handler, not the client.
var current struct {
	sync.Mutex
	api     *fakeAPI
	handler http.Handler // overrides api when set
}

func setHandler(h http.Handler) {
	current.Lock()
	current.handler = h
	current.Unlock()
}

func useFake(t *testing.T) *fakeAPI {
	f := &fakeAPI{}
	current.Lock()
	current.api, current.handler = f, nil
	current.Unlock()
	return f
}

func TestMain(m *testing.M) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Lock()
		f, h := current.api, current.handler
		current.Unlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
		f.ServeHTTP(w, r)
	}))
	u, _ := url.Parse(srv.URL)
	SetHTTPClient(rewrite{u}, 500*time.Millisecond) // once: the SDK's client is a global
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

func newClient() *Client {
	return NewClient(config.OfficialAccount{AppID: "wxapp", AppSecret: "s"},
		config.WeCom{CorpID: "corp", CorpSecret: "cs", AgentID: "1000002"}, cache.NewMemory(), true)
}

func TestCustomerMessageThroughFake(t *testing.T) {
	f := useFake(t)
	c := newClient()
	for i := 0; i < 2; i++ {
		if err := c.SendCustomerText(context.Background(), "o1", "你好\x01"); err != nil {
			t.Fatal(err)
		}
	}
	if f.count("/cgi-bin/stable_token") != 1 || f.count("/cgi-bin/message/custom/send") != 2 {
		t.Fatalf("calls %v", f.calls)
	}
	if !strings.Contains(f.bodies[1], `"touser":"o1"`) || strings.Contains(f.bodies[1], `\u0001`) {
		t.Fatalf("body %s", f.bodies[1])
	}
}

func TestFailingTokenIsAnError(t *testing.T) {
	f := useFake(t)
	f.tokenErr = 40125
	err := newClient().SendCustomerText(context.Background(), "o1", "hi")
	if err == nil || f.count("/cgi-bin/message/custom/send") != 0 {
		t.Fatalf("err %v calls %v", err, f.calls)
	}
}

func TestTimeoutIsAnError(t *testing.T) {
	f := useFake(t)
	f.slow = 800 * time.Millisecond
	start := time.Now()
	err := newClient().SendCustomerText(context.Background(), "o1", "hi")
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}

func TestRejectedTokenIsDroppedAndRefetched(t *testing.T) {
	f := useFake(t)
	f.sendErr = []int{40001}
	c := newClient()
	if err := c.SendCustomerText(context.Background(), "o1", "hi"); err == nil {
		t.Fatal("want an error on 40001")
	}
	if err := c.SendCustomerText(context.Background(), "o1", "hi"); err != nil {
		t.Fatal(err)
	}
	if f.count("/cgi-bin/stable_token") != 2 {
		t.Fatalf("token fetched %d times, want 2 (dropped after 40001)", f.count("/cgi-bin/stable_token"))
	}
}

func TestWindowClosedIsPermanent(t *testing.T) {
	f := useFake(t)
	f.sendErr = []int{45015}
	err := newClient().SendCustomerText(context.Background(), "o1", "hi")
	var p *outbox.Permanent
	if !errors.As(err, &p) || !errors.Is(err, outbox.ErrWindowClosed) {
		t.Fatalf("err %v", err)
	}
}

func TestWeComTextCardAndOAuth(t *testing.T) {
	f := useFake(t)
	c := newClient()
	if err := c.SendWeComTextCard(context.Background(), []string{"zhangsan", "lisi"}, "新心愿", "有居民留下了心愿", "https://x/admin/wishes/1"); err != nil {
		t.Fatal(err)
	}
	if f.count("/cgi-bin/gettoken") != 1 || f.count("/cgi-bin/message/send") != 1 {
		t.Fatalf("calls %v", f.calls)
	}
	var sent map[string]any
	json.Unmarshal([]byte(f.bodies[len(f.bodies)-1]), &sent)
	if sent["msgtype"] != "textcard" || sent["touser"] != "zhangsan|lisi" || sent["textcard"].(map[string]any)["title"] != "新心愿" ||
		sent["agentid"] != float64(1000002) || sent["enable_duplicate_check"] != float64(1) {
		t.Fatalf("sent %v", sent)
	}
	if _, err := c.UserIDFromCode(context.Background(), "CODE1"); err == nil {
		t.Fatal("a non-member (openid only) must be refused")
	}
	f.userID = "zhangsan"
	if id, err := c.UserIDFromCode(context.Background(), "CODE2"); err != nil || id != "zhangsan" {
		t.Fatalf("user %q %v", id, err)
	}
	if _, err := c.UserIDFromCode(context.Background(), "a&b=c"); err == nil {
		t.Fatal("a code with query characters must be refused")
	}
}

// The outbox worker delivers through the client: once on success, retried on a
// passing failure, recorded and not retried on a permanent one.
func TestOutboxWorkerAgainstFake(t *testing.T) {
	f := useFake(t)
	st := storetest.SQLite(t)
	n := &outbox.Notifier{Store: st, Templates: map[models.TemplateKind]string{"wish_reply": "TPL1"}}
	ctx := context.Background()
	send := func(key, openID, title, text string, tmpl models.TemplateKind) {
		t.Helper()
		if err := st.Enqueue(ctx, n.ToResident(openID, tmpl, models.Notice{Kind: models.NoticeKind(key), Title: title, Text: text})); err != nil {
			t.Fatal(err)
		}
	}
	send("k1", "o1", "回复", "您的心愿有回复了", models.TemplateWishReply)
	send("k1", "o1", "回复", "您的心愿有回复了", models.TemplateWishReply) // same key: once
	now := time.Now().UTC()
	w := &outbox.Worker{Store: st, Sender: newClient(), ID: "w1", Now: func() time.Time { return now },
		Templates: map[string]map[string]string{"TPL1": {"thing1": "title", "thing2": "text", "thing3": "assoc"}}, Association: "示范市计划生育协会"}
	st.Now = func() time.Time { return now }
	f.sendErr = []int{-1} // system busy: retry later
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var m models.OutboxMessage
	st.DB.First(&m)
	if m.Status != models.OutboxPending || m.Attempts != 1 || !m.NextAt.After(now) {
		t.Fatalf("after a passing failure: %+v", m)
	}
	now = now.Add(time.Hour)
	w.RunOnce(ctx)
	st.DB.First(&m)
	if m.Status != models.OutboxSent || f.count("/cgi-bin/message/custom/send") != 2 {
		t.Fatalf("after retry: %+v, sends %d", m, f.count("/cgi-bin/message/custom/send"))
	}
	w.RunOnce(ctx) // nothing more to send
	if f.count("/cgi-bin/message/custom/send") != 2 {
		t.Fatal("sent twice")
	}
	// Outside the 48-hour window the configured template is used instead.
	send("k2", "o2", "回复", "您的心愿有回复了", models.TemplateWishReply)
	f.sendErr = []int{45015}
	w.RunOnce(ctx)
	w.RunOnce(ctx)
	if f.count("/cgi-bin/message/template/send") != 1 {
		t.Fatalf("template not used: %v", f.calls)
	}
	// The template's own fields are filled (WeChat shows nothing for first/remark),
	// each cut to its type's limit (thing: 20 characters).
	var tpl struct {
		TemplateID string `json:"template_id"`
		Data       map[string]struct {
			Value string `json:"value"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(f.bodies[len(f.bodies)-1]), &tpl); err != nil {
		t.Fatal(err)
	}
	if tpl.TemplateID != "TPL1" || tpl.Data["thing1"].Value != "回复" || tpl.Data["thing2"].Value != "您的心愿有回复了" ||
		tpl.Data["thing3"].Value != "示范市计划生育协会" || len(tpl.Data) != 3 {
		t.Fatalf("template data %+v", tpl)
	}
	// A template whose fields were never configured is not sent blank: it fails for staff to see.
	n.Templates["reminder"] = "TPL-NOFIELDS"
	send("k4", "o4", "活动提醒", "明天上午9:30 绘本时光", models.TemplateReminder)
	f.sendErr = []int{45015}
	w.RunOnce(ctx)
	w.RunOnce(ctx)
	var blank models.OutboxMessage
	st.DB.Where("dedup_key = ?", "k4").Take(&blank)
	if blank.Status != models.OutboxFailed || !strings.Contains(blank.LastError, "no fields configured") || f.count("/cgi-bin/message/template/send") != 1 {
		t.Fatalf("unconfigured template: %+v", blank)
	}
	// Unsubscribed: permanent, recorded for staff, never retried.
	send("k3", "o3", "", "hi", models.TemplateNone)
	f.sendErr = []int{43004}
	w.RunOnce(ctx)
	var failed []models.OutboxMessage
	st.DB.Where("status = ?", models.OutboxFailed).Find(&failed)
	if len(failed) != 2 || failed[1].To != "o3" || failed[1].LastError == "" {
		t.Fatalf("failed %+v", failed)
	}
}

func TestMenuSyncAndAutoReplyImportAgainstFake(t *testing.T) {
	f := useFake(t)
	c := newClient()
	menu := []config.MenuButton{
		{Name: "健康知识", Sub: []config.MenuButton{{Name: "科学育儿", Type: "click", Key: "KB_PARENTING"}}},
		{Name: "活动报名", Type: "click", Key: "EVENTS"},
		{Name: "回音壁", Type: "view", URL: "https://bot.example.org/wall"},
	}
	if err := c.SyncMenu(menu); err != nil {
		t.Fatal(err)
	}
	body := f.bodies[len(f.bodies)-1]
	if f.count("/cgi-bin/menu/create") != 1 || !strings.Contains(body, `"key":"KB_PARENTING"`) || !strings.Contains(body, `"sub_button"`) ||
		!strings.Contains(body, `"type":"view"`) {
		t.Fatalf("menu body %s", body)
	}
	// get_current_autoreply_info, in the shape of the official documentation's sample.
	autoreply := `{"is_add_friend_reply_open":1,"is_autoreply_open":1,
	  "add_friend_autoreply_info":{"type":"text","content":"欢迎关注计生协！"},
	  "message_default_autoreply_info":{"type":"text","content":"您好，留言已收到。"},
	  "keyword_autoreply_info":{"list":[
	    {"rule_name":"疫苗","reply_mode":"reply_all","keyword_list_info":[{"type":"text","match_mode":"contain","content":"疫苗"},{"type":"text","match_mode":"equal","content":"打针"}],
	     "reply_list_info":[{"type":"text","content":"疫苗接种请咨询社区卫生服务中心。"},{"type":"img","content":"MEDIA"}]},
	    {"rule_name":"图文","reply_mode":"random_one","keyword_list_info":[{"type":"text","match_mode":"contain","content":"图文"}],
	     "reply_list_info":[{"type":"news","content":""}]}]}}`
	setHandler(&autoreplyFake{body: autoreply, tokens: f})
	rules, skipped, err := c.AutoReplyRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range rules {
		kinds[string(r.Kind)+"/"+r.Match]++
	}
	if len(rules) != 4 || kinds["welcome/"] != 1 || kinds["default/"] != 1 || kinds["keyword/contain"] != 1 || kinds["keyword/equal"] != 1 || len(skipped) != 2 {
		t.Fatalf("rules %+v skipped %v", rules, skipped)
	}
}

// autoreplyFake answers get_current_autoreply_info and delegates the rest.
type autoreplyFake struct {
	body   string
	tokens *fakeAPI
}

func (a *autoreplyFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/cgi-bin/get_current_autoreply_info" {
		w.Write([]byte(a.body))
		return
	}
	a.tokens.ServeHTTP(w, r)
}

// A check-in QR code: a temporary string-scene code, valid as asked (capped at
// 30 days), its image address with the ticket escaped; errors are reported.
func TestCheckinQR(t *testing.T) {
	f := useFake(t)
	c := newClient()
	img, until, err := c.CheckinQR(context.Background(), "checkin_12", 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if img != "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQH4%2B8DwAAAA%2FAS%3D%3D" {
		t.Errorf("image address %q", img)
	}
	if d := time.Until(until); d < 71*time.Hour || d > 73*time.Hour {
		t.Errorf("valid for %v, want 72h", d)
	}
	f.mu.Lock()
	body := f.bodies[len(f.bodies)-1]
	f.mu.Unlock()
	var req struct {
		Expire int64  `json:"expire_seconds"`
		Action string `json:"action_name"`
		Info   struct {
			Scene struct {
				Str string `json:"scene_str"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if err := json.Unmarshal([]byte(body), &req); err != nil || req.Action != "QR_STR_SCENE" || req.Info.Scene.Str != "checkin_12" || req.Expire != 72*3600 {
		t.Errorf("request %s (%v)", body, err)
	}
	if _, until, _ := c.CheckinQR(context.Background(), "checkin_12", 90*24*time.Hour); time.Until(until) > 30*24*time.Hour+time.Minute {
		t.Errorf("a code asked for 90 days lives until %v (WeChat allows 30)", until)
	}
	f.mu.Lock()
	f.sendErr = []int{45009}
	f.mu.Unlock()
	if _, _, err := c.CheckinQR(context.Background(), "checkin_12", time.Hour); err == nil {
		t.Error("an API error was not reported")
	}
	unconfigured := NewClient(config.OfficialAccount{}, config.WeCom{}, cache.NewMemory(), false)
	if _, _, err := unconfigured.CheckinQR(context.Background(), "checkin_12", time.Hour); err == nil {
		t.Error("a QR code without app_id")
	}
}
