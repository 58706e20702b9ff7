package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"familybot/models"
	"familybot/wechat"

	"github.com/silenceper/wechat/v2/util"
)

// voiceAudio is what the fake WeChat hands out for every media id.
var voiceAudio = []byte("#!AMR\n\x3c\x48\xf5\x1f\x96\x66\x79\xe1\xe0\x01\xe7\x8a\xf0\x00\x00\x00")

// hearing is what a fake recogniser answers for the next voice message.
type hearing struct {
	mu    sync.Mutex
	text  string
	fail  string // Tencent error code, or "503" for the HTTP recogniser
	delay time.Duration
	calls int
}

func (h *hearing) next() (string, string, time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	return h.text, h.fail, h.delay
}

func (h *hearing) set(text, fail string, delay time.Duration) {
	h.mu.Lock()
	h.text, h.fail, h.delay = text, fail, delay
	h.mu.Unlock()
}

// fakeTencentASR answers SentenceRecognition after checking the request is one.
func fakeTencentASR(t *testing.T, h *hearing) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ EngSerViceType, VoiceFormat, Data string }
		json.NewDecoder(r.Body).Decode(&req)
		if r.Header.Get("X-TC-Action") != "SentenceRecognition" || r.Header.Get("X-TC-Version") != "2019-06-14" ||
			!strings.HasPrefix(r.Header.Get("Authorization"), "TC3-HMAC-SHA256 Credential=AKIDvoice/") ||
			req.EngSerViceType != "16k_ca" || req.VoiceFormat != "amr" || req.Data != base64.StdEncoding.EncodeToString(voiceAudio) {
			t.Errorf("not the expected SentenceRecognition: %v %+v", r.Header, req)
		}
		text, fail, delay := h.next()
		time.Sleep(delay)
		if fail != "" {
			fmt.Fprintf(w, `{"Response":{"Error":{"Code":%q,"Message":"x"},"RequestId":"r"}}`, fail)
			return
		}
		fmt.Fprintf(w, `{"Response":{"Result":%q,"AudioDuration":1800,"RequestId":"r"}}`, text)
	}))
}

// fakeFunASR answers like FunASR's HTTP service.
func fakeFunASR(t *testing.T, h *hearing) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, _, err := r.FormFile("audio")
		if err != nil {
			t.Errorf("no audio: %v", err)
			return
		}
		if got, _ := io.ReadAll(f); !bytes.Equal(got, voiceAudio) {
			t.Errorf("audio %q", got)
		}
		text, fail, delay := h.next()
		time.Sleep(delay)
		if fail != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"text": text, "code": 0})
	}))
}

// toFakeWeChat sends the SDK's calls for api.weixin.qq.com to a local fake.
type toFakeWeChat struct{ host string }

func (f toFakeWeChat) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == "api.weixin.qq.com" {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host = "http", f.host
	}
	return http.DefaultTransport.RoundTrip(req)
}

// voiceCopy runs familybot against a fake WeChat (token and temporary material)
// with the given speech settings; it returns the app, its server and its log.
func voiceCopy(t *testing.T, speech ...string) (*App, *httptest.Server, *lockedBuffer, *httptest.Server) {
	t.Helper()
	wx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cgi-bin/stable_token":
			io.WriteString(w, `{"access_token":"ATvoice","expires_in":7200}`)
		case "/cgi-bin/media/get":
			w.Header().Set("Content-Type", "audio/amr")
			w.Write(voiceAudio)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(wx.Close)
	u, _ := url.Parse(wx.URL)
	wechat.SetHTTPClient(toFakeWeChat{u.Host}, 0)
	t.Cleanup(func() { wechat.SetHTTPClient(nil, 0) })
	environ := append([]string{
		"FAMILYBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "voice.db"),
		"FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=vtok", "FAMILYBOT_OFFICIAL_ACCOUNT_APP_ID=wxvoice", "FAMILYBOT_OFFICIAL_ACCOUNT_APP_SECRET=s",
		"FAMILYBOT_SERVER_LOG_LEVEL=debug", "FAMILYBOT_ASSOCIATION_PHONE=0571-87654321",
	}, speech...)
	logs := &lockedBuffer{}
	app, srv, metricsSrv := copyWithMetrics(t, environ, logs)
	return app, srv, logs, metricsSrv
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// say posts a voice message without Recognition and returns the text replied
// ("" when the webhook answered "success").
func say(t *testing.T, srv *httptest.Server, openID string, msgID int64) string {
	t.Helper()
	ts := fmt.Sprint(time.Now().Unix())
	nonce := fmt.Sprint(rand.Int63()) // each delivery has its own nonce: a reused one with another body is a replay
	q := url.Values{"signature": {util.Signature("vtok", ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
	body := fmt.Sprintf(`<xml><ToUserName>gh_x</ToUserName><FromUserName>%s</FromUserName><CreateTime>%s</CreateTime><MsgType>voice</MsgType><MediaId>MEDIA%d</MediaId><Format>amr</Format><MsgId>%d</MsgId></xml>`, openID, ts, msgID, msgID)
	return replyText(t, srv, q, body)
}

func typeText(t *testing.T, srv *httptest.Server, openID string, msgID int64, text string) string {
	t.Helper()
	ts := fmt.Sprint(time.Now().Unix())
	nonce := fmt.Sprint(rand.Int63()) // each delivery has its own nonce: a reused one with another body is a replay
	q := url.Values{"signature": {util.Signature("vtok", ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
	body := fmt.Sprintf(`<xml><ToUserName>gh_x</ToUserName><FromUserName>%s</FromUserName><CreateTime>%s</CreateTime><MsgType>text</MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`, openID, ts, text, msgID)
	return replyText(t, srv, q, body)
}

func replyText(t *testing.T, srv *httptest.Server, q url.Values, body string) string {
	t.Helper()
	resp, err := http.Post(srv.URL+"/wechat?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if string(b) == "success" {
		return ""
	}
	var out struct{ Content string }
	if err := xml.Unmarshal(b, &out); err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	return out.Content
}

func metricsText(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// noTrace checks the log holds neither the audio nor what was said, and that
// nothing was written to the temporary directory.
func noTrace(t *testing.T, logs string, tmp string, said ...string) {
	t.Helper()
	for _, s := range append(said, string(voiceAudio[:6]), base64.StdEncoding.EncodeToString(voiceAudio)[:12], "ATvoice") {
		if strings.Contains(logs, s) {
			t.Errorf("log holds %q:\n%s", s, logs)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("files written to the temporary directory: %v", left)
	}
}

func TestVoiceThroughTencentCloud(t *testing.T) {
	h := &hearing{text: "宝宝发烧了怎么办"}
	asr := fakeTencentASR(t, h)
	defer asr.Close()
	app, srv, logs, metricsSrv := voiceCopy(t, "FAMILYBOT_SPEECH_DRIVER=tencent", "FAMILYBOT_SPEECH_TENCENT_SECRET_ID=AKIDvoice",
		"FAMILYBOT_SPEECH_TENCENT_SECRET_KEY=k", "FAMILYBOT_SPEECH_TENCENT_ENGINE=16k_ca", "FAMILYBOT_SPEECH_TENCENT_ENDPOINT="+asr.URL)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	got := say(t, srv, "o-voice-1", 9001)
	typed := typeText(t, srv, "o-voice-2", 9002, "宝宝发烧了怎么办")
	if got != "您说的是：宝宝发烧了怎么办\n"+typed {
		t.Fatalf("voice reply %q\ntyped reply %q", got, typed)
	}

	// A crisis said aloud gets the same crisis reply as one typed, helplines first.
	h.set("我不想活了", "", 0)
	got = say(t, srv, "o-voice-3", 9003)
	crisis := typeText(t, srv, "o-voice-4", 9004, "我不想活了")
	if !strings.HasPrefix(got, crisis) || !strings.Contains(got, "您说的是：我不想活了") {
		t.Fatalf("crisis by voice %q\ntyped %q", got, crisis)
	}
	var events int64
	app.Store.DB.Model(&models.CrisisEvent{}).Count(&events)
	if events != 2 {
		t.Fatalf("crisis events %d, want 2", events)
	}

	// Out of quota: a kind answer with digits, and the digit works.
	h.set("", "FailedOperation.UserHasNoFreeAmount", 0)
	got = say(t, srv, "o-voice-5", 9005)
	if !strings.Contains(got, "没听清") || !strings.Contains(got, "1 老年保健") || !strings.Contains(got, "0571-87654321") {
		t.Fatalf("quota reply %q", got)
	}
	if next := typeText(t, srv, "o-voice-5", 9006, "1"); !strings.Contains(next, "【老年保健") {
		t.Fatalf("digit after the quota reply: %q", next)
	}

	m := metricsText(t, metricsSrv)
	for _, want := range []string{`familybot_speech_total{driver="tencent",outcome="ok"} 2`, `familybot_speech_total{driver="tencent",outcome="quota"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(logs.String(), "FailedOperation.UserHasNoFreeAmount") {
		t.Errorf("the quota failure is not logged:\n%s", logs)
	}
	noTrace(t, logs.String(), tmp, "宝宝发烧", "不想活")
}

func TestVoiceThroughSelfHostedRecogniser(t *testing.T) {
	h := &hearing{text: "老人血压高吃什么"}
	asr := fakeFunASR(t, h)
	defer asr.Close()
	app, srv, logs, metricsSrv := voiceCopy(t, "FAMILYBOT_SPEECH_DRIVER=http", "FAMILYBOT_SPEECH_HTTP_URL="+asr.URL+"/recognition",
		"FAMILYBOT_SERVER_REPLY_DEADLINE=300ms")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	if got := say(t, srv, "o-voice-1", 9101); !strings.HasPrefix(got, "您说的是：老人血压高吃什么\n") {
		t.Fatalf("reply %q", got)
	}

	// A slow recogniser: WeChat gets "success" in time, the answer follows as a customer-service message.
	h.set("宝宝拉肚子怎么办", "", time.Second)
	if got := say(t, srv, "o-voice-2", 9102); got != "" {
		t.Fatalf("slow recognition answered in the webhook: %q", got)
	}
	var later []models.OutboxMessage
	for i := 0; i < 200 && len(later) == 0; i++ {
		time.Sleep(20 * time.Millisecond)
		app.Store.DB.Where("channel = ? AND `to` = ?", models.ChannelCustomer, "o-voice-2").Find(&later)
	}
	if len(later) != 1 || !strings.HasPrefix(later[0].Text, "您说的是：宝宝拉肚子怎么办\n") {
		t.Fatalf("customer-service messages %+v", later)
	}

	// The recogniser is down: a kind answer, counted.
	h.set("", "503", 0)
	if got := say(t, srv, "o-voice-3", 9103); !strings.Contains(got, "没听清") || !strings.Contains(got, "120") {
		t.Fatalf("reply when down %q", got)
	}
	m := metricsText(t, metricsSrv)
	for _, want := range []string{`familybot_speech_total{driver="http",outcome="ok"} 2`, `familybot_speech_total{driver="http",outcome="unavailable"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	noTrace(t, logs.String(), tmp, "血压", "拉肚子")
}
