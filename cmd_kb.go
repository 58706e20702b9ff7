package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"familybot/knowledge"
	"familybot/wechat"
)

func cmdKB(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: familybot kb stats | match [--json] QUESTION | import FILE | export [--out FILE] | import-autoreply")
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	switch args[0] {
	case "stats":
		stats, err := app.Store.KBStats(ctx)
		if err != nil {
			return err
		}
		names := map[string]string{"parenting": "科学育儿", "adolescent": "青春健康", "elderly": "老年保健", "service": "协会服务"}
		total := 0
		for _, c := range []string{"parenting", "adolescent", "elderly", "service"} {
			fmt.Fprintf(env.Stdout, "%-11s %-6s %d\n", c, names[c], stats[c])
			total += stats[c]
		}
		fmt.Fprintf(env.Stdout, "%-11s %-6s %d\n", "total", "合计", total)
		rows, err := app.Store.ListKBReviewStates(ctx, app.Now())
		if err != nil {
			return err
		}
		states := map[knowledge.ReviewState]int{}
		for _, r := range rows {
			states[r.State]++
		}
		fmt.Fprintln(env.Stdout, "\n医学审核")
		for _, st := range knowledge.ReviewStates {
			fmt.Fprintf(env.Stdout, "%-11s %-10s %d\n", st, st.Label(), states[st])
		}
		return nil
	case "match":
		fs := flag.NewFlagSet("kb match", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		asJSON := fs.Bool("json", false, "print JSON")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		q := strings.TrimSpace(strings.Join(fs.Args(), " "))
		if q == "" {
			return fmt.Errorf("usage: familybot kb match [--json] QUESTION")
		}
		return kbMatch(env, app, q, *asJSON)
	case "import":
		if len(args) != 2 {
			return fmt.Errorf("usage: familybot kb import FILE.yaml")
		}
		data, err := os.ReadFile(args[1])
		if err != nil {
			return err
		}
		entries, err := knowledge.ParseYAML(data)
		if err != nil {
			return fmt.Errorf("%s: %v", args[1], err)
		}
		n, err := app.Store.ImportKB(ctx, entries)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已导入 %d 条（按 slug 新增或更新；标记为工作人员编辑，升级时不会被覆盖）。\n", n)
		return nil
	case "export":
		fs := flag.NewFlagSet("kb export", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		out := fs.String("out", "", "write to this file instead of standard output")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		entries, err := app.Store.ListKBEntries(ctx)
		if err != nil {
			return err
		}
		data, err := knowledge.MarshalYAML(entries)
		if err != nil {
			return err
		}
		if *out != "" {
			return os.WriteFile(*out, data, 0o644)
		}
		_, err = env.Stdout.Write(data)
		return err
	case "import-autoreply":
		if app.Cfg.OfficialAccount.AppID == "" || app.Cfg.OfficialAccount.AppSecret == "" {
			return fmt.Errorf("official_account.app_id and app_secret are needed (FAMILYBOT_OFFICIAL_ACCOUNT_APP_ID / _APP_SECRET)")
		}
		wechat.SetHTTPClient(nil, 0)
		s, err := buildServer(ctx, app)
		if err != nil {
			return err
		}
		return importAutoreply(ctx, env, app, s.Client)
	}
	return fmt.Errorf("unknown kb command %q", args[0])
}

// autoreplySource reads the console's auto-reply rules (wechat.Client).
type autoreplySource interface {
	AutoReplyRules(ctx context.Context) ([]knowledge.Rule, []string, error)
}

func importAutoreply(ctx context.Context, env *Env, app *App, src autoreplySource) error {
	rules, skipped, err := src.AutoReplyRules(ctx)
	if err != nil {
		return fmt.Errorf("reading the console's auto-replies failed: %v", err)
	}
	if err := app.Store.ReplaceKBRulesByOrigin(ctx, "autoreply", rules); err != nil {
		return err
	}
	app.Engine.ReloadRules()
	fmt.Fprintf(env.Stdout, "已从公众号后台导入 %d 条自动回复规则。\n", len(rules))
	for _, s := range skipped {
		fmt.Fprintf(env.Stdout, "未导入：%s（只能导入文字回复）\n", s)
	}
	all, err := app.Store.ListKBRules(ctx)
	if err == nil {
		for _, c := range knowledge.RuleConflicts(all) {
			fmt.Fprintln(env.Stdout, "注意："+c)
		}
	}
	return nil
}

type matchJSON struct {
	Question   string          `json:"question"`
	Normalized string          `json:"normalized"`
	Decision   string          `json:"decision"`
	Candidates []candidateJSON `json:"candidates"`
}

type candidateJSON struct {
	ID       uint     `json:"id"`
	Slug     string   `json:"slug"`
	Category string   `json:"category"`
	Title    string   `json:"title"`
	Score    float64  `json:"score"`
	Why      []string `json:"why"`
}

func kbMatch(env *Env, app *App, q string, asJSON bool) error {
	res := app.KB.Index().Match(q, app.Now())
	decision := map[knowledge.Decision]string{knowledge.NoMatch: "no_match", knowledge.Answer: "answer", knowledge.Clarify: "clarify"}[res.Decision]
	out := matchJSON{Question: q, Normalized: res.Normalized, Decision: decision, Candidates: []candidateJSON{}}
	for _, c := range res.Top {
		out.Candidates = append(out.Candidates, candidateJSON{ID: c.Entry.ID, Slug: c.Entry.Slug, Category: c.Entry.Category,
			Title: c.Entry.Title, Score: round3(c.Score), Why: c.Why})
	}
	sort.SliceStable(out.Candidates, func(i, j int) bool { return out.Candidates[i].Score > out.Candidates[j].Score })
	if kind := knowledge.DetectCrisis(q); kind != knowledge.CrisisNone {
		out.Decision = "crisis:" + string(kind)
	}
	if asJSON {
		b, _ := json.Marshal(out)
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	fmt.Fprintf(env.Stdout, "问题：%s\n归一化：%s\n结论：%s\n", q, res.Normalized, out.Decision)
	for i, c := range out.Candidates {
		fmt.Fprintf(env.Stdout, "%d. [%.3f] %s（%s，%s）\n   %s\n", i+1, c.Score, c.Title, c.Category, c.Slug, strings.Join(c.Why, "；"))
	}
	return nil
}
