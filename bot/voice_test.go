package bot

import (
	"context"
	"errors"
	"strings"
	"testing"

	"familybot/models"
)

// fakeEars hears a fixed transcript, or fails.
type fakeEars struct {
	text  string
	err   error
	calls []string
}

func (f *fakeEars) Transcribe(_ context.Context, mediaID, format string) (string, error) {
	f.calls = append(f.calls, mediaID+"/"+format)
	return f.text, f.err
}

func voice(openID string) Inbound {
	return Inbound{OpenID: openID, Kind: KindVoice, MediaID: "MEDIA1", Format: "amr"}
}

func TestVoiceTranscriptIsAnsweredLikeTypedText(t *testing.T) {
	e, _, rec, _ := engineForTest(t)
	ears := &fakeEars{text: "宝宝发烧了怎么办"}
	e.Voice = ears
	r := e.Handle(context.Background(), voice("v1"))
	typed := e.Handle(context.Background(), text("v2", "宝宝发烧了怎么办"))
	if r.Route != models.RouteFAQ || r.EntryID != typed.EntryID || r.Text != "您说的是：宝宝发烧了怎么办\n"+typed.Text {
		t.Fatalf("voice answer %+v\ntyped %+v", r, typed)
	}
	if len(ears.calls) != 1 || ears.calls[0] != "MEDIA1/amr" {
		t.Fatalf("transcriber calls %v", ears.calls)
	}
	if m := rec.msgs[0]; m.Kind != KindVoice || m.Text != "宝宝发烧了怎么办" {
		t.Fatalf("logged %+v", m)
	}
}

func TestVoiceCrisisGetsTheCrisisReplyFirst(t *testing.T) {
	e, _, rec, _ := engineForTest(t)
	e.Voice = &fakeEars{text: "我不想活了"}
	r := e.Handle(context.Background(), voice("v1"))
	crisis := e.Handle(context.Background(), text("v2", "我不想活了"))
	if r.Route != models.RouteCrisis || !r.Flagged || !strings.HasPrefix(r.Text, crisis.Text) ||
		!strings.HasSuffix(r.Text, "（您说的是：我不想活了）") {
		t.Fatalf("%+v", r)
	}
	if rec.msgs[0].Text != "" {
		t.Fatalf("crisis transcript logged: %+v", rec.msgs[0])
	}
}

func TestLongTranscriptIsShortenedInTheHeardLine(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	long := strings.Repeat("我家老人最近血压有点高", 8)
	e.Voice = &fakeEars{text: long}
	r := e.Handle(context.Background(), voice("v1"))
	first, _, _ := strings.Cut(r.Text, "\n")
	if want := "您说的是：" + string([]rune(long)[:heardShown]) + "…"; first != want {
		t.Fatalf("first line %q, want %q", first, want)
	}
}

func TestVoiceWithoutWordsOffersDigitsThatWork(t *testing.T) {
	tests := []struct {
		name   string
		ears   Transcriber
		want   string
		answer string
		then   string // a phrase of the chosen reply
	}{
		{"driver none", nil, "语音我暂时还听不了", "1", "【老年保健"},
		{"backend failed", &fakeEars{err: errors.New("quota")}, "没听清，请再说一遍或打字", "２", "【科学育儿"},
		{"nothing heard", &fakeEars{text: "  "}, "没听清", "5", "0571-12345678"},
		{"digit said", &fakeEars{err: errors.New("timeout")}, "没听清", "三。", "【青春健康"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _, _, _ := engineForTest(t)
			e.Voice = tc.ears
			r := e.Handle(context.Background(), voice("v1"))
			if r.Route != models.RouteMedia || !strings.Contains(r.Text, tc.want) || !strings.Contains(r.Text, "1 老年保健") ||
				!strings.Contains(r.Text, "0571-12345678") || !strings.Contains(r.Text, "120") {
				t.Fatalf("voice reply %+v", r)
			}
			next := e.Handle(context.Background(), text("v1", tc.answer))
			if !strings.Contains(next.Text, tc.then) {
				t.Fatalf("answer %q got %+v", tc.answer, next)
			}
			// One answer only: a digit afterwards is an ordinary message again.
			if again := e.Handle(context.Background(), text("v1", tc.answer)); again.Route == models.RouteCommand {
				t.Fatalf("second digit still a choice: %+v", again)
			}
		})
	}
}

func TestVoiceChoicesGiveWayToOtherMessages(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	e.Handle(context.Background(), voice("v1"))
	if r := e.Handle(context.Background(), text("v1", "我不想活了")); r.Route != models.RouteCrisis {
		t.Fatalf("crisis after the choices: %+v", r)
	}
	e.Handle(context.Background(), voice("v2"))
	if r := e.Handle(context.Background(), text("v2", "宝宝发烧了怎么办")); r.Route != models.RouteFAQ {
		t.Fatalf("question after the choices: %+v", r)
	}
}

func TestFailedVoiceDuringAFlowKeepsTheFlow(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	ctx := context.Background()
	e.Voice = &fakeEars{err: errors.New("down")}
	if err := e.StartFlow(ctx, "v1", State{Flow: wishFlow, Step: "text"}); err != nil {
		t.Fatal(err)
	}
	r := e.Handle(ctx, voice("v1"))
	if strings.Contains(r.Text, "1 老年保健") || !strings.Contains(r.Text, "没听清") || !strings.Contains(r.Text, "0571-12345678") {
		t.Fatalf("digits offered during a flow: %+v", r)
	}
	if c, err := st.GetConversation(ctx, "v1"); err != nil || c.Flow != wishFlow {
		t.Fatalf("the wish flow is gone: %+v %v", c, err)
	}
}

func TestSecondVoiceWithoutWordsStillOffersDigits(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	e.Handle(context.Background(), voice("v1"))
	if r := e.Handle(context.Background(), voice("v1")); !strings.Contains(r.Text, "1 老年保健") {
		t.Fatalf("second voice message: %+v", r)
	}
	if r := e.Handle(context.Background(), text("v1", "4")); r.Route != models.RouteCommand {
		t.Fatalf("digit after two voice messages: %+v", r)
	}
}
