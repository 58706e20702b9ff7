// Command familybot is the WeChat Official Account assistant of a Family Planning
// Association: `familybot serve` runs the webhook and the staff admin; other
// sub-commands ask questions, chat in the terminal and manage content and events.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// subcommand is one `familybot NAME …` command.
type subcommand struct {
	summary string // the line `familybot -h` shows
	run     func(ctx context.Context, env *Env, args []string) error
}

// subcommands is every `familybot NAME …` command (serve is the default); the
// functions are in cmd_*.go (ask, chat and menu in cmd_ask.go).
var subcommands = map[string]subcommand{
	"serve":  {"运行公众号 webhook 和工作人员后台（默认）", cmdServe},
	"ask":    {"提问：familybot ask [--json] [--user OPENID] [问题…]（无问题时从标准输入逐行读取）", cmdAsk},
	"chat":   {"在终端里像居民一样和小助手聊天", cmdChat},
	"menu":   {"公众号菜单：familybot menu sync 推送 config.yaml 里的菜单", cmdMenu},
	"event":  {"管理活动：event add|list|show N|export N|cancel N|publish N|checkin N CODE|remind|purge（-h 查看参数）", cmdEvent},
	"kb":     {"知识库：kb stats | kb match [--json] 问题 | kb import FILE | kb export [--out FILE] | kb import-autoreply", cmdKB},
	"report": {"服务报告：report --from YYYY-MM-DD --to YYYY-MM-DD [--json | --xlsx FILE]", cmdReport},
	"staff":  {"后台人员：staff add USERID [--role admin|staff|reviewer|manager] [--name 姓名] [--team 小组] | staff list | staff remove USERID", cmdStaff},
}

// Env is what a sub-command gets: streams, the config path and a lazily built App.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	ConfigPath     string
	ConfigExplicit bool
	Environ        []string
	app            *App
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "familybot:", firstLines(err.Error()))
		}
		os.Exit(1)
	}
}

// run parses the global flags and dispatches: serve is the default.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) error {
	fs := flag.NewFlagSet("familybot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "config.yaml", "configuration file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: familybot [-config PATH] COMMAND [ARGS]\n\ncommands:")
		var names []string
		for n := range subcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(stderr, "  %-10s %s\n", n, subcommands[n].summary)
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	rest := fs.Args()
	name := "serve"
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	sc, ok := subcommands[name]
	if !ok {
		fs.Usage()
		return fmt.Errorf("unknown command %q", name)
	}
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, ConfigPath: *configPath, ConfigExplicit: explicit, Environ: environ}
	defer func() {
		if env.app != nil {
			env.app.Close()
		}
	}()
	return sc.run(ctx, env, rest)
}

// App builds (once) the configured application for the sub-command.
func (env *Env) App(ctx context.Context) (*App, error) {
	if env.app != nil {
		return env.app, nil
	}
	a, err := newApp(ctx, env)
	if err != nil {
		return nil, err
	}
	env.app = a
	return a, nil
}

func firstLines(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], "…")
	}
	return strings.Join(lines, "\n")
}
