package speech

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"familybot/config"
)

func TestHTTPContract(t *testing.T) {
	audio := []byte("#!AMR\n\x01\x02\x03")
	var gotName, gotType string
	var gotAudio []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		f, h, err := r.FormFile("audio")
		if err != nil {
			t.Errorf("no audio field: %v", err)
			return
		}
		gotName, gotType = h.Filename, h.Header.Get("Content-Type")
		gotAudio, _ = io.ReadAll(f)
		io.WriteString(w, `{"text": "我想报名亲子活动", "sentences": [], "code": 0}`)
	}))
	defer srv.Close()
	rec, err := New(config.Speech{Driver: "http", HTTP: config.SpeechHTTP{URL: srv.URL + "/recognition"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	text, err := rec.Transcribe(context.Background(), audio, "amr")
	if err != nil || text != "我想报名亲子活动" {
		t.Fatalf("got %q, %v", text, err)
	}
	if gotName != "voice.amr" || gotType != "audio/amr" || !bytes.Equal(gotAudio, audio) {
		t.Fatalf("sent %q %q %q", gotName, gotType, gotAudio)
	}
}

func TestHTTPFailuresBecomeOutcomes(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   string
	}{
		{200, `{"msg": "读取音频文件发生错误", "code": 1}`, Unreadable},
		{200, `{"msg": "未知错误", "code": -1}`, Unavailable},
		{200, `<html>proxy error</html>`, Unavailable},
		{401, ``, Auth},
		{415, ``, Unreadable},
		{429, ``, Quota},
		{503, ``, Unavailable},
	}
	for _, tc := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		}))
		rec := &HTTP{URL: srv.URL, Client: http.DefaultClient}
		_, err := rec.Transcribe(context.Background(), []byte("a"), "amr")
		if got := OutcomeOf(err); got != tc.want {
			t.Errorf("%d %s: outcome %q, want %q", tc.status, tc.body, got, tc.want)
		}
		srv.Close()
	}
}

func TestHTTPSlowIsATimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := (&HTTP{URL: srv.URL, Client: http.DefaultClient}).Transcribe(ctx, []byte("a"), "amr")
	if OutcomeOf(err) != Timeout {
		t.Fatalf("got %v", err)
	}
}
