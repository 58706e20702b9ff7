// Package storetest gives each test a freshly migrated store: SQLite in memory
// always, and MariaDB/MySQL when FAMILYBOT_TEST_MYSQL_DSN is set (a database is
// created for the test and dropped afterwards, so runs never see each other's rows).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"familybot/store"

	_ "github.com/go-sql-driver/mysql" // for creating and dropping the per-test database
)

// Engines lists the engines available to this run: "sqlite" always, "mysql" when configured.
func Engines() []string {
	if os.Getenv("FAMILYBOT_TEST_MYSQL_DSN") != "" {
		return []string{"sqlite", "mysql"}
	}
	return []string{"sqlite"}
}

// ForEach runs fn as a subtest on every available engine.
func ForEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, eng := range Engines() {
		t.Run(eng, func(t *testing.T) { fn(t, New(t, eng)) })
	}
}

// SQLite returns a migrated in-memory SQLite store.
func SQLite(t testing.TB) *store.Store { return New(t, "sqlite") }

// New returns a migrated store on the named engine.
func New(t testing.TB, engine string) *store.Store {
	t.Helper()
	ctx := context.Background()
	switch engine {
	case "sqlite":
		// A named shared-cache memory database per test, so its single connection sees one database.
		dsn := fmt.Sprintf("file:%s?mode=memory&cache=shared&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)", randName())
		s, err := store.Open(ctx, "sqlite", dsn, nil)
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	case "mysql":
		base := os.Getenv("FAMILYBOT_TEST_MYSQL_DSN")
		if base == "" {
			t.Skip("FAMILYBOT_TEST_MYSQL_DSN not set")
		}
		name := "fbtest_" + randName()
		admin, err := sql.Open("mysql", base)
		if err != nil {
			t.Fatalf("mysql: %v", err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			t.Fatalf("create database: %v", err)
		}
		s, err := store.Open(ctx, "mysql", WithDatabase(base, name), nil)
		if err != nil {
			t.Fatalf("open mysql: %v", err)
		}
		t.Cleanup(func() {
			s.Close()
			if a, err := sql.Open("mysql", base); err == nil {
				a.Exec("DROP DATABASE IF EXISTS `" + name + "`")
				a.Close()
			}
		})
		return s
	}
	t.Fatalf("unknown engine %q", engine)
	return nil
}

// WithDatabase replaces the database name in a go-sql-driver DSN.
func WithDatabase(dsn, db string) string {
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return dsn + "/" + db
	}
	rest := dsn[slash+1:]
	q := ""
	if i := strings.Index(rest, "?"); i >= 0 {
		q = rest[i:]
	}
	return dsn[:slash+1] + db + q
}

func randName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
