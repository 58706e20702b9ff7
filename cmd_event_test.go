package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/outbox"
	"familybot/signup"
	"familybot/store"
	"familybot/store/storetest"
)

// eventEnv is an Env whose App is a sign-up service on st (no config, no knowledge).
func eventEnv(st *store.Store) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	now := func() time.Time { return time.Now().UTC() }
	svc := &signup.Service{Store: st, Notify: &outbox.Notifier{Store: st}, Now: now}
	return &Env{Stdout: &out, Stderr: &errb, app: &App{Store: st, Signups: svc, Log: slog.New(slog.DiscardHandler), Now: now}}, &out, &errb
}

func evCLI(t *testing.T, st *store.Store, args ...string) (string, error) {
	t.Helper()
	env, out, _ := eventEnv(st)
	err := cmdEvent(context.Background(), env, args)
	return out.String(), err
}

func mustEvCLI(t *testing.T, st *store.Store, args ...string) string {
	t.Helper()
	out, err := evCLI(t, st, args...)
	if err != nil {
		t.Fatalf("event %v: %v", args, err)
	}
	return out
}

func beijingIn(days int, hhmm string) string {
	return time.Now().In(models.Beijing).AddDate(0, 0, days).Format("2006-01-02") + " " + hhmm
}

func TestEventCLI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		out := mustEvCLI(t, st, "add", "--title", "向日葵亲子小屋", "--start", beijingIn(10, "09:30"), "--end", beijingIn(10, "11:00"),
			"--capacity", "2", "--waitlist", "1", "--place", "协会二楼", "--child-age-min-months", "12", "--child-age-max-months", "36",
			"--bring", "水杯", "--cancel-deadline", beijingIn(9, "18:00"), "--json")
		if strings.Count(out, "\n") != 1 {
			t.Fatalf("--json must print one line: %q", out)
		}
		var added map[string]any
		if err := json.Unmarshal([]byte(out), &added); err != nil {
			t.Fatalf("not JSON: %q", out)
		}
		if added["id"] == nil || added["category"] != models.EventParentChild || added["status"] != string(models.EventOpen) ||
			added["start"] != beijingIn(10, "09:30") || added["for_child"] != true || added["audience"] != "1–3岁宝宝及一位家长" {
			t.Fatalf("added %v", added)
		}
		id := fmt.Sprint(added["id"])

		env, _, _ := eventEnv(st)
		svc := env.app.Signups
		for i, name := range []string{"张三", "李四", "王五"} {
			if _, err := svc.Join(ctx, signup.Request{EventID: uint(added["id"].(float64)), OpenID: fmt.Sprint("o", i), Name: name,
				Phone: fmt.Sprintf("1391234567%d", i), ChildName: "宝宝", ChildAgeMonths: 20 + i, Consent: true}); err != nil {
				t.Fatal(err)
			}
		}
		st.DB.Model(&models.Signup{}).Where("open_id = ?", "o2").Update("child_name", "@cmd")

		var shown map[string]any
		json.Unmarshal([]byte(mustEvCLI(t, st, "show", id, "--json")), &shown)
		if shown["confirmed"] != 2.0 || shown["waitlisted"] != 1.0 || shown["places_left"] != 0.0 {
			t.Fatalf("show --json: %v", shown)
		}
		plain := mustEvCLI(t, st, "show", "--", id)
		if !strings.Contains(plain, "139****5670") || strings.Contains(plain, "13912345670") || !strings.Contains(plain, "候补1") {
			t.Fatalf("show must mask phones:\n%s", plain)
		}

		csvOut := mustEvCLI(t, st, "export", id)
		if !strings.HasPrefix(csvOut, "\ufeff") {
			t.Fatal("export lacks the UTF-8 BOM Excel needs")
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvOut, "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 4 || recs[1][4] != "13912345670" || recs[3][5] != "'@cmd" {
			t.Fatalf("export: %v %q", err, recs)
		}
		file := filepath.Join(t.TempDir(), "roster.csv")
		mustEvCLI(t, st, "export", id, "--out", file)
		if b, err := os.ReadFile(file); err != nil || string(b) != csvOut {
			t.Fatalf("--out file differs: %v", err)
		}

		lines := strings.Split(strings.TrimSpace(mustEvCLI(t, st, "list", "--json")), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], `"id":`+id) {
			t.Fatalf("list --json: %q", lines)
		}
		if !strings.Contains(mustEvCLI(t, st, "list"), "向日葵亲子小屋") {
			t.Fatal("list")
		}

		rows, _ := st.ListSignups(ctx, uint(added["id"].(float64)))
		// Ten days early nobody can be checked in; an hour before the start they can.
		if _, err := evCLI(t, st, "checkin", id, rows[0].CheckinCode); err == nil || !strings.Contains(err.Error(), "签到时间") {
			t.Fatalf("checkin ten days early: %v", err)
		}
		soon := time.Now().UTC().Add(time.Hour)
		st.DB.Model(&models.Event{}).Where("id = ?", id).Updates(map[string]any{"start_at": soon, "end_at": soon.Add(time.Hour),
			"cancel_deadline": soon.Add(-time.Hour)})
		if out := mustEvCLI(t, st, "checkin", id, strings.ToLower(rows[0].CheckinCode)); !strings.Contains(out, "签到成功") {
			t.Fatalf("checkin: %q", out)
		}
		if out := mustEvCLI(t, st, "cancel", id, "--reason", "暴雨预警"); !strings.Contains(out, "已通知 3 位") {
			t.Fatalf("cancel: %q", out)
		}
		var n int64
		st.DB.Model(&models.OutboxMessage{}).Where("dedup_key LIKE ? AND text LIKE ?", "eventcancel:%", "%暴雨预警%").Count(&n)
		if n != 3 {
			t.Fatalf("%d cancellation messages, want 3", n)
		}

		draft := mustEvCLI(t, st, "add", "--title", "义诊", "--start", beijingIn(20, "08:30"), "--capacity", "50", "--category", "义诊", "--draft", "--json")
		var d map[string]any
		json.Unmarshal([]byte(draft), &d)
		if d["status"] != string(models.EventDraft) || d["category"] != models.EventClinic {
			t.Fatalf("draft %v", d)
		}
		if out := mustEvCLI(t, st, "publish", fmt.Sprint(d["id"])); !strings.Contains(out, "开放报名") {
			t.Fatalf("publish: %q", out)
		}
		mustEvCLI(t, st, "remind")
		mustEvCLI(t, st, "purge")
	})
}

func TestEventCLIBadArguments(t *testing.T) {
	st := storetest.SQLite(t)
	start := beijingIn(5, "09:30")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no sub-command", nil, "add"},
		{"unknown sub-command", []string{"frob"}, "unknown"},
		{"unknown flag", []string{"add", "--titel", "x"}, "titel"},
		{"missing title and capacity", []string{"add", "--start", start}, "--title"},
		{"bad start", []string{"add", "--title", "x", "--start", "明天上午", "--capacity", "5"}, "YYYY-MM-DD HH:MM"},
		{"negative capacity", []string{"add", "--title", "x", "--start", start, "--capacity", "-3"}, "--capacity"},
		{"capacity not a number", []string{"add", "--title", "x", "--start", start, "--capacity", "many"}, "capacity"},
		{"bad category", []string{"add", "--title", "x", "--start", start, "--capacity", "5", "--category", "party"}, "category"},
		{"start in the past", []string{"add", "--title", "x", "--start", "2020-01-01 09:00", "--capacity", "5"}, "过去"},
		{"end before start", []string{"add", "--title", "x", "--start", start, "--end", beijingIn(4, "09:00"), "--capacity", "5"}, "结束时间"},
		{"age range upside down", []string{"add", "--title", "x", "--start", start, "--capacity", "5", "--child-age-min-months", "36", "--child-age-max-months", "12"}, "月龄"},
		{"show without number", []string{"show"}, "expected 1"},
		{"show not a number", []string{"show", "abc"}, "bad event number"},
		{"show unknown", []string{"show", "999"}, "没有这个活动"},
		{"export unknown", []string{"export", "999"}, "没有这个活动"},
		{"cancel unknown", []string{"cancel", "999"}, "没有这个活动"},
		{"checkin without code", []string{"checkin", "1"}, "expected 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := evCLI(t, st, tc.args...)
			if err == nil {
				t.Fatalf("accepted; printed %q", out)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line mentioning %q", err, tc.want)
			}
		})
	}
}

// The real binary path once (building the whole app seeds the knowledge base,
// which is slow): flags → config → store → service on a SQLite file; the file is
// then read back through the same sub-command.
func TestEventCLIThroughRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "events.db")
	var out, errb bytes.Buffer
	env := []string{"FAMILYBOT_DATABASE_DRIVER=sqlite", "FAMILYBOT_DATABASE_DSN=" + db, "FAMILYBOT_SERVER_LOG_LEVEL=error"}
	args := []string{"-config", "config.yaml", "event", "add", "--title", "沟通之道家长课堂", "--start", beijingIn(7, "14:30"), "--capacity", "30", "--json"}
	if err := run(context.Background(), args, strings.NewReader(""), &out, &errb, env); err != nil {
		t.Fatalf("event add: %v (%s)", err, errb.String())
	}
	var added struct{ ID uint }
	if err := json.Unmarshal(out.Bytes(), &added); err != nil || added.ID == 0 {
		t.Fatalf("add --json: %q", out.String())
	}
	st, err := store.Open(context.Background(), "sqlite", db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var shown struct{ Confirmed, Waitlisted, Capacity int }
	json.Unmarshal([]byte(mustEvCLI(t, st, "show", fmt.Sprint(added.ID), "--json")), &shown)
	if shown.Capacity != 30 || shown.Confirmed != 0 || shown.Waitlisted != 0 {
		t.Fatalf("show: %+v", shown)
	}
}
