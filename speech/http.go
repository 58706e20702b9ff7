package speech

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
)

// HTTP posts the audio to a recogniser the association runs. The contract is
// that of FunASR's HTTP service (runtime/python/http/server.py), so it can be
// used as it is:
//
//	POST <speech.http.url>  multipart/form-data, one file field "audio",
//	     file name "voice.amr" or "voice.speex", part Content-Type audio/amr or audio/speex
//	200  {"text": "识别出的文字", "code": 0}
//	     code 1: the audio could not be read; any other non-zero code: failure
//	4xx/5xx: 401/403 auth, 413/415/422 unreadable, 429 quota, others unavailable
type HTTP struct {
	URL    string
	Client *http.Client
}

// maxAnswer bounds the recogniser's answer: a transcript of 60 seconds is short.
const maxAnswer = 64 << 10

// Transcribe posts one recording and returns the text.
func (h *HTTP) Transcribe(ctx context.Context, audio []byte, voiceFormat string) (string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": {`form-data; name="audio"; filename="voice.` + voiceFormat + `"`},
		"Content-Type":        {"audio/" + voiceFormat},
	})
	if err != nil {
		return "", &Error{Outcome: Unavailable, Err: err}
	}
	part.Write(audio)
	mw.Close()
	// The request body is a copy of the audio: overwrite it once sent too.
	defer clear(body.Bytes()[:cap(body.Bytes())])
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body.Bytes()))
	if err != nil {
		return "", &Error{Outcome: Unavailable, Err: err}
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := h.Client.Do(req)
	if err != nil {
		return "", timedOut(ctx, "", err)
	}
	defer resp.Body.Close()
	status := "HTTP " + strconv.Itoa(resp.StatusCode)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return "", &Error{Outcome: Auth, Code: status}
	case http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return "", &Error{Outcome: Unreadable, Code: status}
	case http.StatusTooManyRequests:
		return "", &Error{Outcome: Quota, Code: status}
	default:
		return "", &Error{Outcome: Unavailable, Code: status}
	}
	var out struct {
		Text string `json:"text"`
		Code int    `json:"code"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&out); err != nil {
		return "", timedOut(ctx, "bad answer", err)
	}
	switch out.Code {
	case 0:
		return out.Text, nil
	case 1:
		return "", &Error{Outcome: Unreadable, Code: "code 1"}
	}
	return "", &Error{Outcome: Unavailable, Code: "code " + strconv.Itoa(out.Code)}
}
