package bot

import (
	"context"
	"strings"

	"familybot/models"
)

// Transcriber turns a voice message into text: it downloads the audio by its
// media id, recognises it and forgets it (speech.Voice).
type Transcriber interface {
	Transcribe(ctx context.Context, mediaID, format string) (string, error)
}

// Voice-message texts. Older residents dictate; when the words cannot be had
// they get choices answerable with one digit, and the phone number.
const (
	msgVoiceChoices = "回复一个数字就行：\n" +
		"1 老年保健\n2 科学育儿\n3 青春健康\n4 近期活动\n5 找工作人员\n" +
		"也可以打电话 {{phone}}（{{hours}}）。遇到急症请直接拨打 120。"
	msgVoiceOff      = "您好，语音我暂时还听不了，请打字问我。\n" + msgVoiceChoices
	msgVoiceNotHeard = "抱歉，没听清，请再说一遍或打字。\n" + msgVoiceChoices
	// While a sign-up or wish is being filled in, the digits would answer its question instead.
	msgVoiceNotHeardInFlow = "抱歉，没听清，请再说一遍或打字。需要帮助请打电话 {{phone}}（{{hours}}）。遇到急症请直接拨打 120。"
	msgHeard               = "您说的是："
)

// heardShown is how much of a transcript the reply's first line repeats.
const heardShown = 30

const voiceChoiceFlow = "voice_choice"

// voiceChoices are the menu keys behind the digits of msgVoiceChoices.
var voiceChoices = []string{"KB_ELDERLY", "KB_PARENTING", "KB_ADOLESCENT", "EVENTS", "CONTACT"}

// transcribe gets a voice message's words; ok=false gives the reply to send
// instead (no backend, or it failed: the failure is counted by the Transcriber).
func (e *Engine) transcribe(ctx context.Context, in Inbound) (string, Reply, bool) {
	msg := msgVoiceOff
	if e.Voice != nil && in.MediaID != "" {
		text, err := e.Voice.Transcribe(ctx, in.MediaID, in.Format)
		if text = strings.TrimSpace(text); err == nil && text != "" {
			return text, Reply{}, true
		}
		msg = msgVoiceNotHeard
	}
	if c, err := e.Store.GetConversation(ctx, in.OpenID); err == nil && c.Flow != voiceChoiceFlow {
		return "", Reply{Text: e.fill(msgVoiceNotHeardInFlow), Route: models.RouteMedia}, false
	}
	_ = e.StartFlow(ctx, in.OpenID, State{Flow: voiceChoiceFlow, Step: "choose", Ephemeral: true})
	return "", Reply{Text: e.fill(msg), Route: models.RouteMedia}, false
}

// withHeard puts what was heard on the reply's first line, so a mistake is
// visible. A crisis reply keeps its helplines first: the line goes last.
func withHeard(r Reply, heard string) Reply {
	if r.Silent || r.Text == "" {
		return r
	}
	heard = strings.Join(strings.Fields(heard), " ")
	if rs := []rune(heard); len(rs) > heardShown {
		heard = string(rs[:heardShown]) + "…"
	}
	if r.Flagged {
		r.Text += "\n（" + msgHeard + heard + "）"
	} else {
		r.Text = msgHeard + heard + "\n" + r.Text
	}
	return r
}

// choiceNumber reads a one-digit answer, typed or said ("2", "２", "二。").
func choiceNumber(text string) int {
	s := strings.TrimRight(normalizeCommand(text), ".、")
	if n := strings.Index("12345", s); len(s) == 1 && n >= 0 {
		return n + 1
	}
	for i, d := range []string{"一", "二", "三", "四", "五"} {
		if s == d {
			return i + 1
		}
	}
	return 0
}

// voiceChoiceStep runs the menu item the resident picked by its number.
func voiceChoiceStep(ctx context.Context, e *Engine, in Inbound, st *State) (Reply, bool) {
	n := choiceNumber(in.Text)
	if n == 0 {
		return Reply{}, false // not a choice: route the message as a new question
	}
	st.Flow = ""
	return e.menuKey(ctx, in, voiceChoices[n-1])
}
