package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"familybot/bot"
)

// runCLI runs familybot with a fresh SQLite file and returns stdout.
func runCLI(t *testing.T, dbPath, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := []string{"FAMILYBOT_DATABASE_DSN=" + dbPath, "FAMILYBOT_SERVER_LOG_LEVEL=error"}
	err := run(context.Background(), append([]string{"-config", "config.yaml"}, args...), strings.NewReader(stdin), &out, &errb, env)
	if err != nil {
		t.Logf("stderr: %s", errb.String())
	}
	return out.String(), err
}

func TestAskJSONContract(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, err := runCLI(t, db, "宝宝发烧了怎么办\n明天上证指数会涨吗\n我不想活了\n帮助\n", "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want one line per question, got %d: %q", len(lines), out)
	}
	want := []struct{ route, category string }{{"faq", "parenting"}, {"fallback", ""}, {"crisis", ""}, {"command", ""}}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d is not JSON: %q", i, line)
		}
		for _, k := range []string{"reply", "route", "category", "score"} {
			if _, ok := got[k]; !ok {
				t.Fatalf("line %d lacks %q: %s", i, k, line)
			}
		}
		if got["route"] != want[i].route || got["category"] != want[i].category || got["reply"] == "" {
			t.Errorf("line %d: route %v category %v, want %v %v", i, got["route"], got["category"], want[i].route, want[i].category)
		}
		switch got["route"] {
		case "crisis", "faq", "fallback", "command", "flow", "keyword", "clarify", "chat":
		default:
			t.Errorf("route %v is not in the documented set", got["route"])
		}
	}
}

func TestAskPlainOneLinePerReply(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, err := runCLI(t, db, "", "ask", "老人血压高要注意什么")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "血压") {
		t.Fatalf("%q", out)
	}
}

func TestAskWithUserKeepsConversation(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, err := runCLI(t, db, "帮我写一首诗\n推荐一部电影\n", "ask", "--json", "--user", "o-same")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var second map[string]any
	json.Unmarshal([]byte(lines[1]), &second)
	// The second miss in a row of the same resident offers a person.
	if !strings.Contains(second["reply"].(string), "电话") {
		t.Fatalf("second miss of one resident should offer staff: %v", second["reply"])
	}
}

// With --user, a follow-up line is read against the line before: its facet
// and who it was about are in the JSON. Without, each line is a new resident.
func TestAskWithUserKeepsContext(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	lines := func(args ...string) []map[string]any {
		out, err := runCLI(t, db, "我孙子发烧了\n要去医院吗\n", append([]string{"ask", "--json"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var got []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var m map[string]any
			json.Unmarshal([]byte(l), &m)
			got = append(got, m)
		}
		return got
	}
	same := lines("--user", "o-ctx")
	if same[0]["subject"] != "infant" || same[1]["facet"] != "就医" || !strings.Contains(same[1]["reply"].(string), "关于「宝宝发烧") {
		t.Fatalf("the follow-up was not read against the first line: %v / %v", same[0], same[1])
	}
	if fresh := lines(); fresh[1]["facet"] != nil {
		t.Fatalf("without --user a line was read against another resident's: %v", fresh[1])
	}
}

func TestBadConfigStopsWithOneClearLine(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"-config", "config.yaml", "ask", "你好"}, strings.NewReader(""), &out, &errb,
		[]string{"FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY=tooshort", "FAMILYBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "x.db")})
	if err == nil || !strings.Contains(err.Error(), "43") {
		t.Fatalf("err %v", err)
	}
	err = run(context.Background(), []string{"-config", "config.yaml", "ask", "你好"}, strings.NewReader(""), &out, &errb,
		[]string{"FAMILYBOT_DATABASE_DRIVER=mysql", "FAMILYBOT_DATABASE_DSN=root@tcp(127.0.0.1:1)/none"})
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("unreachable mysql: %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, strings.NewReader(""), &out, &errb, nil); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func inText(openID, s string) bot.Inbound {
	return bot.Inbound{OpenID: openID, Kind: bot.KindText, Text: s}
}
func inEvent(openID, ev string) bot.Inbound {
	return bot.Inbound{OpenID: openID, Kind: bot.KindEvent, Event: ev}
}

// ask --json goes through the engine: a crisis and the next question of the
// same resident are both route crisis, the second read inside the episode.
func TestAskJSONCrisisEpisode(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, err := runCLI(t, db, "我妈晕倒了 叫不醒\n要不要等等看\n去哪个医院\n", "ask", "--json", "--user", "o-ep")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"120", "不要等", "让 120 决定"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	for i, line := range lines {
		var got askResult
		if err := json.Unmarshal([]byte(line), &got); err != nil || got.Route != "crisis" || !strings.Contains(got.Reply, want[i]) {
			t.Errorf("line %d: %+v (%v), want route crisis and %q", i, got, err, want[i])
		}
	}
}

// chat goes through the same engine: the follow-up after a crisis stays in it.
func TestChatCrisisEpisode(t *testing.T) {
	out, err := runCLI(t, filepath.Join(t.TempDir(), "t.db"), "我想自杀\n你能陪我聊聊吗\n/quit\n", "chat")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "12356 全国统一心理援助热线") || !strings.Contains(out, "我在这里，你不用一个人扛着") {
		t.Fatalf("%s", out)
	}
}
