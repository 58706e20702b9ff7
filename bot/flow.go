package bot

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"familybot/models"
)

// State is a resident's place in a multi-step flow, stored between messages
// as JSON (models.Conversation.Data). Each flow keeps its answers in its own
// struct; the others stay nil.
type State struct {
	Flow string `json:"-"`
	Step string `json:"-"`
	// Ephemeral state is not worth a database write (see models.Conversation).
	Ephemeral bool `json:"-"`

	Signup  *signupForm    `json:"signup,omitempty"`
	Wish    *wishDraft     `json:"wish,omitempty"`
	Clarify *clarifyChoice `json:"clarify,omitempty"`
	Cancel  *cancelChoice  `json:"cancel,omitempty"`
}

// clarifyChoice is the clarify flow's state: the entries offered, in the
// order of their numbers.
type clarifyChoice struct {
	Entries []uint `json:"entries"`
}

// cancelChoice is the cancel flow's state: the booking to cancel.
type cancelChoice struct {
	SignupID uint64 `json:"signup_id"`
}

// whole reports whether st holds what its flow needs. A state written by an
// older version (answers in a string map) or damaged does not: the flow is
// dropped and the resident asked to start again.
func (st *State) whole() bool {
	switch st.Flow {
	case signupFlow:
		return st.Signup != nil && st.Signup.Event != 0
	case wishFlow:
		return st.Wish != nil
	case clarifyFlow:
		return st.Clarify != nil && len(st.Clarify.Entries) > 0
	case cancelFlow:
		return st.Cancel != nil && st.Cancel.SignupID != 0
	}
	return true
}

// decodeState reads a stored conversation; ok=false when it is not whole.
func decodeState(conv models.Conversation) (State, bool) {
	var st State
	err := json.Unmarshal([]byte(conv.Data), &st)
	st.Flow, st.Step, st.Ephemeral = conv.Flow, conv.Step, conv.Ephemeral
	return st, err == nil && st.whole()
}

// FlowFunc handles one message of an ongoing flow. It updates st (st.Step and the flow's struct)
// to continue, or sets st.Flow = "" to end the flow. handled=false means the
// message is not for this flow: the flow ends and the message is routed as usual.
type FlowFunc func(ctx context.Context, e *Engine, in Inbound, st *State) (r Reply, handled bool)

// StartFlow saves a new flow state for the resident.
func (e *Engine) StartFlow(ctx context.Context, openID string, st State) error {
	return e.saveState(ctx, openID, st)
}

func (e *Engine) saveState(ctx context.Context, openID string, st State) error {
	data, _ := json.Marshal(st)
	return e.Store.SaveConversation(ctx, models.Conversation{
		OpenID: openID, Flow: st.Flow, Step: st.Step, Data: string(data),
		ExpiresAt: e.now().Add(e.TTL).UTC(), Ephemeral: st.Ephemeral,
	})
}

// EndFlow forgets the resident's flow.
func (e *Engine) EndFlow(ctx context.Context, openID string) {
	_ = e.Store.DeleteConversation(ctx, openID)
}

// continueFlow hands the message to the resident's ongoing flow, if any.
func (e *Engine) continueFlow(ctx context.Context, in Inbound) (Reply, bool) {
	conv, err := e.Store.GetConversation(ctx, in.OpenID)
	if err != nil {
		return Reply{}, false
	}
	fn, ok := flows[conv.Flow]
	if !ok {
		e.EndFlow(ctx, in.OpenID)
		return Reply{}, false
	}
	st, ok := decodeState(conv)
	if !ok {
		e.EndFlow(ctx, in.OpenID)
		if conv.Ephemeral {
			return Reply{}, false // a choice offered a moment ago: the message is routed as usual
		}
		return Reply{Text: e.fill(msgFlowLost), Route: models.RouteFlow}, true
	}
	r, handled := fn(ctx, e, in, &st)
	if !handled || st.Flow == "" {
		e.EndFlow(ctx, in.OpenID)
	} else if err := e.saveState(ctx, in.OpenID, st); err != nil {
		return Reply{Text: msgSorry, Route: models.RouteFlow}, true
	}
	if !handled {
		return Reply{}, false
	}
	if r.Route == "" {
		r.Route = models.RouteFlow
	}
	r.private, r.logWord = true, "" // a flow answer may be a name, a phone number, a child's age
	return r, true
}

// exit leaves any flow. A wish already written is not thrown away on a
// 算了: the resident is asked whether to keep it. Outside a flow, 算了 and the
// like are small talk.
func (e *Engine) exit(ctx context.Context, in Inbound) Reply {
	conv, err := e.Store.GetConversation(ctx, in.OpenID)
	if err != nil {
		if !hardExit(in.Text) {
			return Reply{Text: msgSoftBye, Route: models.RouteChat}
		}
		return Reply{Text: e.fill(msgExitNothing), Route: models.RouteCommand}
	}
	switch conv.Flow {
	case wishFlow:
		if st, ok := decodeState(conv); ok && st.Wish.Text != "" && conv.Step != "keep" && exitForm(plainIntent(in.Text)) == "算了" {
			st.Step = "keep"
			if e.saveState(ctx, in.OpenID, st) == nil {
				return Reply{Text: msgWishKeep, Route: models.RouteFlow, private: true}
			}
		}
	case cancelFlow:
		e.EndFlow(ctx, in.OpenID)
		return Reply{Text: msgCancelKept, Route: models.RouteCommand, Category: models.CatService}
	}
	e.EndFlow(ctx, in.OpenID)
	if conv.Flow == wishFlow && containsAnyWord(in.Text, []string{"麻烦人家", "麻烦你们", "麻烦别人", "添麻烦", "给人添"}) {
		return Reply{Text: e.fill(msgExited) + "\n" + msgNotABother, Route: models.RouteCommand}
	}
	return Reply{Text: e.fill(msgExited), Route: models.RouteCommand}
}

// msgNotABother answers a resident who gives up a wish so as not to be a bother.
const msgNotABother = "您一点也不麻烦人，想有人陪陪是很正常的心愿。哪天想写了，随时回复“许愿”；想找人说说话，回复“人工”。"

// exitWords leave a flow; exitTails end a short message that gives up
// ("嗯 就是那个 算了 不写了").
var (
	exitWords = map[string]bool{"退出": true, "取消": true, "算了": true, "不报了": true, "结束": true, "不许了": true, "不许愿了": true,
		"不想许了": true, "不填了": true, "不写了": true, "算了不许了": true, "算了不报了": true, "不提了": true, "算了不写了": true,
		"不弄了": true, "不要了": true, "没事了": true, "那算了": true, "算了下次": true, "下次": true, "下次再说": true}
	exitTails = []string{"不写了", "不报了", "不许了", "不填了", "不提了", "不弄了", "算了"}
)

// giveUpWords end a flow wherever they stand in a short message.
var giveUpWords = map[string]bool{"不许了": true, "不许愿了": true, "不想许了": true, "不报了": true, "不想报了": true, "不写了": true,
	"不填了": true, "不提了": true, "不弄了": true, "算了不许了": true, "算了不报了": true, "算了不写了": true}

func exitForm(text string) string {
	return strings.NewReplacer(" ", "", "\u3000", "", "，", "", ",", "", "吧", "", "啊", "", "哈", "").Replace(strings.Trim(text, "。.!！ "))
}

func isExit(text string) bool {
	t := exitForm(text)
	if exitWords[t] || exitWords[exitForm(plainIntent(text))] {
		return true
	}
	if utf8.RuneCountInString(t) > 20 || isQuestion(text) {
		return false
	}
	// 算了 不许了 麻烦人家: a giving-up word among others.
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(" ，,。.!！、\u3000", r) }) {
		if giveUpWords[exitForm(f)] {
			return true
		}
	}
	if utf8.RuneCountInString(t) > 12 {
		return false
	}
	for _, w := range exitTails {
		if strings.HasSuffix(t, w) {
			return true
		}
	}
	return false
}

// hardExit is an explicit 退出 or 取消, as opposed to 算了 or 没事了.
func hardExit(text string) bool {
	t := exitForm(plainIntent(text))
	return t == "退出" || t == "取消" || t == "结束"
}
