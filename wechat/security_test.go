package wechat

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"familybot/bot"
	"familybot/cache"
	"familybot/models"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/util"
)

// textMsg is a resident's text message as WeChat posts it in plain mode.
func textMsg(openID, text, msgID string) string {
	return "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[" + openID + "]]></FromUserName>" +
		"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" + text + "]]></Content>" +
		"<MsgId>" + msgID + "</MsgId></xml>"
}

// encrypted is the safe-mode request for inner: the query (both signatures) and the body.
func encrypted(t *testing.T, token, appID, ts, nonce, inner string) (string, string) {
	t.Helper()
	enc, err := EncryptMessage([]byte("0123456789abcdef"), []byte(inner), appID, vecAESKey)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"signature": {util.Signature(token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce},
		"encrypt_type": {"aes"}, "msg_signature": {util.Signature(token, ts, nonce, enc)}}
	return q.Encode(), safeBody(enc)
}

// The downgrade of finding 2: with an EncodingAESKey set, a plaintext body signed
// only by the URL signature (a query string copied from an access log) must not
// reach the bot as the victim.
func TestSafeModeRefusesPlaintextDowngrade(t *testing.T) {
	r := newRig(t, "tok", "wxsafe", vecAESKey, 1700000000) // no message_mode: safe, because a key is set
	forged := textMsg("victim-openid", "我的报名", "777")
	for name, q := range map[string]string{
		"no encrypt_type": plainQuery("tok", "1700000000", "n-logged"),
		"encrypt_type=aes but no Encrypt": plainQuery("tok", "1700000000", "n-logged2") + "&encrypt_type=aes&msg_signature=" +
			util.Signature("tok", "1700000000", "n-logged2"),
	} {
		t.Run(name, func(t *testing.T) {
			code, body := r.do(t, "POST", q, forged)
			if code != 403 || body != "" {
				t.Fatalf("forged plaintext: %d %q, want 403 and no body", code, body)
			}
		})
	}
	if c := r.bot.calls(); len(c) != 0 {
		t.Fatalf("the bot answered a forged message: %+v", c)
	}
	// The resident's real, encrypted message still goes through.
	q, body := encrypted(t, "tok", "wxsafe", "1700000000", "n-real", textMsg("victim-openid", "我的报名", "778"))
	if code, resp := r.do(t, "POST", q, body); code != 200 || !strings.Contains(resp, "<Encrypt>") {
		t.Fatalf("genuine encrypted message: %d %q", code, resp)
	}
}

// Each mode accepts what WeChat sends in it and nothing else.
func TestMessageModesAsTheConsoleSetsThem(t *testing.T) {
	tests := []struct {
		mode                 string
		plainOK, encryptedOK bool
	}{
		{ModePlain, true, false},
		{ModeCompat, true, true},
		{ModeSafe, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			r := newRig(t, "tok", "wxmode", vecAESKey, 1700000000)
			r.w.Mode = tc.mode
			code, _ := r.do(t, "POST", plainQuery("tok", "1700000000", "p1"), textMsg("u1", "你好", "1"))
			if (code == 200) != tc.plainOK || (code != 200 && code != 403) {
				t.Errorf("plaintext: status %d, accepted want %v", code, tc.plainOK)
			}
			q, body := encrypted(t, "tok", "wxmode", "1700000000", "e1", textMsg("u2", "你好", "2"))
			code, resp := r.do(t, "POST", q, body)
			if (code == 200) != tc.encryptedOK || (code != 200 && code != 403) {
				t.Errorf("encrypted: status %d, accepted want %v", code, tc.encryptedOK)
			}
			if code == 200 && !strings.Contains(resp, "<Encrypt>") {
				t.Errorf("an encrypted message got a plaintext reply: %q", resp)
			}
			want := 0
			if tc.plainOK {
				want++
			}
			if tc.encryptedOK {
				want++
			}
			if n := len(r.bot.calls()); n != want {
				t.Errorf("bot ran %d times, want %d", n, want)
			}
		})
	}
}

// One captured query string cannot carry a second, forged body within the
// window; WeChat's own retry (the same body) is still answered, once.
func TestReplayedNonceRefused(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	q := plainQuery("tok", "1700000000", "n-once")
	_, first := r.do(t, "POST", q, textMsg("victim-openid", "报名 3 李阿姨 13800001111", "5001"))
	if code, body := r.do(t, "POST", q, textMsg("victim-openid", "取消报名 3", "5002")); code != 403 || body != "" {
		t.Fatalf("replayed nonce with a forged body: %d %q", code, body)
	}
	if _, again := r.do(t, "POST", q, textMsg("victim-openid", "报名 3 李阿姨 13800001111", "5001")); again != first {
		t.Fatalf("WeChat's retry got %q, first %q", again, first)
	}
	if c := r.bot.calls(); len(c) != 1 || c[0].Text != "报名 3 李阿姨 13800001111" {
		t.Fatalf("bot got %+v", c)
	}
}

// With Redis, a replay refused by one copy is refused by every copy.
func TestReplayRefusedAcrossCopies(t *testing.T) {
	addr := os.Getenv("FAMILYBOT_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("FAMILYBOT_TEST_REDIS_ADDR not set")
	}
	rc := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rc.Close() })
	prefix := "fbtest:" + t.Name() + ":" + time.Now().Format("150405.000000000") + ":"
	c1, c2 := newRig(t, "tok", "", "", 1700000000), newRig(t, "tok", "", "", 1700000000)
	c1.w.Nonces = &cache.RedisNonces{Client: rc, Prefix: prefix}
	c2.w.Nonces = &cache.RedisNonces{Client: rc, Prefix: prefix}
	q := plainQuery("tok", "1700000000", "n-shared")
	if code, _ := c1.do(t, "POST", q, textMsg("victim-openid", "我的报名", "6001")); code != 200 {
		t.Fatalf("genuine: %d", code)
	}
	if code, _ := c2.do(t, "POST", q, textMsg("victim-openid", "取消报名 3", "6002")); code != 403 || len(c2.bot.calls()) != 0 {
		t.Fatalf("replay on the other copy: %d, bot ran %d times", code, len(c2.bot.calls()))
	}
}

// blockingBot answers only when released: a hung database under the engine.
type blockingBot struct {
	fakeBot
	release chan struct{}
}

func (b *blockingBot) Handle(ctx context.Context, in bot.Inbound) bot.Reply {
	<-b.release
	return b.fakeBot.Handle(ctx, in)
}

// A message answered "success" past the deadline is in the inbox until its
// answer is queued; shutdown (Drain) waits for it.
func TestLateAnswerIsKeptAndDrained(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	bb := &blockingBot{release: make(chan struct{})}
	r.w.Bot, r.w.Deadline = bb, 50*time.Millisecond
	if _, body := r.do(t, "POST", plainQuery("tok", "1700000000", "n"), textMsg("u-late", "报名 3", "8001")); body != "success" {
		t.Fatalf("past the deadline: %q", body)
	}
	var kept []models.InboxMessage
	r.st.DB.Find(&kept)
	if len(kept) != 1 || kept[0].MsgKey != "m:8001" || kept[0].Owner != "copy-1" || !strings.Contains(kept[0].Payload, "报名 3") {
		t.Fatalf("inbox while the answer is pending: %+v", kept)
	}
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.w.Drain(stopped); err == nil {
		t.Fatal("Drain returned with an answer still being worked out")
	}
	close(bb.release)
	if err := r.w.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []models.OutboxMessage
	r.st.DB.Find(&out)
	r.st.DB.Find(&kept)
	if len(out) != 1 || out[0].To != "u-late" || out[0].Text != "回复：报名 3" || len(kept) != 0 {
		t.Fatalf("after drain: outbox %+v, inbox %+v", out, kept)
	}
}

// A copy that stopped before answering leaves its message in the inbox; when
// its lease runs out another copy answers it, once.
func TestAnotherCopyFinishesAStoppedCopysMessage(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	ctx := context.Background()
	in := `{"OpenID":"u-orphan","Kind":"text","Text":"许愿 社区多办讲座"}`
	if err := r.st.PutInboxMessage(ctx, "m:9001", "copy-0", in, -time.Second); err != nil { // copy-0's lease ran out
		t.Fatal(err)
	}
	if err := r.st.PutInboxMessage(ctx, "m:9002", "copy-0", in, time.Hour); err != nil { // still being worked on
		t.Fatal(err)
	}
	n, err := r.w.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recover took %d (%v), want 1", n, err)
	}
	if err := r.w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.w.Recover(ctx); n != 0 {
		t.Fatalf("a finished message was taken again (%d)", n)
	}
	var out []models.OutboxMessage
	r.st.DB.Find(&out)
	var left []models.InboxMessage
	r.st.DB.Find(&left)
	if len(out) != 1 || out[0].To != "u-orphan" || out[0].Text != "回复：许愿 社区多办讲座" || len(left) != 1 || left[0].MsgKey != "m:9002" {
		t.Fatalf("outbox %+v, inbox %+v", out, left)
	}
	if c := r.bot.calls(); len(c) != 1 || c[0].OpenID != "u-orphan" {
		t.Fatalf("bot got %+v", c)
	}
}

// hungCache is a Redis that accepts connections and never answers: every call
// waits until its context ends.
type hungCache struct{}

func (hungCache) ClaimMessage(ctx context.Context, key string) (bool, models.ProcessedMessage, error) {
	<-ctx.Done()
	return false, models.ProcessedMessage{}, ctx.Err()
}

func (hungCache) FinishMessage(ctx context.Context, key, reply string, async bool) error {
	<-ctx.Done()
	return ctx.Err()
}

// Finding 5: keeping the reply for retries in a hung cache does not hold the
// reply back until the cache's timeout (it used to wait 3 s after the answer).
func TestHungCacheDoesNotDelayTheReply(t *testing.T) {
	r := newRig(t, "tok", "", "", 1700000000)
	r.w.Dedup, r.w.Deadline = hungCache{}, time.Second
	start := time.Now()
	code, body := r.do(t, "POST", plainQuery("tok", "1700000000", "n"), textMsg("u1", "你好", "1"))
	took := time.Since(start)
	if code != 200 || !strings.Contains(body, "回复：你好") {
		t.Fatalf("got %d %q", code, body)
	}
	// The claim's third of the deadline, plus the short wait for storing the
	// reply; far below the old 3 s wait.
	if took > r.w.Deadline+time.Second {
		t.Fatalf("reply took %v with a hung cache (deadline %v)", took, r.w.Deadline)
	}
	r.w.Drain(context.Background())
}
