package handlers

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"familybot/models"
	"familybot/signup"

	"github.com/PuerkitoBio/goquery"
)

func evItoa(n uint64) string { return strconv.FormatUint(n, 10) }

// evFixture is the admin fixture with the sign-up service on the same store and clock.
func evFixture(t *testing.T) (*fixture, *signup.Service) {
	t.Helper()
	f := fixtureSQLite(t)
	svc := &signup.Service{Store: f.st, Notify: f.notif, Now: f.clock}
	f.srv.Signups = svc
	f.h = f.srv.Router()
	return f, svc
}

// evSaturday is Saturday 28 November 2026, 09:30 in Beijing (tBase is the Tuesday before).
var evSaturday = time.Date(2026, 11, 28, 9, 30, 0, 0, models.Beijing)

// evMust creates an event starting at start (90 minutes long), published unless draft.
func evMust(t *testing.T, svc *signup.Service, title string, start time.Time, capacity, waitlist int, draft bool) models.Event {
	t.Helper()
	end := start.Add(90 * time.Minute)
	ev, err := svc.CreateEvent(context.Background(), models.Event{Title: title, Category: models.EventParentClass,
		StartAt: start, EndAt: &end, Place: "协会三楼活动室", Capacity: capacity, WaitlistCap: waitlist})
	if err != nil {
		t.Fatalf("create event: %v", err)
	}
	if !draft {
		if ev, err = svc.PublishEvent(context.Background(), ev.ID); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	return ev
}

func evJoin(t *testing.T, svc *signup.Service, evID uint, openID, name, phone string) models.Signup {
	t.Helper()
	res, err := svc.Join(context.Background(), signup.Request{EventID: evID, OpenID: openID, Name: name, Phone: phone})
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	return res.Signup
}

func (f *fixture) evSignup(id uint64) models.Signup {
	f.t.Helper()
	su, err := f.st.GetSignup(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return su
}

func (f *fixture) evEvent(id uint) models.Event {
	f.t.Helper()
	ev, err := f.st.GetEvent(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return ev
}

func (f *fixture) outboxKeys() []string {
	var keys []string
	f.st.DB.Model(&models.OutboxMessage{}).Order("id").Pluck("dedup_key", &keys)
	return keys
}

func TestEventListAndPageMaskAndEscape(t *testing.T) {
	f, svc := evFixture(t)
	ctx := context.Background()
	ev := evMust(t, svc, "沟通之道家长课堂", evSaturday, 2, 3, false)
	evMust(t, svc, "青春健康讲座", evSaturday.AddDate(0, 0, 7), 30, 0, true)
	evJoin(t, svc, ev.ID, "o-a", "王芳", "13912345678")
	// A name no chat flow would accept, written straight to the store: the page must show it as text.
	active := true
	if _, err := f.st.JoinEvent(ctx, models.Signup{EventID: ev.ID, OpenID: "o-b", AttendeeKey: "k-b", Active: &active,
		Name: `<script>alert(1)</script><img src=x>`, Phone: "13812345678"}, func(models.Event, models.SignupCounts) (models.SignupStatus, error) {
		return models.SignupConfirmed, nil
	}); err != nil {
		t.Fatal(err)
	}
	evJoin(t, svc, ev.ID, "o-c", "李雷", "13700001111")
	evJoin(t, svc, ev.ID, "o-d", "韩梅梅", "13600002222")
	c := f.loggedIn("amy")

	w := c.get("/admin/events")
	wantStatus(t, w, http.StatusOK)
	doc := mustDoc(t, w)
	if doc.Find(`a.btn[href="/admin/events/new"]`).Text() != "新建活动" {
		t.Error("no 新建活动 button")
	}
	rows := doc.Find("#upcoming > li")
	if rows.Length() != 2 {
		t.Fatalf("upcoming rows = %d", rows.Length())
	}
	first := rows.First()
	for sel, want := range map[string]string{".title": "沟通之道家长课堂", ".state": "报名中", ".confirmed": "2/2", ".waitlisted": "2", ".checkedin": "0"} {
		if got := strings.TrimSpace(first.Find(sel).Text()); got != want {
			t.Errorf("list %s = %q, want %q", sel, got, want)
		}
	}
	if got := first.Find(".when").Text(); !strings.HasPrefix(got, "11月28日（周六）09:30–11:00") {
		t.Errorf("time = %q (want Beijing time)", got)
	}
	if got := rows.Eq(1).Find(".state").Text(); got != "草稿" {
		t.Errorf("draft state = %q", got)
	}
	if doc.Find(`nav.tabs a.on[href="/admin/events"]`).Length() != 1 {
		t.Error("the 活动 tab is not highlighted")
	}

	f.now = evSaturday.Add(-time.Hour) // the check-in form shows inside the check-in window
	c = f.loggedIn("amy")
	w = c.get("/admin/events/1")
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	doc = mustDoc(t, w)
	if doc.Find("main script, main img").Length() != 0 || !strings.Contains(doc.Find("#su-2 .who").Text(), "<script>") {
		t.Fatal("a resident's name became markup")
	}
	// The check-in form comes first on the page.
	if id, _ := doc.Find("main section.card").First().Attr("id"); id != "checkin" || doc.Find(`#checkin input[name=code]`).Length() != 1 {
		t.Errorf("check-in form is not at the top (first card %q)", id)
	}
	if got := doc.Find("#su-1 .phone").Text(); got != "139****5678" {
		t.Errorf("phone = %q", got)
	}
	for _, full := range []string{"13912345678", "13812345678", "13700001111", "o-a"} {
		if strings.Contains(body, full) {
			t.Errorf("the event page shows %q", full)
		}
	}
	if got := doc.Find("#waitlist li .pos").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); strings.Join(got, ",") != "候补第1位,候补第2位" {
		t.Errorf("waitlist = %v", got)
	}
	if got := doc.Find("#waitlist li .who").First().Text(); got != "李雷" {
		t.Errorf("first waitlisted = %q", got)
	}
	if qr := doc.Find("#qr").Text(); doc.Find("#scene").Text() != "checkin_1" || strings.Contains(qr, "场景值") || strings.Contains(qr, "接口") {
		t.Errorf("QR scene: %q", doc.Find("#qr").Text())
	}
	// Staff do not get the admin-only buttons.
	if doc.Find("#publish, #cancel, #export, #edit").Length() != 0 {
		t.Error("a staff member is offered admin actions on a published event")
	}
	if f.auditCount("event.view") != 1 {
		t.Errorf("event.view audits = %d", f.auditCount("event.view"))
	}

	// Reveal: never on GET; a POST shows that one number, audited.
	wantStatus(t, c.get("/admin/events/1/signups/1/reveal"), http.StatusMethodNotAllowed)
	w = c.post("/admin/events/1/signups/1/reveal", nil)
	wantStatus(t, w, http.StatusOK)
	doc = mustDoc(t, w)
	if doc.Find("#su-1 .phone").Text() != "13912345678" || doc.Find("#su-2 .phone").Text() != "138****5678" {
		t.Errorf("reveal: %q / %q", doc.Find("#su-1 .phone").Text(), doc.Find("#su-2 .phone").Text())
	}
	var a models.AuditLog
	f.st.DB.Where("action = ?", "event.reveal").Take(&a)
	if a.Actor != "amy" || a.Object != "signup:1" || strings.Contains(a.Detail, "139") {
		t.Errorf("reveal audit = %+v", a)
	}
	// A sign-up of another event is not found under this one.
	ev2 := evMust(t, svc, "老年健康讲座", evSaturday.Add(3*time.Hour), 5, 0, false)
	other := evJoin(t, svc, ev2.ID, "o-e", "张三", "13500003333")
	wantStatus(t, c.post("/admin/events/1/signups/"+evItoa(other.ID)+"/reveal", nil), http.StatusNotFound)
	wantStatus(t, c.get("/admin/events/999"), http.StatusNotFound)
	wantStatus(t, c.get("/admin/events/abc"), http.StatusNotFound)
}

func TestEventCreateShowsProblemsAndKeepsValues(t *testing.T) {
	f, _ := evFixture(t)
	c := f.loggedIn("amy")
	w := c.get("/admin/events/new")
	wantStatus(t, w, http.StatusOK)
	if mustDoc(t, w).Find(`form#event-form input[name=csrf]`).Length() != 1 {
		t.Fatal("the form has no CSRF field")
	}

	bad := url.Values{"title": {" "}, "category": {models.EventParentChild}, "start": {"下周六上午"}, "place": {"<b>二楼</b>"},
		"capacity": {"十五"}, "waitlist": {"5"}, "for_child": {"1"}, "age_min_years": {"3"}, "age_max_years": {"1"}}
	w = c.post("/admin/events", bad)
	wantStatus(t, w, http.StatusBadRequest)
	doc := mustDoc(t, w)
	msg := doc.Find(".flash.err").Text()
	for _, want := range []string{"活动名称不能为空", "开始时间格式不对", "名额必须在1到10000之间", "儿童最大月龄不能小于最小月龄"} {
		if !strings.Contains(msg, want) {
			t.Errorf("problem %q not shown: %q", want, msg)
		}
	}
	if strings.Contains(msg, "请填写开始时间") {
		t.Errorf("the start time is reported twice: %q", msg)
	}
	for id, want := range map[string]string{"start": "下周六上午", "place": "<b>二楼</b>", "capacity": "十五", "age_min_years": "3"} {
		if got, _ := doc.Find("#" + id).Attr("value"); got != want {
			t.Errorf("%s kept as %q, want %q", id, got, want)
		}
	}
	if doc.Find("main b").Length() != 0 {
		t.Error("typed text became markup")
	}
	if v, _ := doc.Find(`#category option[selected]`).Attr("value"); v != models.EventParentChild {
		t.Errorf("category kept as %q", v)
	}
	if _, ok := doc.Find(`input[name=for_child]`).Attr("checked"); !ok {
		t.Error("the children's-event box was unticked")
	}
	// In the past: the service says so; still nothing stored.
	w = c.post("/admin/events", url.Values{"title": {"家长课堂"}, "category": {"parent_class"}, "start": {"2026-11-20T09:30"}, "capacity": {"20"}})
	wantStatus(t, w, http.StatusBadRequest)
	if got := mustDoc(t, w).Find(".flash.err").Text(); !strings.Contains(got, "开始时间已经过去了") {
		t.Errorf("past start: %q", got)
	}
	// A negative capacity is refused, not read as a positive one.
	w = c.post("/admin/events", url.Values{"title": {"家长课堂"}, "category": {"parent_class"}, "start": {"2026-11-28T09:30"}, "capacity": {"-5"}})
	wantStatus(t, w, http.StatusBadRequest)
	var n int64
	f.st.DB.Model(&models.Event{}).Count(&n)
	if n != 0 || f.auditCount("event.create") != 0 {
		t.Fatalf("a bad form stored %d events", n)
	}

	good := url.Values{"title": {"向日葵亲子小屋·绘本时光"}, "category": {models.EventParentChild}, "start": {"2026-11-28T09:30"},
		"end": {"2026-11-28 11:00"}, "place": {"协会二楼亲子小屋"}, "capacity": {"１５"}, "waitlist": {"5"},
		"for_child": {"1"}, "age_min_years": {"1"}, "age_max_years": {"3"}, "age_max_months": {"0"}, "status": {"open"}}
	w = c.post("/admin/events", good)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/events/1?ok=ev_created" {
		t.Errorf("redirect = %q", loc)
	}
	ev := f.evEvent(1)
	if ev.Status != models.EventDraft || ev.Capacity != 15 || !ev.StartAt.Equal(evSaturday) || ev.EndAt == nil ||
		!ev.EndAt.Equal(evSaturday.Add(90*time.Minute)) || ev.ChildAgeMaxMonths != 36 || ev.Audience != "1–3岁宝宝及一位家长" {
		t.Errorf("stored = %+v", ev)
	}
	if f.auditCount("event.create") != 1 {
		t.Error("create not audited")
	}
	doc = mustDoc(t, c.get("/admin/events/1?ok=ev_created"))
	if !strings.Contains(doc.Find(".flash.ok").Text(), "草稿") || doc.Find("#state").Text() != "草稿" || doc.Find("#checkin").Length() != 0 {
		t.Errorf("after create: flash %q state %q", doc.Find(".flash.ok").Text(), doc.Find("#state").Text())
	}
}

func TestEventEdit(t *testing.T) {
	f, svc := evFixture(t)
	draft := evMust(t, svc, "家长课堂", evSaturday, 10, 0, true)
	c := f.loggedIn("amy")
	doc := mustDoc(t, c.get("/admin/events/1/edit"))
	form := url.Values{}
	doc.Find("#event-form input[name], #event-form select, #event-form textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		switch {
		case s.Is("select"):
			v, _ := s.Find("option[selected]").Attr("value")
			form.Set(name, v)
		case s.Is("textarea"):
			form.Set(name, s.Text())
		case s.Is("[type=checkbox]"):
			if _, ok := s.Attr("checked"); ok {
				form.Set(name, "1")
			}
		default:
			v, _ := s.Attr("value")
			form.Set(name, v)
		}
	})
	form.Del("csrf") // each client sends its own
	if form.Get("start") != "2026-11-28T09:30" || form.Get("capacity") != "10" || form.Get("version") == "" {
		t.Fatalf("edit form = %v", form)
	}
	form.Set("title", "沟通之道家长课堂")
	form.Set("capacity", "12")
	wantStatus(t, c.post("/admin/events/1", form), http.StatusSeeOther)
	if ev := f.evEvent(1); ev.Title != "沟通之道家长课堂" || ev.Capacity != 12 || !ev.StartAt.Equal(draft.StartAt) {
		t.Errorf("after edit = %+v", ev)
	}
	// The same (now stale) form again: a colleague's change is not overwritten.
	form.Set("title", "旧的名字")
	w := c.post("/admin/events/1", form)
	wantStatus(t, w, http.StatusConflict)
	if got := mustDoc(t, w).Find(".flash.err").Text(); !strings.Contains(got, "刚被其他同事修改过") {
		t.Errorf("stale edit: %q", got)
	}
	if f.evEvent(1).Title != "沟通之道家长课堂" {
		t.Error("a stale form overwrote the event")
	}

	// Published: admins only; capacity cannot drop below the confirmed.
	boss := f.loggedIn("boss")
	wantStatus(t, boss.post("/admin/events/1/publish", nil), http.StatusSeeOther)
	evJoin(t, svc, 1, "o-a", "王芳", "13912345678")
	evJoin(t, svc, 1, "o-b", "李雷", "13812345678")
	wantStatus(t, c.get("/admin/events/1/edit"), http.StatusForbidden)
	form.Set("version", version(f.evEvent(1)))
	wantStatus(t, c.post("/admin/events/1", form), http.StatusForbidden)
	doc = mustDoc(t, boss.get("/admin/events/1/edit"))
	if !strings.Contains(doc.Find("#published-warning").Text(), "会自动通知已报名") {
		t.Error("no word on who is told when a published event is edited")
	}
	form.Set("capacity", "1")
	form.Del("csrf") // amy's, set by her post
	w = boss.post("/admin/events/1", form)
	wantStatus(t, w, http.StatusConflict)
	if got := mustDoc(t, w).Find(".flash.err").Text(); !strings.Contains(got, "名额不能少于已确认的 2 人") {
		t.Errorf("capacity below confirmed: %q", got)
	}
	if got, _ := mustDoc(t, w).Find("#capacity").Attr("value"); got != "1" {
		t.Errorf("typed capacity not kept: %q", got)
	}
	if f.evEvent(1).Capacity != 12 || f.auditCount("event.update") != 1 {
		t.Error("a refused edit changed the event or was audited")
	}
	// A new place for a published event: both families are told.
	form.Set("capacity", "12")
	form.Set("place", "社区活动中心二楼")
	form.Set("version", version(f.evEvent(1)))
	w = boss.post("/admin/events/1", form)
	wantStatus(t, w, http.StatusSeeOther)
	told := 0
	for _, k := range f.outboxKeys() {
		if strings.HasPrefix(k, "eventmoved:") {
			told++
		}
	}
	if told != 2 {
		t.Errorf("%d families told of the new place, want 2", told)
	}
}

func TestEventPublishAndCancelTellsEveryone(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "沟通之道家长课堂", evSaturday, 2, 2, true)
	c := f.loggedIn("boss")
	doc := mustDoc(t, c.get("/admin/events/1"))
	if doc.Find("#publish").Length() != 1 {
		t.Fatal("a draft offers no 发布 to an admin")
	}
	w := c.post("/admin/events/1/publish", nil)
	wantStatus(t, w, http.StatusSeeOther)
	if f.evEvent(1).Status != models.EventOpen || f.auditCount("event.publish") != 1 {
		t.Fatal("publish did not open the event")
	}
	if got := mustDoc(t, c.get(w.Header().Get("Location"))).Find(".flash.ok").Text(); !strings.Contains(got, "已发布") {
		t.Errorf("publish flash = %q", got)
	}
	for i, who := range []string{"王芳", "李雷", "韩梅梅"} {
		evJoin(t, svc, 1, "o-"+evItoa(uint64(i+1)), who, "1391234567"+evItoa(uint64(i)))
	}

	// The confirmation step says what will happen; cancelling needs a reason.
	doc = mustDoc(t, c.get("/admin/events/1/cancel"))
	if got := doc.Find("#impact").Text(); !strings.Contains(got, "2 位已确认和 1 位候补") {
		t.Errorf("impact = %q", got)
	}
	w = c.post("/admin/events/1/cancel", url.Values{"reason": {"  "}})
	wantStatus(t, w, http.StatusBadRequest)
	if !strings.Contains(mustDoc(t, w).Find(".flash.err").Text(), "请填写取消原因") || f.evEvent(1).Status != models.EventOpen {
		t.Fatal("cancelled without a reason")
	}
	w = c.post("/admin/events/1/cancel", url.Values{"reason": {"因台风预警，活动取消"}})
	wantStatus(t, w, http.StatusSeeOther)
	if f.evEvent(1).Status != models.EventCancelled {
		t.Fatal("not cancelled")
	}
	var msgs []models.OutboxMessage
	f.st.DB.Where("dedup_key LIKE ?", "eventcancel:%").Order("id").Find(&msgs)
	if len(msgs) != 3 {
		t.Fatalf("cancel messages = %d, want 3 (two confirmed, one waitlisted)", len(msgs))
	}
	for i, m := range msgs {
		if m.To != "o-"+evItoa(uint64(i+1)) || !strings.Contains(m.Text, "因台风预警，活动取消") || m.Channel != models.ChannelCustomer {
			t.Errorf("message %d = %+v", i, m)
		}
	}
	var a models.AuditLog
	f.st.DB.Where("action = ?", "event.cancel").Take(&a)
	if a.Actor != "boss" || a.Object != "event:1" || a.Detail != "notified=3" {
		t.Errorf("cancel audit = %+v", a)
	}
	doc = mustDoc(t, c.get("/admin/events/1?ok=ev_cancelled"))
	if doc.Find("#state").Text() != "已取消" || doc.Find("#cancel, #publish, #edit, #checkin").Length() != 0 {
		t.Error("a cancelled event still offers actions")
	}
	if n := doc.Find("#confirmed li").Length(); n != 3 {
		t.Errorf("cancelled rows = %d", n)
	}
	// Twice: nothing more happens.
	wantStatus(t, c.post("/admin/events/1/cancel", url.Values{"reason": {"再来一次"}}), http.StatusConflict)
	wantStatus(t, c.post("/admin/events/1/publish", nil), http.StatusConflict)
	if n := len(f.outboxKeys()); n != 3 {
		t.Errorf("outbox has %d messages after a second cancel", n)
	}
}

func TestEventCheckinByCode(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "沟通之道家长课堂", evSaturday, 1, 2, false)
	a := evJoin(t, svc, 1, "o-a", "王芳", "13912345678")
	b := evJoin(t, svc, 1, "o-b", "李雷", "13812345678") // waitlisted
	// The afternoon session the same day: its code is not this event's.
	evMust(t, svc, "老年健康讲座", evSaturday.Add(5*time.Hour), 5, 0, false)
	other := evJoin(t, svc, 2, "o-c", "张三", "13700001111")
	f.now = evSaturday.Add(-time.Hour) // inside the morning session's check-in window
	c := f.loggedIn("amy")

	// Lower case with a space and full-width letters, as typed on a phone.
	typed := strings.ToLower(a.CheckinCode[:3]) + " " + a.CheckinCode[3:]
	w := c.post("/admin/events/1/checkin", url.Values{"code": {typed}})
	wantStatus(t, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	if loc != "/admin/events/1?ok=ev_checkin&su="+evItoa(a.ID) {
		t.Errorf("redirect = %q", loc)
	}
	if f.evSignup(a.ID).CheckedInAt == nil {
		t.Fatal("not checked in")
	}
	doc := mustDoc(t, c.get(loc))
	if got := doc.Find(".flash.ok").Text(); got != "签到成功：#1 王芳" {
		t.Errorf("flash = %q", got)
	}
	if !doc.Find("#su-1").HasClass("hl") || !strings.HasPrefix(doc.Find("#su-1 .checked").Text(), "已签到") || doc.Find("#checked-in").Text() != "1" {
		t.Error("the row does not show the check-in")
	}

	for _, tc := range []struct {
		name, code string
		status     int
		want       string
	}{
		{"twice", a.CheckinCode, http.StatusConflict, "已签到"},
		{"wrong code", "ZZZZZZ", http.StatusNotFound, "签到码不对"},
		{"another event", other.CheckinCode, http.StatusNotFound, "不是这个活动"},
		{"waitlisted", b.CheckinCode, http.StatusConflict, "还在候补"},
		{"empty", "  ", http.StatusBadRequest, "请输入"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := c.post("/admin/events/1/checkin", url.Values{"code": {tc.code}})
			wantStatus(t, w, tc.status)
			doc := mustDoc(t, w)
			if got := doc.Find(".flash.err").Text(); !strings.HasPrefix(got, tc.want) {
				t.Errorf("message = %q, want it to start with %q", got, tc.want)
			}
			if tc.name == "another event" && !strings.Contains(doc.Find(".flash.err").Text(), "老年健康讲座") {
				t.Errorf("the other event is not named: %q", doc.Find(".flash.err").Text())
			}
		})
	}
	if f.evSignup(other.ID).CheckedInAt != nil || f.evSignup(b.ID).CheckedInAt != nil {
		t.Error("a refused code checked someone in")
	}
	if n := f.auditCount("event.checkin"); n != 1 {
		t.Errorf("check-in audits = %d", n)
	}
	// Full-width code typed with a Chinese keyboard: the afternoon event's attendee.
	wide := strings.Map(func(r rune) rune { return r + 0xFEE0 }, other.CheckinCode)
	f.now = evSaturday.Add(4 * time.Hour) // the afternoon session's window
	c = f.loggedIn("amy")
	wantStatus(t, c.post("/admin/events/2/checkin", url.Values{"code": {wide}}), http.StatusSeeOther)
}

func TestStaffCancelSignupPromotesWaitlist(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "沟通之道家长课堂", evSaturday, 1, 2, false)
	a := evJoin(t, svc, 1, "o-a", "王芳", "13912345678")
	b := evJoin(t, svc, 1, "o-b", "李雷", "13812345678")
	evJoin(t, svc, 1, "o-c", "韩梅梅", "13700001111")
	c := f.loggedIn("amy")
	before := len(f.outboxKeys())

	w := c.post("/admin/events/1/signups/1/cancel", url.Values{"reason": {""}})
	wantStatus(t, w, http.StatusBadRequest)
	doc := mustDoc(t, w)
	if _, open := doc.Find("#su-1 details").Attr("open"); !open || !strings.Contains(doc.Find(".flash.err").Text(), "请填写取消原因") {
		t.Error("the cancel form is not shown again with the problem")
	}
	if f.evSignup(a.ID).Status != models.SignupConfirmed || len(f.outboxKeys()) != before {
		t.Fatal("a refused cancel changed something")
	}

	w = c.post("/admin/events/1/signups/1/cancel", url.Values{"reason": {"家长来电，孩子发烧不能参加。"}})
	wantStatus(t, w, http.StatusSeeOther)
	if f.evSignup(a.ID).Status != models.SignupCancelled || f.evSignup(b.ID).Status != models.SignupConfirmed {
		t.Fatalf("after cancel: a=%s b=%s", f.evSignup(a.ID).Status, f.evSignup(b.ID).Status)
	}
	keys := f.outboxKeys()[before:]
	if strings.Join(keys, " ") != "staffcancel:signup:1 promote:signup:2" {
		t.Errorf("outbox = %v", keys)
	}
	var m models.OutboxMessage
	f.st.DB.Where("dedup_key = ?", "staffcancel:signup:1").Take(&m)
	if m.To != "o-a" || !strings.Contains(m.Text, "原因：家长来电，孩子发烧不能参加。") || strings.Contains(m.Text, "。。") {
		t.Errorf("message = %q", m.Text)
	}
	doc = mustDoc(t, c.get("/admin/events/1"))
	if got := doc.Find("#confirmed li .who").Text(); got != "李雷" {
		t.Errorf("confirmed now = %q", got)
	}
	if got := doc.Find("#waitlist li .pos").Text(); got != "候补第1位" {
		t.Errorf("waitlist now = %q", got)
	}
	if f.auditCount("event.signup_cancel") != 1 {
		t.Error("not audited")
	}
	wantStatus(t, c.post("/admin/events/1/signups/1/cancel", url.Values{"reason": {"再取消"}}), http.StatusConflict)
	wantStatus(t, c.post("/admin/events/2/signups/2/cancel", url.Values{"reason": {"x"}}), http.StatusNotFound)
}

func TestEventCSRFAndRoles(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "家长课堂", evSaturday, 5, 0, true)
	amyC, bossC := f.loggedIn("amy"), f.loggedIn("boss")

	// No or a wrong token: 403 and nothing happens.
	for _, form := range []url.Values{{"csrf": {""}}, {"csrf": {"wrong"}}} {
		wantStatus(t, bossC.post("/admin/events/1/publish", form), http.StatusForbidden)
	}
	wantStatus(t, amyC.post("/admin/events", url.Values{"csrf": {""}, "title": {"x"}, "start": {"2026-12-01T09:00"}, "capacity": {"5"}}), http.StatusForbidden)
	if f.evEvent(1).Status != models.EventDraft || f.auditCount("csrf.reject") != 3 {
		t.Fatalf("a request without the token changed something (csrf audits %d)", f.auditCount("csrf.reject"))
	}
	var n int64
	f.st.DB.Model(&models.Event{}).Count(&n)
	if n != 1 {
		t.Fatal("created without a token")
	}

	// Staff: drafts yes; publishing, cancelling and exporting no.
	doc := mustDoc(t, amyC.get("/admin/events/1"))
	if doc.Find("#edit").Length() != 1 || doc.Find("#publish, #cancel, #export").Length() != 0 {
		t.Error("staff see the wrong actions on a draft")
	}
	wantStatus(t, amyC.post("/admin/events/1/publish", nil), http.StatusForbidden)
	wantStatus(t, amyC.get("/admin/events/1/cancel"), http.StatusForbidden)
	wantStatus(t, amyC.post("/admin/events/1/cancel", url.Values{"reason": {"不办了"}}), http.StatusForbidden)
	wantStatus(t, amyC.post("/admin/events/1/export.csv", nil), http.StatusForbidden)
	if f.evEvent(1).Status != models.EventDraft {
		t.Fatal("staff changed the event's state")
	}
	if f.auditCount("forbidden") != 4 || f.auditCount("event.export") != 0 {
		t.Errorf("forbidden audits = %d", f.auditCount("forbidden"))
	}
	// Admins: all of it.
	doc = mustDoc(t, bossC.get("/admin/events/1"))
	if doc.Find("#edit, #publish, #cancel, #export").Length() != 4 {
		t.Error("an admin misses actions")
	}
	wantStatus(t, bossC.post("/admin/events/1/publish", nil), http.StatusSeeOther)
	doc = mustDoc(t, amyC.get("/admin/events/1"))
	if doc.Find("#edit").Length() != 0 || doc.Find("#checkin").Length() != 1 {
		t.Error("staff may edit a published event, or cannot check in")
	}
	// Export is never a GET.
	wantStatus(t, bossC.get("/admin/events/1/export.csv"), http.StatusMethodNotAllowed)
}

func TestEventExportCSV(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "沟通之道家长课堂", evSaturday, 5, 0, false)
	evJoin(t, svc, 1, "o-a", "王芳", "13912345678")
	c := f.loggedIn("boss")
	// The purpose is required, and only the listed ones.
	for _, p := range []string{"", "随便看看"} {
		wantStatus(t, c.post("/admin/events/1/export.csv", url.Values{"purpose": {p}}), http.StatusBadRequest)
	}
	if f.auditCount("event.export") != 0 {
		t.Fatal("an export without a purpose was audited as done")
	}
	if n := mustDoc(t, c.get("/admin/events/1")).Find("#purpose option").Length(); n < 3 {
		t.Errorf("the export form offers %d purposes", n)
	}
	w := c.post("/admin/events/1/export.csv", url.Values{"purpose": {"活动签到"}})
	wantStatus(t, w, http.StatusOK)
	h := w.Header()
	if !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || h.Get("Content-Disposition") != `attachment; filename="event-1-20261124.csv"` ||
		h.Get("Cache-Control") != "no-store" {
		t.Errorf("headers = %v", h)
	}
	body := w.Body.String()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatal("no byte-order mark: Excel would read GBK")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0][0] != "报名号" || recs[1][3] != "王芳" || recs[1][4] != "13912345678" {
		t.Errorf("csv = %v", recs)
	}
	var a models.AuditLog
	f.st.DB.Where("action = ?", "event.export").Take(&a)
	if a.Actor != "boss" || a.Object != "event:1" || a.Detail != "rows=1 purpose=活动签到" {
		t.Errorf("export audit = %+v", a)
	}
	wantStatus(t, c.post("/admin/events/9/export.csv", url.Values{"purpose": {"活动签到"}}), http.StatusNotFound)
	if f.auditCount("event.export") != 1 {
		t.Error("a failed export was audited as done")
	}
}

func TestDashboardCountsSignups(t *testing.T) {
	f, svc := evFixture(t)
	evMust(t, svc, "家长课堂", evSaturday, 1, 1, false)
	evJoin(t, svc, 1, "o-a", "王芳", "13912345678")
	evJoin(t, svc, 1, "o-b", "李雷", "13812345678")
	if _, err := svc.Join(context.Background(), signup.Request{EventID: 1, OpenID: "o-c", Name: "韩梅梅", Phone: "13700001111"}); err != signup.ErrFull {
		t.Fatalf("third sign-up: %v", err)
	}
	doc := mustDoc(t, f.loggedIn("boss").get("/admin"))
	if got := doc.Find(`a.stat[href="/admin/events"] b`).Text(); got != "2" {
		t.Errorf("本周报名 = %q", got)
	}
}
