package wechat

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"familybot/models"
	"familybot/outbox"

	"github.com/silenceper/wechat/v2/util"
)

// updateCardURL is WeCom's 更新模版卡片消息; the SDK has no helper for it.
const updateCardURL = "https://qyapi.weixin.qq.com/cgi-bin/message/update_template_card?access_token="

// templateCard is WeCom's template_card application message of card_type
// button_interaction: a tap on a button is posted to the app's callback URL.
type templateCard struct {
	ToUser       string `json:"touser"`
	MsgType      string `json:"msgtype"`
	AgentID      int64  `json:"agentid"`
	TemplateCard struct {
		CardType string `json:"card_type"`
		Source   struct {
			Desc string `json:"desc"`
		} `json:"source"`
		MainTitle struct {
			Title string `json:"title"`
		} `json:"main_title"`
		SubTitleText string      `json:"sub_title_text,omitempty"`
		CardAction   *cardAction `json:"card_action,omitempty"`
		JumpList     []cardJump  `json:"jump_list,omitempty"`
		TaskID       string      `json:"task_id"`
		ButtonList   []cardBtn   `json:"button_list"`
	} `json:"template_card"`
	EnableDuplicateCheck   int `json:"enable_duplicate_check"`
	DuplicateCheckInterval int `json:"duplicate_check_interval"`
}

type cardAction struct {
	Type int    `json:"type"` // 1: open URL
	URL  string `json:"url"`
}

type cardJump struct {
	Type  int    `json:"type"` // 1: open URL
	Title string `json:"title"`
	URL   string `json:"url"`
}

type cardBtn struct {
	Text  string `json:"text"`
	Style int    `json:"style"` // 1 blue, 3 white
	Key   string `json:"key"`
}

// SendWeComCard sends staff a card with buttons (受理 / 转给我 for a wish) and a
// jump to the admin page (outbox.CardSender). Without wecom.callback_token the
// taps could not reach us, so staff get the plain textcard instead.
func (c *Client) SendWeComCard(ctx context.Context, to []string, card outbox.Card) error {
	if c.wcCfg.CallbackToken == "" { // no callback URL: buttons would do nothing
		return c.SendWeComTextCard(ctx, to, card.Title, card.Description, card.URL)
	}
	agent, err := c.weComAgent()
	if err != nil {
		return err
	}
	req := templateCard{ToUser: strings.Join(to, "|"), MsgType: "template_card", AgentID: agent,
		EnableDuplicateCheck: 1, DuplicateCheckInterval: 600}
	tc := &req.TemplateCard
	tc.CardType, tc.TaskID, tc.Source.Desc = "button_interaction", card.TaskID, card.Subject.Source()
	tc.MainTitle.Title, tc.SubTitleText = Sanitize(card.Title), Sanitize(card.Description)
	if strings.HasPrefix(card.URL, "https://") || strings.HasPrefix(card.URL, "http://") {
		tc.CardAction = &cardAction{Type: 1, URL: card.URL}
		tc.JumpList = []cardJump{{Type: 1, Title: "在后台查看", URL: card.URL}}
	}
	for _, b := range card.Subject.Buttons() {
		style := 3
		if b.Primary {
			style = 1
		}
		tc.ButtonList = append(tc.ButtonList, cardBtn{Text: b.Text, Style: style, Key: b.Key})
	}
	_, err = c.work.GetMessage().Send("MessageSendTemplateCard", req)
	return c.classify(err, c.workTokenKey())
}

// cardUpdate is WeCom's update_template_card request: atall replaces the buttons
// on every recipient's copy of the card.
type cardUpdate struct {
	AtAll        int    `json:"atall"`
	AgentID      int64  `json:"agentid"`
	ResponseCode string `json:"response_code"`
	Button       struct {
		ReplaceName string `json:"replace_name"`
	} `json:"button"`
}

// UpdateWeComCard replaces a card's buttons with u.ReplaceName for everyone who
// got it, e.g. "已由张三受理" (outbox.CardSender). It uses the same access token
// and HTTP client as every other WeCom call.
func (c *Client) UpdateWeComCard(ctx context.Context, u models.CardUpdate) error {
	agent, err := c.weComAgent()
	if err != nil {
		return err
	}
	token, err := c.work.GetMessage().GetAccessToken()
	if err != nil {
		return c.classify(err, c.workTokenKey())
	}
	req := cardUpdate{AtAll: 1, AgentID: agent, ResponseCode: u.ResponseCode}
	req.Button.ReplaceName = Sanitize(u.ReplaceName)
	res, err := util.PostJSONContext(ctx, updateCardURL+token, req)
	if err == nil {
		err = util.DecodeWithCommonError(res, "UpdateTemplateCard")
	}
	return c.classify(err, c.workTokenKey())
}

// weComAgent checks the WeCom app is configured and returns its numeric AgentId.
func (c *Client) weComAgent() (int64, error) {
	if c.wcCfg.CorpID == "" {
		return 0, &outbox.Permanent{Err: errors.New("wecom.corp_id is not configured")}
	}
	agent, err := strconv.ParseInt(c.wcCfg.AgentID, 10, 64)
	if err != nil {
		return 0, &outbox.Permanent{Err: errors.New("wecom.agent_id must be the app's numeric AgentId")}
	}
	return agent, nil
}
