package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestShippedConfigIsValidAndMatchesDefaults(t *testing.T) {
	cfg, err := Load("../config.yaml", true, nil)
	if err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	d := Default()
	if cfg.Server.Addr != ":8080" || cfg.Database.Driver != "sqlite" || cfg.Database.DSN != "familybot.db" || cfg.Cache.Driver != "memory" {
		t.Fatalf("shipped defaults changed: %+v", cfg)
	}
	if cfg.Server.ReplyDeadline != d.Server.ReplyDeadline || cfg.Bot.ConversationTTL != 15*time.Minute {
		t.Fatalf("durations: %v %v", cfg.Server.ReplyDeadline, cfg.Bot.ConversationTTL)
	}
	if len(cfg.Menu) != 3 || cfg.Menu[1].Key != "EVENTS" {
		t.Fatalf("menu: %+v", cfg.Menu)
	}
}

func TestMissingDefaultFileIsFineButExplicitIsNot(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml"), false, nil); err != nil {
		t.Fatalf("implicit missing file: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml"), true, nil); err == nil {
		t.Fatal("explicit missing file must fail")
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	env := []string{
		"FAMILYBOT_SERVER_ADDR=:9999",
		"FAMILYBOT_DATABASE_DSN=other.db",
		"FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		"FAMILYBOT_OFFICIAL_ACCOUNT_TEMPLATES_REMINDER=tpl1",
		"FAMILYBOT_WECOM_ON_DUTY=zhangsan, lisi",
		"FAMILYBOT_BOT_CONVERSATION_TTL=20m",
		"FAMILYBOT_LIMITS_WISHES_PER_DAY=5",
		"FAMILYBOT_BOT_ANSWER_THRESHOLD=0.7",
		"PATH=/usr/bin",
	}
	cfg, err := Load("../config.yaml", true, env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Addr != ":9999" || cfg.Database.DSN != "other.db" || cfg.OfficialAccount.Templates.Reminder != "tpl1" ||
		len(cfg.WeCom.OnDuty) != 2 || cfg.WeCom.OnDuty[1] != "lisi" || cfg.Bot.ConversationTTL != 20*time.Minute ||
		cfg.Limits.WishesPerDay != 5 || cfg.Bot.AnswerThreshold != 0.7 || len(cfg.OfficialAccount.EncodingAESKey) != 43 {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
}

func TestBadValuesSayWhatToFix(t *testing.T) {
	tests := []struct {
		env  string
		want string
	}{
		{"FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY=short", "must be 43 characters"},
		{"FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEF!", "not valid"},
		{"FAMILYBOT_DATABASE_DRIVER=postgres", "database.driver \"postgres\" is unknown"},
		{"FAMILYBOT_CACHE_DRIVER=memcache", "cache.driver"},
		{"FAMILYBOT_SERVER_REPLY_DEADLINE=soon", "not a duration"},
		{"FAMILYBOT_SERVER_REPLY_DEADLINE=6s", "4.5s"},
		{"FAMILYBOT_LIMITS_WISHES_PER_DAY=many", "not a whole number"},
	}
	for _, tc := range tests {
		_, err := Load("../config.yaml", true, []string{tc.env})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want it to mention %q", tc.env, err, tc.want)
		}
	}
	// Several problems are reported at once.
	_, err := Load("../config.yaml", true, []string{"FAMILYBOT_DATABASE_DRIVER=x", "FAMILYBOT_CACHE_DRIVER=y"})
	if err == nil || strings.Count(err.Error(), "\n") < 1 {
		t.Fatalf("want both problems: %v", err)
	}
}

func TestBrokenYAMLFails(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(p, []byte("server: [oops"), 0o600)
	if _, err := Load(p, true, nil); err == nil {
		t.Fatal("broken yaml accepted")
	}
}

func TestMaskedHidesSecrets(t *testing.T) {
	c := Default()
	c.OfficialAccount.AppSecret, c.OfficialAccount.Token, c.WeCom.CorpSecret, c.Admin.DevLoginToken = "s1", "t1", "s2", "d1"
	c.Database.Driver, c.Database.DSN = "mysql", "bot:pa55word@tcp(db:3306)/familybot"
	m := c.Masked()
	for _, secret := range []string{"s1", "t1", "s2", "d1", "pa55word"} {
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(
			m.OfficialAccount.AppSecret+m.OfficialAccount.Token+m.WeCom.CorpSecret+m.Admin.DevLoginToken+m.Database.DSN, "***", ""), "bot:@tcp(db:3306)/familybot", ""), secret) {
			t.Fatalf("secret %q still visible: %+v", secret, m)
		}
	}
	if m.Database.DSN != "bot:***@tcp(db:3306)/familybot" {
		t.Fatalf("dsn %q", m.Database.DSN)
	}
}

// The message mode defaults from the key (safe when set) and must match it.
func TestMessageMode(t *testing.T) {
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	tests := []struct {
		env     []string
		want    string
		problem string
	}{
		{nil, "plain", ""},
		{[]string{"FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY=" + key}, "safe", ""},
		{[]string{"FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY=" + key, "FAMILYBOT_OFFICIAL_ACCOUNT_MESSAGE_MODE=compat"}, "compat", ""},
		{[]string{"FAMILYBOT_OFFICIAL_ACCOUNT_MESSAGE_MODE=safe"}, "", "encoding_aes_key is empty"},
		{[]string{"FAMILYBOT_OFFICIAL_ACCOUNT_MESSAGE_MODE=secure"}, "", "use plain, compat or safe"},
		{[]string{"FAMILYBOT_SERVER_METRICS_ADDR=:8080"}, "", "metrics_addr must differ"},
	}
	for _, tc := range tests {
		cfg, err := Load("../config.yaml", true, tc.env)
		switch {
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("%v: error %v, want one saying %q", tc.env, err, tc.problem)
		case tc.problem == "" && (err != nil || cfg.OfficialAccount.Mode() != tc.want):
			t.Errorf("%v: mode %q (%v), want %q", tc.env, cfg.OfficialAccount.Mode(), err, tc.want)
		}
	}
	if d := Default(); d.Server.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("metrics_addr default %q", d.Server.MetricsAddr)
	}
}
