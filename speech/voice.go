package speech

import (
	"context"
	"strings"
	"time"
)

// Fetcher downloads a voice message's audio by its media id (wechat.Client).
type Fetcher interface {
	FetchVoice(ctx context.Context, mediaID string) ([]byte, error)
}

// Voice transcribes WeChat voice messages: download, recognise, forget. It is
// the engine's bot.Transcriber.
type Voice struct {
	Fetch   Fetcher
	Rec     Recognizer
	Driver  string        // for Observe
	Timeout time.Duration // for download and recognition together; 0: none
	// Observe is told each message's outcome (one of the constants) and the
	// error, nil on success; it may be nil. It must not log the text.
	Observe func(driver, outcome string, err error)
}

// Transcribe returns what was said in the voice message mediaID. The audio is
// held only in memory and its bytes are overwritten before this returns.
func (v *Voice) Transcribe(ctx context.Context, mediaID, voiceFormat string) (text string, err error) {
	defer func() { v.observe(err) }()
	if v.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, v.Timeout)
		defer cancel()
	}
	audio, err := v.Fetch.FetchVoice(ctx, mediaID)
	if err != nil {
		if e := timedOut(ctx, "", err); e.Outcome == Timeout {
			return "", e
		}
		return "", &Error{Outcome: DownloadFailed, Code: short(err.Error()), Err: err}
	}
	// The recording is the resident's voice: nothing keeps it past this call.
	defer clear(audio)
	if len(audio) == 0 {
		return "", &Error{Outcome: Unreadable, Code: "empty audio"}
	}
	text, err = v.Rec.Transcribe(ctx, audio, format(voiceFormat))
	if err != nil {
		if _, ok := err.(*Error); !ok {
			err = timedOut(ctx, "", err)
		}
		return "", err
	}
	if text = strings.TrimSpace(text); text == "" {
		return "", &Error{Outcome: Empty}
	}
	return text, nil
}

func (v *Voice) observe(err error) {
	if v.Observe != nil {
		v.Observe(v.Driver, OutcomeOf(err), err)
	}
}

// short keeps an error's first 120 bytes for Error.Code (valid UTF-8).
func short(s string) string {
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:120], "")
	}
	return s
}
