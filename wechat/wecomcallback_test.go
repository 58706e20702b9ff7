package wechat

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/store/storetest"

	"github.com/silenceper/wechat/v2/util"
)

// The callback takes only what WeCom signed and encrypted for this corp, recently.
func TestWeComCallbackRefusesForgedOldAndPlain(t *testing.T) {
	r := newCardRig(t, storetest.SQLite(t))
	id := r.newWish("请问孕前检查在哪里做")
	key := fmt.Sprintf("wish_accept:%d", id)
	serve := func(req *http.Request) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r.cb.ServeHTTP(rec, req)
		return rec
	}
	// URL verification: the decrypted echostr comes back.
	if rec := serve(signed(http.MethodGet, "8437521932157", r.now, cardToken, cardCorp)); rec.Code != http.StatusOK || rec.Body.String() != "8437521932157" {
		t.Fatalf("verify: %d %q", rec.Code, rec.Body.String())
	}
	cases := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"forged signature", signed(http.MethodPost, tapXML("zhangsan", key, "t", "rc"), r.now, "not-the-token", cardCorp), http.StatusForbidden},
		{"old timestamp", signed(http.MethodPost, tapXML("zhangsan", key, "t", "rc"), r.now.Add(-10*time.Minute), cardToken, cardCorp), http.StatusForbidden},
		{"another corp", signed(http.MethodPost, tapXML("zhangsan", key, "t", "rc"), r.now, cardToken, "othercorp"), http.StatusForbidden},
		{"forged verification", signed(http.MethodGet, "123", r.now, "not-the-token", cardCorp), http.StatusForbidden},
		{"unsigned", httptest.NewRequest(http.MethodPost, "/wecom/callback", strings.NewReader(tapXML("zhangsan", key, "t", "rc"))), http.StatusForbidden},
		{"garbage ciphertext", func() *http.Request {
			q := url.Values{"msg_signature": {util.Signature(cardToken, strconv.FormatInt(r.now.Unix(), 10), "n1", "bm90IGEgbWVzc2FnZQ==")},
				"timestamp": {strconv.FormatInt(r.now.Unix(), 10)}, "nonce": {"n1"}}
			return httptest.NewRequest(http.MethodPost, "/wecom/callback?"+q.Encode(), strings.NewReader("<xml><Encrypt>bm90IGEgbWVzc2FnZQ==</Encrypt></xml>"))
		}(), http.StatusForbidden},
		{"plain body", httptest.NewRequest(http.MethodPost, signed(http.MethodPost, "x", r.now, cardToken, cardCorp).URL.String(),
			strings.NewReader(tapXML("zhangsan", key, "t", "rc"))), http.StatusBadRequest},
	}
	for _, tc := range cases {
		if rec := serve(tc.req); rec.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
	if w := r.wish(id); w.Status != models.WishPending {
		t.Fatalf("a refused call changed the wish: %+v", w)
	}
	if got := r.audits("zhangsan"); len(got) != 0 {
		t.Fatalf("a refused call was applied: %v", got)
	}
}

type tapRecorder struct{ taps []models.CardTap }

func (r *tapRecorder) Apply(_ context.Context, t models.CardTap) error {
	r.taps = append(r.taps, t)
	return nil
}

// FuzzWeComCallback: whatever a stranger (or WeCom) sends, the callback answers
// 200, 400 or 403, never panics, and applies a tap only from a signed, fresh,
// decryptable event.
//
//	go test ./wechat -run '^$' -fuzz '^FuzzWeComCallback$' -fuzztime 1m
func FuzzWeComCallback(f *testing.F) {
	f.Add(tapXML("zhangsan", "wish_accept:1", "t", "rc"), true, int64(0), false)
	f.Add(tapXML("zhangsan", "wish_accept:1", "t", "rc"), false, int64(0), false)
	f.Add(tapXML("zhangsan", "wish_accept:1", "t", "rc"), true, int64(-3600), false)
	f.Add("<xml><FromUserName>a</FromUserName><MsgType>text</MsgType></xml>", true, int64(0), false)
	f.Add("echo-1234", true, int64(0), true)
	f.Add("<xml><Encrypt>x</Encrypt></xml>", true, int64(0), false)
	now := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, plain string, sign bool, skew int64, get bool) {
		rec := &tapRecorder{}
		cb := &WeComCallback{Token: cardToken, EncodingAESKey: cardKey, CorpID: cardCorp, MaxSkew: 5 * time.Minute,
			Now: func() time.Time { return now }, Taps: rec}
		method, token := http.MethodPost, cardToken
		if get {
			method = http.MethodGet
		}
		if !sign {
			token = "forged"
		}
		req := signed(method, plain, now.Add(time.Duration(skew%1e6)*time.Second), token, cardCorp)
		w := httptest.NewRecorder()
		cb.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden:
		default:
			t.Fatalf("status %d", w.Code)
		}
		if len(rec.taps) > 0 && (!sign || skew%1e6 > 300 || skew%1e6 < -300 || get) {
			t.Fatalf("applied a tap from a refused call: %+v", rec.taps)
		}
	})
}
