package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"familybot/knowledge"
	"familybot/models"

	"github.com/silenceper/wechat/v2/util"
)

const autoreplyURL = "https://api.weixin.qq.com/cgi-bin/get_current_autoreply_info?access_token="

type autoreplyInfo struct {
	util.CommonError
	IsAddFriendReplyOpen int `json:"is_add_friend_reply_open"`
	IsAutoreplyOpen      int `json:"is_autoreply_open"`
	AddFriend            struct {
		Type    string `json:"type"`
		Content string `json:"content"`
	} `json:"add_friend_autoreply_info"`
	Default struct {
		Type    string `json:"type"`
		Content string `json:"content"`
	} `json:"message_default_autoreply_info"`
	Keyword struct {
		List []struct {
			RuleName  string `json:"rule_name"`
			ReplyMode string `json:"reply_mode"`
			Keywords  []struct {
				Type      string `json:"type"`
				MatchMode string `json:"match_mode"`
				Content   string `json:"content"`
			} `json:"keyword_list_info"`
			Replies []struct {
				Type    string `json:"type"`
				Content string `json:"content"`
			} `json:"reply_list_info"`
		} `json:"list"`
	} `json:"keyword_autoreply_info"`
}

// AutoReplyRules reads the console's auto-reply settings (which stop working once a
// server URL is set) and turns them into rules: the welcome text, the default
// reply and the keyword rules. Non-text replies (images, articles) cannot be
// carried over and are listed in skipped.
func (c *Client) AutoReplyRules(ctx context.Context) (rules []knowledge.Rule, skipped []string, err error) {
	token, err := c.oa.GetAccessToken()
	if err != nil {
		return nil, nil, c.classify(err, c.oaTokenKey())
	}
	body, err := util.HTTPGetContext(ctx, autoreplyURL+url.QueryEscape(token))
	if err != nil {
		return nil, nil, err
	}
	var info autoreplyInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, nil, fmt.Errorf("unexpected answer from WeChat: %v", err)
	}
	if info.ErrCode != 0 {
		return nil, nil, c.classify(fmt.Errorf("get_current_autoreply_info: errcode=%d errmsg=%s", info.ErrCode, info.ErrMsg), c.oaTokenKey())
	}
	if info.IsAddFriendReplyOpen == 1 && info.AddFriend.Type == "text" && info.AddFriend.Content != "" {
		rules = append(rules, knowledge.Rule{Name: "被关注回复", Kind: models.RuleWelcome, Reply: info.AddFriend.Content})
	}
	if info.IsAutoreplyOpen == 1 && info.Default.Type == "text" && info.Default.Content != "" {
		rules = append(rules, knowledge.Rule{Name: "收到消息回复", Kind: models.RuleDefault, Reply: info.Default.Content})
	}
	for _, r := range info.Keyword.List {
		var texts []string
		for _, rep := range r.Replies {
			if rep.Type == "text" && strings.TrimSpace(rep.Content) != "" {
				texts = append(texts, rep.Content)
			} else {
				skipped = append(skipped, fmt.Sprintf("规则「%s」的一条%s回复", r.RuleName, rep.Type))
			}
		}
		if len(texts) == 0 {
			continue
		}
		if r.ReplyMode != "reply_all" {
			texts = texts[:1] // "random_one": a fixed first reply is more predictable
		}
		byMode := map[string][]string{}
		for _, k := range r.Keywords {
			mode := "contain"
			if k.MatchMode == "equal" {
				mode = "equal"
			}
			if k.Content != "" {
				byMode[mode] = append(byMode[mode], k.Content)
			}
		}
		for _, mode := range []string{"equal", "contain"} {
			if len(byMode[mode]) > 0 {
				rules = append(rules, knowledge.Rule{Name: r.RuleName, Kind: models.RuleKeyword, Match: mode,
					Keywords: byMode[mode], Reply: strings.Join(texts, "\n\n")})
			}
		}
	}
	return rules, skipped, nil
}
