package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

func staffCLI(t *testing.T, st *store.Store, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, app: &App{Store: st}}
	err := cmdStaff(context.Background(), env, args)
	return out.String(), err
}

func TestStaffCLI(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	out, err := staffCLI(t, st, "list")
	if err != nil || !strings.Contains(out, "名单为空") {
		t.Fatalf("empty list: %q %v", out, err)
	}
	if _, err := staffCLI(t, st, "add", "boss", "--role", "admin", "--name", "李会长"); err != nil {
		t.Fatal(err)
	}
	if _, err := staffCLI(t, st, "add", "--team", "health", "amy"); err != nil {
		t.Fatal(err)
	}
	// Re-adding without flags keeps role, name and team.
	if _, err := staffCLI(t, st, "add", "boss"); err != nil {
		t.Fatal(err)
	}
	b, _ := st.GetStaff(ctx, "boss")
	a, _ := st.GetStaff(ctx, "amy")
	if b.Role != models.RoleAdmin || b.Name != "李会长" || a.Role != models.RoleStaff || a.Team != models.WishCatHealth {
		t.Fatalf("boss %+v amy %+v", b, a)
	}
	out, _ = staffCLI(t, st, "list")
	if !strings.Contains(out, "boss") || !strings.Contains(out, "管理员") || !strings.Contains(out, "健康咨询") {
		t.Errorf("list = %q", out)
	}
	for _, bad := range [][]string{
		{"add", "boss", "--role", "staff"}, // the last admin
		{"remove", "boss"},                 // the last admin
		{"add", "x", "--role", "root"},
		{"add", "bad id"},
		{"add"},
		{"remove", "nobody"},
		{"frobnicate"},
		{},
	} {
		if _, err := staffCLI(t, st, bad...); err == nil {
			t.Errorf("staff %v succeeded", bad)
		}
	}
	if _, err := staffCLI(t, st, "-h"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if _, err := staffCLI(t, st, "remove", "amy"); err != nil {
		t.Fatal(err)
	}
	var n int64
	st.DB.Model(&models.AuditLog{}).Where("actor = ?", "cli").Count(&n)
	if n != 4 {
		t.Errorf("cli audit rows = %d, want 4", n)
	}
}
