package outbox

import (
	"reflect"
	"testing"

	"familybot/models"
)

// The Notifier addresses notices: the resident's template by kind, the staff
// on duty with the admin link, cards for a new wish and a crisis message;
// with nobody on duty, staff notices are none.
func TestNotifierAddresses(t *testing.T) {
	n := &Notifier{OnDuty: []string{"duty1", "duty2"}, PublicURL: "https://bot.example.org/",
		Templates: map[models.TemplateKind]string{models.TemplateWishReply: "TPL-WISH"}}
	r := n.ToResident("o1", models.TemplateWishReply, models.Notice{Kind: models.NoticeWishReply, About: models.WishSubject(3), Variant: "1"})
	if r.Channel != models.ChannelCustomer || !reflect.DeepEqual(r.To, []string{"o1"}) || r.Fallback != "TPL-WISH" {
		t.Errorf("resident notice %+v", r)
	}
	if r := n.ToResident("o1", models.TemplateReminder, models.Notice{}); r.Fallback != "" {
		t.Errorf("unconfigured template %q", r.Fallback)
	}
	if r := (*Notifier)(nil).ToResident("o1", models.TemplateWishReply, models.Notice{}); r.Channel != models.ChannelCustomer || r.Fallback != "" {
		t.Errorf("nil notifier %+v", r)
	}
	staff := n.ToOnDuty("/admin/wishes/3", models.Notice{Kind: models.NoticeWishNew, About: models.WishSubject(3)})
	if len(staff) != 1 || staff[0].Channel != models.ChannelWeComCard || staff[0].URL != "https://bot.example.org/admin/wishes/3" ||
		!reflect.DeepEqual(staff[0].To, n.OnDuty) {
		t.Errorf("new-wish card %+v", staff)
	}
	if s := n.ToOnDuty("/admin/wishes/3", models.Notice{Kind: models.NoticeWishLowRating, About: models.WishSubject(3)}); len(s) != 1 || s[0].Channel != models.ChannelWeCom {
		t.Errorf("low rating %+v", s)
	}
	if s := (&Notifier{}).ToOnDuty("/admin/crisis", models.Notice{Kind: models.NoticeHandoff}); s != nil {
		t.Errorf("nobody on duty: %+v", s)
	}
}
