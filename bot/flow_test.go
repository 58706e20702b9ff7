package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// A flow saved by the version that kept answers in a string map ("data":
// {"event": "3", …}) cannot be continued: the resident is told so and starts
// again, and nothing half-read is stored.
func TestFlowSavedByOlderVersionStartsAgain(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, _, clk := signupEngine(t, st)
		ev := suEvent(t, e.Signups, "沟通之道家长课堂", 10, 0, false)
		ctx := context.Background()
		old := func(openID, flow, step, data string, ephemeral bool) {
			t.Helper()
			if err := st.SaveConversation(ctx, models.Conversation{OpenID: openID, Flow: flow, Step: step, Data: data,
				ExpiresAt: clk.now().Add(time.Minute).UTC(), Ephemeral: ephemeral}); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct{ who, flow, step, data, msg string }{
			{"old1", signupFlow, "phone", fmt.Sprintf(`{"data":{"event":"%d","name":"王芳"}}`, ev.ID), "13900001111"},
			{"old2", wishFlow, "public", `{"data":{"text":"希望多办周末活动","category":"activity"}}`, "1"},
			{"old3", cancelFlow, "confirm", `{"data":{"id":"7"}}`, "确定"},
			{"old4", signupFlow, "name", `not json`, "王芳"},
		}
		for _, c := range cases {
			old(c.who, c.flow, c.step, c.data, false)
			say(t, e, c.who, c.msg, "没能接上", "报名")
			if _, err := st.GetConversation(ctx, c.who); err == nil {
				t.Errorf("%s: the unreadable flow was kept", c.who)
			}
		}
		if rows := signupsOf(t, st, ev.ID); len(rows) != 0 {
			t.Fatalf("signed up from a half-read state: %+v", rows)
		}
		// The same resident can start again at once.
		say(t, e, "old1", "报名 "+fmt.Sprint(ev.ID), "姓名")
		say(t, e, "old1", "王芳", "手机号")
		// An old choice offered a moment ago is dropped quietly: the message is routed as usual.
		old("old5", clarifyFlow, "choose", `{"data":{"ids":"1,2"}}`, true)
		if r := say(t, e, "old5", "活动", "沟通之道家长课堂"); r.Route == models.RouteFlow {
			t.Fatalf("routed as a flow: %+v", r)
		}
	})
}
