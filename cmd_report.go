package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"familybot/report"
)

// cmdReport prints the service report of a period (Beijing dates, to inclusive):
// as text, as JSON for scripts, or as an .xlsx workbook.
func cmdReport(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	from := fs.String("from", "", "first day, YYYY-MM-DD (Beijing time)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (inclusive)")
	asJSON := fs.Bool("json", false, "print JSON")
	xlsx := fs.String("xlsx", "", "write an .xlsx workbook to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 || (*asJSON && *xlsx != "") {
		return fmt.Errorf("usage: familybot report --from YYYY-MM-DD --to YYYY-MM-DD [--json | --xlsx FILE]")
	}
	if _, _, _, err := report.ParsePeriod(*from, *to); err != nil { // before opening the database
		return fmt.Errorf("report: %v", err)
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	r, err := report.Build(ctx, app.Store, *from, *to)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case *xlsx != "":
		f, err := os.Create(*xlsx)
		if err != nil {
			return err
		}
		if err := r.WriteXLSX(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已写入 %s（%s）\n", *xlsx, r.Period.Label)
		return nil
	}
	return r.WriteText(env.Stdout)
}
