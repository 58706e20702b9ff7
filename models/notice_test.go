package models

import "testing"

// Dedup keys keep the form they had before notices had kinds: an action retried
// across an upgrade must still find its first message and not send twice.
func TestNoticeDedupKeys(t *testing.T) {
	for _, tc := range []struct {
		n    Notice
		want string
	}{
		{Notice{Kind: NoticeWishNew, About: WishSubject(12)}, "wish:new:12"},
		{Notice{Kind: NoticeWishReply, About: WishSubject(12), Variant: "3"}, "wishreply:12:3"},
		{Notice{Kind: NoticeWishStatus, About: WishSubject(12), Variant: "reopened:1700000000000000000"}, "wishstatus:12:reopened:1700000000000000000"},
		{Notice{Kind: NoticeWishAssigned, About: WishSubject(12), Variant: "u1:1700000000"}, "wish:assign:12:u1:1700000000"},
		{Notice{Kind: NoticePromoted, About: SignupSubject(42)}, "promote:signup:42"},
		{Notice{Kind: NoticeReminder, About: SignupSubject(42), Variant: "1700000000"}, "remind:signup:42:1700000000"},
		{Notice{Kind: NoticeCrisisReply, About: CrisisSubject(7), Variant: "0a1b"}, "crisisreply:7:0a1b"},
		// Once per episode, whichever message raised it.
		{Notice{Kind: NoticeCrisisAlert, About: CrisisSubject(7), Variant: "o-1:ep-1"}, "crisis:o-1:ep-1"},
		{Notice{Kind: NoticeCrisisAlert, About: CrisisSubject(8), Variant: "o-1:ep-1"}, "crisis:o-1:ep-1"},
		{Notice{Kind: NoticeHandoff, Variant: "o-1:2026120609"}, "handoff:o-1:2026120609"},
		{Notice{Kind: NoticeLateAnswer, Variant: "msg-1:0:0"}, "async:msg-1:0:0"},
	} {
		if got := tc.n.DedupKey(); got != tc.want {
			t.Errorf("%+v: key %q, want %q", tc.n, got, tc.want)
		}
	}
}

// A card whose subject never got its id (the crisis message could not be
// stored) has no buttons to offer: it goes as a plain textcard.
func TestNoticeMessageCard(t *testing.T) {
	card := Notice{Kind: NoticeCrisisAlert, About: CrisisSubject(9), Channel: ChannelWeComCard, To: []string{"a", "b"}}
	if m := card.Message(); m.Channel != ChannelWeComCard || m.Data != `{"kind":"crisis","id":9}` || m.To != "a|b" || m.About() != CrisisSubject(9) {
		t.Errorf("card row %+v", m)
	}
	card.About = Subject{Kind: SubjectCrisis}
	if m := card.Message(); m.Channel != ChannelWeCom || m.Data != "" || m.SubjectKind != "" {
		t.Errorf("card without subject %+v", m)
	}
}
