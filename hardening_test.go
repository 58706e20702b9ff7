package main

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"familybot/models"
	"familybot/signup"

	"github.com/redis/go-redis/v9"
)

// eachDatabase runs fn on SQLite, and on MariaDB when FAMILYBOT_TEST_MYSQL_DSN
// is set, with the environment extra added (memory cache either way).
func eachDatabase(t *testing.T, extra []string, fn func(t *testing.T, environ []string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, append([]string{"FAMILYBOT_DATABASE_DSN=" + t.TempDir() + "/h.db"}, extra...))
	})
	t.Run("mysql", func(t *testing.T) {
		dsn := os.Getenv("FAMILYBOT_TEST_MYSQL_DSN")
		if dsn == "" {
			t.Skip("FAMILYBOT_TEST_MYSQL_DSN not set")
		}
		fn(t, append([]string{"FAMILYBOT_DATABASE_DRIVER=mysql", "FAMILYBOT_DATABASE_DSN=" + dsn}, extra...))
	})
}

// publishedEvent creates a published event with room.
func publishedEvent(t *testing.T, app *App) models.Event {
	t.Helper()
	ctx := context.Background()
	ev, err := app.Signups.CreateEvent(ctx, models.Event{Title: "老年健康讲座", Place: "社区活动室", Category: models.EventElderly,
		StartAt: time.Now().Add(48 * time.Hour).UTC(), Capacity: 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Signups.PublishEvent(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	return ev
}

// hungSignups is a database that stops answering sign-up writes until released.
type hungSignups struct {
	signup.Store
	release chan struct{}
}

func (h hungSignups) JoinEvent(ctx context.Context, su models.Signup, decide models.SignupDecision) (models.Signup, error) {
	select {
	case <-h.release:
	case <-ctx.Done():
		return models.Signup{}, ctx.Err()
	}
	return h.Store.JoinEvent(ctx, su, decide)
}

// Finding 3: with the database hung, a sign-up answered "success" past the
// deadline is not lost when SIGTERM arrives: shutdown waits for it, and once
// the database answers, the sign-up and its confirmation exist exactly once.
func TestSIGTERMWithHungDatabaseKeepsLateSignup(t *testing.T) {
	eachDatabase(t, []string{"FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=reptok", "FAMILYBOT_SERVER_LOG_LEVEL=error",
		"FAMILYBOT_SERVER_REPLY_DEADLINE=200ms", "FAMILYBOT_SERVER_METRICS_ADDR="}, func(t *testing.T, environ []string) {
		app := appOn(t, environ)
		defer app.Close()
		ev := publishedEvent(t, app)
		hung := hungSignups{Store: app.Signups.Store, release: make(chan struct{})}
		app.Signups.Store = hung
		s, err := buildServer(context.Background(), app)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		sigctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		stopped := make(chan error, 1)
		go func() { stopped <- s.Run(sigctx, ln, nil) }()

		openID := fmt.Sprintf("o-late-%d", rand.Int63())
		if got := postTo(t, base, openID, rand.Int63n(1e15), fmt.Sprintf("报名 %d 赵大爷 13700001111", ev.ID)); got != "success" {
			t.Fatalf("past the deadline the webhook said %q", got)
		}
		// Before "success" the message was made durable: had this copy died, another would answer it.
		var keptLate int64
		app.Store.DB.Model(&models.InboxMessage{}).Count(&keptLate)
		if keptLate != 1 {
			t.Fatalf("inbox holds %d messages while the answer is pending, want 1", keptLate)
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// Shutdown has started when the listener stops taking connections.
		for i := 0; ; i++ {
			resp, err := http.Get(base + "/healthz")
			if err != nil {
				break
			}
			resp.Body.Close()
			if i > 500 {
				t.Fatal("the server kept listening after SIGTERM")
			}
			time.Sleep(10 * time.Millisecond)
		}
		select {
		case <-stopped:
			t.Fatal("shutdown finished with a sign-up still waiting for the database")
		default:
		}
		close(hung.release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		var signups, confirmations, kept int64
		app.Store.DB.Model(&models.Signup{}).Where("open_id = ?", openID).Count(&signups)
		app.Store.DB.Model(&models.OutboxMessage{}).Where("`to` = ? AND text LIKE ?", openID, "%报名成功%").Count(&confirmations)
		app.Store.DB.Model(&models.InboxMessage{}).Count(&kept)
		if signups != 1 || confirmations != 1 || kept != 0 {
			t.Fatalf("sign-ups %d, confirmations queued %d, inbox %d; want 1, 1, 0", signups, confirmations, kept)
		}
	})
}

// Finding 6: with Redis unreachable, a 许愿 that WeChat retries with the same
// MsgId makes one wish (the claim falls back to the database) and the retry
// gets the same answer.
func TestRedisDownRetryMakesOneWish(t *testing.T) {
	eachDatabase(t, []string{"FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=reptok", "FAMILYBOT_SERVER_LOG_LEVEL=error"}, func(t *testing.T, environ []string) {
		app := appOn(t, environ)
		defer app.Close()
		// Redis as buildServer finds it: configured, and gone (nothing listens on port 1).
		app.Redis = redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond})
		s, err := buildServer(context.Background(), app)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.HTTP.Handler)
		defer srv.Close()
		openID, msgID := fmt.Sprintf("o-wish-%d", rand.Int63()), rand.Int63n(1e15)
		first := post(t, srv, openID, msgID, "许愿 希望社区多办几次老年健康讲座")
		again := post(t, srv, openID, msgID, "许愿 希望社区多办几次老年健康讲座")
		var wishes int64
		app.Store.DB.Model(&models.Wish{}).Where("open_id = ?", openID).Count(&wishes)
		content := func(reply string) string { _, c, _ := strings.Cut(reply, "<Content>"); return c }
		if wishes != 1 || !strings.Contains(first, "已收到您的心愿") || content(again) != content(first) {
			t.Fatalf("wishes %d\nfirst %q\nretry %q", wishes, first, again)
		}
	})
}

// Finding 8: /metrics is served on server.metrics_addr only, never on the
// public listener; an empty metrics_addr turns it off.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	app := appOn(t, []string{"FAMILYBOT_DATABASE_DSN=" + t.TempDir() + "/m.db", "FAMILYBOT_SERVER_LOG_LEVEL=error",
		"FAMILYBOT_SERVER_METRICS_ADDR=127.0.0.1:0"})
	defer app.Close()
	s, err := buildServer(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	if code, _ := get(s.HTTP.Handler); code != 404 {
		t.Fatalf("the public listener serves /metrics: %d", code)
	}
	if s.Metrics == nil || s.Metrics.Addr != "127.0.0.1:0" {
		t.Fatalf("metrics server %+v", s.Metrics)
	}
	code, body := get(s.Metrics.Handler)
	if code != 200 || !strings.Contains(body, "familybot_outbox_messages") || !strings.Contains(body, "familybot_message_log_dropped_total 0") {
		t.Fatalf("metrics listener: %d %.300s", code, body)
	}
	off := appOn(t, []string{"FAMILYBOT_DATABASE_DSN=" + t.TempDir() + "/o.db", "FAMILYBOT_SERVER_LOG_LEVEL=error", "FAMILYBOT_SERVER_METRICS_ADDR="})
	defer off.Close()
	if s, _ := buildServer(context.Background(), off); s.Metrics != nil {
		t.Fatal("an empty metrics_addr still serves metrics")
	}
}
