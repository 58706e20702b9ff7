package wechat

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"familybot/bot"
	"familybot/cache"
	"familybot/models"
	"familybot/outbox"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// Official vectors (shared/reference/wechat-protocol-and-reliability.md §1.3).
const (
	vecToken  = "spamtest"
	vecAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	vecAppID  = "wx2c2769f8efd9abc2"
	vecCts    = "1409735669"
	vecCnonce = "1320562132"
	vecCsig   = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
	vecCmsig  = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	vecCenc   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	vecDts    = "1410349438"
	vecDnonce = "298025754"
	vecDmsig  = "003fee52ecc56afb46c00b5c7721be87860ce785"
	vecDenc   = "mfBCs65c67CeJw22u4VT2TD73q5H06+ocrAIxswCaeZ/d/Lw0msSZFHY0teqgSYiI1zR2gD2DKrB3TIrmX/liNSDrGqS8jSI/WPeKB5VPr7Ezr7gomZAyGCwJSgT1TRFWPfONGJMxuj2nk4faTuspAuVIFQ6SHwZuJBZC7mcJp7Cgr9cUhATQWDbOPaE7ukZBTV2YqyzH+UI2AK+J1S47cE79k1RX8t0hcTz/O0hlK8DGXKnvYv88qKQcI7z4iaajqHfRVZKBNyOODabs+It+ZfM3dWTeFcPgDbGtIEnpt/EDtuuA/zMvtkaKdHdswPnVZQ+xdwbYr3ldGvfT8HlEYEgkgKaThxTFobVlwzu2ZkXCjicbP3xdr15Iq48ObgzPpqYuZ3IEoyggZDKClquk0u0orMck4GTF/XyE8yGzc4="
)

// fakeBot records what it was asked and answers with a fixed reply.
type fakeBot struct {
	mu    sync.Mutex
	got   []bot.Inbound
	reply bot.Reply
	delay time.Duration
}

func (f *fakeBot) Handle(ctx context.Context, in bot.Inbound) bot.Reply {
	f.mu.Lock()
	f.got = append(f.got, in)
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	r := f.reply
	if r.Text == "" && !r.Silent {
		r.Text = "回复：" + in.Text
	}
	return r
}

func (f *fakeBot) calls() []bot.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Inbound(nil), f.got...)
}

type rig struct {
	w   *Webhook
	bot *fakeBot
	st  *store.Store
	srv *httptest.Server
}

// newRig serves a webhook with a real (SQLite) store for dedup and the outbox.
func newRig(t *testing.T, token, appID, key string, now int64) *rig {
	t.Helper()
	st := storetest.SQLite(t)
	fb := &fakeBot{}
	w := &Webhook{Token: token, AppID: appID, EncodingAESKey: key, Bot: fb, Dedup: cache.NewMemoryDedup(time.Hour),
		Nonces: cache.NewMemoryNonces(), Later: &outbox.Notifier{Store: st}, Inbox: st, Owner: "copy-1",
		Deadline: 2 * time.Second, MaxSkew: 5 * time.Minute,
		Now: func() time.Time { return time.Unix(now, 0) }}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return &rig{w: w, bot: fb, st: st, srv: srv}
}

func (r *rig) do(t *testing.T, method, query, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, r.srv.URL+"/?"+query, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

func plainQuery(token, ts, nonce string) string {
	return url.Values{"signature": {util.Signature(token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}.Encode()
}

func safeBody(enc string) string {
	return "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
}

func TestSafeModeOfficialVectorC(t *testing.T) {
	r := newRig(t, vecToken, vecAppID, vecAESKey, 1409735669)
	q := url.Values{"signature": {vecCsig}, "timestamp": {vecCts}, "nonce": {vecCnonce}, "encrypt_type": {"aes"}, "msg_signature": {vecCmsig}}
	code, body := r.do(t, "POST", q.Encode(), safeBody(vecCenc))
	if code != 200 {
		t.Fatalf("status %d body %q", code, body)
	}
	calls := r.bot.calls()
	if len(calls) != 1 || calls[0].Text != "abcdteT" || calls[0].OpenID != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || calls[0].Kind != bot.KindText {
		t.Fatalf("bot got %+v", calls)
	}
	// The reply is encrypted, signed with the request's timestamp and nonce, and decrypts to our text.
	var env message.ResponseEncryptedXMLMsg
	if err := xml.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("reply is not XML: %v: %q", err, body)
	}
	if env.MsgSignature != util.Signature(vecToken, vecCts, vecCnonce, env.EncryptedMsg) || env.Nonce != vecCnonce {
		t.Fatalf("reply signature wrong: %+v", env)
	}
	_, plain, err := util.DecryptMsg(vecAppID, env.EncryptedMsg, vecAESKey)
	if err != nil {
		t.Fatal(err)
	}
	var out message.MixMessage
	if err := xml.Unmarshal(plain, &out); err != nil {
		t.Fatal(err)
	}
	if out.Content != "回复：abcdteT" || out.ToUserName != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || out.FromUserName != "gh_10f6c3c3ac5a" {
		t.Fatalf("decrypted reply %+v", out)
	}
}

func TestSafeModeOfficialVectorD(t *testing.T) {
	r := newRig(t, vecToken, vecAppID, vecAESKey, 1410349438)
	q := url.Values{"signature": {util.Signature(vecToken, vecDts, vecDnonce)}, "timestamp": {vecDts}, "nonce": {vecDnonce}, "encrypt_type": {"aes"}, "msg_signature": {vecDmsig}}
	if code, _ := r.do(t, "POST", q.Encode(), safeBody(vecDenc)); code != 200 {
		t.Fatalf("status %d", code)
	}
	if c := r.bot.calls(); len(c) != 1 || c[0].Text != "abcdteT" {
		t.Fatalf("bot got %+v", c)
	}
}

func TestSafeModeRejects(t *testing.T) {
	good := url.Values{"signature": {vecCsig}, "timestamp": {vecCts}, "nonce": {vecCnonce}, "encrypt_type": {"aes"}, "msg_signature": {vecCmsig}}
	with := func(k, v string) string {
		q := url.Values{}
		for kk, vv := range good {
			q[kk] = vv
		}
		q.Set(k, v)
		return q.Encode()
	}
	tests := []struct {
		name, appID, query, body string
		want                     int
	}{
		{"appid mismatch", "wx_other", good.Encode(), safeBody(vecCenc), 403},
		{"bad msg_signature", vecAppID, with("msg_signature", "5d197aaffba7e9b25a30732f161a50dee96bd5fb"), safeBody(vecCenc), 403},
		{"bad signature", vecAppID, with("signature", "16120ec1b8dbb870f510d87ce6bc2463eae6ca1b"), safeBody(vecCenc), 403},
		{"missing signature", vecAppID, with("signature", ""), safeBody(vecCenc), 401},
		{"no Encrypt element", vecAppID, good.Encode(), "<xml><ToUserName>x</ToUserName></xml>", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, vecToken, tc.appID, vecAESKey, 1409735669)
			code, body := r.do(t, "POST", tc.query, tc.body)
			if code != tc.want {
				t.Fatalf("status %d, want %d (%q)", code, tc.want, body)
			}
			if code == 403 && body != "" {
				t.Fatalf("refusal leaks detail: %q", body)
			}
			if len(r.bot.calls()) != 0 {
				t.Fatal("bot was called")
			}
		})
	}
}

func TestGarbageCiphertextNeverPanics(t *testing.T) {
	for _, enc := range []string{"", "YWJj", "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "!!!", "hyzAe4Oz", vecCenc[:64]} {
		r := newRig(t, vecToken, vecAppID, vecAESKey, 1409735669)
		q := url.Values{"signature": {vecCsig}, "timestamp": {vecCts}, "nonce": {vecCnonce}, "encrypt_type": {"aes"},
			"msg_signature": {util.Signature(vecToken, vecCts, vecCnonce, enc)}}
		code, _ := r.do(t, "POST", q.Encode(), safeBody(enc))
		want := 400
		if enc == "" { // no ciphertext at all: an unencrypted body, refused in safe mode
			want = 403
		}
		if code != want {
			t.Errorf("ciphertext %q: status %d, want %d", enc, code, want)
		}
	}
}

// A1: the reply encryption is byte-exact with Tencent's sample.
func TestReplyEncryptionVectorA1(t *testing.T) {
	w := &Webhook{Token: "pamtest", AppID: "wxb11529c136998cb6", EncodingAESKey: vecAESKey,
		Random: func() []byte { return []byte("aaaabbbbccccdddd") }}
	out, err := w.encryptReply([]byte("我是中文abcd123"), "1409304348", "xxxxxx")
	if err != nil {
		t.Fatal(err)
	}
	var env message.ResponseEncryptedXMLMsg
	if err := xml.Unmarshal(out, &env); err != nil {
		t.Fatal(err)
	}
	const want = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
	if env.EncryptedMsg != want {
		t.Fatalf("Encrypt = %s, want %s", env.EncryptedMsg, want)
	}
	if env.MsgSignature != "82c962d39941aa48552f90ef55aa323dc620cc10" || env.Timestamp != 1409304348 || env.Nonce != "xxxxxx" {
		t.Fatalf("envelope %+v", env)
	}
}

func TestURLVerification(t *testing.T) {
	r := newRig(t, vecToken, vecAppID, vecAESKey, 1409735669)
	q := url.Values{"signature": {vecCsig}, "timestamp": {vecCts}, "nonce": {vecCnonce}, "echostr": {"E1x9"}}
	if code, body := r.do(t, "GET", q.Encode(), ""); code != 200 || body != "E1x9" {
		t.Fatalf("verify: %d %q", code, body)
	}
	q.Set("signature", "16120ec1b8dbb870f510d87ce6bc2463eae6ca1b")
	if code, body := r.do(t, "GET", q.Encode(), ""); code != 403 || body != "" {
		t.Fatalf("bad signature: %d %q", code, body)
	}
	q.Set("signature", vecCsig)
	q.Set("timestamp", "1409735000") // over 5 minutes old: signature matches nothing, refused
	if code, _ := r.do(t, "GET", q.Encode(), ""); code != 403 {
		t.Fatalf("stale: %d", code)
	}
}

func TestStaleTimestampRefused(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	code, _ := r.do(t, "POST", plainQuery("tok", "1699999000", "n1"), readFixture(t, "text.xml"))
	if code != 403 || len(r.bot.calls()) != 0 {
		t.Fatalf("replayed old request: %d", code)
	}
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every official inbound sample is parsed and routed; the answer is always XML or "success".
func TestPlainModeFixtures(t *testing.T) {
	tests := []struct {
		file, kind, text, event, key string
		called                       bool
	}{
		{"text.xml", bot.KindText, "this is a test", "", "", true},
		{"image.xml", bot.KindImage, "", "", "", true},
		{"voice.xml", bot.KindVoice, "", "", "", true},
		{"voice_recognition.xml", bot.KindVoice, "腾讯微信团队", "", "", true},
		{"video.xml", bot.KindVideo, "", "", "", true},
		{"shortvideo.xml", bot.KindVideo, "", "", "", true},
		{"location.xml", bot.KindLocation, "", "", "", true},
		{"link.xml", bot.KindLink, "", "", "", true},
		{"event_subscribe.xml", bot.KindEvent, "", "subscribe", "", true},
		{"event_unsubscribe.xml", bot.KindEvent, "", "unsubscribe", "", true},
		{"event_subscribe_qrscene.xml", bot.KindEvent, "", "subscribe", "qrscene_123123", true},
		{"event_scan.xml", bot.KindEvent, "", "SCAN", "SCENE_VALUE", true},
		{"event_location.xml", bot.KindEvent, "", "LOCATION", "", true},
		{"event_click.xml", bot.KindEvent, "", "CLICK", "EVENTKEY", true},
		{"event_view.xml", bot.KindEvent, "", "VIEW", "www.qq.com", true},
		{"event_templatesendjobfinish.xml", bot.KindEvent, "", "TEMPLATESENDJOBFINISH", "", true},
		{"unknown.xml", "", "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			r := newRig(t, "tok", "", "", 1700000000)
			code, body := r.do(t, "POST", plainQuery("tok", "1700000000", "n1"), readFixture(t, tc.file))
			if code != 200 {
				t.Fatalf("status %d", code)
			}
			calls := r.bot.calls()
			if !tc.called {
				if len(calls) != 0 || body != "success" {
					t.Fatalf("unknown type: calls %d body %q", len(calls), body)
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("calls %d", len(calls))
			}
			c := calls[0]
			if c.Kind != tc.kind || c.Text != tc.text || c.Event != tc.event || c.EventKey != tc.key || c.OpenID != "fromUser" {
				t.Fatalf("inbound %+v", c)
			}
			var out message.MixMessage
			if err := xml.Unmarshal([]byte(body), &out); err != nil || out.ToUserName != "fromUser" || out.MsgType != "text" {
				t.Fatalf("reply not a text XML: %v %q", err, body)
			}
		})
	}
}

func TestCompatibleModeTrustsOnlyDecrypted(t *testing.T) {
	const token, appID = "tok", "wxcompat"
	inner := `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[realUser]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[真的]]></Content><MsgId>42</MsgId></xml>`
	enc, err := EncryptMessage([]byte("0123456789abcdef"), []byte(inner), appID, vecAESKey)
	if err != nil {
		t.Fatal(err)
	}
	body := `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[fakeUser]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[假的]]></Content><MsgId>42</MsgId><Encrypt><![CDATA[` + enc + `]]></Encrypt></xml>`
	r := newRig(t, token, appID, vecAESKey, 1700000000)
	q := url.Values{"signature": {util.Signature(token, "1700000000", "n")}, "timestamp": {"1700000000"}, "nonce": {"n"},
		"encrypt_type": {"aes"}, "msg_signature": {util.Signature(token, "1700000000", "n", enc)}}
	code, resp := r.do(t, "POST", q.Encode(), body)
	if code != 200 || !strings.Contains(resp, "<Encrypt>") {
		t.Fatalf("status %d %q", code, resp)
	}
	if c := r.bot.calls(); len(c) != 1 || c[0].Text != "真的" || c[0].OpenID != "realUser" {
		t.Fatalf("bot got %+v", c)
	}
}

func TestErrorPaths(t *testing.T) {
	big := "<xml><ToUserName>a</ToUserName>" + strings.Repeat("<Pad>xxxxxxxxxx</Pad>", 4000) + "</xml>"
	tests := []struct {
		name, body string
		chunked    bool
		want       int
	}{
		{"empty", "", false, 400},
		{"whitespace", "   \n", false, 400},
		{"not xml", "hello", false, 400},
		{"truncated xml", "<xml><ToUserName>", false, 400},
		{"no sender", "<xml><MsgType>text</MsgType></xml>", false, 400},
		{"doctype entity", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><FromUserName>&xxe;</FromUserName><MsgType>text</MsgType></xml>`, false, 400},
		{"oversize", big, false, 413},
		{"oversize chunked", big, true, 413},
		{"bad number", "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><MsgId>99999999999999999999</MsgId></xml>", false, 400},
		{"invalid utf8", "<xml><FromUserName>u\xff</FromUserName><MsgType>text</MsgType></xml>", false, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, "tok", "", "", 1700000000)
			var rd interface{ Read([]byte) (int, error) } = strings.NewReader(tc.body)
			if tc.chunked {
				rd = struct{ *strings.Reader }{strings.NewReader(tc.body)} // hides Len: no Content-Length
			}
			req, _ := http.NewRequest("POST", r.srv.URL+"/?"+plainQuery("tok", "1700000000", "n"), rd)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if len(r.bot.calls()) != 0 {
				t.Fatal("bot was called")
			}
		})
	}
	r := newRig(t, "tok", "", "", 1700000000)
	if code, _ := r.do(t, "PUT", plainQuery("tok", "1700000000", "n"), "x"); code != 405 {
		t.Fatalf("PUT: %d", code)
	}
}

func TestRetryHandledOnceWithSameReply(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	q := plainQuery("tok", "1700000000", "n")
	_, first := r.do(t, "POST", q, readFixture(t, "text.xml"))
	for i := 0; i < 3; i++ {
		_, again := r.do(t, "POST", q, readFixture(t, "text.xml"))
		if again != first {
			t.Fatalf("retry %d got %q, first %q", i, again, first)
		}
	}
	if n := len(r.bot.calls()); n != 1 {
		t.Fatalf("bot ran %d times for one MsgId", n)
	}
	// Events have no MsgId: same user and time but another key is another event.
	ev := func(key string) string {
		return `<xml><ToUserName>gh</ToUserName><FromUserName>u1</FromUserName><CreateTime>1700000001</CreateTime><MsgType>event</MsgType><Event>CLICK</Event><EventKey>` + key + `</EventKey></xml>`
	}
	r.do(t, "POST", plainQuery("tok", "1700000000", "e1"), ev("EVENTS"))
	r.do(t, "POST", plainQuery("tok", "1700000000", "e2"), ev("WISH"))
	r.do(t, "POST", plainQuery("tok", "1700000000", "e2"), ev("WISH"))
	if n := len(r.bot.calls()); n != 3 {
		t.Fatalf("after events bot ran %d times, want 3", n)
	}
}

func TestSlowAnswerGoesOutLater(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	r.w.Deadline = 50 * time.Millisecond
	r.bot.delay = 300 * time.Millisecond
	start := time.Now()
	code, body := r.do(t, "POST", plainQuery("tok", "1700000000", "n"), readFixture(t, "text.xml"))
	if code != 200 || body != "success" || time.Since(start) > 250*time.Millisecond {
		t.Fatalf("got %d %q after %v", code, body, time.Since(start))
	}
	var msgs []models.OutboxMessage
	for i := 0; i < 100 && len(msgs) == 0; i++ {
		time.Sleep(20 * time.Millisecond)
		r.st.DB.Find(&msgs)
	}
	if len(msgs) != 1 || msgs[0].To != "fromUser" || msgs[0].Text != "回复：this is a test" || msgs[0].Channel != models.ChannelCustomer {
		t.Fatalf("outbox %+v", msgs)
	}
	// The retry WeChat would not even send does no harm: still once.
	time.Sleep(50 * time.Millisecond)
	if _, again := r.do(t, "POST", plainQuery("tok", "1700000000", "n"), readFixture(t, "text.xml")); again != "success" {
		t.Fatalf("retry after async: %q", again)
	}
	r.st.DB.Find(&msgs)
	if len(msgs) != 1 || len(r.bot.calls()) != 1 {
		t.Fatalf("outbox %d, calls %d", len(msgs), len(r.bot.calls()))
	}
}

func TestLongAndDirtyRepliesAreSafe(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	r.bot.reply = bot.Reply{Text: "开头\x01\x00坏字\xff]]>" + strings.Repeat("健康知识", 1250)}
	code, body := r.do(t, "POST", plainQuery("tok", "1700000000", "n"), readFixture(t, "text.xml"))
	var out message.MixMessage
	if err := xml.Unmarshal([]byte(body), &out); code != 200 || err != nil {
		t.Fatalf("reply does not parse: %d %v", code, err)
	}
	if len(out.Content) > MaxReplyBytes || !strings.HasPrefix(out.Content, "开头坏字]]>健康") {
		t.Fatalf("content %d bytes, starts %q", len(out.Content), out.Content[:30])
	}
	r.w.Drain(context.Background()) // the rest is queued after the reply has gone
	var msgs []models.OutboxMessage
	r.st.DB.Order("id").Find(&msgs)
	total := len(out.Content)
	for _, m := range msgs {
		if len(m.Text) > MaxReplyBytes {
			t.Fatalf("follow-up too long: %d", len(m.Text))
		}
		total += len(m.Text)
	}
	if len(msgs) < 2 || total < len("健康知识")*1250 {
		t.Fatalf("follow-ups %d, total %d bytes", len(msgs), total)
	}
}

func TestSilentRepliesSaySuccess(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	r.bot.reply = bot.Reply{Silent: true}
	if _, body := r.do(t, "POST", plainQuery("tok", "1700000000", "n"), readFixture(t, "event_unsubscribe.xml")); body != "success" {
		t.Fatalf("unsubscribe: %q", body)
	}
	// Safe mode too: "success", never an encrypted empty message.
	r2 := newRig(t, vecToken, vecAppID, vecAESKey, 1409735669)
	r2.bot.reply = bot.Reply{Silent: true}
	q := url.Values{"signature": {vecCsig}, "timestamp": {vecCts}, "nonce": {vecCnonce}, "encrypt_type": {"aes"}, "msg_signature": {vecCmsig}}
	if _, body := r2.do(t, "POST", q.Encode(), safeBody(vecCenc)); body != "success" {
		t.Fatalf("safe silent: %q", body)
	}
}

// slowDedup is a database that hangs.
type slowDedup struct{}

func (slowDedup) ClaimMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error) {
	<-ctx.Done()
	return false, models.ProcessedMessage{}, ctx.Err()
}
func (slowDedup) FinishMessage(context.Context, string, string, bool) error { return nil }

func TestHungDatabaseStillAnswersInTime(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	r.w.Dedup = slowDedup{}
	r.w.Deadline = 600 * time.Millisecond
	start := time.Now()
	code, body := r.do(t, "POST", plainQuery("tok", "1700000000", "n"), readFixture(t, "text.xml"))
	if code != 200 || !strings.Contains(body, "回复：this is a test") || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("got %d %q after %v", code, body, time.Since(start))
	}
}
