// Package wechat is familybot's only importer of silenceper/wechat: the
// official-account webhook (plain, compatible and safe modes), converting
// MixMessage to bot.Inbound and bot.Reply to XML, outbound messages to residents
// and staff, WeCom login and the menu.
package wechat

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"familybot/bot"
	"familybot/models"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// MaxBody is the largest webhook body accepted; real ones are a few KB.
const MaxBody = 64 << 10

// Handler answers one inbound message (bot.Engine).
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) bot.Reply
}

// Dedup makes retries have their effect once (cache.MemoryDedup or cache.RedisDedup).
type Dedup interface {
	ClaimMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error)
	FinishMessage(ctx context.Context, key, reply string, async bool) error
}

// Arrivals does in one round trip to a shared cache what a message needs
// before the bot can answer it, and in one more what it leaves behind
// (cache.Visits).
type Arrivals interface {
	// Arrive records the call's nonce with its body's digest for nonceTTL (a
	// nonce recorded before with another digest: an ECONFLICT error, nothing
	// claimed), claims key as Dedup.ClaimMessage does, and fetches the
	// resident's state into the returned context, which the bot runs in. Any
	// other error: nothing was done, take the steps one by one.
	Arrive(ctx context.Context, nonceKey, digest string, nonceTTL time.Duration, key, openID string) (context.Context, bool, models.ProcessedMessage, error)
	// Leave writes what the bot changed and the reply for retries (as
	// Dedup.FinishMessage); ctx is the one Arrive returned.
	Leave(ctx context.Context, key, reply string, async bool) error
}

// Later sends text to a resident after the webhook has answered (through the
// outbox, outbox.Notifier).
type Later interface {
	SendResident(ctx context.Context, openID string, n models.Notice) error
}

// Webhook is the official-account callback endpoint (GET verify, POST messages).
type Webhook struct {
	Token, AppID, EncodingAESKey string
	// Mode is ModePlain, ModeCompat or ModeSafe; empty: safe when
	// EncodingAESKey is set, else plain.
	Mode   string
	Bot    Handler
	Dedup  Dedup
	Nonces Nonces // nil: no replay check beyond the timestamp
	// Arrivals, when set, does the nonce check, the claim and the fetch of
	// the resident's state in one step; Nonces and Dedup are used when it fails.
	Arrivals Arrivals
	Later    Later
	// Inbox keeps a message answered "success" until its answer is queued, so
	// a copy that dies meanwhile loses nothing; may be nil.
	Inbox Inbox
	// Owner names this copy in the inbox (host and pid).
	Owner    string
	Deadline time.Duration // reply within this, else "success" and send later
	MaxSkew  time.Duration // refuse timestamps further from now (0: no check)
	Now      func() time.Time
	Random   func() []byte // 16 random bytes for reply encryption
	Log      *slog.Logger
	// Observe is told each handled message's route and time (metrics); may be nil.
	Observe func(route models.Route, d time.Duration)

	runnerOnce sync.Once
	runner     *runner
	mu         sync.Mutex
	busy       int           // background work not yet finished
	idle       chan struct{} // closed when busy drops to 0 (made by Drain)
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := req.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	sig := q.Get("signature")
	if sig == "" || ts == "" || nonce == "" {
		w.refuse(rw, http.StatusUnauthorized, "missing signature")
		return
	}
	if w.Token == "" || !equal(sig, util.Signature(w.Token, ts, nonce)) {
		w.refuse(rw, http.StatusForbidden, "bad signature")
		return
	}
	if !w.fresh(ts) {
		w.refuse(rw, http.StatusForbidden, "stale timestamp")
		return
	}
	if req.Method == http.MethodGet {
		echo := q.Get("echostr")
		if echo == "" {
			http.Error(rw, "bad request", http.StatusBadRequest)
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(rw, echo)
		return
	}
	body, status := readBody(req)
	if status != 0 {
		http.Error(rw, http.StatusText(status), status)
		return
	}
	raw, safe, status, why := w.open(q, ts, nonce, body)
	if status != 0 {
		if why != "" {
			w.refuse(rw, status, why)
		} else {
			http.Error(rw, http.StatusText(status), status)
		}
		return
	}
	var msg message.MixMessage
	bad := xml.Unmarshal(raw, &msg) != nil || msg.FromUserName == "" || msg.MsgType == ""
	var in bot.Inbound
	ok := false
	if !bad {
		in, ok = toInbound(&msg)
	}
	key := dedupKey(&msg)
	// With Arrivals the nonce check, the claim and the resident's state come in
	// one round trip; without (or when it fails) they are taken one by one.
	var a *arrival
	if ok && w.Arrivals != nil {
		var replayed bool
		if a, replayed = w.arrive(req.Context(), ts, nonce, body, key, in.OpenID); replayed {
			w.refuse(rw, http.StatusForbidden, "nonce replayed with another body")
			return
		}
	}
	if a == nil && !w.unseen(req.Context(), ts, nonce, body) {
		w.refuse(rw, http.StatusForbidden, "nonce replayed with another body")
		return
	}
	if bad {
		http.Error(rw, "bad request", http.StatusBadRequest)
		return
	}
	if !ok { // a message kind we do not handle: acknowledge, never "暂时无法提供服务"
		writeSuccess(rw)
		return
	}
	text, silent := w.answer(req.Context(), key, in, a)
	if silent {
		writeSuccess(rw)
	} else {
		w.writeReply(rw, &msg, text, safe, ts, nonce)
	}
	if a != nil && a.reply != nil {
		// The bot's writes and the reply for retries, in one round trip. It
		// ends before the response is released, so the resident's next
		// message, on whichever copy, finds them.
		w.keepReply(a, key, *a.reply)
	}
}

// answer runs the bot once per message, within the deadline. A retry of a message
// already answered gets the same text; one answered later gets "success". With
// an arrival the claim is already made, and the reply to keep for retries is
// left in it for ServeHTTP.
func (w *Webhook) answer(ctx context.Context, key string, in bot.Inbound, a *arrival) (text string, silent bool) {
	start := time.Now() // real elapsed time, whatever clock Now is
	deadline := w.deadline()
	if a != nil {
		if !a.claimed {
			if a.prev.Done && !a.prev.Async && a.prev.Reply != "" {
				return a.prev.Reply, false
			}
			return "", true
		}
		ctx = a.ctx
	} else if w.Dedup != nil {
		// A slow database must not eat the reply's time: the claim gets a third of it.
		cctx, cancel := context.WithTimeout(ctx, deadline/3)
		claimed, prev, err := w.Dedup.ClaimMessage(cctx, key)
		cancel()
		switch {
		case err != nil:
			// The database is unwell: answer anyway (the engine degrades to what it can
			// do without it) rather than leave the resident with nothing.
			w.logWarn("dedup unavailable", err)
		case !claimed:
			if prev.Done && !prev.Async && prev.Reply != "" {
				return prev.Reply, false
			}
			return "", true
		}
	}
	done := make(chan bot.Reply, 1)
	w.background(func() { done <- w.handle(ctx, in) })
	timer := time.NewTimer(deadline - time.Since(start))
	defer timer.Stop()
	select {
	case r := <-done:
		w.observe(r.Route, start)
		first, rest := Split(Sanitize(r.Text), MaxReplyBytes)
		if r.Silent || first == "" {
			first = ""
		} else if len(rest) > 0 {
			w.background(func() { w.sendLater(key, in.OpenID, rest, models.NoticeOverflow) })
		}
		if a != nil {
			a.reply = &first
		} else {
			w.keepReply(nil, key, first)
		}
		return first, first == ""
	case <-timer.C:
		// WeChat does not retry after "success": from here the message is ours
		// to keep, in the inbox until its answer is queued.
		kept := w.keep(key, in)
		w.background(func() {
			r := <-done
			w.observe(r.Route, start)
			w.deliver(ctx, key, in.OpenID, r)
			if kept {
				w.release(key)
			}
		})
		return "", true
	}
}

// handle runs the bot on one message, detached from the request so a reply
// that misses the deadline is still finished and delivered as a
// customer-service message.
func (w *Webhook) handle(ctx context.Context, in bot.Inbound) (r bot.Reply) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			r = bot.Reply{Text: "抱歉，系统有点忙，请稍后再发一次。紧急情况请拨打 120。", Route: models.RouteFallback}
		}
	}()
	return w.Bot.Handle(ctx, in)
}

// deliver queues a late answer as customer-service messages and marks the
// message answered for retries (with the bot's writes, when ctx carries an
// arrival's state).
func (w *Webhook) deliver(ctx context.Context, key, openID string, r bot.Reply) {
	if text := Sanitize(r.Text); !r.Silent && text != "" {
		w.sendLater(key, openID, []string{text}, models.NoticeLateAnswer)
	}
	w.finish(ctx, key, "", true)
}

func (w *Webhook) sendLater(key, openID string, parts []string, kind models.NoticeKind) {
	if w.Later == nil {
		return
	}
	for i, p := range parts {
		for j, chunk := range splitAll(p, MaxReplyBytes) {
			part := key + ":" + strconv.Itoa(i) + ":" + strconv.Itoa(j)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := w.Later.SendResident(ctx, openID, models.Notice{Kind: kind, Variant: part, Text: chunk}); err != nil {
				w.logWarn("could not queue a follow-up message", err)
			}
			cancel()
		}
	}
}

// keepReply stores the reply for WeChat's retries (after an arrival, with the
// bot's writes) with a short timeout of its own, so a hung cache cannot hold
// the answer back; when that is not enough it keeps trying after the reply has
// gone out (a retry comes 5 s later at the earliest, and only if this reply
// was lost).
func (w *Webhook) keepReply(a *arrival, key, reply string) {
	if a != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(a.ctx), 200*time.Millisecond)
		err := w.Arrivals.Leave(ctx, key, reply, false)
		cancel()
		if err != nil { // the bot's writes are lost with Redis; the reply is kept in the database
			w.background(func() { w.finish(context.Background(), key, reply, false) })
		}
		return
	}
	if w.Dedup == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	err := w.Dedup.FinishMessage(ctx, key, reply, false)
	cancel()
	if err != nil {
		w.background(func() { w.finish(context.Background(), key, reply, false) })
	}
}

// finish stores the reply for retries: through Arrivals.Leave when ctx came
// from an arrival (with the bot's writes), else through Dedup.
func (w *Webhook) finish(ctx context.Context, key, reply string, async bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	var err error
	switch {
	case w.Arrivals != nil && arrived(ctx):
		if err = w.Arrivals.Leave(ctx, key, reply, async); err != nil && w.Dedup != nil {
			err = w.Dedup.FinishMessage(ctx, key, reply, async)
		}
	case w.Dedup != nil:
		err = w.Dedup.FinishMessage(ctx, key, reply, async)
	}
	if err != nil {
		w.logWarn("could not store the reply for retries", err)
	}
}

func (w *Webhook) writeReply(rw http.ResponseWriter, req *message.MixMessage, text string, safe bool, ts, nonce string) {
	out := message.NewText(text)
	out.SetToUserName(req.FromUserName)
	out.SetFromUserName(req.ToUserName)
	out.SetCreateTime(w.now().Unix())
	out.SetMsgType(message.MsgTypeText)
	x := xmlPool.Get().(*xmlWriter)
	defer xmlPool.Put(x)
	body, err := x.marshal(out)
	if err != nil {
		writeSuccess(rw)
		return
	}
	if safe {
		if body, err = w.encryptReply(body, ts, nonce); err != nil {
			writeSuccess(rw)
			return
		}
	}
	rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
	rw.WriteHeader(http.StatusOK)
	rw.Write(body)
}

// xmlWriter is a reusable XML encoder: xml.Marshal sets up a new encoder and
// its 4 KiB buffer for every reply, which at thousands of replies a second is
// most of the webhook's garbage.
type xmlWriter struct {
	buf bytes.Buffer
	enc *xml.Encoder
}

var xmlPool = sync.Pool{New: func() any {
	x := &xmlWriter{}
	x.enc = xml.NewEncoder(&x.buf)
	return x
}}

// marshal returns v's XML, exactly as xml.Marshal writes it. The result is
// only valid until x is used again.
func (x *xmlWriter) marshal(v any) ([]byte, error) {
	x.buf.Reset()
	if err := x.enc.Encode(v); err != nil {
		// An encoder that failed half-way may hold a broken state: start afresh.
		x.enc = xml.NewEncoder(&x.buf)
		return nil, err
	}
	return x.buf.Bytes(), nil
}

// encryptReply wraps a reply for safe mode, reusing the request's timestamp and nonce.
func (w *Webhook) encryptReply(plain []byte, ts, nonce string) ([]byte, error) {
	enc, err := EncryptMessage(w.random(), plain, w.AppID, w.EncodingAESKey)
	if err != nil {
		return nil, err
	}
	tsn, _ := strconv.ParseInt(ts, 10, 64)
	return xml.Marshal(message.ResponseEncryptedXMLMsg{
		EncryptedMsg: enc, MsgSignature: util.Signature(w.Token, ts, nonce, enc), Timestamp: tsn, Nonce: nonce,
	})
}

// EncryptMessage encrypts msg as WeChat's safe mode does (AES-256-CBC, PKCS#7/32).
func EncryptMessage(random, msg []byte, appID, aesKey string) (string, error) {
	enc, err := util.EncryptMsg(random, msg, appID, aesKey)
	return string(enc), err
}

func (w *Webhook) decrypt(encrypted string) (raw []byte, err error) {
	defer func() { // garbage ciphertext must never take the server down
		if p := recover(); p != nil {
			raw, err = nil, errors.New("undecryptable")
		}
	}()
	_, raw, err = util.DecryptMsg(w.AppID, encrypted, w.EncodingAESKey)
	return raw, err
}

func (w *Webhook) fresh(ts string) bool {
	if w.MaxSkew <= 0 {
		return true
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := w.now().Sub(time.Unix(n, 0))
	return d <= w.MaxSkew && d >= -w.MaxSkew
}

// deadline is how long the bot has before WeChat gets "success".
func (w *Webhook) deadline() time.Duration {
	if w.Deadline <= 0 {
		return 4 * time.Second
	}
	return w.Deadline
}

func (w *Webhook) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Webhook) random() []byte {
	if w.Random != nil {
		return w.Random()
	}
	b := make([]byte, 16)
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return b
}

func (w *Webhook) observe(route models.Route, start time.Time) {
	if w.Observe != nil {
		w.Observe(route, time.Since(start))
	}
}

func (w *Webhook) refuse(rw http.ResponseWriter, status int, why string) {
	if w.Log != nil {
		w.Log.Warn("webhook call refused", "reason", why, "status", status)
	}
	rw.WriteHeader(status)
}

func (w *Webhook) logWarn(msg string, err error) {
	if w.Log != nil {
		w.Log.Warn(msg, "err", err)
	}
}

// readBody reads at most MaxBody bytes; it returns a status for oversize or empty bodies.
func readBody(req *http.Request) ([]byte, int) {
	if req.ContentLength > MaxBody {
		return nil, http.StatusRequestEntityTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxBody+1))
	switch {
	case err != nil:
		return nil, http.StatusBadRequest
	case len(body) > MaxBody:
		return nil, http.StatusRequestEntityTooLarge
	case len(strings.TrimSpace(string(body))) == 0:
		return nil, http.StatusBadRequest
	}
	return body, 0
}

func writeSuccess(rw http.ResponseWriter) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(http.StatusOK)
	io.WriteString(rw, "success")
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
