package speech

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"familybot/config"
)

const (
	testSecretID  = "AKIDtest0000"
	testSecretKey = "secret-key-for-tests"
)

// fakeTencent is a local stand-in for asr.tencentcloudapi.com that checks the
// TC3-HMAC-SHA256 signature as the real API does.
type fakeTencent struct {
	t      *testing.T
	answer string // the Response object sent back
	status int
	delay  time.Duration
	got    map[string]any
	header http.Header
}

func (f *fakeTencent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.header = r.Header.Clone()
	json.Unmarshal(body, &f.got)
	if r.Method != http.MethodPost {
		f.t.Errorf("method %s, want POST", r.Method)
	}
	if want := tc3Authorization(r.Header, r.Host, body); r.Header.Get("Authorization") != want {
		f.t.Errorf("Authorization %q\nwant %q", r.Header.Get("Authorization"), want)
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	io.WriteString(w, `{"Response":`+f.answer+`}`)
}

// tc3Authorization computes the header the SDK must send (Tencent Cloud's
// signature v3: canonical request, string to sign, date/service/tc3_request key).
func tc3Authorization(h http.Header, host string, body []byte) string {
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	mac := func(key []byte, msg string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return m.Sum(nil)
	}
	var ts int64
	fmt.Sscan(h.Get("X-TC-Timestamp"), &ts)
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	canonical := "POST\n/\n\ncontent-type:" + h.Get("Content-Type") + "\nhost:" + host + "\n\ncontent-type;host\n" + sum(body)
	scope := date + "/asr/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + h.Get("X-TC-Timestamp") + "\n" + scope + "\n" + sum([]byte(canonical))
	key := mac(mac(mac([]byte("TC3"+testSecretKey), date), "asr"), "tc3_request")
	return "TC3-HMAC-SHA256 Credential=" + testSecretID + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + hex.EncodeToString(mac(key, toSign))
}

func newFakeTencent(t *testing.T, engine string) (*fakeTencent, *Tencent) {
	t.Helper()
	f := &fakeTencent{t: t, answer: `{"Result":"宝宝发烧怎么办","AudioDuration":2100,"RequestId":"r1"}`}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, NewTencent(config.SpeechTencent{SecretID: testSecretID, SecretKey: testSecretKey, Region: "ap-shanghai",
		Engine: engine, Endpoint: srv.URL}, nil)
}

func TestTencentSendsASignedSentenceRecognition(t *testing.T) {
	for _, tc := range []struct{ engine, format string }{{"16k_zh", "amr"}, {"16k_ca", "speex"}} {
		f, rec := newFakeTencent(t, tc.engine)
		audio := []byte("#!AMR\n\x3c\x11\x06\x30")
		text, err := rec.Transcribe(context.Background(), audio, tc.format)
		if err != nil || text != "宝宝发烧怎么办" {
			t.Fatalf("%s: got %q, %v", tc.engine, text, err)
		}
		if f.header.Get("X-TC-Action") != "SentenceRecognition" || f.header.Get("X-TC-Version") != "2019-06-14" ||
			f.header.Get("X-TC-Region") != "ap-shanghai" {
			t.Errorf("headers %v", f.header)
		}
		want := map[string]any{"EngSerViceType": tc.engine, "VoiceFormat": tc.format, "SourceType": 1.0, "SubServiceType": 2.0,
			"Data": base64.StdEncoding.EncodeToString(audio), "DataLen": float64(len(audio))}
		for k, v := range want {
			if f.got[k] != v {
				t.Errorf("%s: %s = %v, want %v", tc.engine, k, f.got[k], v)
			}
		}
	}
}

func TestTencentErrorsBecomeOutcomes(t *testing.T) {
	tests := []struct {
		code, want string
	}{
		{"AuthFailure.SecretIdNotFound", Auth},
		{"AuthFailure.SignatureFailure", Auth},
		{"FailedOperation.CheckAuthInfoFailed", Auth},
		{"FailedOperation.UserNotRegistered", Auth},
		{"FailedOperation.UserHasNoFreeAmount", Quota},
		{"FailedOperation.UserHasNoAmount", Quota},
		{"RequestLimitExceeded.UinLimitExceeded", Quota},
		{"FailedOperation.ServiceIsolate", Quota},
		{"RequestLimitExceeded", Quota},
		{"FailedOperation.ErrorRecognize", Unreadable},
		{"InvalidParameterValue.ErrorInvalidVoiceFormat", Unreadable},
		{"InternalError.ErrorFailAccessDatabase", Unavailable},
	}
	for _, tc := range tests {
		f, rec := newFakeTencent(t, "16k_zh")
		f.answer = `{"Error":{"Code":"` + tc.code + `","Message":"x"},"RequestId":"r2"}`
		_, err := rec.Transcribe(context.Background(), []byte("audio"), "amr")
		if got := OutcomeOf(err); got != tc.want {
			t.Errorf("%s: outcome %q, want %q", tc.code, got, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), tc.code) {
			t.Errorf("%s: error %q does not name the code", tc.code, err)
		}
	}
}

func TestTencentDownOrSlow(t *testing.T) {
	f, rec := newFakeTencent(t, "16k_zh")
	f.status = http.StatusBadGateway
	if _, err := rec.Transcribe(context.Background(), []byte("a"), "amr"); OutcomeOf(err) != Unavailable {
		t.Fatalf("502: %v", err)
	}
	f.status, f.delay = 0, 5*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := rec.Transcribe(ctx, []byte("a"), "amr"); OutcomeOf(err) != Timeout {
		t.Fatalf("slow: %v", err)
	}
	rec.endpoint = "127.0.0.1:1" // nothing listens
	if _, err := rec.Transcribe(context.Background(), []byte("a"), "amr"); OutcomeOf(err) != Unavailable {
		t.Fatalf("down: %v", err)
	}
}
