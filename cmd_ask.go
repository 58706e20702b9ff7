package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"familybot/bot"
	"familybot/models"
	"familybot/wechat"
)

// askResult is one line of `ask --json`.
type askResult struct {
	Question string       `json:"question"`
	Reply    string       `json:"reply"`
	Route    models.Route `json:"route"`
	Category string       `json:"category"`
	Score    float64      `json:"score"`
	EntryID  uint         `json:"entry_id,omitempty"`
	Facet    string       `json:"facet,omitempty"`   // the facet a follow-up asked for (用药, 就医 …)
	Subject  string       `json:"subject,omitempty"` // who the answer was steered to (infant, teen, elder …)
}

func cmdAsk(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	user := fs.String("user", "", "ask as this resident (openid); default: each question as a new resident")
	if err := fs.Parse(args); err != nil {
		return err
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	warnPlaceholders(app.Cfg, env.Stderr)
	ask := func(q string) error {
		openID := *user
		if openID == "" {
			openID = "cli-" + randomHex(6)
		}
		r := app.Engine.Handle(ctx, bot.Inbound{OpenID: openID, Kind: bot.KindText, Text: q})
		text := wechat.Sanitize(r.Text)
		if r.Silent {
			text = ""
		}
		if *asJSON {
			b, _ := json.Marshal(askResult{Question: q, Reply: text, Route: r.Route, Category: r.Category, Score: round3(r.Score), EntryID: r.EntryID, Facet: r.Facet, Subject: r.Subject})
			_, err := fmt.Fprintln(env.Stdout, string(b))
			return err
		}
		_, err := fmt.Fprintln(env.Stdout, strings.ReplaceAll(text, "\n", " | "))
		return err
	}
	if q := strings.TrimSpace(strings.Join(fs.Args(), " ")); q != "" {
		return ask(q)
	}
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" {
			if err := ask(q); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

func cmdChat(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	user := fs.String("user", "cli-chat", "chat as this resident (openid)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	warnPlaceholders(app.Cfg, env.Stderr)
	out := env.Stdout
	say := func(in bot.Inbound) {
		in.OpenID = *user
		r := app.Engine.Handle(ctx, in)
		if !r.Silent {
			fmt.Fprintf(out, "\n小助手：%s\n\n", wechat.Sanitize(r.Text))
		}
	}
	fmt.Fprintln(out, "familybot 本地聊天（输入 /quit 退出；/subscribe 模拟关注；/click 键 模拟菜单，如 /click EVENTS；/scan 场景值 模拟扫码）")
	say(bot.Inbound{Kind: bot.KindEvent, Event: "subscribe"})
	sc := bufio.NewScanner(env.Stdin)
	for {
		fmt.Fprint(out, "您：")
		if !sc.Scan() {
			fmt.Fprintln(out)
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case line == "/quit" || line == "/exit":
			return nil
		case line == "/subscribe":
			say(bot.Inbound{Kind: bot.KindEvent, Event: "subscribe"})
		case strings.HasPrefix(line, "/click "):
			say(bot.Inbound{Kind: bot.KindEvent, Event: "CLICK", EventKey: strings.TrimSpace(line[7:])})
		case strings.HasPrefix(line, "/scan "):
			say(bot.Inbound{Kind: bot.KindEvent, Event: "SCAN", EventKey: strings.TrimSpace(line[6:])})
		default:
			say(bot.Inbound{Kind: bot.KindText, Text: line})
		}
	}
}

func cmdMenu(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 || args[0] != "sync" {
		return fmt.Errorf("usage: familybot menu sync")
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	if app.Cfg.OfficialAccount.AppID == "" || app.Cfg.OfficialAccount.AppSecret == "" {
		return fmt.Errorf("official_account.app_id and app_secret are needed to push the menu (FAMILYBOT_OFFICIAL_ACCOUNT_APP_ID / _APP_SECRET)")
	}
	wechat.SetHTTPClient(nil, 0)
	s, err := buildServer(ctx, app)
	if err != nil {
		return err
	}
	if err := s.Client.SyncMenu(app.Cfg.Menu); err != nil {
		return fmt.Errorf("WeChat refused the menu: %v", err)
	}
	fmt.Fprintf(env.Stdout, "菜单已推送（%d 个一级按钮）。公众号里可能要几分钟后才显示。\n", len(app.Cfg.Menu))
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
