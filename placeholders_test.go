package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRefusesPlaceholders: with the shipped association details, serve
// stops before listening and says which keys to fill; chat and ask warn once.
func TestServeRefusesPlaceholders(t *testing.T) {
	var out, errb bytes.Buffer
	db := filepath.Join(t.TempDir(), "t.db")
	env := []string{"FAMILYBOT_DATABASE_DSN=" + db, "FAMILYBOT_SERVER_LOG_LEVEL=error", "FAMILYBOT_SERVER_ADDR=127.0.0.1:0"}
	err := run(context.Background(), []string{"-config", "config.yaml", "serve"}, strings.NewReader(""), &out, &errb, env)
	if err == nil || !strings.Contains(err.Error(), "association.phone") || !strings.Contains(err.Error(), "association.address") ||
		!strings.Contains(err.Error(), "--allow-placeholders") {
		t.Fatalf("serve with placeholders: %v", err)
	}

	errb.Reset()
	out.Reset()
	err = run(context.Background(), []string{"-config", "config.yaml", "ask", "你们电话多少"}, strings.NewReader(""), &out, &errb, env)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(errb.String(), "示例值"); n != 1 {
		t.Fatalf("ask warned %d times: %q", n, errb.String())
	}
	if strings.Contains(out.String(), "示例值") {
		t.Fatal("the warning went into the answer")
	}

	errb.Reset()
	filled := append(env, "FAMILYBOT_ASSOCIATION_NAME=西湖区计生协", "FAMILYBOT_ASSOCIATION_PHONE=0571-87654321", "FAMILYBOT_ASSOCIATION_ADDRESS=文三路1号")
	if err := run(context.Background(), []string{"-config", "config.yaml", "ask", "你们电话多少"}, strings.NewReader(""), &out, &errb, filled); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errb.String(), "示例值") {
		t.Fatalf("warned although filled in: %q", errb.String())
	}
}
