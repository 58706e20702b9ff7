package wechat

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"familybot/cache"
	"familybot/models"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// Fuzz targets for everything the webhook does with bytes a stranger controls:
// the query, the body, the ciphertext and the text that goes back out.
//
//	go test ./wechat -run '^$' -fuzz '^FuzzWebhookPlain$' -fuzztime 2m
//	go test ./wechat -run '^$' -fuzz '^FuzzWebhookSafe$' -fuzztime 2m
//	go test ./wechat -run '^$' -fuzz '^FuzzSanitizeSplit$' -fuzztime 2m
//
// Without -fuzz, `go test` runs each target once over its seeds (the f.Add calls
// and testdata/fuzz/<Target>/), so the seeds are regression tests.

// memDedup is an in-memory Dedup with the store's semantics (a claim is an insert
// that fails on a duplicate key), so fuzzing needs no database.
type memDedup struct {
	mu sync.Mutex
	m  map[string]models.ProcessedMessage
}

func (d *memDedup) ClaimMessage(_ context.Context, key string) (bool, models.ProcessedMessage, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev, ok := d.m[key]; ok {
		return false, prev, nil
	}
	if d.m == nil {
		d.m = map[string]models.ProcessedMessage{}
	}
	rec := models.ProcessedMessage{Key: key}
	d.m[key] = rec
	return true, rec, nil
}

func (d *memDedup) FinishMessage(_ context.Context, key, reply string, async bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.m[key] = models.ProcessedMessage{Key: key, Reply: reply, Done: true, Async: async}
	return nil
}

const fuzzToken = "fuzztoken"

// fuzzWebhook is a webhook in mode with a fixed clock, the vector-C keys and a fake bot.
func fuzzWebhook(token, mode string, now int64) (*Webhook, *fakeBot) {
	fb := &fakeBot{}
	return &Webhook{Token: token, AppID: vecAppID, EncodingAESKey: vecAESKey, Mode: mode, Bot: fb, Dedup: &memDedup{},
		Nonces:   cache.NewMemoryNonces(),
		Deadline: 10 * time.Second, MaxSkew: 5 * time.Minute,
		Now:    func() time.Time { return time.Unix(now, 0) },
		Random: func() []byte { return []byte("0123456789abcdef") },
	}, fb
}

func serveOnce(w *Webhook, method string, q url.Values, body []byte) *httptest.ResponseRecorder {
	req, err := http.NewRequest(method, "http://127.0.0.1/wechat?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		panic(err) // the URL is built from an encoded query: cannot fail
	}
	rr := httptest.NewRecorder()
	w.ServeHTTP(rr, req)
	return rr
}

// fixtures returns the official sample bodies in testdata/*.xml.
func fixtures(f *testing.F) [][]byte {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// garbage is malformed input seen in the wild or in the reference notes (§6).
// Seeds stay small: the fuzzer minimises every new input it keeps, and that costs
// time quadratic in its size. Long texts come from repeating a short one instead.
var garbage = []string{
	"", "   \n", "hello", "<xml>", "<xml><ToUserName>", "</xml>", "<?xml version=\"1.0\"?>",
	`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><FromUserName>&xxe;</FromUserName><MsgType>text</MsgType></xml>`,
	`<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>`,
	"<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><MsgId>99999999999999999999</MsgId></xml>",
	"<xml><FromUserName>u</FromUserName><MsgType>location</MsgType><Location_X>abc</Location_X></xml>",
	"<xml><FromUserName>u\xff</FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>\x01</Content></xml>",
	"<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content><![CDATA[a]]]]><![CDATA[>b\u202e\U0001F468\u200d\U0001F469]]></Content><MsgId>1</MsgId></xml>",
	"<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>a</Content><Content>b</Content><MsgId>2</MsgId></xml><xml><FromUserName>v</FromUserName></xml>",
	"<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>CLICK</Event><EventKey>" + strings.Repeat("K", 300) + "</EventKey></xml>",
	`<?xml version="1.0" encoding="GBK"?><xml><FromUserName>u</FromUserName><MsgType>text</MsgType></xml>`,
	"<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>" + strings.Repeat("健康知识", 60) + "</Content><MsgId>3</MsgId></xml>",
	strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100),
	safeBody(vecCenc),
}

func FuzzWebhookPlain(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b, "1700000000", "n1", false)
		f.Add(b, "1700000000", "n1", true)
	}
	for _, g := range garbage {
		f.Add([]byte(g), "1700000000", "1320562132", false)
	}
	f.Add([]byte("<xml/>"), "", "n", false)
	f.Add([]byte("<xml/>"), "1699999000", "n", false) // stale
	f.Add([]byte("<xml/>"), "+1700000000", "n", false)
	f.Add([]byte("<xml/>"), "abc", "n", false)
	const now = 1700000000
	// long: the bot answers with the body repeated past MaxReplyBytes, so
	// fuzzer-made bytes also go through the cutting of a long, dirty reply.
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce string, long bool) {
		w, fb := fuzzWebhook(fuzzToken, ModePlain, now)
		if long && len(body) > 0 {
			fb.reply.Text = strings.Repeat(string(body), MaxReplyBytes/len(body)+2)
		}
		q := url.Values{"signature": {util.Signature(fuzzToken, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
		first := serveOnce(w, http.MethodPost, q, body)
		code := first.Code
		switch {
		case ts == "" || nonce == "":
			if code != http.StatusUnauthorized {
				t.Fatalf("missing ts/nonce: status %d", code)
			}
		case !w.fresh(ts):
			if code != http.StatusForbidden {
				t.Fatalf("stale timestamp %q: status %d", ts, code)
			}
		case code == http.StatusRequestEntityTooLarge:
			if len(body) <= MaxBody {
				t.Fatalf("413 for a %d-byte body", len(body))
			}
		case code != http.StatusOK && code != http.StatusBadRequest:
			t.Fatalf("status %d not in {200,400,413}", code)
		}
		if code != http.StatusOK {
			if n := len(fb.calls()); n != 0 {
				t.Fatalf("status %d but the bot ran %d times", code, n)
			}
			return
		}
		checkPlainReply(t, first.Body.String())
		// WeChat's retry of the same request: the bot does not run again and the
		// resident gets the same answer.
		again := serveOnce(w, http.MethodPost, q, body)
		if n := len(fb.calls()); n > 1 {
			t.Fatalf("bot ran %d times for one request", n)
		}
		if again.Code != code || again.Body.String() != first.Body.String() {
			t.Fatalf("retry answered %d %q, first %d %q", again.Code, again.Body.String(), code, first.Body.String())
		}
	})
}

// checkPlainReply: a 200 body is "success" or a text reply WeChat can parse.
func checkPlainReply(t *testing.T, body string) {
	t.Helper()
	if body == "success" {
		return
	}
	var out message.MixMessage
	if err := xml.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("reply is neither success nor XML: %v: %q", err, body)
	}
	checkReplyContent(t, &out)
}

func checkReplyContent(t *testing.T, out *message.MixMessage) {
	t.Helper()
	if out.MsgType != message.MsgTypeText || out.Content == "" || out.ToUserName == "" {
		t.Fatalf("reply is not a text message: %+v", out)
	}
	if len(out.Content) > MaxReplyBytes || !utf8.ValidString(out.Content) {
		t.Fatalf("reply content: %d bytes, valid UTF-8 %v", len(out.Content), utf8.ValidString(out.Content))
	}
}

// Safe-mode modes: how the fuzzer's enc and plain become the <Encrypt> element.
const (
	encRaw        = iota // enc as is: base64 or not
	encBase64            // enc's bytes as ciphertext: reaches AES and the padding checks
	encValid             // plain encrypted for our AppID: reaches the XML parser and the bot
	encOtherAppID        // plain encrypted for AppID enc: refused unless enc is ours
	encModes
)

func FuzzWebhookSafe(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add("", b, uint8(encValid))
	}
	for _, g := range garbage {
		f.Add(g, []byte(g), uint8(encValid))
	}
	for _, e := range []string{vecCenc, vecDenc, "", "YWJj", "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"!!!", "hyzAe4Oz", vecCenc[:64], " " + vecCenc, vecCenc + "\n", "]]><x>"} {
		f.Add(e, []byte(nil), uint8(encRaw))
	}
	f.Add(strings.Repeat("\x00", 32), []byte(nil), uint8(encBase64))
	f.Add(strings.Repeat("\x20", 64), []byte(nil), uint8(encBase64))
	f.Add("wx_other", []byte(garbage[len(garbage)-1]), uint8(encOtherAppID))
	f.Add(vecAppID, []byte("<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>7</MsgId></xml>"), uint8(encOtherAppID))
	f.Add("", []byte("<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>7</MsgId></xml>"), uint8(encValid|4))
	// Vector C's clock: the signatures of the official samples stay valid.
	now, _ := strconv.ParseInt(vecCts, 10, 64)
	f.Fuzz(func(t *testing.T, enc string, plain []byte, mode uint8) {
		w, fb := fuzzWebhook(vecToken, ModeSafe, now)
		encrypt := enc
		switch mode % encModes {
		case encBase64:
			encrypt = base64.StdEncoding.EncodeToString([]byte(enc))
		case encValid, encOtherAppID:
			appID := vecAppID
			if mode%encModes == encOtherAppID {
				appID = enc
			}
			e, err := EncryptMessage([]byte("fedcba9876543210"), plain, appID, vecAESKey)
			if err != nil {
				t.Fatal(err)
			}
			encrypt = e
		}
		// Compatible mode (bit 2): the envelope also carries plaintext fields, which
		// must never be trusted.
		var env bytes.Buffer
		env.WriteString("<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>")
		if mode&4 != 0 {
			env.WriteString("<FromUserName>outer-forged</FromUserName><MsgType>text</MsgType><Content>outer</Content><MsgId>1</MsgId>")
		}
		env.WriteString("<Encrypt>")
		xml.EscapeText(&env, []byte(encrypt))
		env.WriteString("</Encrypt></xml>")
		body := env.Bytes()
		q := url.Values{"signature": {vecCsig}, "timestamp": {vecCts}, "nonce": {vecCnonce}, "encrypt_type": {"aes"},
			"msg_signature": {util.Signature(vecToken, vecCts, vecCnonce, encrypt)}}
		rr := serveOnce(w, http.MethodPost, q, body)
		code := rr.Code
		switch {
		case code == http.StatusRequestEntityTooLarge:
			if len(body) <= MaxBody {
				t.Fatalf("413 for a %d-byte body", len(body))
			}
		case code != http.StatusOK && code != http.StatusBadRequest && code != http.StatusForbidden:
			t.Fatalf("status %d not in {200,400,403}", code)
		case code == http.StatusForbidden && (mode%encModes == encValid || mode%encModes == encOtherAppID && enc == vecAppID):
			t.Fatalf("a correctly signed message for our AppID was refused")
		}
		calls := fb.calls()
		if code != http.StatusOK && len(calls) != 0 {
			t.Fatalf("status %d but the bot ran", code)
		}
		for _, c := range calls {
			if c.OpenID == "outer-forged" && !bytes.Contains(plain, []byte("outer-forged")) {
				t.Fatal("the bot trusted the unencrypted envelope")
			}
		}
		if code != http.StatusOK || rr.Body.String() == "success" {
			return
		}
		var out message.ResponseEncryptedXMLMsg
		if err := xml.Unmarshal(rr.Body.Bytes(), &out); err != nil {
			t.Fatalf("reply is neither success nor XML: %v: %q", err, rr.Body.String())
		}
		if out.MsgSignature != util.Signature(vecToken, vecCts, vecCnonce, out.EncryptedMsg) || out.Nonce != vecCnonce {
			t.Fatalf("reply envelope signed wrongly: %+v", out)
		}
		_, raw, err := util.DecryptMsg(vecAppID, out.EncryptedMsg, vecAESKey)
		if err != nil {
			t.Fatalf("reply does not decrypt: %v", err)
		}
		var msg message.MixMessage
		if err := xml.Unmarshal(raw, &msg); err != nil {
			t.Fatalf("decrypted reply is not XML: %v: %q", err, raw)
		}
		checkReplyContent(t, &msg)
	})
}

func FuzzSanitizeSplit(f *testing.F) {
	for _, s := range []string{
		"", " ", "hello", "\r\n", "a\r\nb", "开头\x01\x00坏字\xff]]>健康知识", "第一行\n", "xxxxxxx中文",
		" \u3000", " \u3000尾", "😀",
		"\ufeff\ufffe\uffff\u0085\u00a0\u2028\u202e\U0001F468\u200d\U0001F469\u200d\U0001F467",
		"\xed\xa0\x80", "\x7f\u0080\u009f", "]]>]]>", "\t\ttab\t",
	} {
		f.Add(s, uint16(0), uint8(0))
		f.Add(s, uint16(5), uint8(200))
	}
	// rep repeats s (up to 256 times) so that short inputs also cross MaxReplyBytes;
	// m picks a small second limit so that every input is cut many times.
	f.Fuzz(func(t *testing.T, s string, m uint16, rep uint8) {
		s = strings.Repeat(s, 1+int(rep))
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
				r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
				t.Fatalf("Sanitize(%q) kept %U", s, r)
			}
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize is not idempotent: %q then %q", out, again)
		}
		// What the webhook relies on: the text survives a round trip through the reply XML.
		b, err := xml.Marshal(message.NewText(out))
		if err != nil {
			t.Fatal(err)
		}
		var back message.MixMessage
		if err := xml.Unmarshal(b, &back); err != nil || back.Content != out {
			t.Fatalf("reply XML does not round-trip: %v: %q → %q", err, out, back.Content)
		}

		first, rest := Split(out, MaxReplyBytes)
		if (first == "") != (out == "") {
			t.Fatalf("Split(%q) first = %q", out, first)
		}
		var parts []string
		if first != "" {
			parts = append([]string{first}, rest...)
		}
		checkParts(t, out, parts, MaxReplyBytes)
		// A small limit makes every input exercise the cutting (4 bytes: the longest rune).
		small := 4 + int(m)%300
		checkParts(t, out, splitAll(out, small), small)
	})
}

func checkParts(t *testing.T, whole string, parts []string, max int) {
	t.Helper()
	var joined strings.Builder
	for i, p := range parts {
		if p == "" || len(p) > max || !utf8.ValidString(p) {
			t.Fatalf("part %d of %d (limit %d): %d bytes, valid UTF-8 %v: %q", i, len(parts), max, len(p), utf8.ValidString(p), p)
		}
		joined.WriteString(p)
	}
	if a, b := noSpace(joined.String()), noSpace(whole); a != b {
		t.Fatalf("split (limit %d) lost content:\n whole %q\nparts %q", max, whole, parts)
	}
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
