package store_test

import (
	"context"
	"testing"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/google/go-cmp/cmp"
)

func resident(kind models.NoticeKind, about models.Subject, variant string) models.Notice {
	return models.Notice{Kind: kind, About: about, Variant: variant, Channel: models.ChannelCustomer, To: []string{"o"}, Text: "x"}
}

// A wish's page lists exactly what its resident was told about it: not wish
// 12's notices, not the staff's, not a sign-up's with the same number.
func TestListNotices(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		staff := models.Notice{Kind: models.NoticeWishNew, About: models.WishSubject(1), Channel: models.ChannelWeComCard, To: []string{"duty1"}}
		if err := s.Enqueue(ctx, resident(models.NoticeWishReply, models.WishSubject(1), "1"), resident(models.NoticeWishReply, models.WishSubject(12), "1"),
			resident(models.NoticeWishStatus, models.WishSubject(1), "accepted"), staff, resident(models.NoticePromoted, models.SignupSubject(1), "")); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListNotices(ctx, models.WishSubject(1), []models.NoticeKind{models.NoticeWishReply, models.NoticeWishStatus}, 10)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range list {
			keys = append(keys, m.DedupKey)
		}
		if d := cmp.Diff([]string{"wishreply:1:1", "wishstatus:1:accepted"}, keys); d != "" {
			t.Errorf("wish 1's notices (-want +got):\n%s", d)
		}
	})
}

// The same notice enqueued twice (a retried action) is stored, and sent, once;
// a staff card names its subject for the buttons.
func TestEnqueueOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		card := models.Notice{Kind: models.NoticeWishNew, About: models.WishSubject(7), Channel: models.ChannelWeComCard, To: []string{"a", "b"}}
		for range 2 {
			if err := s.Enqueue(ctx, card, resident(models.NoticeWishReply, models.WishSubject(7), "1")); err != nil {
				t.Fatal(err)
			}
		}
		out, err := s.ListOutbox(ctx, models.OutboxPending, 10)
		if err != nil || len(out) != 2 {
			t.Fatalf("%d rows, %v", len(out), err)
		}
		if c := out[1]; c.DedupKey != "wish:new:7" || c.To != "a|b" || c.Data != `{"kind":"wish","id":7}` || c.About() != models.WishSubject(7) {
			t.Errorf("card row %+v", c)
		}
	})
}

// Rows stored before notices had kinds and subjects get them at start-up, so
// the admin still finds the wish or sign-up a failed message was about.
func TestOldOutboxRowsGetTheirSubject(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		old := []models.OutboxMessage{ // as an older version stored them: a dedup key only
			{DedupKey: "wishreply:12:1", Channel: models.ChannelCustomer},
			{DedupKey: "wishstatus:12:reopened:1700000000", Channel: models.ChannelCustomer},
			{DedupKey: "wish:assign:5:u1:1700000000", Channel: models.ChannelWeCom},
			{DedupKey: "promote:signup:42", Channel: models.ChannelCustomer},
			{DedupKey: "remind:signup:43:1700000000", Channel: models.ChannelCustomer},
			{DedupKey: "crisisreply:7:0a1b", Channel: models.ChannelCustomer},
			{DedupKey: "crisis:o-1:ep-1", Channel: models.ChannelWeComCard, Data: `{"kind":"crisis","id":9}`},
			{DedupKey: "handoff:o-1:2026120609", Channel: models.ChannelWeCom},
			{DedupKey: "something:else", Channel: models.ChannelWeCom},
		}
		for i := range old {
			old[i].Status = models.OutboxSent
		}
		if err := s.DB.Create(&old).Error; err != nil {
			t.Fatal(err)
		}
		// Columns added to an existing table are NULL in its old rows.
		if err := s.DB.Exec("UPDATE outbox_messages SET kind = NULL, subject_kind = NULL, subject_id = NULL").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Where("1 = 1").Delete(&models.DataMigration{}).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var rows []models.OutboxMessage
		if err := s.DB.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		type cols struct {
			Kind  models.NoticeKind
			About models.Subject
		}
		var got []cols
		for _, m := range rows {
			got = append(got, cols{m.Kind, m.About()})
		}
		want := []cols{
			{models.NoticeWishReply, models.WishSubject(12)}, {models.NoticeWishStatus, models.WishSubject(12)},
			{models.NoticeWishAssigned, models.WishSubject(5)}, {models.NoticePromoted, models.SignupSubject(42)},
			{models.NoticeReminder, models.SignupSubject(43)}, {models.NoticeCrisisReply, models.CrisisSubject(7)},
			{models.NoticeCrisisAlert, models.CrisisSubject(9)}, {models.NoticeHandoff, models.Subject{}}, {"", models.Subject{}},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("columns (-want +got):\n%s", d)
		}
	})
}

// A crisis alert is written with the message it is about, naming it for the
// card's 我来跟进; when the message cannot be kept, the alert still goes out,
// as a plain textcard: a person must look.
func TestCrisisAlertWithItsMessage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alert := func(ep string) models.Notice {
			return models.Notice{Kind: models.NoticeCrisisAlert, About: models.Subject{Kind: models.SubjectCrisis}, Variant: "o1:" + ep,
				Channel: models.ChannelWeComCard, To: []string{"duty1"}, Title: "紧急"}
		}
		if err := s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o0", Kind: "suicide", Text: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o1", Kind: "suicide", Text: "不想活了"}, alert("ep-1")); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordHandoff(ctx, "o1", models.HandoffAsked, models.Notice{Kind: models.NoticeHandoff, Variant: "o1:h",
			Channel: models.ChannelWeCom, To: []string{"duty1"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Migrator().DropTable(&models.CrisisEvent{}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o1", Kind: "suicide", Text: "不想活了"}, alert("ep-2")); err == nil {
			t.Fatal("a crisis message kept without its table")
		}
		var rows []models.OutboxMessage
		if err := s.DB.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d alerts, want 3", len(rows))
		}
		if r := rows[0]; r.DedupKey != "crisis:o1:ep-1" || r.Channel != models.ChannelWeComCard || r.Data != `{"kind":"crisis","id":2}` {
			t.Errorf("alert with its message %+v", r)
		}
		if r := rows[1]; r.DedupKey != "handoff:o1:h" {
			t.Errorf("handoff alert %+v", r)
		}
		if r := rows[2]; r.DedupKey != "crisis:o1:ep-2" || r.Channel != models.ChannelWeCom || r.Data != "" || r.SubjectID != 0 {
			t.Errorf("alert without its message %+v", r)
		}
	})
}
