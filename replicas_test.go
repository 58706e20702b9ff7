package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"familybot/knowledge"
	"familybot/models"
	"familybot/store/storetest"

	"github.com/silenceper/wechat/v2/util"
)

// copyOf starts one copy of familybot (App + webhook + router) on the shared
// database and Redis, as a second replica behind a load balancer would run.
func copyOf(t *testing.T, environ []string) (*App, *httptest.Server) {
	t.Helper()
	return copyLogging(t, environ, io.Discard)
}

// copyLogging is copyOf with the copy's log written to stderr.
func copyLogging(t *testing.T, environ []string, stderr io.Writer) (*App, *httptest.Server) {
	app, srv, _ := copyWithMetrics(t, environ, stderr)
	return app, srv
}

// copyWithMetrics is copyLogging with the copy's /metrics listener (server.metrics_addr) served too.
func copyWithMetrics(t *testing.T, environ []string, stderr io.Writer) (*App, *httptest.Server, *httptest.Server) {
	t.Helper()
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, ConfigPath: "config.yaml", ConfigExplicit: true, Environ: environ}
	app, err := env.App(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The crisis model is fitted in the background at start-up (about a
	// second; many under the race detector): wait for it, so that the first
	// message's reply deadline measures the reply, not the start-up.
	knowledge.DetectCrisis("我想死")
	s, err := buildServer(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.HTTP.Handler)
	var msrv *httptest.Server
	if s.Metrics != nil {
		msrv = httptest.NewServer(s.Metrics.Handler)
	}
	t.Cleanup(func() {
		srv.Close()
		if msrv != nil {
			msrv.Close()
		}
		app.Close()
	})
	return app, srv, msrv
}

func post(t *testing.T, srv *httptest.Server, openID string, msgID int64, text string) string {
	return postTo(t, srv.URL, openID, msgID, text)
}

// postTo posts a signed plain-mode text message to the webhook at base.
func postTo(t *testing.T, base, openID string, msgID int64, text string) string {
	ts := fmt.Sprint(time.Now().Unix())
	// Every delivery, a retry too, comes with a nonce of its own: a nonce seen
	// with another body is refused as a replay.
	nonce := fmt.Sprint(rand.Int63())
	q := url.Values{"signature": {util.Signature("reptok", ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
	body := fmt.Sprintf(`<xml><ToUserName>gh_x</ToUserName><FromUserName>%s</FromUserName><CreateTime>%s</CreateTime><MsgType>text</MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`, openID, ts, text, msgID)
	resp, err := http.Post(base+"/wechat?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return string(b)
}

// sharedSetup returns the environment of copies that share a fresh MariaDB
// database and Redis; the test is skipped without them.
func sharedSetup(t *testing.T, extra ...string) []string {
	t.Helper()
	base, redisAddr := os.Getenv("FAMILYBOT_TEST_MYSQL_DSN"), os.Getenv("FAMILYBOT_TEST_REDIS_ADDR")
	if base == "" || redisAddr == "" {
		t.Skip("FAMILYBOT_TEST_MYSQL_DSN not set (and FAMILYBOT_TEST_REDIS_ADDR): the replica test needs MariaDB and Redis")
	}
	name := fmt.Sprintf("fbrep_%d", rand.Int63())
	admin, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS `" + name + "`") })
	environ := []string{
		"FAMILYBOT_DATABASE_DRIVER=mysql", "FAMILYBOT_DATABASE_DSN=" + storetest.WithDatabase(base, name),
		"FAMILYBOT_CACHE_DRIVER=redis", "FAMILYBOT_CACHE_REDIS_ADDR=" + redisAddr,
		"FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=reptok", "FAMILYBOT_SERVER_LOG_LEVEL=error",
		"FAMILYBOT_LIMITS_MESSAGES_PER_MINUTE=1000", "FAMILYBOT_LIMITS_SIGNUPS_PER_HOUR=1000",
	}
	return append(environ, extra...)
}

// Two copies share MariaDB and Redis: the same message delivered to both is
// handled once, and sign-ups split across both never overbook.
func TestTwoCopiesShareDatabaseAndRedis(t *testing.T) {
	environ := sharedSetup(t)
	a1, s1 := copyOf(t, environ)
	_, s2 := copyOf(t, environ)
	ctx := context.Background()
	ev, err := a1.Signups.CreateEvent(ctx, models.Event{Title: "家长课堂：和青春期孩子沟通", Place: "协会三楼", Category: models.EventParentClass,
		StartAt: time.Now().Add(72 * time.Hour).UTC(), Capacity: 20, WaitlistCap: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a1.Signups.PublishEvent(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	run := rand.Int63n(1e12) * 1000

	// One sign-up message, retried three times to each copy at once: one sign-up.
	var wg sync.WaitGroup
	replies := make([]string, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			srv := s1
			if i%2 == 1 {
				srv = s2
			}
			replies[i] = post(t, srv, fmt.Sprintf("o-rep-%d", run), run+1, fmt.Sprintf("报名 %d 王芳 13912345678", ev.ID))
		}(i)
	}
	wg.Wait()
	confirmedReplies := 0
	for _, r := range replies {
		if strings.Contains(r, "报名成功") {
			confirmedReplies++
		} else if r != "success" {
			t.Errorf("a retry got a different answer: %q", r)
		}
	}
	var rows int64
	a1.Store.DB.Model(&models.Signup{}).Where("event_id = ?", ev.ID).Count(&rows)
	if rows != 1 || confirmedReplies < 1 {
		t.Fatalf("one message retried 6 times across 2 copies made %d sign-ups, %d confirmations", rows, confirmedReplies)
	}

	// 40 more families at once, split across the copies: 19 confirmed + 10 waitlisted, the rest told it is full.
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			srv := s1
			if i%2 == 1 {
				srv = s2
			}
			post(t, srv, fmt.Sprintf("o-rep-%d-%d", run, i), run+100+int64(i), fmt.Sprintf("报名 %d 家长%c 139%08d", ev.ID, '甲'+rune(i), i))
		}(i)
	}
	wg.Wait()
	var confirmed, waitlisted int64
	a1.Store.DB.Model(&models.Signup{}).Where("event_id = ? AND status = ?", ev.ID, models.SignupConfirmed).Count(&confirmed)
	a1.Store.DB.Model(&models.Signup{}).Where("event_id = ? AND status = ?", ev.ID, models.SignupWaitlisted).Count(&waitlisted)
	if confirmed != 20 || waitlisted != 10 {
		t.Fatalf("confirmed %d waitlisted %d, want 20 and 10", confirmed, waitlisted)
	}

	// A resident's next message may land on the other copy: a clarifying
	// question asked by one copy is answered through the other, and "没用"
	// reaches the answer the other copy gave.
	who := fmt.Sprintf("o-rep-%d-next", run)
	if q := post(t, s1, who, run+500, "发烧"); !strings.Contains(q, "请回复数字") {
		t.Fatalf("no clarifying question: %q", q)
	}
	if a := post(t, s2, who, run+501, "1"); !strings.Contains(a, "【") {
		t.Fatalf("the other copy did not take the choice: %q", a)
	}
	if fb := post(t, s1, who, run+502, "没用"); !strings.Contains(fb, "谢谢您告诉我们") {
		t.Fatalf("没用 did not reach the other copy's answer: %q", fb)
	}

	// The conversation's context is shared too: a follow-up on the other copy
	// answers the first copy's topic, and who it is about carries across.
	who = fmt.Sprintf("o-rep-%d-ctx", run)
	post(t, s1, who, run+600, "我孙子发烧了")
	if a := post(t, s2, who, run+601, "要去医院吗"); !strings.Contains(a, "关于「宝宝发烧") {
		t.Fatalf("the other copy did not take the follow-up on the first copy's topic: %q", a)
	}
	post(t, s2, who, run+602, "我爸78岁了")
	if a := post(t, s1, who, run+603, "晚上老醒怎么办"); !strings.Contains(a, "老人失眠") {
		t.Fatalf("who the question is about did not carry to the other copy: %q", a)
	}
}

// A crisis message lands on one copy and the resident's next messages on the
// other: they are read inside the same episode (Redis), stored with it in the
// crisis table (MariaDB), and the staff on duty are alerted once.
func TestCrisisEpisodeAcrossCopies(t *testing.T) {
	environ := sharedSetup(t, "FAMILYBOT_WECOM_ON_DUTY=duty1")
	a1, s1 := copyOf(t, environ)
	_, s2 := copyOf(t, environ)
	run := rand.Int63n(1e12) * 1000
	who := fmt.Sprintf("o-ep-%d", run)
	if r := post(t, s1, who, run+1, "宝宝抽搐了"); !strings.Contains(r, "120") {
		t.Fatalf("crisis reply: %q", r)
	}
	for i, f := range []struct{ text, has string }{
		{"要不要等等看", "不要等"},
		{"去医院路上能给他喝点啥", "不要给他吃、喝"},
		{"我不想打电话", "我在这里陪着你"},
	} {
		srv := s2
		if i == 1 {
			srv = s1
		}
		if r := post(t, srv, who, run+2+int64(i), f.text); !strings.Contains(r, f.has) {
			t.Errorf("%s on the other copy: %q", f.text, r)
		}
	}
	var rows []models.CrisisEvent
	a1.Store.DB.Where("open_id = ?", who).Order("id").Find(&rows)
	if len(rows) != 4 || rows[0].Episode == "" || rows[3].Episode != rows[0].Episode || !rows[3].FollowUp || rows[0].FollowUp {
		t.Fatalf("crisis rows: %+v", rows)
	}
	var alerts, logged int64
	a1.Store.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ?", "crisis:"+who+":%").Count(&alerts)
	a1.Store.DB.Model(&models.Message{}).Where("open_id = ? AND text LIKE ?", who, "%不想打电话%").Count(&logged)
	if alerts != 1 || logged != 0 {
		t.Fatalf("%d alerts (want 1), %d episode messages in the general log", alerts, logged)
	}

	// Two crisis messages sent together land on both copies at once: one episode, one alert.
	both := who + "-both"
	var wg sync.WaitGroup
	for i, srv := range []*httptest.Server{s1, s2} {
		wg.Add(1)
		go func(i int, srv *httptest.Server) {
			defer wg.Done()
			post(t, srv, both, run+10+int64(i), []string{"救命 我想自杀", "我不想活了"}[i])
		}(i, srv)
	}
	wg.Wait()
	var episodes []string
	a1.Store.DB.Model(&models.CrisisEvent{}).Where("open_id = ?", both).Distinct().Pluck("episode", &episodes)
	a1.Store.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ?", "crisis:"+both+":%").Count(&alerts)
	if len(episodes) != 1 || alerts != 1 {
		t.Fatalf("two crisis messages at once: episodes %q, %d alerts", episodes, alerts)
	}
}

// On the zero-setup default (SQLite, memory cache), a sign-up or wish that WeChat
// retries is stored once, and every retry gets the same answer.
func TestRetriedSignupAndWishStoredOnce(t *testing.T) {
	environ := []string{"FAMILYBOT_DATABASE_DSN=" + t.TempDir() + "/r.db", "FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=reptok", "FAMILYBOT_SERVER_LOG_LEVEL=error"}
	app, srv := copyOf(t, environ)
	ctx := context.Background()
	ev, err := app.Signups.CreateEvent(ctx, models.Event{Title: "老年健康讲座", Place: "社区活动室", Category: models.EventElderly,
		StartAt: time.Now().Add(48 * time.Hour).UTC(), Capacity: 30})
	if err != nil {
		t.Fatal(err)
	}
	app.Signups.PublishEvent(ctx, ev.ID)
	first := post(t, srv, "o-retry", 9001, fmt.Sprintf("报名 %d 赵大爷 13700001111", ev.ID))
	wish := post(t, srv, "o-retry", 9002, "许愿 希望社区多办几次老年健康讲座")
	for i := 0; i < 3; i++ {
		if again := post(t, srv, "o-retry", 9001, fmt.Sprintf("报名 %d 赵大爷 13700001111", ev.ID)); again != first {
			t.Fatalf("retried sign-up answered differently:\n%s\n%s", first, again)
		}
		if again := post(t, srv, "o-retry", 9002, "许愿 希望社区多办几次老年健康讲座"); again != wish {
			t.Fatalf("retried wish answered differently")
		}
	}
	var signups, wishes int64
	app.Store.DB.Model(&models.Signup{}).Count(&signups)
	app.Store.DB.Model(&models.Wish{}).Count(&wishes)
	if !strings.Contains(first, "报名成功") || !strings.Contains(wish, "#1") || signups != 1 || wishes != 1 {
		t.Fatalf("signups %d wishes %d\n%s\n%s", signups, wishes, first, wish)
	}
}

// A staff edit saved on one copy reaches the other copy's index at its next refresh.
func TestKnowledgeEditReachesOtherCopies(t *testing.T) {
	db := t.TempDir() + "/k.db"
	environ := []string{"FAMILYBOT_DATABASE_DSN=" + db, "FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=reptok", "FAMILYBOT_SERVER_LOG_LEVEL=error"}
	a1, _ := copyOf(t, environ)
	a2, _ := copyOf(t, environ)
	ctx := context.Background()
	entries, _ := a1.Store.ListKBEntries(ctx)
	e := entries[0]
	e.Questions = append(e.Questions, "楼下那只会说话的鹦鹉怎么养")
	if _, err := a1.Store.SaveKBEntry(ctx, e, true); err != nil {
		t.Fatal(err)
	}
	a1.RebuildIndex(ctx)
	if res := a2.KB.Index().Match("楼下那只会说话的鹦鹉怎么养", time.Now()); len(res.Top) > 0 && res.Top[0].Entry.ID == e.ID && res.Top[0].Score > 0.9 {
		t.Fatal("copy 2 knew the edit before refreshing (test is not testing anything)")
	}
	if err := a2.RefreshIndex(ctx); err != nil {
		t.Fatal(err)
	}
	res := a2.KB.Index().Match("楼下那只会说话的鹦鹉怎么养", time.Now())
	if len(res.Top) == 0 || res.Top[0].Entry.ID != e.ID {
		t.Fatalf("copy 2 did not pick up the edit: %+v", res.Top)
	}
}
