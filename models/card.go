package models

import (
	"encoding/json"
	"strconv"
	"strings"
)

// WeCom cards: staff on duty get a card with buttons for a new wish; a tap comes
// back to /wecom/callback with the button's key, e.g. "wish_accept:42".

// Card kinds (CardSubject.Kind).
const (
	CardWish   = "wish"
	CardCrisis = "crisis"
)

// Card button actions: the part of a button key before the colon.
const (
	CardWishAccept = "wish_accept" // 受理
	CardWishTake   = "wish_take"   // 转给我
	// CardCrisisFollow records the staff member as following a crisis message up.
	CardCrisisFollow = "crisis_follow" // 我来跟进
)

// CardSubject is what a card is about; it is the JSON in an outbox message's
// Data on the wecom_card channel: {"kind":"wish","id":42}.
type CardSubject struct {
	Kind string `json:"kind"`
	ID   uint64 `json:"id"`
}

// JSON is the subject as stored in an outbox message's Data.
func (s CardSubject) JSON() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// CardButton is one button on a card.
type CardButton struct {
	Text    string
	Key     string // action:id
	Primary bool
}

// Buttons returns the card's buttons, none for an unknown kind.
func (s CardSubject) Buttons() []CardButton {
	id := strconv.FormatUint(s.ID, 10)
	switch s.Kind {
	case CardWish:
		return []CardButton{{Text: "受理", Key: CardWishAccept + ":" + id, Primary: true}, {Text: "转给我", Key: CardWishTake + ":" + id}}
	case CardCrisis:
		return []CardButton{{Text: "我来跟进", Key: CardCrisisFollow + ":" + id, Primary: true}}
	}
	return nil
}

// Source is the line naming where the card comes from.
func (s CardSubject) Source() string {
	if s.Kind == CardCrisis {
		return "危机消息"
	}
	return "心愿墙"
}

// ParseCardKey splits a button key into its action and subject id.
func ParseCardKey(key string) (action string, id uint64, ok bool) {
	action, num, found := strings.Cut(key, ":")
	if !found {
		return "", 0, false
	}
	id, err := strconv.ParseUint(num, 10, 64)
	if err != nil || id == 0 {
		return "", 0, false
	}
	switch action {
	case CardWishAccept, CardWishTake, CardCrisisFollow:
		return action, id, true
	}
	return "", 0, false
}

// CardTap is a staff member's tap on a card button, as WeCom's callback reports it.
type CardTap struct {
	UserID       string // the staff member's WeCom UserID (FromUserName)
	Key          string // the button key (EventKey)
	TaskID       string
	ResponseCode string // lets the card be updated once
}

// CardUpdate replaces the buttons of a card already sent, for everyone who got
// it (WeCom's update_template_card); it is the JSON in an outbox message's Data
// on the wecom_update channel. ResponseCode comes with the tap and works once.
type CardUpdate struct {
	TaskID       string `json:"task_id"`
	ResponseCode string `json:"response_code"`
	ReplaceName  string `json:"replace_name"` // e.g. "已由张三受理"
}
