package bot

import (
	"context"
	"testing"

	"familybot/models"
)

// "人工" (and two misses in a row) put the resident in the admin's 人工 queue,
// once per resident however often they ask while waiting.
func TestHandoffQueued(t *testing.T) {
	e, st, _, _ := engineForTest(t)
	ctx := context.Background()
	e.Handle(ctx, text("o-a", "人工"))
	e.Handle(ctx, text("o-a", "转人工"))
	e.Handle(ctx, text("o-b", "明天上证指数会涨吗"))
	e.Handle(ctx, text("o-b", "火星上能种土豆吗"))
	open, err := st.ListHandoffs(ctx, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]models.Handoff{}
	for _, h := range open {
		got[h.OpenID] = h
	}
	if len(open) != 2 || got["o-a"].Requests != 2 || got["o-a"].Why != models.HandoffAsked || got["o-b"].Why != models.HandoffMisses {
		t.Errorf("queue = %+v", open)
	}
}
