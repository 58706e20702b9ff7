package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"familybot/models"
	"familybot/signup"
)

const eventUsage = `usage: familybot event COMMAND [ARGS]
  add --title T --start "YYYY-MM-DD HH:MM" --capacity N [--end …] [--waitlist M] [--place …]
      [--category parent_child|parent_class|youth|elderly|clinic|member_day|other]
      [--audience …] [--bring …] [--description …] [--cancel-deadline "YYYY-MM-DD HH:MM"]
      [--child-age-min-months A --child-age-max-months B] [--draft] [--json]
                      create an event (times in Beijing time); open for sign-up unless --draft
  list [--all] [--json]   upcoming events (--all: also drafts, cancelled and last month's)
  show N [--json]     one event with its counts and the roster (phones masked)
  export N [--out FILE]   the roster as CSV for Excel (full phone numbers: handle with care)
  publish N           open a draft for sign-up
  cancel N [--reason …]   call the event off and tell everyone signed up
  checkin N CODE      check a sign-up in by its check-in code
  remind              send the day-before reminders now (serve does this hourly)
  purge               remove sign-up details 30 days after their event (serve does this daily)`

// cmdEvent dispatches `familybot event …`. Flags are checked before the
// database is opened, so a typo fails fast with one line.
func cmdEvent(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, eventUsage)
		if len(args) == 0 {
			return errors.New("event: 缺少子命令 (missing sub-command: add, list, show, export, publish, cancel, checkin, remind, purge)")
		}
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "add":
		return eventAdd(ctx, env, rest)
	case "list":
		return eventList(ctx, env, rest)
	case "show", "export", "publish", "cancel", "checkin":
		return eventByID(ctx, env, sub, rest)
	case "remind", "purge":
		if _, _, err := evParseFlags(env, "event "+sub, rest, 0, func(*flag.FlagSet) {}); err != nil {
			return err
		}
		app, err := env.App(ctx)
		if err != nil {
			return err
		}
		if sub == "remind" {
			n, err := app.Signups.SendReminders(ctx)
			if err != nil {
				return fmt.Errorf("event remind: %v", err)
			}
			fmt.Fprintf(env.Stdout, "已排队发送 %d 条活动提醒 (%d reminders queued)\n", n, n)
			return nil
		}
		n, err := app.Signups.PurgeChildData(ctx)
		if err != nil {
			return fmt.Errorf("event purge: %v", err)
		}
		fmt.Fprintf(env.Stdout, "已清除 %d 条报名的个人信息 (%d sign-ups purged)\n", n, n)
		return nil
	}
	return fmt.Errorf("event: 未知子命令 %q (unknown sub-command; see familybot event -h)", sub)
}

// evParseFlags parses flags and positional arguments in any order ("show 3 --json"
// as well as "show --json 3") and wants exactly npos positional arguments.
func evParseFlags(env *Env, name string, args []string, npos int, define func(fs *flag.FlagSet)) (*flag.FlagSet, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	define(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(env.Stderr)
				fmt.Fprintf(env.Stderr, "usage of familybot %s:\n", name)
				fs.PrintDefaults()
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%s: 参数错误 (%v)", name, err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != npos {
		return nil, nil, fmt.Errorf("%s: 需要 %d 个参数，收到 %d 个 (expected %d argument(s), got %d)", name, npos, len(pos), npos, len(pos))
	}
	return fs, pos, nil
}

// evBeijing reads "YYYY-MM-DD HH:MM" in Beijing time.
func evBeijing(flagName, s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), models.Beijing); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s 时间格式应为 \"YYYY-MM-DD HH:MM\"（北京时间），收到 %q (bad --%s)", flagName, s, flagName)
}

func evCategory(s string) (string, bool) {
	if _, ok := models.EventCategories[s]; ok {
		return s, true
	}
	for k, name := range models.EventCategories {
		if name == s {
			return k, true
		}
	}
	return "", false
}

func eventAdd(ctx context.Context, env *Env, args []string) error {
	var (
		title, start, end, place, cat, audience, bring, desc, deadline string
		capacity, waitlist, minAge, maxAge                             int
		draft, asJSON                                                  bool
	)
	_, _, err := evParseFlags(env, "event add", args, 0, func(fs *flag.FlagSet) {
		fs.StringVar(&title, "title", "", "活动名称 (required)")
		fs.StringVar(&start, "start", "", `开始时间 "YYYY-MM-DD HH:MM"，北京时间 (required)`)
		fs.StringVar(&end, "end", "", `结束时间 "YYYY-MM-DD HH:MM"`)
		fs.IntVar(&capacity, "capacity", 0, "名额 (required)")
		fs.IntVar(&waitlist, "waitlist", 0, "候补名额")
		fs.StringVar(&place, "place", "", "地点")
		fs.StringVar(&cat, "category", models.EventOther, "类别: parent_child|parent_class|youth|elderly|clinic|member_day|other（或中文名）")
		fs.StringVar(&audience, "audience", "", "适合对象，如 1–3岁宝宝及一位家长")
		fs.StringVar(&bring, "bring", "", "请带上什么")
		fs.StringVar(&desc, "description", "", "介绍")
		fs.StringVar(&deadline, "cancel-deadline", "", `取消截止时间 "YYYY-MM-DD HH:MM"（默认开始时间）`)
		fs.IntVar(&minAge, "child-age-min-months", -1, "儿童活动：最小月龄")
		fs.IntVar(&maxAge, "child-age-max-months", -1, "儿童活动：最大月龄（0 不限）")
		fs.BoolVar(&draft, "draft", false, "先存为草稿，不开放报名")
		fs.BoolVar(&asJSON, "json", false, "print the event as one JSON line")
	})
	if err != nil {
		return err
	}
	var probs []string
	if strings.TrimSpace(title) == "" {
		probs = append(probs, "缺少 --title (missing --title)")
	}
	if capacity <= 0 {
		probs = append(probs, "--capacity 必须是正整数 (--capacity must be a positive number)")
	}
	if waitlist < 0 {
		probs = append(probs, "--waitlist 不能为负数 (--waitlist must not be negative)")
	}
	ev := models.Event{Title: title, Place: place, Audience: audience, Bring: bring, Description: desc,
		Capacity: capacity, WaitlistCap: waitlist, Status: models.EventOpen}
	if draft {
		ev.Status = models.EventDraft
	}
	var ok bool
	if ev.Category, ok = evCategory(cat); !ok {
		probs = append(probs, fmt.Sprintf("--category %q 无效 (unknown category)", cat))
	}
	if start == "" {
		probs = append(probs, `缺少 --start "YYYY-MM-DD HH:MM" (missing --start)`)
	} else if ev.StartAt, err = evBeijing("start", start); err != nil {
		probs = append(probs, err.Error())
	}
	for _, f := range []struct {
		name, val string
		dst       **time.Time
	}{{"end", end, &ev.EndAt}, {"cancel-deadline", deadline, &ev.CancelDeadline}} {
		if f.val == "" {
			continue
		}
		if t, err := evBeijing(f.name, f.val); err != nil {
			probs = append(probs, err.Error())
		} else {
			*f.dst = &t
		}
	}
	if minAge >= 0 || maxAge >= 0 {
		ev.ForChild, ev.ChildAgeMinMonths, ev.ChildAgeMaxMonths = true, max(minAge, 0), max(maxAge, 0)
		if ev.Category == models.EventOther {
			ev.Category = models.EventParentChild
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("event add: %s", strings.Join(probs, "; "))
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	ev, err = app.Signups.CreateEvent(ctx, ev)
	if err != nil {
		return fmt.Errorf("event add: %s", evErrMessage(err))
	}
	if asJSON {
		return evPrintJSON(env.Stdout, eventJSONOf(signup.EventView{Event: ev}))
	}
	fmt.Fprintf(env.Stdout, "已创建活动 %d：%s，%s，名额 %d，候补 %d（%s）\n", ev.ID, ev.Title, signup.FormatWhen(ev), ev.Capacity, ev.WaitlistCap, evStatusName(ev.Status))
	return nil
}

func eventList(ctx context.Context, env *Env, args []string) error {
	var all, asJSON bool
	if _, _, err := evParseFlags(env, "event list", args, 0, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "include drafts, cancelled events and those of the last month")
		fs.BoolVar(&asJSON, "json", false, "one JSON object per line")
	}); err != nil {
		return err
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	var evs []signup.EventView
	if all {
		evs, err = app.Signups.ListEvents(ctx, time.Time{})
	} else {
		evs, err = app.Signups.Upcoming(ctx, 0)
	}
	if err != nil {
		return fmt.Errorf("event list: %v", err)
	}
	if asJSON {
		for _, v := range evs {
			if err := evPrintJSON(env.Stdout, eventJSONOf(v)); err != nil {
				return err
			}
		}
		return nil
	}
	if len(evs) == 0 {
		fmt.Fprintln(env.Stdout, "没有活动 (no events)")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "编号\t状态\t时间\t已确认/名额\t候补\t活动")
	for _, v := range evs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%d/%d\t%s\n", v.ID, evStatusName(v.Status), signup.FormatWhen(v.Event), v.Confirmed, v.Capacity, v.Waitlisted, v.WaitlistCap, v.Title)
	}
	return tw.Flush()
}

func eventByID(ctx context.Context, env *Env, sub string, args []string) error {
	var asJSON bool
	var out, reason string
	npos := 1
	if sub == "checkin" {
		npos = 2
	}
	_, pos, err := evParseFlags(env, "event "+sub, args, npos, func(fs *flag.FlagSet) {
		switch sub {
		case "show":
			fs.BoolVar(&asJSON, "json", false, "print the event and its counts as one JSON line")
		case "export":
			fs.StringVar(&out, "out", "", "write to FILE instead of standard output")
		case "cancel":
			fs.StringVar(&reason, "reason", "", "原因（会告诉报名的居民）")
		}
	})
	if err != nil {
		return err
	}
	id64, err := strconv.ParseUint(pos[0], 10, 32)
	if err != nil || id64 == 0 {
		return fmt.Errorf("event %s: 活动编号应为正整数，收到 %q (bad event number)", sub, pos[0])
	}
	id := uint(id64)
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	fail := func(err error) error { return fmt.Errorf("event %s %d: %s", sub, id, evErrMessage(err)) }
	switch sub {
	case "show":
		v, err := app.Signups.Event(ctx, id)
		if err != nil {
			return fail(err)
		}
		if asJSON {
			return evPrintJSON(env.Stdout, eventJSONOf(v))
		}
		return showEvent(ctx, env, app, v)
	case "export":
		w := env.Stdout
		if out != "" {
			f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600) // personal data: owner only
			if err != nil {
				return fmt.Errorf("event export: %v", err)
			}
			defer f.Close()
			w = f
		}
		if err := app.Signups.ExportCSV(ctx, id, w); err != nil {
			return fail(err)
		}
		// Who exported what is kept (never the data itself).
		app.Log.Info("event roster exported", "event_id", id, "via", "cli", "to_file", out != "")
		if out != "" {
			fmt.Fprintf(env.Stderr, "已导出到 %s（含完整手机号，请妥善保管，用完删除）\n", out)
		}
		return nil
	case "publish":
		ev, err := app.Signups.PublishEvent(ctx, id)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.Stdout, "活动 %d 已开放报名：%s\n", ev.ID, ev.Title)
	case "cancel":
		n, err := app.Signups.CancelEvent(ctx, id, reason)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.Stdout, "活动 %d 已取消，已通知 %d 位报名的居民 (cancelled; %d notified)\n", id, n, n)
	case "checkin":
		su, err := app.Signups.CheckIn(ctx, id, pos[1])
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.Stdout, "签到成功：报名号 %d（%s）\n", su.ID, su.Attendee())
	}
	return nil
}
