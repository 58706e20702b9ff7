package signup_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"familybot/models"
	"familybot/signup"
	"familybot/store"
	"familybot/store/storetest"
)

// Moving an event to another time undoes the check-ins made for the old time
// and drops its QR code; changing only the place keeps them.
func TestMovingEventClearsCheckins(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, clk := newService(t, st)
		ctx := context.Background()
		ev := mustEvent(t, s, 2, 0)
		a := mustJoin(t, s, adult(ev.ID, "oa", "张三", "13800138000"))
		clk.Set(ev.StartAt.Add(-time.Hour))
		if _, err := s.CheckIn(ctx, ev.ID, a.Signup.CheckinCode); err != nil {
			t.Fatal(err)
		}
		if err := st.SetEventQR(ctx, ev.ID, "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=T", ev.End().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error { e.Place = "协会一楼"; return nil }); err != nil {
			t.Fatal(err)
		}
		if su, _ := st.GetSignup(ctx, a.Signup.ID); su.CheckedInAt == nil {
			t.Fatal("a change of place undid the check-in")
		}
		later := ev.StartAt.AddDate(0, 0, 7)
		moved, err := s.UpdateEvent(ctx, ev.ID, func(e *models.Event) error {
			end := later.Add(90 * time.Minute)
			e.StartAt, e.EndAt = later, &end
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if su, _ := st.GetSignup(ctx, a.Signup.ID); su.CheckedInAt != nil {
			t.Error("the check-in made for the old time is kept after the event moved")
		}
		if moved.CheckinQR != "" || moved.CheckinQRUntil != nil {
			t.Errorf("the old QR code is kept: %q %v", moved.CheckinQR, moved.CheckinQRUntil)
		}
		if stored, _ := st.GetEvent(ctx, ev.ID); stored.CheckinQR != "" {
			t.Error("the old QR code is stored")
		}
		// And the old time's check-in window is closed now.
		if _, err := s.CheckIn(ctx, ev.ID, a.Signup.CheckinCode); !errors.Is(err, signup.ErrNotNow) {
			t.Errorf("check-in at the old time after the move: %v", err)
		}
	})
}
