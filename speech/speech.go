// Package speech turns a resident's short voice message into text. Drivers:
// tencent (Tencent Cloud 一句话识别), http (a recogniser the association runs
// itself, e.g. FunASR's HTTP service) and none. Audio lives only in memory for
// the length of one call, and nothing here logs: callers get the text, or an
// *Error whose message holds only the outcome and the backend's error code.
package speech

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"familybot/config"
)

// Recognizer transcribes one short recording (WeChat voice: AMR or Speex, under 60s).
type Recognizer interface {
	Transcribe(ctx context.Context, audio []byte, format string) (string, error)
}

// Outcomes of one voice message, the "outcome" label of familybot_speech_total.
const (
	OK             = "ok"
	Empty          = "empty"           // the backend heard nothing it could write down
	Timeout        = "timeout"         // speech.timeout passed
	Unavailable    = "unavailable"     // backend down or answering with an error
	Quota          = "quota"           // out of free calls, arrears, rate limit
	Auth           = "auth"            // keys wrong or revoked
	Unreadable     = "unreadable"      // audio the backend cannot decode
	DownloadFailed = "download_failed" // WeChat would not give the audio
	Disabled       = "disabled"        // driver none
)

// Outcomes lists every outcome a driver can have, for metrics.
var Outcomes = []string{OK, Empty, Timeout, Unavailable, Quota, Auth, Unreadable, DownloadFailed}

// Error is a failed transcription. Its message is safe to log: no audio, no text.
type Error struct {
	Outcome string
	Code    string // the backend's own code (e.g. AuthFailure.SecretIdNotFound, HTTP 503)
	Err     error
}

func (e *Error) Error() string {
	if e.Code == "" {
		return "speech: " + e.Outcome
	}
	return "speech: " + e.Outcome + " (" + e.Code + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// OutcomeOf names err's outcome: OK for nil, Timeout for a passed deadline,
// Unavailable for anything else that is not an *Error.
func OutcomeOf(err error) string {
	var se *Error
	switch {
	case err == nil:
		return OK
	case errors.As(err, &se):
		return se.Outcome
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	}
	return Unavailable
}

// New builds the configured driver. transport carries its HTTP calls (nil: the
// default transport; tests point it at a fake).
func New(cfg config.Speech, transport http.RoundTripper) (Recognizer, error) {
	if transport == nil {
		transport = http.DefaultTransport
	}
	switch cfg.Driver {
	case "none", "":
		return None{}, nil
	case "tencent":
		return NewTencent(cfg.Tencent, transport), nil
	case "http":
		return &HTTP{URL: cfg.HTTP.URL, Client: &http.Client{Transport: transport}}, nil
	}
	return nil, fmt.Errorf("speech.driver %q is unknown: use none, tencent or http", cfg.Driver)
}

// None transcribes nothing: the resident is asked to type or answer with a digit.
type None struct{}

// Transcribe always fails with Disabled.
func (None) Transcribe(context.Context, []byte, string) (string, error) {
	return "", &Error{Outcome: Disabled}
}

// format folds WeChat's Format ("amr", "AMR", "speex") to the name the
// backends take; anything unknown is sent as amr, WeChat's usual format.
func format(f string) string {
	if f = strings.ToLower(strings.TrimSpace(f)); f == "speex" {
		return f
	}
	return "amr"
}

// timedOut turns a transport failure into Timeout when ctx's deadline passed.
func timedOut(ctx context.Context, code string, err error) *Error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Outcome: Timeout, Code: code, Err: err}
	}
	return &Error{Outcome: Unavailable, Code: code, Err: err}
}
