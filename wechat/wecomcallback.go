package wechat

import (
	"context"
	"encoding/xml"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"familybot/models"

	"github.com/silenceper/wechat/v2/util"
)

// Tapper applies a staff member's tap on a card button (cards.Service).
type Tapper interface {
	Apply(ctx context.Context, t models.CardTap) error
}

// WeComCallback is the WeCom self-built app's 接收消息 URL (GET verifies the URL,
// POST carries events). Both are signed (msg_signature) and AES-encrypted with
// the app's EncodingAESKey, the receiver being the CorpID. Only card taps
// (template_card_event) are acted on; every other event is acknowledged.
type WeComCallback struct {
	Token, EncodingAESKey, CorpID string
	Taps                          Tapper
	MaxSkew                       time.Duration // refuse timestamps further from now (0: no check)
	Now                           func() time.Time
	Log                           *slog.Logger
}

// weComEvent is the decrypted event; WeCom sends AgentID and the card's details too.
type weComEvent struct {
	FromUserName string `xml:"FromUserName"`
	MsgType      string `xml:"MsgType"`
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	TaskID       string `xml:"TaskId"`
	ResponseCode string `xml:"ResponseCode"`
}

func (w *WeComCallback) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := req.URL.Query()
	ts, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("msg_signature")
	if w.Token == "" || sig == "" || ts == "" || nonce == "" {
		w.refuse(rw, http.StatusForbidden, "missing signature")
		return
	}
	encrypted := q.Get("echostr")
	if req.Method == http.MethodPost {
		body, status := readBody(req)
		if status != 0 {
			http.Error(rw, http.StatusText(status), status)
			return
		}
		var env struct {
			Encrypt string `xml:"Encrypt"`
		}
		if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
			http.Error(rw, "bad request: not an encrypted event", http.StatusBadRequest)
			return
		}
		encrypted = env.Encrypt
	}
	if encrypted == "" {
		http.Error(rw, "bad request", http.StatusBadRequest)
		return
	}
	if !equal(sig, util.Signature(w.Token, ts, nonce, encrypted)) {
		w.refuse(rw, http.StatusForbidden, "bad msg_signature")
		return
	}
	if !w.fresh(ts) {
		w.refuse(rw, http.StatusForbidden, "stale timestamp")
		return
	}
	_, plain, err := util.DecryptMsg(w.CorpID, encrypted, w.EncodingAESKey)
	if err != nil {
		w.refuse(rw, http.StatusForbidden, "undecryptable or not for this corp")
		return
	}
	if req.Method == http.MethodGet { // URL verification: answer the decrypted echostr
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Write(plain)
		return
	}
	var ev weComEvent
	if err := xml.Unmarshal(plain, &ev); err != nil || ev.FromUserName == "" {
		http.Error(rw, "bad request", http.StatusBadRequest)
		return
	}
	if ev.MsgType == "event" && ev.Event == "template_card_event" && w.Taps != nil {
		ctx, cancel := context.WithTimeout(req.Context(), 4*time.Second) // WeCom waits 5 s, then retries
		defer cancel()
		if err := w.Taps.Apply(ctx, models.CardTap{UserID: ev.FromUserName, Key: ev.EventKey,
			TaskID: ev.TaskID, ResponseCode: ev.ResponseCode}); err != nil {
			if w.Log != nil {
				w.Log.Error("wecom card tap failed", "err", err)
			}
			http.Error(rw, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	rw.WriteHeader(http.StatusOK) // WeCom wants an empty answer
}

func (w *WeComCallback) fresh(ts string) bool {
	n, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
	if err != nil {
		return false
	}
	if w.MaxSkew <= 0 {
		return true
	}
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	d := now.Sub(time.Unix(n, 0))
	return d <= w.MaxSkew && d >= -w.MaxSkew
}

func (w *WeComCallback) refuse(rw http.ResponseWriter, status int, why string) {
	if w.Log != nil {
		w.Log.Warn("wecom callback refused", "reason", why, "status", status)
	}
	rw.WriteHeader(status)
}
