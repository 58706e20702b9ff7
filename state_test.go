package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"familybot/models"
)

// appOn starts an App (no HTTP) with the given environment.
func appOn(t *testing.T, environ []string) *App {
	t.Helper()
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, ConfigPath: "config.yaml", ConfigExplicit: true, Environ: environ}
	app, err := env.App(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// forEachDriver runs fn with cache.driver memory (SQLite), and with redis
// (MariaDB) when FAMILYBOT_TEST_MYSQL_DSN and FAMILYBOT_TEST_REDIS_ADDR are set.
func forEachDriver(t *testing.T, fn func(t *testing.T, app *App)) {
	t.Run("memory", func(t *testing.T) {
		app := appOn(t, []string{"FAMILYBOT_DATABASE_DSN=" + t.TempDir() + "/s.db", "FAMILYBOT_SERVER_LOG_LEVEL=error"})
		defer app.Close()
		fn(t, app)
	})
	t.Run("redis", func(t *testing.T) {
		dsn, addr := os.Getenv("FAMILYBOT_TEST_MYSQL_DSN"), os.Getenv("FAMILYBOT_TEST_REDIS_ADDR")
		if dsn == "" || addr == "" {
			t.Skip("FAMILYBOT_TEST_MYSQL_DSN and FAMILYBOT_TEST_REDIS_ADDR not both set")
		}
		app := appOn(t, []string{"FAMILYBOT_DATABASE_DRIVER=mysql", "FAMILYBOT_DATABASE_DSN=" + dsn,
			"FAMILYBOT_CACHE_DRIVER=redis", "FAMILYBOT_CACHE_REDIS_ADDR=" + addr, "FAMILYBOT_SERVER_LOG_LEVEL=error"})
		defer app.Close()
		fn(t, app)
	})
}

// "没用" sent right after an answer reaches that answer, although the answer
// was recorded off the reply path.
func TestFeedbackRightAfterAnAnswer(t *testing.T) {
	forEachDriver(t, func(t *testing.T, app *App) {
		ctx := context.Background()
		who := fmt.Sprintf("o-fb-%d", time.Now().UnixNano()) // Redis and MariaDB outlive the test
		a := app.Engine.Handle(ctx, inText(who, "宝宝发烧了怎么办"))
		if a.Route != models.RouteFAQ || a.EntryID == 0 {
			t.Fatalf("no answer: %+v", a)
		}
		r := app.Engine.Handle(ctx, inText(who, "没用"))
		if !strings.Contains(r.Text, "谢谢您告诉我们") {
			t.Fatalf("feedback not taken: %q", r.Text)
		}
		var n int64
		app.Store.DB.Model(&models.KBFeedback{}).Where("entry_id = ?", a.EntryID).Count(&n)
		if n == 0 {
			t.Fatal("no feedback row for the answered entry")
		}
		if again := app.Engine.Handle(ctx, inText(who, "没用")); strings.Contains(again.Text, "谢谢您告诉我们") {
			t.Fatal("the same answer took feedback twice")
		}
	})
}

// Two unanswerable questions in a row offer a person; an answer in between
// starts the count again.
func TestTwoMissesInARowOfferAPerson(t *testing.T) {
	forEachDriver(t, func(t *testing.T, app *App) {
		ctx := context.Background()
		who := fmt.Sprintf("o-miss-%d", time.Now().UnixNano())
		app.Engine.Handle(ctx, inText(who, "明天上证指数会涨吗"))
		app.Engine.Handle(ctx, inText(who, "宝宝发烧了怎么办"))
		if r := app.Engine.Handle(ctx, inText(who, "驾照到期了怎么换证")); strings.Contains(r.Text, "暂时答不好") {
			t.Fatalf("an answer in between did not reset the count: %q", r.Text)
		}
		r := app.Engine.Handle(ctx, inText(who, "比特币还能买吗"))
		if !strings.Contains(r.Text, "暂时答不好") || !strings.Contains(r.Text, "电话") {
			t.Fatalf("second miss in a row did not offer a person: %q", r.Text)
		}
		if r := app.Engine.Handle(ctx, inText(who, "明天上证指数会涨吗")); strings.Contains(r.Text, "暂时答不好") {
			t.Fatalf("the count did not start again after the hand-off: %q", r.Text)
		}
	})
}

// With cache.driver memory, conversation state is served from memory but kept
// in the database: a resident half-way through a wish when the service
// restarts goes on where they were.
func TestWishSurvivesRestart(t *testing.T) {
	environ := []string{"FAMILYBOT_DATABASE_DSN=" + t.TempDir() + "/w.db", "FAMILYBOT_SERVER_LOG_LEVEL=error"}
	ctx := context.Background()
	first := appOn(t, environ)
	start := first.Engine.Handle(ctx, inText("o-restart", "许愿"))
	if start.Route != models.RouteCommand && start.Route != models.RouteFlow {
		t.Fatalf("许愿 did not start a flow: %+v", start)
	}
	first.Close()

	second := appOn(t, environ)
	defer second.Close()
	r := second.Engine.Handle(ctx, inText("o-restart", "希望社区多办几次老年健康讲座，周末最好"))
	if r.Route != models.RouteFlow {
		t.Fatalf("after the restart the wish flow was forgotten: %+v", r)
	}
	// Leaving the flow is remembered across a restart too.
	second.Engine.Handle(ctx, inText("o-restart", "退出"))
	second.Close()
	third := appOn(t, environ)
	defer third.Close()
	if r := third.Engine.Handle(ctx, inText("o-restart", "希望社区多办几次老年健康讲座")); r.Route == models.RouteFlow {
		t.Fatalf("a flow that was left came back after a restart: %+v", r)
	}
}

// A clarifying question and its numbered answer work with state in memory or Redis.
func TestClarifyChoiceThroughApp(t *testing.T) {
	forEachDriver(t, func(t *testing.T, app *App) {
		ctx := context.Background()
		who := fmt.Sprintf("o-clarify-%d", time.Now().UnixNano())
		q := app.Engine.Handle(ctx, inText(who, "发烧"))
		if q.Route != models.RouteClarify || !strings.Contains(q.Text, "1.") {
			t.Fatalf("no numbered clarifying question: %+v", q)
		}
		a := app.Engine.Handle(ctx, inText(who, "1"))
		if a.Route != models.RouteFAQ || a.EntryID == 0 {
			t.Fatalf("choice 1 not answered: %+v", a)
		}
		var rows int64
		app.Store.DB.Model(&models.Conversation{}).Where("open_id = ?", who).Count(&rows)
		if rows != 0 {
			t.Fatalf("%d conversation rows for a clarifying question", rows)
		}
	})
}
