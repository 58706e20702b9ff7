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
	summary string
	// needsApp: the command needs the database and the bot (most do).
	run func(ctx context.Context, env *Env, args []string) error
}

var subcommands = map[string]subcommand{}

// registerSub adds a sub-command; each cmd_*.go file calls it from init.
func registerSub(name, summary string, run func(ctx context.Context, env *Env, args []string) error) {
	subcommands[name] = subcommand{summary: summary, run: run}
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
