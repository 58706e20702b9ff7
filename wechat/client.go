package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"familybot/config"
	"familybot/outbox"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/basic"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
	"github.com/silenceper/wechat/v2/work"
	workconfig "github.com/silenceper/wechat/v2/work/config"
)

// HTTPTimeout bounds every call to WeChat's and WeCom's APIs (the SDK's default client has none).
const HTTPTimeout = 5 * time.Second

// SetHTTPClient installs the SDK's shared HTTP client once at start-up (it is a
// package global of the SDK). base, if not nil, replaces the transport (tests point
// it at a local fake); timeout 0 means HTTPTimeout.
func SetHTTPClient(base http.RoundTripper, timeout time.Duration) {
	if base == nil {
		base = http.DefaultTransport
	}
	if timeout <= 0 {
		timeout = HTTPTimeout
	}
	util.DefaultHTTPClient = &http.Client{Timeout: timeout, Transport: base}
}

// Client sends messages to residents (official account) and staff (WeCom), and
// does WeCom login. It implements outbox.Sender and handlers.OAuth.
type Client struct {
	oaCfg  config.OfficialAccount
	wcCfg  config.WeCom
	cache  cache.Cache
	oa     *officialaccount.OfficialAccount
	msgs   *message.Manager
	tpl    *message.Template
	menu   *menu.Menu
	basic  *basic.Basic
	work   *work.Work
	stable bool
}

// NewClient builds the SDK objects once (the SDK's lazy getters are not safe for
// concurrent first use). c is shared by every copy when it is Redis.
func NewClient(oa config.OfficialAccount, wc config.WeCom, c cache.Cache, stableToken bool) *Client {
	cl := &Client{oaCfg: oa, wcCfg: wc, cache: c, stable: stableToken}
	cl.oa = officialaccount.NewOfficialAccount(&oaconfig.Config{
		AppID: oa.AppID, AppSecret: oa.AppSecret, Token: oa.Token, EncodingAESKey: oa.EncodingAESKey,
		Cache: c, UseStableAK: stableToken,
	})
	ctx := cl.oa.GetContext()
	cl.msgs = message.NewMessageManager(ctx)
	cl.tpl = message.NewTemplate(ctx)
	cl.menu = menu.NewMenu(ctx)
	cl.basic = basic.NewBasic(ctx)
	cl.work = work.NewWork(&workconfig.Config{CorpID: wc.CorpID, CorpSecret: wc.CorpSecret, AgentID: wc.AgentID, Cache: c})
	return cl
}

// SendCustomerText sends a customer-service text message.
func (c *Client) SendCustomerText(ctx context.Context, openID, text string) error {
	if c.oaCfg.AppID == "" {
		return &outbox.Permanent{Err: errors.New("official_account.app_id is not configured")}
	}
	text = Sanitize(text)
	return c.classify(c.msgs.Send(message.NewCustomerTextMessage(openID, text)), c.oaTokenKey())
}

// maxQRValid is the longest a temporary QR code lives (WeChat: 30 days).
const maxQRValid = 30 * 24 * time.Hour

// CheckinQR creates a temporary QR code carrying scene (e.g. "checkin_12")
// valid for up to valid (at most 30 days), and returns its image address and
// when it stops working. Temporary codes do not use up the account's quota of
// permanent ones. Scanning it sends the bot a SCAN event (or subscribe with
// "qrscene_" for a new follower).
func (c *Client) CheckinQR(ctx context.Context, scene string, valid time.Duration) (string, time.Time, error) {
	if c.oaCfg.AppID == "" {
		return "", time.Time{}, errors.New("official_account.app_id is not configured")
	}
	valid = min(max(valid, time.Hour), maxQRValid)
	req := basic.NewTmpQrRequest(valid, scene)
	t, err := c.basic.GetQRTicket(req)
	if err != nil {
		return "", time.Time{}, c.classify(err, c.oaTokenKey())
	}
	if t.Ticket == "" {
		return "", time.Time{}, errors.New("WeChat returned no QR ticket")
	}
	until := time.Now().Add(time.Duration(t.ExpireSeconds) * time.Second)
	if t.ExpireSeconds <= 0 {
		until = time.Now().Add(valid)
	}
	// The ticket must be URL-escaped (the SDK's ShowQRCode does not).
	return "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + url.QueryEscape(t.Ticket), until, nil
}

// SendTemplate sends a template message (outside the 48-hour window).
func (c *Client) SendTemplate(ctx context.Context, openID, templateID, link string, data map[string]string) error {
	if templateID == "" {
		return &outbox.Permanent{Err: errors.New("no template configured")}
	}
	items := map[string]*message.TemplateDataItem{}
	for k, v := range data {
		items[k] = &message.TemplateDataItem{Value: Sanitize(v)}
	}
	_, err := c.tpl.Send(&message.TemplateMessage{ToUser: openID, TemplateID: templateID, URL: link, Data: items})
	return c.classify(err, c.oaTokenKey())
}

// textCard is WeCom's textcard application message. The SDK has no typed helper,
// and its common request sends agentid as a string where WeCom documents an integer.
type textCard struct {
	ToUser   string `json:"touser"`
	MsgType  string `json:"msgtype"`
	AgentID  int64  `json:"agentid"`
	TextCard struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		URL         string `json:"url"`
		BtnTxt      string `json:"btntxt,omitempty"`
	} `json:"textcard"`
	EnableDuplicateCheck   int `json:"enable_duplicate_check"`
	DuplicateCheckInterval int `json:"duplicate_check_interval"`
}

// SendWeComTextCard notifies staff in WeCom with a card linking to the admin.
func (c *Client) SendWeComTextCard(ctx context.Context, to []string, title, description, link string) error {
	agent, err := c.weComAgent()
	if err != nil {
		return err
	}
	req := textCard{ToUser: strings.Join(to, "|"), MsgType: "textcard", AgentID: agent,
		// WeCom drops an identical card sent again within 10 minutes (an outbox retry after a lost answer).
		EnableDuplicateCheck: 1, DuplicateCheckInterval: 600}
	req.TextCard.Title, req.TextCard.Description, req.TextCard.URL, req.TextCard.BtnTxt = Sanitize(title), Sanitize(description), link, "查看"
	if req.TextCard.URL == "" {
		req.TextCard.URL = "https://work.weixin.qq.com/"
	}
	_, err = c.work.GetMessage().Send("MessageSendTextCard", req)
	return c.classify(err, c.workTokenKey())
}

// UserIDFromCode exchanges a WeCom OAuth code for the member's UserID; a
// non-member (only an openid) is refused.
func (c *Client) UserIDFromCode(ctx context.Context, code string) (string, error) {
	if code == "" || len(code) > 512 || strings.ContainsAny(code, "&?#=/ ") {
		return "", errors.New("invalid code")
	}
	res, err := c.work.GetOauth().GetUserInfo(url.QueryEscape(code))
	if err != nil {
		return "", c.classify(err, c.workTokenKey())
	}
	if res.UserID == "" {
		return "", errors.New("not a member of the organisation")
	}
	return res.UserID, nil
}

// SyncMenu pushes the configured menu to WeChat.
func (c *Client) SyncMenu(buttons []config.MenuButton) error {
	var out []*menu.Button
	for _, b := range buttons {
		out = append(out, toButton(b))
	}
	return c.classify(c.menu.SetMenu(out), c.oaTokenKey())
}

func toButton(b config.MenuButton) *menu.Button {
	if len(b.Sub) > 0 {
		var subs []*menu.Button
		for _, s := range b.Sub {
			subs = append(subs, toButton(s))
		}
		return menu.NewSubButton(b.Name, subs)
	}
	if b.Type == "view" {
		return menu.NewViewButton(b.Name, b.URL)
	}
	return menu.NewClickButton(b.Name, b.Key)
}

var errcodeRe = regexp.MustCompile(`errcode=(-?\d+)`)

// ErrCode extracts WeChat's errcode from an SDK error (typed or formatted), 0 if none.
func ErrCode(err error) int64 {
	if err == nil {
		return 0
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return ce.ErrCode
	}
	if m := errcodeRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	return 0
}

// classify turns SDK errors into outbox outcomes: permanent ones are not retried;
// an invalid or expired token is dropped from the cache so the next try fetches a new one.
func (c *Client) classify(err error, tokenKey string) error {
	if err == nil {
		return nil
	}
	code := ErrCode(err)
	switch code {
	case 40001, 42001, 40014:
		_ = c.cache.Delete(tokenKey)
		return fmt.Errorf("access token rejected (errcode %d), dropped from cache: %w", code, err)
	case 45015:
		return &outbox.Permanent{Code: code, Err: fmt.Errorf("%w: %v", outbox.ErrWindowClosed, err)}
	case 43004, 40003, 43019, 40037, 40013, 40125, 81013, 60111:
		return &outbox.Permanent{Code: code, Err: err}
	}
	return err
}

func (c *Client) oaTokenKey() string {
	if c.stable {
		return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, c.oaCfg.AppID)
	}
	return fmt.Sprintf("%s_access_token_%s", credential.CacheKeyOfficialAccountPrefix, c.oaCfg.AppID)
}

func (c *Client) workTokenKey() string {
	if c.wcCfg.AgentID == "" {
		return fmt.Sprintf("%s_access_token_%s", credential.CacheKeyWorkPrefix, c.wcCfg.CorpID)
	}
	return fmt.Sprintf("%s_access_token_%s_%s", credential.CacheKeyWorkPrefix, c.wcCfg.CorpID, c.wcCfg.AgentID)
}
