package wechat

import (
	"strconv"
	"strings"

	"familybot/bot"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// toInbound converts a parsed message; ok=false for kinds the bot does not handle
// (they are acknowledged with "success").
func toInbound(m *message.MixMessage) (bot.Inbound, bool) {
	in := bot.Inbound{OpenID: string(m.FromUserName)}
	switch m.MsgType {
	case message.MsgTypeText:
		in.Kind, in.Text = bot.KindText, m.Content
	case message.MsgTypeVoice:
		in.Kind, in.Text = bot.KindVoice, m.Recognition
		in.MediaID, in.Format = m.MediaID, m.Format
	case message.MsgTypeImage:
		in.Kind = bot.KindImage
	case message.MsgTypeVideo, message.MsgTypeShortVideo:
		in.Kind = bot.KindVideo
	case message.MsgTypeLocation:
		in.Kind = bot.KindLocation
	case message.MsgTypeLink:
		in.Kind = bot.KindLink
	case message.MsgTypeEvent:
		in.Kind, in.Event, in.EventKey = bot.KindEvent, string(m.Event), m.EventKey
	default:
		return in, false
	}
	return in, true
}

// dedupKey identifies a message across WeChat's retries: MsgId for messages,
// FromUserName+CreateTime+Event+EventKey for events (which have no MsgId).
func dedupKey(m *message.MixMessage) string {
	if m.MsgID != 0 {
		return "m:" + strconv.FormatInt(m.MsgID, 10)
	}
	key := "e:" + string(m.FromUserName) + "|" + strconv.FormatInt(m.CreateTime, 10) + "|" + string(m.Event) + "|" + m.EventKey
	if len(key) > 190 {
		key = key[:190]
	}
	return strings.ToValidUTF8(key, "")
}
