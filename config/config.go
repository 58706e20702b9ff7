// Package config loads familybot's settings: config.yaml with documented defaults,
// overridden by FAMILYBOT_* environment variables, validated all at once.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

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
	Menu            []MenuButton    `yaml:"menu"`
}

// Server is the HTTP listener.
type Server struct {
	Addr      string `yaml:"addr"`
	PublicURL string `yaml:"public_url"`
	// ReplyDeadline is how long the webhook waits for the bot before it answers
	// "success" and delivers the answer later as a customer-service message.
	ReplyDeadline time.Duration `yaml:"reply_deadline"`
	// MaxClockSkew rejects webhook calls whose timestamp is further than this from now (0 disables).
	MaxClockSkew time.Duration `yaml:"max_clock_skew"`
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
	AppID          string    `yaml:"app_id"`
	AppSecret      string    `yaml:"app_secret"`
	Token          string    `yaml:"token"`
	EncodingAESKey string    `yaml:"encoding_aes_key"`
	Templates      Templates `yaml:"templates"`
}

// Templates are template-message IDs used outside the 48-hour window.
type Templates struct {
	Reminder    string `yaml:"reminder"`
	WishReply   string `yaml:"wish_reply"`
	Promotion   string `yaml:"promotion"`
	EventNotice string `yaml:"event_notice"`
}

// WeCom holds the 企业微信 application used by staff.
type WeCom struct {
	CorpID     string   `yaml:"corp_id"`
	CorpSecret string   `yaml:"corp_secret"`
	AgentID    string   `yaml:"agent_id"`
	OnDuty     []string `yaml:"on_duty"` // UserIDs alerted about new wishes and crisis messages
}

// Admin configures the staff pages.
type Admin struct {
	DevLoginToken string `yaml:"dev_login_token"`
}

// Association is what differs from one association to the next.
type Association struct {
	Name    string `yaml:"name"`
	Phone   string `yaml:"phone"`
	Address string `yaml:"address"`
	Hours   string `yaml:"hours"`
	// Respite describes the association's 喘息服务 for carers (who, how to
	// apply); empty when it offers none, and carers are not told of it.
	Respite string `yaml:"respite"`
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
}

// Limits are per-resident rate limits.
type Limits struct {
	MessagesPerMinute int `yaml:"messages_per_minute"`
	WishesPerDay      int `yaml:"wishes_per_day"`
	SignupsPerHour    int `yaml:"signups_per_hour"`
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
		Server:   Server{Addr: ":8080", ReplyDeadline: 4 * time.Second, MaxClockSkew: 5 * time.Minute, LogFormat: "text", LogLevel: "info"},
		Database: Database{Driver: "sqlite", DSN: "familybot.db"},
		Cache:    Cache{Driver: "memory", RedisAddr: "127.0.0.1:6379"},
		Association: Association{
			Name:    "市计划生育协会",
			Phone:   "0000-00000000",
			Address: "请在 config.yaml 的 association.address 填写地址",
			Hours:   "工作日 9:00-12:00，14:00-17:30",
		},
		Bot:    Bot{ConversationTTL: 15 * time.Minute, ContextTTL: 15 * time.Minute, AnswerThreshold: 0.55, ClarifyThreshold: 0.3},
		Limits: Limits{MessagesPerMinute: 20, WishesPerDay: 3, SignupsPerHour: 10},
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
	if c.Server.Addr == "" {
		probs = append(probs, "server.addr is empty: use e.g. :8080 (FAMILYBOT_SERVER_ADDR)")
	}
	if c.Server.ReplyDeadline <= 0 || c.Server.ReplyDeadline > 4500*time.Millisecond {
		probs = append(probs, "server.reply_deadline must be between 1ms and 4.5s: WeChat gives up after 5s (FAMILYBOT_SERVER_REPLY_DEADLINE)")
	}
	if c.Bot.ConversationTTL <= 0 {
		probs = append(probs, "bot.conversation_ttl must be positive, e.g. 15m (FAMILYBOT_BOT_CONVERSATION_TTL)")
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
	c.Admin.DevLoginToken = mask(c.Admin.DevLoginToken)
	c.Cache.RedisPassword = mask(c.Cache.RedisPassword)
	if c.Database.Driver == "mysql" {
		if at := strings.LastIndex(c.Database.DSN, "@"); at > 0 {
			if colon := strings.Index(c.Database.DSN[:at], ":"); colon >= 0 {
				c.Database.DSN = c.Database.DSN[:colon] + ":***" + c.Database.DSN[at:]
			}
		}
	}
	return c
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
