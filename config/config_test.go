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
		"FAMILYBOT_OFFICIAL_ACCOUNT_TEMPLATES_REMINDER_FIELDS=thing1=title, time2=time",
		"FAMILYBOT_WECOM_ON_DUTY=zhangsan, lisi",
		"FAMILYBOT_BOT_CONVERSATION_TTL=20m",
		"FAMILYBOT_BOT_CRISIS_EPISODE=45m",
		"FAMILYBOT_LIMITS_WISHES_PER_DAY=5",
		"FAMILYBOT_BOT_ANSWER_THRESHOLD=0.7",
		"PATH=/usr/bin",
	}
	cfg, err := Load("../config.yaml", true, env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Addr != ":9999" || cfg.Database.DSN != "other.db" || cfg.OfficialAccount.Templates.Reminder.ID != "tpl1" ||
		cfg.OfficialAccount.Templates.Reminder.Fields["time2"] != "time" ||
		len(cfg.WeCom.OnDuty) != 2 || cfg.WeCom.OnDuty[1] != "lisi" || cfg.Bot.ConversationTTL != 20*time.Minute ||
		cfg.Bot.CrisisEpisode != 45*time.Minute ||
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
		{"FAMILYBOT_BOT_CRISIS_EPISODE=0s", "bot.crisis_episode must be positive"},
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

func TestAssociationPlaceholders(t *testing.T) {
	a := Default().Association
	if got := a.Placeholders(); len(got) != 3 {
		t.Fatalf("shipped settings: %v, want name, phone and address", got)
	}
	a.Phone, a.Address = "0571-87654321", "  "
	if got := a.Placeholders(); len(got) != 2 || got[0] != "association.name" || got[1] != "association.address" {
		t.Fatalf("got %v", got)
	}
	a.Name, a.Address = "西湖区计划生育协会", "文三路1号"
	if got := a.Placeholders(); len(got) != 0 {
		t.Fatalf("filled in: %v", got)
	}
}

func TestSpeechSettings(t *testing.T) {
	cfg, err := Load("../config.yaml", true, nil)
	if err != nil || cfg.Speech.Driver != "none" || cfg.Speech.Timeout != 10*time.Second || cfg.Speech.Tencent.Engine != "16k_zh" {
		t.Fatalf("shipped speech settings %+v, %v", cfg.Speech, err)
	}
	cfg, err = Load("../config.yaml", true, []string{"FAMILYBOT_SPEECH_DRIVER=tencent", "FAMILYBOT_SPEECH_TENCENT_SECRET_ID=AKIDx",
		"FAMILYBOT_SPEECH_TENCENT_SECRET_KEY=sk1", "FAMILYBOT_SPEECH_TENCENT_ENGINE=16k_ca", "FAMILYBOT_SPEECH_TIMEOUT=6s"})
	if err != nil || cfg.Speech.Tencent.SecretKey != "sk1" || cfg.Speech.Tencent.Engine != "16k_ca" || cfg.Speech.Timeout != 6*time.Second {
		t.Fatalf("environment not applied: %+v, %v", cfg.Speech, err)
	}
	if m := cfg.Masked(); m.Speech.Tencent.SecretID != "***" || m.Speech.Tencent.SecretKey != "***" {
		t.Fatalf("speech keys visible when printed: %+v", m.Speech.Tencent)
	}
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"FAMILYBOT_SPEECH_DRIVER=whisper"}, "speech.driver \"whisper\" is unknown"},
		{[]string{"FAMILYBOT_SPEECH_DRIVER=tencent"}, "FAMILYBOT_SPEECH_TENCENT_SECRET_ID"},
		{[]string{"FAMILYBOT_SPEECH_DRIVER=http"}, "speech.http.url"},
		{[]string{"FAMILYBOT_SPEECH_DRIVER=http", "FAMILYBOT_SPEECH_HTTP_URL=ftp://asr/x"}, "speech.http.url"},
		{[]string{"FAMILYBOT_SPEECH_TIMEOUT=1m"}, "speech.timeout"},
	}
	for _, tc := range tests {
		if _, err := Load("../config.yaml", true, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want it to mention %q", tc.env, err, tc.want)
		}
	}
}

// TestTemplateFields: a template names its own fields (WeChat no longer fills
// first/remark); the older bare-ID form still loads, and a template without
// its field map, or with an unknown value, stops start-up with what to fix.
func TestTemplateFields(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := Load(write(`
official_account:
  templates:
    wish_reply:
      id: TPL-WISH
      fields: {thing1: title, thing2: text, time3: time}
`), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.OfficialAccount.Templates.WishReply; w.ID != "TPL-WISH" || w.Fields["thing2"] != "text" || len(w.Fields) != 3 {
		t.Fatalf("wish_reply = %+v", w)
	}
	_, err = Load(write(`
official_account:
  templates:
    reminder: TPL-OLD
    promotion:
      id: TPL-P
      fields: {thing1: titel, Time2: time}
`), true, nil)
	for _, want := range []string{"official_account.templates.reminder has an id but no fields", `"titel" is unknown`, `"Time2" is not a template field name`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}

// A dev-login token of a single space once opened the admin (issue 14, finding 7).
func TestDevLoginTokenNeedsSixteenCharacters(t *testing.T) {
	for _, tok := range []string{" ", "secret", "   fifteen-chars  ", "密码密码密码密码密码密码密码密码"[:9]} {
		_, err := Load("../config.yaml", true, []string{"FAMILYBOT_ADMIN_DEV_LOGIN_TOKEN=" + tok})
		if err == nil || !strings.Contains(err.Error(), "admin.dev_login_token must be at least 16 characters") {
			t.Errorf("token %q: got %v, want it refused", tok, err)
		}
	}
	for _, tok := range []string{"", "0123456789abcdef", "  a-long-random-dev-token  "} {
		if _, err := Load("../config.yaml", true, []string{"FAMILYBOT_ADMIN_DEV_LOGIN_TOKEN=" + tok}); err != nil {
			t.Errorf("token %q refused: %v", tok, err)
		}
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

// The card callback's key is checked like the official account's, and it needs
// its token and the CorpID it is encrypted for.
func TestWeComCallbackSettings(t *testing.T) {
	key := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	ok := []string{"FAMILYBOT_WECOM_CORP_ID=ww1", "FAMILYBOT_WECOM_CALLBACK_TOKEN=tok", "FAMILYBOT_WECOM_CALLBACK_AES_KEY=" + key}
	cfg, err := Load("../config.yaml", true, ok)
	if err != nil || cfg.WeCom.CallbackToken != "tok" || cfg.WeCom.CallbackAESKey != key {
		t.Fatalf("good settings refused: %v %+v", err, cfg.WeCom)
	}
	if m := cfg.Masked(); m.WeCom.CallbackToken != "***" || m.WeCom.CallbackAESKey != "***" {
		t.Fatalf("callback secrets shown: %+v", m.WeCom)
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{ok[0], ok[1], "FAMILYBOT_WECOM_CALLBACK_AES_KEY=short"}, "wecom.callback_aes_key must be 43 characters, it has 5"},
		{[]string{ok[0], ok[1], "FAMILYBOT_WECOM_CALLBACK_AES_KEY=" + key[:42] + "!"}, "wecom.callback_aes_key is not valid"},
		{[]string{ok[0], ok[1]}, "go together"},
		{[]string{ok[1], ok[2]}, "wecom.corp_id is empty"},
	} {
		if _, err := Load("../config.yaml", true, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want it to mention %q", tc.env, err, tc.want)
		}
	}
}
