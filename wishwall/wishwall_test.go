package wishwall_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/outbox"
	"familybot/store"
	"familybot/store/storetest"
	"familybot/wishwall"

	"github.com/google/go-cmp/cmp"
)

var (
	t0    = time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing
	admin = models.Staff{UserID: "boss", Name: "李会长", Role: models.RoleAdmin}
	amy   = models.Staff{UserID: "amy", Name: "王艾米", Role: models.RoleStaff, Team: models.WishCatHealth}
	bob   = models.Staff{UserID: "bob", Name: "赵波", Role: models.RoleStaff, Team: models.WishCatLife}
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: t0} }
func ctxb() context.Context              { return context.Background() }
func keys(ms []models.OutboxMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.DedupKey)
	}
	return out
}

func newService(t *testing.T, s *store.Store, c *clock) *wishwall.Service {
	t.Helper()
	for _, st := range []models.Staff{admin, amy, bob} {
		if err := s.SaveStaff(ctxb(), st); err != nil {
			t.Fatal(err)
		}
	}
	s.Now = c.Now
	svc := &wishwall.Service{Store: s, Now: c.Now, Notify: &outbox.Notifier{Store: s, OnDuty: []string{"duty1", "duty2"},
		PublicURL: "https://bot.example.org/", Templates: map[models.TemplateKind]string{"wish_reply": "TPL-WISH"}}}
	// The wall is remembered (far longer than in production, on the fake clock):
	// every change made through the service must still show at once.
	svc.WallCache.TTL, svc.WallCache.Now = time.Hour, c.Now
	return svc
}

func mustCreate(t *testing.T, svc *wishwall.Service, in wishwall.NewWish) models.Wish {
	t.Helper()
	if in.OpenID == "" {
		in.OpenID = "o1"
	}
	if in.Text == "" {
		in.Text = "希望社区多办几次育儿讲座"
	}
	w, err := svc.Create(ctxb(), in, 0)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return w
}

func outboxRows(t *testing.T, s *store.Store) []models.OutboxMessage {
	t.Helper()
	var out []models.OutboxMessage
	if err := s.DB.Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		svc := newService(t, s, c)
		w, err := svc.Create(ctxb(), wishwall.NewWish{OpenID: "o1", Text: "  我的身份证是110101199003071234，想问生育补贴  ",
			Category: "健康咨询", Contact: "王阿姨 13912345678", Public: true}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if w.ID == 0 || w.Status != models.WishPending || w.Category != models.WishCatHealth || w.Team != models.WishCatHealth {
			t.Errorf("wish = %+v", w)
		}
		if strings.Contains(w.Text, "110101199003071234") || !strings.Contains(w.Text, "[身份证号已隐藏]") {
			t.Errorf("ID number not redacted: %q", w.Text)
		}
		rows := outboxRows(t, s)
		if len(rows) != 1 {
			t.Fatalf("outbox = %+v", rows)
		}
		m := rows[0]
		if m.DedupKey != "wish:new:1" || m.Channel != models.ChannelWeComCard || m.Data != `{"kind":"wish","id":1}` || m.To != "duty1|duty2" ||
			m.URL != "https://bot.example.org/admin/wishes/1" || strings.Contains(m.Text+m.Title, "生育补贴") {
			t.Errorf("staff alert = %+v", m)
		}
		for _, bad := range []wishwall.NewWish{{OpenID: "o1", Text: "短"}, {OpenID: "o1", Text: strings.Repeat("长", 501)},
			{OpenID: "", Text: "没有居民"}, {OpenID: "o1", Text: "联系方式太长", Contact: strings.Repeat("1", 65)}} {
			if _, err := svc.Create(ctxb(), bad, 3); !models.IsCode(err, models.EINVALID) {
				t.Errorf("Create(%.20q): got %v, want EINVALID", bad.Text, err)
			}
		}
		// The daily limit counts per Beijing day: at 23:30 Beijing time the day is still the same.
		for i := 0; i < 2; i++ {
			if _, err := svc.Create(ctxb(), wishwall.NewWish{OpenID: "o1", Text: "再许一个愿望"}, 3); err != nil {
				t.Fatal(err)
			}
		}
		c.t = time.Date(2025, 6, 2, 15, 30, 0, 0, time.UTC)
		if _, err := svc.Create(ctxb(), wishwall.NewWish{OpenID: "o1", Text: "第四个愿望"}, 3); !models.IsCode(err, models.ELIMIT) {
			t.Errorf("fourth wish on the same models.Beijing day: %v", err)
		}
		c.t = time.Date(2025, 6, 2, 16, 30, 0, 0, time.UTC) // 00:30 on 3 June in Beijing
		if _, err := svc.Create(ctxb(), wishwall.NewWish{OpenID: "o1", Text: "第二天的愿望"}, 3); err != nil {
			t.Errorf("next models.Beijing day: %v", err)
		}
	})
}

func TestLifecycle(t *testing.T) {
	type step struct {
		who    models.Staff
		action string // accept start finish reject reply
		text   string
		want   string // resulting status, or an error code
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"accept, start, finish", []step{{admin, "accept", "", string(models.WishAccepted)}, {amy, "start", "", string(models.WishInProgress)},
			{amy, "finish", "已联系社区医生，每月第一周周六上门", string(models.WishDone)}}},
		{"accept then finish directly", []step{{amy, "accept", "", string(models.WishAccepted)}, {amy, "finish", "已办好", string(models.WishDone)}}},
		{"reject when pending", []step{{amy, "reject", "不属于协会业务范围，已转社区", string(models.WishRejected)}}},
		{"reject after accepting", []step{{amy, "accept", "", string(models.WishAccepted)}, {amy, "reject", "经核实无法办理", string(models.WishRejected)}}},
		{"reply keeps the status", []step{{amy, "reply", "请问您住在哪个小区？", string(models.WishPending)}, {amy, "accept", "", string(models.WishAccepted)}}},
		{"cannot finish before accepting", []step{{amy, "finish", "好的", models.EINVALID}}},
		{"cannot start before accepting", []step{{amy, "start", "", models.EINVALID}}},
		{"finish needs a reply", []step{{amy, "accept", "", string(models.WishAccepted)}, {amy, "finish", "  ", models.EINVALID}}},
		{"reject needs a reason", []step{{amy, "reject", "", models.EINVALID}}},
		{"cannot reject in progress", []step{{amy, "accept", "", string(models.WishAccepted)}, {amy, "start", "", string(models.WishInProgress)}, {amy, "reject", "不办了", models.EINVALID}}},
		{"done is final", []step{{amy, "accept", "", string(models.WishAccepted)}, {amy, "finish", "好了", string(models.WishDone)}, {amy, "accept", "", models.EINVALID}, {amy, "start", "", models.EINVALID}}},
		{"rejected is final, no replies", []step{{amy, "reject", "原因", string(models.WishRejected)}, {amy, "accept", "", models.EINVALID}, {amy, "reply", "再说一句", models.EINVALID}}},
		{"other team is forbidden", []step{{bob, "accept", "", models.EFORBID}, {bob, "reply", "你好", models.EFORBID}}},
	}
	// One database per engine; each case works on its own wish.
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		svc := newService(t, s, c)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := mustCreate(t, svc, wishwall.NewWish{Category: models.WishCatHealth})
				ok := 0
				for i, st := range tc.steps {
					c.Advance(time.Hour)
					var got models.Wish
					var err error
					switch st.action {
					case "accept":
						got, err = svc.Accept(ctxb(), st.who, w.ID)
					case "start":
						got, err = svc.Start(ctxb(), st.who, w.ID)
					case "finish":
						got, err = svc.Finish(ctxb(), st.who, w.ID, st.text)
					case "reject":
						got, err = svc.Reject(ctxb(), st.who, w.ID, st.text)
					case "reply":
						got, err = svc.Reply(ctxb(), st.who, w.ID, st.text)
					}
					if err != nil {
						if code := models.ErrorCode(err); code != st.want {
							t.Fatalf("step %d %s: error %v, want %s", i, st.action, err, st.want)
						}
						continue
					}
					if string(got.Status) != st.want {
						t.Fatalf("step %d %s: status %s, want %s", i, st.action, got.Status, st.want)
					}
					ok++
				}
				d, err := svc.Get(ctxb(), admin, w.ID)
				if err != nil {
					t.Fatal(err)
				}
				// One history row for the creation and one for each successful step, with who and when.
				if len(d.Events) != ok+1 {
					t.Fatalf("history has %d rows, want %d: %+v", len(d.Events), ok+1, d.Events)
				}
				for _, ev := range d.Events[1:] {
					if ev.Actor == "" || ev.ActorName == "" || ev.CreatedAt.IsZero() {
						t.Errorf("history row without who/when: %+v", ev)
					}
				}
			})
		}
	})
}

func TestNotificationsAndHistory(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		svc := newService(t, s, c)
		w := mustCreate(t, svc, wishwall.NewWish{Category: models.WishCatHealth, Public: true})
		steps := []func() (models.Wish, error){
			func() (models.Wish, error) { return svc.Accept(ctxb(), amy, w.ID) },
			func() (models.Wish, error) { return svc.Reply(ctxb(), amy, w.ID, "正在联系讲师") },
			func() (models.Wish, error) { return svc.Start(ctxb(), amy, w.ID) },
			func() (models.Wish, error) { return svc.Assign(ctxb(), amy, w.ID, "", "bob") },
			func() (models.Wish, error) {
				return svc.Finish(ctxb(), bob, w.ID, "下月起每月一次，电话 13912345678")
			},
		}
		for i, f := range steps {
			c.Advance(time.Hour)
			svc.Wall(ctxb(), 10) // remembered until the next change
			if _, err := f(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		rows := outboxRows(t, s)
		want := []string{"wish:new:1", "wishstatus:1:accepted", "wishreply:1:1", "wish:assign:1:bob:" + itoa(t0.Add(4*time.Hour).Unix()), "wishreply:1:2"}
		if diff := cmp.Diff(want, keys(rows)); diff != "" {
			t.Fatalf("outbox keys (-want +got):\n%s", diff)
		}
		fin := rows[4]
		if fin.Channel != models.ChannelCustomer || fin.To != "o1" || fin.FallbackTemplate != "TPL-WISH" ||
			!strings.Contains(fin.Text, "已办结") || !strings.Contains(fin.Text, "评价 1 5") {
			t.Errorf("finish notice = %+v", fin)
		}
		if rows[3].To != "bob" || rows[3].Channel != models.ChannelWeCom {
			t.Errorf("assign notice = %+v", rows[3])
		}
		d, _ := svc.Get(ctxb(), admin, w.ID)
		var acts []string
		for _, ev := range d.Events {
			acts = append(acts, ev.Action+":"+string(ev.ToStatus)+":"+ev.Actor)
		}
		wantActs := []string{"create:pending:resident", "status:accepted:amy", "reply:accepted:amy", "status:in_progress:amy",
			"assign:in_progress:amy", "status:done:bob"}
		if diff := cmp.Diff(wantActs, acts); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if d.AssignedTo != "bob" || d.FinishedAt == nil || d.AcceptedAt == nil || len(d.Replies) != 2 {
			t.Errorf("detail = %+v", d.Wish)
		}
		// amy's team still sees it; bob (life team) sees it because it is assigned to him.
		if _, err := svc.Get(ctxb(), bob, w.ID); err != nil {
			t.Errorf("assignee cannot see: %v", err)
		}

		// The 回音壁 shows it anonymously, with the number in the reply hidden.
		wall, err := svc.Wall(ctxb(), 10)
		if err != nil || len(wall) != 1 {
			t.Fatalf("wall: %v %+v", err, wall)
		}
		if !strings.Contains(wall[0].Reply, "号码已隐去") || strings.Contains(wall[0].Reply, "5678") {
			t.Errorf("wall reply not masked: %q", wall[0].Reply)
		}
		if _, err := svc.SetWallHidden(ctxb(), admin, w.ID, true); err != nil {
			t.Fatal(err)
		}
		if wall, _ := svc.Wall(ctxb(), 10); len(wall) != 0 {
			t.Errorf("hidden wish still on the wall")
		}

		// Rating: once, by the owner; a low rating alerts the staff on duty.
		if _, err := svc.Rate(ctxb(), "o2", w.ID, 5); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("rating another's wish: %v", err)
		}
		if _, err := svc.Rate(ctxb(), "o1", 0, 9); !models.IsCode(err, models.EINVALID) {
			t.Errorf("rating 9: %v", err)
		}
		got, err := svc.Rate(ctxb(), "o1", 0, 2)
		if err != nil || got.Rating != 2 {
			t.Fatalf("rate: %v %+v", err, got)
		}
		if _, err := svc.Rate(ctxb(), "o1", w.ID, 5); !models.IsCode(err, models.ECONFLICT) {
			t.Errorf("second rating: %v", err)
		}
		rows = outboxRows(t, s)
		if last := rows[len(rows)-1]; last.DedupKey != "wish:rating:1" || last.To != "duty1|duty2" {
			t.Errorf("low rating alert = %+v", last)
		}
	})
}

func TestOverdueAndInbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		svc := newService(t, s, c)
		a := mustCreate(t, svc, wishwall.NewWish{Category: models.WishCatHealth})
		b := mustCreate(t, svc, wishwall.NewWish{Category: models.WishCatHealth})
		if _, err := svc.Accept(ctxb(), amy, b.ID); err != nil {
			t.Fatal(err)
		}
		lifeWish := mustCreate(t, svc, wishwall.NewWish{Category: models.WishCatLife})

		c.t = t0.Add(3*24*time.Hour - time.Minute)
		if d, _ := svc.Get(ctxb(), amy, a.ID); d.Overdue != "" {
			t.Errorf("just under 3 days: overdue %q", d.Overdue)
		}
		c.t = t0.Add(3*24*time.Hour + time.Minute)
		if d, _ := svc.Get(ctxb(), amy, a.ID); d.Overdue != "超过3天未受理" {
			t.Errorf("over 3 days pending: overdue %q", d.Overdue)
		}
		if d, _ := svc.Get(ctxb(), amy, b.ID); d.Overdue != "" {
			t.Errorf("accepted within 3 days is not overdue before 15: %q", d.Overdue)
		}
		c.t = t0.Add(15*24*time.Hour + time.Minute)
		if d, _ := svc.Get(ctxb(), amy, b.ID); d.Overdue != "超过15天未办结" {
			t.Errorf("accepted, 15 days: overdue %q", d.Overdue)
		}
		if _, err := svc.Finish(ctxb(), amy, b.ID, "办好了"); err != nil {
			t.Fatal(err)
		}
		if d, _ := svc.Get(ctxb(), amy, b.ID); d.Overdue != "" {
			t.Errorf("finished wishes are never overdue: %q", d.Overdue)
		}

		items, err := svc.Inbox(ctxb(), amy, wishwall.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != a.ID || items[0].Overdue == "" {
			t.Errorf("amy's open inbox = %+v", items)
		}
		all, _ := svc.Inbox(ctxb(), admin, wishwall.Query{Status: "all"})
		if len(all) != 3 || all[0].Overdue == "" {
			t.Errorf("admin sees all, overdue first: %+v", all)
		}
		if _, err := svc.Get(ctxb(), amy, lifeWish.ID); !models.IsCode(err, models.EFORBID) {
			t.Errorf("amy opening a life-team wish: %v", err)
		}
		counts, overdue, err := svc.Counts(ctxb(), amy)
		if err != nil || counts[models.WishPending] != 1 || counts[models.WishDone] != 1 || overdue != 1 {
			t.Errorf("counts %v overdue %d err %v", counts, overdue, err)
		}
	})
}

func TestMine(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		svc := newService(t, s, c)
		w := mustCreate(t, svc, wishwall.NewWish{Category: models.WishCatHealth})
		mustCreate(t, svc, wishwall.NewWish{OpenID: "o2"})
		if _, err := svc.Reply(ctxb(), amy, w.ID, "收到"); err != nil {
			t.Fatal(err)
		}
		mine, err := svc.Mine(ctxb(), "o1", 10)
		if err != nil || len(mine) != 1 || mine[0].LastReply() != "收到" {
			t.Fatalf("Mine = %+v %v", mine, err)
		}
		if _, err := svc.MineOne(ctxb(), "o2", w.ID); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("another resident's wish: %v", err)
		}
	})
}

func TestTransitionsTable(t *testing.T) {
	all := models.WishStatuses
	allowed := map[[2]models.WishStatus]bool{
		{models.WishPending, models.WishAccepted}: true, {models.WishPending, models.WishRejected}: true,
		{models.WishAccepted, models.WishInProgress}: true, {models.WishAccepted, models.WishDone}: true,
		{models.WishAccepted, models.WishRejected}: true, {models.WishInProgress, models.WishDone}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := wishwall.CanTransition(from, to); got != allowed[[2]models.WishStatus{from, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", from, to, got)
			}
		}
	}
}

// A finished wish can be taken up again, with a reason the resident is told; it
// leaves the 回音壁, and its next answer may be rated again.
func TestReopen(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		c := newClock()
		svc := newService(t, s, c)
		w := mustCreate(t, svc, wishwall.NewWish{Category: models.WishCatHealth, Public: true})
		if _, err := svc.Accept(ctxb(), amy, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Finish(ctxb(), amy, w.ID, "下月开讲座"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Rate(ctxb(), "o1", w.ID, 2); err != nil {
			t.Fatal(err)
		}
		if wall, _ := svc.Wall(ctxb(), 10); len(wall) != 1 {
			t.Fatalf("finished wish not on the wall: %d", len(wall))
		}
		if _, err := svc.Start(ctxb(), amy, w.ID); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("a finished wish restarted without a reason: %v", err)
		}
		if _, err := svc.Reopen(ctxb(), amy, w.ID, "  "); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("reopened without a reason: %v", err)
		}
		if _, err := svc.Reopen(ctxb(), bob, w.ID, "居民说时间不合适"); err == nil {
			t.Fatal("another team reopened it")
		}
		c.Advance(time.Hour)
		got, err := svc.Reopen(ctxb(), amy, w.ID, "居民说时间不合适，改约周末场")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != models.WishInProgress || got.FinishedAt != nil || got.Rating != 0 || got.RatedAt != nil {
			t.Fatalf("after reopening: status %s finished %v rating %d", got.Status, got.FinishedAt, got.Rating)
		}
		if wall, _ := svc.Wall(ctxb(), 10); len(wall) != 0 {
			t.Fatal("a reopened wish is still on the wall")
		}
		told := false
		for _, m := range outboxRows(t, s) {
			if strings.HasPrefix(m.DedupKey, "wishstatus:1:reopened:") && m.To == "o1" && strings.Contains(m.Text, "改约周末场") {
				told = true
			}
		}
		if !told {
			t.Fatalf("resident not told why: %v", keys(outboxRows(t, s)))
		}
		if _, err := svc.Reopen(ctxb(), amy, w.ID, "再来一次"); !models.IsCode(err, models.EINVALID) {
			t.Fatalf("reopened a wish that is not finished: %v", err)
		}
		if _, err := svc.Finish(ctxb(), amy, w.ID, "改为周六上午，已为您留位"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Rate(ctxb(), "o1", w.ID, 5); err != nil {
			t.Fatalf("the new answer cannot be rated: %v", err)
		}
		d, _ := svc.Get(ctxb(), amy, w.ID)
		if d.Rating != 5 || len(d.Replies) != 2 {
			t.Fatalf("rating %d, replies %d", d.Rating, len(d.Replies))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
