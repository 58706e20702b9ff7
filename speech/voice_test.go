package speech

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"familybot/config"
)

type fakeFetch struct {
	audio []byte
	err   error
}

func (f *fakeFetch) FetchVoice(context.Context, string) ([]byte, error) { return f.audio, f.err }

type fakeRec struct {
	text    string
	err     error
	gotFmt  string
	gotSize int
}

func (r *fakeRec) Transcribe(_ context.Context, audio []byte, f string) (string, error) {
	r.gotFmt, r.gotSize = f, len(audio)
	return r.text, r.err
}

func TestVoiceForgetsTheAudioAndCountsOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		fetchErr error
		text     string
		recErr   error
		want     string
	}{
		{"heard", nil, " 宝宝发烧怎么办 ", nil, OK},
		{"silence", nil, "  ", nil, Empty},
		{"quota", nil, "", &Error{Outcome: Quota, Code: "FailedOperation.UserHasNoFreeAmount"}, Quota},
		{"plain error", nil, "", errors.New("boom"), Unavailable},
		{"no download", errors.New("errcode=40007"), "", nil, DownloadFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			audio := []byte("#!AMR\nsecret voice")
			var seen []string
			v := &Voice{Fetch: &fakeFetch{audio: audio, err: tc.fetchErr}, Rec: &fakeRec{text: tc.text, err: tc.recErr}, Driver: "tencent",
				Observe: func(driver, outcome string, err error) { seen = append(seen, driver+"/"+outcome) }}
			text, err := v.Transcribe(context.Background(), "MEDIA1", "AMR")
			if OutcomeOf(err) != tc.want || (tc.want == OK && text != "宝宝发烧怎么办") {
				t.Fatalf("got %q, %v; want outcome %s", text, err, tc.want)
			}
			if len(seen) != 1 || seen[0] != "tencent/"+tc.want {
				t.Fatalf("observed %v", seen)
			}
			if tc.fetchErr == nil && !bytes.Equal(audio, make([]byte, len(audio))) {
				t.Fatalf("audio still in memory: %q", audio)
			}
		})
	}
}

func TestVoiceSendsWeChatFormats(t *testing.T) {
	for in, want := range map[string]string{"amr": "amr", "AMR": "amr", "speex": "speex", "Speex": "speex", "": "amr"} {
		rec := &fakeRec{text: "好"}
		v := &Voice{Fetch: &fakeFetch{audio: []byte("x")}, Rec: rec}
		if _, err := v.Transcribe(context.Background(), "m", in); err != nil || rec.gotFmt != want {
			t.Errorf("%q: sent %q (%v), want %q", in, rec.gotFmt, err, want)
		}
	}
}

func TestNoneAndUnknownDrivers(t *testing.T) {
	rec, err := New(config0("none"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Transcribe(context.Background(), []byte("a"), "amr"); OutcomeOf(err) != Disabled {
		t.Fatalf("none: %v", err)
	}
	if _, err := New(config0("whisper"), nil); err == nil {
		t.Fatal("unknown driver accepted")
	}
}

func config0(driver string) config.Speech { return config.Speech{Driver: driver} }
