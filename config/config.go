// Package config loads familybot's settings: config.yaml with documented defaults,
// overridden by FAMILYBOT_* environment variables, validated all at once.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Config is every setting familybot has. The yaml tags are also the source of the
// environment variable names: FAMILYBOT_ + the upper-cased path joined with "_".
type Config struct {
	Server          Server          `yaml:"server"`
	Database        Database        `yaml:"database"`
	Cache           Cache           `yaml:"cache"`
	OfficialAccount OfficialAccount `yaml:"official_account"`
	WeCom           WeCom           `yaml:"wecom"`
	Admin           Admin           `yaml:"admin"`
	Association     Association     `yaml:"association"`
	Bot             Bot             `yaml:"bot"`
	Limits          Limits          `yaml:"limits"`
	Speech          Speech          `yaml:"speech"`
	Menu            []MenuButton    `yaml:"menu"`
}

// Server is the HTTP listener.
type Server struct {
	Addr      string `yaml:"addr"`
	PublicURL string `yaml:"public_url"`
	// ReplyDeadline is how long the webhook waits for the bot before it answers
	// "success" and delivers the answer later as a customer-service message.
	ReplyDeadline time.Duration `yaml:"reply_deadline"`
	// MaxClockSkew rejects webhook calls whose timestamp is further than this from
	// now (0 disables); a nonce is remembered for twice this long, so a captured
	// query string cannot be replayed with another body while it is still fresh.
	MaxClockSkew time.Duration `yaml:"max_clock_skew"`
	// ShutdownTimeout bounds a graceful stop: open requests and the answers
	// still being worked out after the webhook said "success" are finished
	// within it; what is left stays in the inbox for any copy to finish.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// MetricsAddr is the separate listener for /metrics (Prometheus); empty
	// turns metrics off. The main listener never serves /metrics.
	MetricsAddr string `yaml:"metrics_addr"`
	// TrustedProxies are the addresses of the reverse proxies (nginx) whose
	// X-Forwarded-For is believed, for the client IP in the audit log.
	TrustedProxies []string `yaml:"trusted_proxies"`
	LogFormat      string   `yaml:"log_format"` // text | json
	LogLevel       string   `yaml:"log_level"`  // debug | info | warn | error
}

// Database selects the storage engine.
type Database struct {
	Driver string `yaml:"driver"` // sqlite | mysql
	DSN    string `yaml:"dsn"`
}

// Cache selects where shared short-lived state lives.
type Cache struct {
	Driver        string `yaml:"driver"` // memory | redis
	RedisAddr     string `yaml:"redis_addr"`
	RedisPassword string `yaml:"redis_password"`
	RedisDB       int    `yaml:"redis_db"`
}

// OfficialAccount holds the 公众号 credentials.
type OfficialAccount struct {
	AppID          string `yaml:"app_id"`
	AppSecret      string `yaml:"app_secret"`
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	// MessageMode is the 消息加解密方式 chosen in the console: plain (明文),
	// compat (兼容) or safe (安全). Empty means safe when an EncodingAESKey is
	// set, else plain. Safe refuses every unencrypted body.
	MessageMode string    `yaml:"message_mode"`
	Templates   Templates `yaml:"templates"`
}

// Mode returns the effective message mode: MessageMode, or its default.
func (o OfficialAccount) Mode() string {
	switch {
	case o.MessageMode != "":
		return o.MessageMode
	case o.EncodingAESKey != "":
		return "safe"
	}
	return "plain"
}

// Templates are the template messages used outside the 48-hour window, one per kind.
type Templates struct {
	Reminder    Template `yaml:"reminder"`
	WishReply   Template `yaml:"wish_reply"`
	Promotion   Template `yaml:"promotion"`
	EventNotice Template `yaml:"event_notice"`
}

// Template is one template message: its ID in the 公众号 console and, for each of
// the template's own fields (thing1, time2 …: WeChat dropped first and remark in
// 2023, so every template names its fields), which value familybot fills in.
type Template struct {
	ID     string            `yaml:"id"`
	Fields map[string]string `yaml:"fields"`
}

// TemplateValues are what a template field can be filled with: the notice's
// title and text, when it was made, and the association's name.
var TemplateValues = map[string]string{
	"title": "通知标题（如“活动提醒”）", "text": "通知内容", "time": "通知时间（2006年01月02日 15:04）",
	"date": "通知日期", "assoc": "协会名称",
}

// UnmarshalYAML also reads the older form, a bare template ID (its fields must then be added).
func (t *Template) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&t.ID)
	}
	type plain Template
	return n.Decode((*plain)(t))
}

// Kinds lists the templates by kind, as the notifier names them.
func (t Templates) Kinds() map[string]Template {
	return map[string]Template{"reminder": t.Reminder, "wish_reply": t.WishReply, "promotion": t.Promotion, "event_notice": t.EventNotice}
}

var templateFieldRE = regexp.MustCompile(`^[a-z_]+[0-9]+$`)

func (t Templates) problems() []string {
	var probs []string
	kinds := t.Kinds()
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, kind := range names {
		tpl := kinds[kind]
		key := "official_account.templates." + kind
		env := "FAMILYBOT_OFFICIAL_ACCOUNT_TEMPLATES_" + strings.ToUpper(kind)
		switch {
		case tpl.ID == "" && len(tpl.Fields) > 0:
			probs = append(probs, fmt.Sprintf("%s has fields but no id: copy the template ID from 公众号 → 模板消息 (%s_ID)", key, env))
		case tpl.ID != "" && len(tpl.Fields) == 0:
			probs = append(probs, fmt.Sprintf("%s has an id but no fields: WeChat no longer fills first/remark, so map the template's own fields, e.g. fields: {thing1: title, thing2: text, time3: time} (%s_FIELDS=thing1=title,time3=time)", key, env))
		}
		fields := make([]string, 0, len(tpl.Fields))
		for f := range tpl.Fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			if !templateFieldRE.MatchString(f) {
				probs = append(probs, fmt.Sprintf("%s.fields: %q is not a template field name like thing1 or time2 (see the template's detail page)", key, f))
			}
			if _, ok := TemplateValues[tpl.Fields[f]]; !ok {
				probs = append(probs, fmt.Sprintf("%s.fields.%s: %q is unknown: use title, text, time, date or assoc", key, f, tpl.Fields[f]))
			}
		}
	}
	return probs
}

// WeCom holds the 企业微信 application used by staff.
type WeCom struct {
	CorpID     string   `yaml:"corp_id"`
	CorpSecret string   `yaml:"corp_secret"`
	AgentID    string   `yaml:"agent_id"`
	OnDuty     []string `yaml:"on_duty"` // UserIDs alerted about new wishes and crisis messages
	// CallbackToken and CallbackAESKey are the app's 接收消息 settings (Token,
	// EncodingAESKey): with both set, /wecom/callback takes taps on card buttons.
	CallbackToken  string `yaml:"callback_token"`
	CallbackAESKey string `yaml:"callback_aes_key"`
}

// problems checks the card callback settings: both or neither, a 43-character
// key, and the CorpID the callback is encrypted for.
func (w WeCom) problems() []string {
	var probs []string
	if (w.CallbackToken == "") != (w.CallbackAESKey == "") {
		probs = append(probs, "wecom.callback_token and wecom.callback_aes_key go together: copy both from the app's 接收消息 settings, or leave both empty (FAMILYBOT_WECOM_CALLBACK_TOKEN, FAMILYBOT_WECOM_CALLBACK_AES_KEY)")
	}
	if k := w.CallbackAESKey; k != "" {
		if len(k) != 43 {
			probs = append(probs, fmt.Sprintf("wecom.callback_aes_key must be 43 characters, it has %d: copy the EncodingAESKey again from the 企业微信 console (FAMILYBOT_WECOM_CALLBACK_AES_KEY)", len(k)))
		} else if _, err := base64.StdEncoding.DecodeString(k + "="); err != nil {
			probs = append(probs, "wecom.callback_aes_key is not valid: it may only contain letters and digits (FAMILYBOT_WECOM_CALLBACK_AES_KEY)")
		}
		if w.CorpID == "" {
			probs = append(probs, "wecom.corp_id is empty while wecom.callback_aes_key is set: the callback is encrypted for the CorpID (FAMILYBOT_WECOM_CORP_ID)")
		}
	}
	return probs
}

// Admin configures the staff pages.
type Admin struct {
	// DevLoginToken opens /admin/dev-login (development only); at least
	// MinDevLoginToken characters once trimmed, or start-up refuses.
	DevLoginToken string `yaml:"dev_login_token"`
}

// MinDevLoginToken is the shortest dev-login token accepted: with failed
// attempts limited per client, 16 characters cannot be guessed.
const MinDevLoginToken = 16

// Association is what differs from one association to the next.
type Association struct {
	Name    string `yaml:"name"`
	Phone   string `yaml:"phone"`
	Address string `yaml:"address"`
	Hours   string `yaml:"hours"`
	// Respite describes the association's 喘息服务 for carers (who, how to
	// apply); empty when it offers none, and carers are not told of it.
	Respite string `yaml:"respite"`
	// CrisisLine is the local psychological-crisis line with its name and
	// hours (e.g. "0571-xxxxxxxx 杭州市心理危机干预热线（24小时）"), shown
	// before the national 12356 to a resident in despair; empty: not shown.
	CrisisLine string `yaml:"crisis_line"`
}

// Placeholders names the association settings that still hold the values
// config.yaml ships with. Residents read these in answers ("请致电 {{phone}}"),
// so a real service must not run with them.
func (a Association) Placeholders() []string {
	shipped := Default().Association
	var out []string
	for _, f := range []struct{ key, got, want string }{
		{"association.name", a.Name, shipped.Name},
		{"association.phone", a.Phone, shipped.Phone},
		{"association.address", a.Address, shipped.Address},
	} {
		if strings.TrimSpace(f.got) == "" || strings.TrimSpace(f.got) == f.want {
			out = append(out, f.key)
		}
	}
	return out
}

// Bot tunes the conversation engine.
type Bot struct {
	ConversationTTL time.Duration `yaml:"conversation_ttl"`
	// ContextTTL is how long the conversation's context (last topic, who it is
	// about, the last list offered) lasts for follow-ups.
	ContextTTL time.Duration `yaml:"context_ttl"`
	// AnswerThreshold and ClarifyThreshold are the matcher's confidence bounds (0–1).
	AnswerThreshold  float64 `yaml:"answer_threshold"`
	ClarifyThreshold float64 `yaml:"clarify_threshold"`
	// CrisisEpisode is how long after a crisis message (and after each message
	// in it) the resident's messages are read inside the crisis.
	CrisisEpisode time.Duration `yaml:"crisis_episode"`
}

// Limits are per-resident rate limits.
type Limits struct {
	MessagesPerMinute int `yaml:"messages_per_minute"`
	WishesPerDay      int `yaml:"wishes_per_day"`
	SignupsPerHour    int `yaml:"signups_per_hour"`
}

// Speech chooses how voice messages WeChat sends without text are transcribed.
type Speech struct {
	Driver string `yaml:"driver"` // none | tencent | http
	// Timeout bounds one download and recognition; past server.reply_deadline the
	// answer goes out as a customer-service message anyway.
	Timeout time.Duration `yaml:"timeout"`
	Tencent SpeechTencent `yaml:"tencent"`
	HTTP    SpeechHTTP    `yaml:"http"`
}

// SpeechTencent is Tencent Cloud 一句话识别 (SentenceRecognition).
type SpeechTencent struct {
	SecretID  string `yaml:"secret_id"`
	SecretKey string `yaml:"secret_key"`
	Region    string `yaml:"region"`
	// Engine is the recognition model: 16k_zh (Mandarin), 8k_zh, 16k_ca (Cantonese), dialect engines.
	Engine string `yaml:"engine"`
	// Endpoint is the API host, asr.tencentcloudapi.com; http(s)://host:port reaches a proxy (or a test fake).
	Endpoint string `yaml:"endpoint"`
}

// SpeechHTTP is a self-hosted recogniser (e.g. FunASR behind a small adapter).
type SpeechHTTP struct {
	URL string `yaml:"url"`
}

// MenuButton is one official-account menu button (top level or sub-button).
type MenuButton struct {
	Name string       `yaml:"name"`
	Type string       `yaml:"type"` // click | view (empty for a parent)
	Key  string       `yaml:"key"`
	URL  string       `yaml:"url"`
	Sub  []MenuButton `yaml:"sub"`
}

// Default returns the built-in defaults (the same as config.yaml ships with).
func Default() Config {
	return Config{
		Server: Server{Addr: ":8080", ReplyDeadline: 4 * time.Second, MaxClockSkew: 5 * time.Minute, ShutdownTimeout: 20 * time.Second,
			MetricsAddr: "127.0.0.1:9090", LogFormat: "text", LogLevel: "info"},
		Database: Database{Driver: "sqlite", DSN: "familybot.db"},
		Cache:    Cache{Driver: "memory", RedisAddr: "127.0.0.1:6379"},
		Association: Association{
			Name:    "市计划生育协会",
			Phone:   "0000-00000000",
			Address: "请在 config.yaml 的 association.address 填写地址",
			Hours:   "工作日 9:00-12:00，14:00-17:30",
		},
		Bot:    Bot{ConversationTTL: 15 * time.Minute, ContextTTL: 15 * time.Minute, AnswerThreshold: 0.55, ClarifyThreshold: 0.3, CrisisEpisode: 30 * time.Minute},
		Limits: Limits{MessagesPerMinute: 20, WishesPerDay: 3, SignupsPerHour: 10},
		Speech: Speech{Driver: "none", Timeout: 10 * time.Second,
			Tencent: SpeechTencent{Region: "ap-shanghai", Engine: "16k_zh", Endpoint: "asr.tencentcloudapi.com"}},
	}
}

// Load reads the YAML file at path (a missing file is an error only when explicit
// is true), then applies FAMILYBOT_* overrides from environ, then validates.
func Load(path string, explicit bool, environ []string) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return cfg, fmt.Errorf("配置文件 %s 格式错误: %v", path, err)
		}
	case errors.Is(err, os.ErrNotExist) && !explicit:
	default:
		return cfg, fmt.Errorf("读取配置文件 %s 失败: %v", path, err)
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// Validate reports every problem at once, one per line, each saying what to fix.
func (c Config) Validate() error {
	var probs []string
	switch c.Database.Driver {
	case "sqlite", "mysql":
	default:
		probs = append(probs, fmt.Sprintf("database.driver %q is unknown: use sqlite or mysql (FAMILYBOT_DATABASE_DRIVER)", c.Database.Driver))
	}
	if c.Database.DSN == "" {
		probs = append(probs, "database.dsn is empty: give a file name for sqlite or user:pass@tcp(host:3306)/db for mysql (FAMILYBOT_DATABASE_DSN)")
	}
	switch c.Cache.Driver {
	case "memory":
	case "redis":
		if c.Cache.RedisAddr == "" {
			probs = append(probs, "cache.redis_addr is empty while cache.driver is redis (FAMILYBOT_CACHE_REDIS_ADDR)")
		}
	default:
		probs = append(probs, fmt.Sprintf("cache.driver %q is unknown: use memory or redis (FAMILYBOT_CACHE_DRIVER)", c.Cache.Driver))
	}
	if k := c.OfficialAccount.EncodingAESKey; k != "" {
		if len(k) != 43 {
			probs = append(probs, fmt.Sprintf("official_account.encoding_aes_key must be 43 characters, it has %d: copy it again from the 公众号 console (FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY)", len(k)))
		} else if _, err := base64.StdEncoding.DecodeString(k + "="); err != nil {
			probs = append(probs, "official_account.encoding_aes_key is not valid: it may only contain letters and digits (FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY)")
		}
	}
	probs = append(probs, c.OfficialAccount.Templates.problems()...)
	switch c.OfficialAccount.MessageMode {
	case "", "plain":
	case "compat", "safe":
		if c.OfficialAccount.EncodingAESKey == "" {
			probs = append(probs, fmt.Sprintf("official_account.message_mode is %s but official_account.encoding_aes_key is empty: copy the EncodingAESKey from the 公众号 console (FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY)", c.OfficialAccount.MessageMode))
		}
	default:
		probs = append(probs, fmt.Sprintf("official_account.message_mode %q is unknown: use plain, compat or safe, as chosen under 消息加解密方式 in the 公众号 console (FAMILYBOT_OFFICIAL_ACCOUNT_MESSAGE_MODE)", c.OfficialAccount.MessageMode))
	}
	if c.Server.ShutdownTimeout <= 0 {
		probs = append(probs, "server.shutdown_timeout must be positive, e.g. 20s (FAMILYBOT_SERVER_SHUTDOWN_TIMEOUT)")
	}
	if c.Server.MetricsAddr != "" && c.Server.MetricsAddr == c.Server.Addr {
		probs = append(probs, "server.metrics_addr must differ from server.addr: /metrics has its own listener, e.g. 127.0.0.1:9090 (FAMILYBOT_SERVER_METRICS_ADDR)")
	}
	probs = append(probs, c.WeCom.problems()...)
	if c.Server.Addr == "" {
		probs = append(probs, "server.addr is empty: use e.g. :8080 (FAMILYBOT_SERVER_ADDR)")
	}
	if c.Server.ReplyDeadline <= 0 || c.Server.ReplyDeadline > 4500*time.Millisecond {
		probs = append(probs, "server.reply_deadline must be between 1ms and 4.5s: WeChat gives up after 5s (FAMILYBOT_SERVER_REPLY_DEADLINE)")
	}
	if c.Bot.ConversationTTL <= 0 {
		probs = append(probs, "bot.conversation_ttl must be positive, e.g. 15m (FAMILYBOT_BOT_CONVERSATION_TTL)")
	}
	probs = append(probs, c.Speech.problems()...)
	if t := c.Admin.DevLoginToken; t != "" && utf8.RuneCountInString(strings.TrimSpace(t)) < MinDevLoginToken {
		probs = append(probs, fmt.Sprintf("admin.dev_login_token must be at least %d characters (spaces at the ends do not count), it has %d: use a long random value, or leave it empty to turn dev login off (FAMILYBOT_ADMIN_DEV_LOGIN_TOKEN)",
			MinDevLoginToken, utf8.RuneCountInString(strings.TrimSpace(t))))
	}
	if c.Bot.CrisisEpisode <= 0 {
		probs = append(probs, "bot.crisis_episode must be positive, e.g. 30m (FAMILYBOT_BOT_CRISIS_EPISODE)")
	}
	if c.Bot.ContextTTL <= 0 {
		probs = append(probs, "bot.context_ttl must be positive, e.g. 15m (FAMILYBOT_BOT_CONTEXT_TTL)")
	}
	if len(c.Menu) > 3 {
		probs = append(probs, "menu has more than 3 top buttons: WeChat allows at most 3")
	}
	for _, b := range c.Menu {
		if len(b.Sub) > 5 {
			probs = append(probs, fmt.Sprintf("menu button %q has more than 5 sub-buttons: WeChat allows at most 5", b.Name))
		}
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(probs, "\n"))
	}
	return nil
}

// Masked returns a copy with every secret replaced, safe to print or log.
func (c Config) Masked() Config {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	c.OfficialAccount.AppSecret = mask(c.OfficialAccount.AppSecret)
	c.OfficialAccount.Token = mask(c.OfficialAccount.Token)
	c.OfficialAccount.EncodingAESKey = mask(c.OfficialAccount.EncodingAESKey)
	c.WeCom.CorpSecret = mask(c.WeCom.CorpSecret)
	c.WeCom.CallbackToken = mask(c.WeCom.CallbackToken)
	c.WeCom.CallbackAESKey = mask(c.WeCom.CallbackAESKey)
	c.Admin.DevLoginToken = mask(c.Admin.DevLoginToken)
	c.Cache.RedisPassword = mask(c.Cache.RedisPassword)
	c.Speech.Tencent.SecretID = mask(c.Speech.Tencent.SecretID)
	c.Speech.Tencent.SecretKey = mask(c.Speech.Tencent.SecretKey)
	if c.Database.Driver == "mysql" {
		if at := strings.LastIndex(c.Database.DSN, "@"); at > 0 {
			if colon := strings.Index(c.Database.DSN[:at], ":"); colon >= 0 {
				c.Database.DSN = c.Database.DSN[:colon] + ":***" + c.Database.DSN[at:]
			}
		}
	}
	return c
}

func (s Speech) problems() []string {
	var probs []string
	switch s.Driver {
	case "none":
	case "tencent":
		if s.Tencent.SecretID == "" || s.Tencent.SecretKey == "" {
			probs = append(probs, "speech.driver is tencent but the keys are missing: set FAMILYBOT_SPEECH_TENCENT_SECRET_ID and FAMILYBOT_SPEECH_TENCENT_SECRET_KEY (腾讯云控制台 → 访问管理 → API 密钥)")
		}
		if s.Tencent.Engine == "" || s.Tencent.Region == "" || s.Tencent.Endpoint == "" {
			probs = append(probs, "speech.tencent.engine, region and endpoint must not be empty, e.g. 16k_zh, ap-shanghai, asr.tencentcloudapi.com (FAMILYBOT_SPEECH_TENCENT_ENGINE)")
		}
	case "http":
		if u, err := url.Parse(s.HTTP.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			probs = append(probs, "speech.http.url must be the recogniser's address, e.g. http://10.0.0.5:8000/recognize (FAMILYBOT_SPEECH_HTTP_URL)")
		}
	default:
		probs = append(probs, fmt.Sprintf("speech.driver %q is unknown: use none, tencent or http (FAMILYBOT_SPEECH_DRIVER)", s.Driver))
	}
	if s.Timeout <= 0 || s.Timeout > 25*time.Second {
		probs = append(probs, "speech.timeout must be between 1ms and 25s, e.g. 10s (FAMILYBOT_SPEECH_TIMEOUT)")
	}
	return probs
}

// applyEnv walks the struct by yaml tags and sets every scalar field whose
// FAMILYBOT_<PATH> variable is present. Lists (e.g. wecom.on_duty) take commas.
func applyEnv(cfg *Config, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "FAMILYBOT_") {
			env[k] = v
		}
	}
	if len(env) == 0 {
		return nil
	}
	var probs []string
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			name := prefix + "_" + strings.ToUpper(tag)
			f := v.Field(i)
			if f.Kind() == reflect.Struct {
				if raw, ok := env[name]; ok && f.Type() == reflect.TypeOf(Template{}) {
					// The older variable (…_TEMPLATES_REMINDER=ID) still names the ID.
					f.FieldByName("ID").SetString(raw)
				}
				walk(f, name)
				continue
			}
			raw, ok := env[name]
			if !ok {
				continue
			}
			if err := setField(f, raw); err != nil {
				probs = append(probs, fmt.Sprintf("%s=%q: %v", name, raw, err))
			}
		}
	}
	walk(reflect.ValueOf(cfg).Elem(), "FAMILYBOT")
	if len(probs) > 0 {
		return errors.New(strings.Join(probs, "\n"))
	}
	return nil
}

func setField(f reflect.Value, raw string) error {
	switch {
	case f.Type() == reflect.TypeOf(time.Duration(0)):
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("not a duration like 4s or 15m")
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(raw)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("not a whole number")
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Float64:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		f.SetFloat(n)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("not true or false")
		}
		f.SetBool(b)
	case f.Kind() == reflect.Map && f.Type().Key().Kind() == reflect.String && f.Type().Elem().Kind() == reflect.String:
		// key=value pairs separated by commas: thing1=title,time2=time
		out := map[string]string{}
		for _, kv := range strings.Split(raw, ",") {
			if kv = strings.TrimSpace(kv); kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("write key=value pairs separated by commas, e.g. thing1=title,time2=time")
			}
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		f.Set(reflect.ValueOf(out))
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
		var out []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		f.Set(reflect.ValueOf(out))
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}
