package wechat

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"familybot/models"

	"github.com/silenceper/wechat/v2/util"
)

// Nonces remembers recent calls' timestamp and nonce with a digest of their
// body (cache.MemoryNonces, or cache.RedisNonces shared by every copy).
type Nonces interface {
	// SeeNonce records digest under key for ttl unless key is already there,
	// and returns the digest recorded first.
	SeeNonce(ctx context.Context, key, digest string, ttl time.Duration) (string, error)
}

// open checks the body against the message mode (as set in the console) and
// returns the message XML to trust, and whether the reply must be encrypted.
// A refusal comes with a status and, for a security refusal, a reason to log.
func (w *Webhook) open(q url.Values, ts, nonce string, body []byte) (raw []byte, encrypted bool, status int, why string) {
	mode := w.mode()
	var env struct {
		Encrypt string `xml:"Encrypt"`
	}
	if mode != ModePlain || q.Get("encrypt_type") == "aes" {
		if err := xml.Unmarshal(body, &env); err != nil {
			return nil, false, http.StatusBadRequest, ""
		}
	}
	if env.Encrypt == "" {
		switch {
		case mode == ModeSafe:
			// The downgrade: with only the URL signature, which does not cover
			// the body, anyone holding one logged query string could post as anyone.
			return nil, false, http.StatusForbidden, "unencrypted body in safe mode"
		case q.Get("encrypt_type") == "aes":
			return nil, false, http.StatusBadRequest, ""
		}
		return body, false, 0, ""
	}
	if mode == ModePlain {
		return nil, false, http.StatusForbidden, "encrypted body in plain mode"
	}
	if !equal(q.Get("msg_signature"), util.Signature(w.Token, ts, nonce, env.Encrypt)) {
		return nil, false, http.StatusForbidden, "bad msg_signature"
	}
	raw, err := w.decrypt(env.Encrypt)
	if err != nil {
		if strings.Contains(err.Error(), "APPID") {
			return nil, false, http.StatusForbidden, "appid mismatch"
		}
		return nil, false, http.StatusBadRequest, ""
	}
	return raw, true, 0, ""
}

// Message modes, as 消息加解密方式 in the official-account console.
const (
	ModePlain  = "plain"  // 明文模式: plaintext bodies only
	ModeCompat = "compat" // 兼容模式: plaintext or encrypted; only decrypted fields are trusted
	ModeSafe   = "safe"   // 安全模式: encrypted bodies only, msg_signature checked over the ciphertext
)

func (w *Webhook) mode() string {
	switch {
	case w.Mode != "":
		return w.Mode
	case w.EncodingAESKey != "":
		return ModeSafe
	}
	return ModePlain
}

// unseen reports whether this call's timestamp and nonce are new, or were seen
// with this very body (WeChat's own retry; dedup gives it the first answer).
// The URL signature covers only the timestamp and nonce, so one captured query
// string must not carry a second, forged body while it is still fresh.
func (w *Webhook) unseen(ctx context.Context, ts, nonce string, body []byte) bool {
	if w.Nonces == nil {
		return true
	}
	key, digest, ttl := w.nonceOf(ts, nonce, body)
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	first, err := w.Nonces.SeeNonce(ctx, key, digest, ttl)
	if err != nil {
		w.logWarn("nonce cache unavailable", err)
		return true
	}
	return first == digest
}

// nonceOf returns the key a call's nonce is remembered under, its body's
// digest and how long to remember it.
func (w *Webhook) nonceOf(ts, nonce string, body []byte) (key, digest string, ttl time.Duration) {
	ttl = 2 * w.MaxSkew // a timestamp is fresh from MaxSkew before now to MaxSkew after
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	sum := sha1.Sum(body)
	return ts + ":" + nonce, hex.EncodeToString(sum[:]), ttl
}

// arrival is what Arrivals.Arrive learnt of a message: its claim, and the
// context carrying the resident's state that the bot runs in. reply is set
// once there is a reply to keep for retries.
type arrival struct {
	ctx     context.Context
	claimed bool
	prev    models.ProcessedMessage
	reply   *string
}

type arrivedKey struct{}

// arrived reports whether ctx came from an arrival.
func arrived(ctx context.Context) bool { return ctx.Value(arrivedKey{}) != nil }

// arrive checks the nonce, claims key and fetches the resident's state in one
// step. nil (and not replayed): the cache failed, take the steps one by one.
func (w *Webhook) arrive(ctx context.Context, ts, nonce string, body []byte, key, openID string) (a *arrival, replayed bool) {
	nk, digest, ttl := w.nonceOf(ts, nonce, body)
	// Like a claim in the database, the arrival gets a third of the reply's time.
	wctx, cancel := context.WithTimeout(ctx, w.deadline()/3)
	defer cancel()
	actx, claimed, prev, err := w.Arrivals.Arrive(wctx, nk, digest, ttl, key, openID)
	switch {
	case models.IsCode(err, models.ECONFLICT):
		return nil, true
	case err != nil:
		return nil, false
	}
	// The bot's context is the request's (actx carries the state, wctx's
	// deadline must not reach the bot).
	actx = context.WithoutCancel(actx)
	return &arrival{ctx: context.WithValue(actx, arrivedKey{}, true), claimed: claimed, prev: prev}, false
}
