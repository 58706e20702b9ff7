package wechat

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMedia serves /cgi-bin/media/get (temporary material) and hands the token
// endpoints to a fakeAPI.
type fakeMedia struct {
	api   *fakeAPI
	mu    sync.Mutex
	asked []string // media_id of each download
	audio []byte
	code  int // errcode answered instead of audio
	slow  bool
}

func (f *fakeMedia) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/cgi-bin/media/get" {
		f.api.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.slow {
		time.Sleep(800 * time.Millisecond) // longer than the SDK client's timeout in TestMain
	}
	f.asked = append(f.asked, r.URL.Query().Get("media_id"))
	if r.URL.Query().Get("access_token") == "" {
		http.Error(w, "no token", http.StatusForbidden)
		return
	}
	if f.code != 0 {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"errcode": f.code, "errmsg": "invalid media_id"})
		return
	}
	w.Header().Set("Content-Type", "audio/amr")
	w.Write(f.audio)
}

func TestFetchVoiceDownloadsTemporaryMaterial(t *testing.T) {
	f := &fakeMedia{api: useFake(t), audio: []byte("#!AMR\n\x3c\x11\x06")}
	setHandler(f)
	audio, err := newClient().FetchVoice(context.Background(), "MEDIA&1")
	if err != nil || string(audio) != "#!AMR\n\x3c\x11\x06" {
		t.Fatalf("got %q, %v", audio, err)
	}
	if len(f.asked) != 1 || f.asked[0] != "MEDIA&1" {
		t.Fatalf("asked for %v", f.asked)
	}
}

func TestFetchVoiceErrorsNeverShowTheToken(t *testing.T) {
	f := &fakeMedia{api: useFake(t), code: 40007}
	setHandler(f)
	c := newClient()
	_, err := c.FetchVoice(context.Background(), "expired")
	if err == nil || ErrCode(err) != 40007 || strings.Contains(err.Error(), "AT1") {
		t.Fatalf("expired media: %v", err)
	}
	f.code, f.slow = 0, true
	_, err = c.FetchVoice(context.Background(), "m")
	if err == nil || strings.Contains(err.Error(), "access_token") || strings.Contains(err.Error(), "AT1") {
		t.Fatalf("slow download: %v", err)
	}
}

func TestFetchVoiceRefusesOversizeAudio(t *testing.T) {
	f := &fakeMedia{api: useFake(t), audio: make([]byte, MaxVoice+1)}
	setHandler(f)
	if _, err := newClient().FetchVoice(context.Background(), "big"); err == nil {
		t.Fatal("oversize audio accepted")
	}
}

func TestVoiceMessageCarriesItsMedia(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	r.do(t, "POST", plainQuery("tok", "1700000000", "n1"), readFixture(t, "voice.xml"))
	calls := r.bot.calls()
	if len(calls) != 1 || calls[0].MediaID != "media_id" || calls[0].Format != "Format" || calls[0].Text != "" {
		t.Fatalf("inbound %+v", calls)
	}
}
