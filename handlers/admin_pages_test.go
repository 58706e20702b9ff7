package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"familybot/crisis"
	"familybot/models"
	"familybot/wishwall"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

func TestDashboard(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	if err := f.st.DB.Create(&models.KBEntry{ID: 3, Slug: "fever", Title: "宝宝发烧怎么办"}).Error; err != nil {
		t.Fatal(err)
	}
	msgs := []models.Message{
		{OpenID: "a", Kind: "text", Text: "发烧", Route: models.RouteFAQ, EntryID: 3, CreatedAt: f.now},
		{OpenID: "b", Kind: "text", Text: "发烧了", Route: models.RouteFAQ, EntryID: 3, CreatedAt: f.now},
		{OpenID: "c", Kind: "text", Text: "医保怎么报", Route: models.RouteFallback, CreatedAt: f.now},
		{OpenID: "c", Kind: "text", Text: "上周一之前", Route: models.RouteFallback, CreatedAt: f.now.Add(-8 * 24 * time.Hour)},
	}
	if err := f.st.InsertMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	f.mustWish(wishwall.NewWish{Text: "很久以前的心愿", Category: models.WishCatHealth})
	f.now = f.now.Add(4 * 24 * time.Hour) // Saturday: still the same week
	f.mustWish(wishwall.NewWish{Text: "新的一条心愿", Category: models.WishCatLife})

	c := f.loggedIn("boss")
	w := c.get("/admin")
	wantStatus(t, w, http.StatusOK)
	doc := mustDoc(t, w)
	stats := map[string]string{}
	doc.Find(".stat").Each(func(_ int, s *goquery.Selection) { stats[s.Find("span").Text()] = s.Find("b").Text() })
	want := map[string]string{"本周消息": "3", "居民提问": "3", "本周未能回答或答错了（1条消息）": "33%", "待处理的问题（近30天，同样的问题算一个）": "2", "待办心愿": "2", "逾期心愿": "1", "本周报名": "—"}
	for k, v := range want {
		if stats[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, stats[k], v, stats)
		}
	}
	// The wish figures are all-time, and say so under the week's heading; other
	// periods are one link away in the service report.
	if h := doc.Find("#wish-totals").Text(); !strings.Contains(h, "全部心愿") {
		t.Errorf("wish section heading %q does not say the counts are all-time", h)
	}
	if doc.Find(`#to-report[href="/admin/report"]`).Length() != 1 {
		t.Error("no way from the week to the service report")
	}
	if !strings.Contains(doc.Find("section").First().Text(), "宝宝发烧怎么办") {
		t.Errorf("top questions: %s", doc.Find("section").First().Text())
	}
	// The navigation offers the pages others build on this framework.
	for _, href := range []string{"/admin/events", "/admin/knowledge", "/admin/wishes", "/admin/crisis", "/admin/messages", "/admin/outbox", "/admin/staff"} {
		if doc.Find(`nav.tabs a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("nav lacks %s", href)
		}
	}
	amyDoc := mustDoc(t, f.loggedIn("amy").get("/admin"))
	if amyDoc.Find("#to-report").Length() != 0 {
		t.Error("staff are offered the report they cannot open")
	}
	if amyDoc.Find(`nav.tabs a[href="/admin/staff"]`).Length() != 0 {
		t.Error("staff sees the admin-only tab")
	}
}

func TestWeekStart(t *testing.T) {
	if got := weekStart(time.Date(2026, 11, 29, 15, 59, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 11, 22, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("week of Sunday 23:59 China time starts %v", got)
	}
	if got := weekStart(time.Date(2026, 11, 29, 16, 1, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 11, 29, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("week of Monday 00:01 China time starts %v", got)
	}
}

func TestCrisisPage(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	for _, text := range []string{"不想活了，我电话13912345678", "<script>x</script>他打我"} {
		if err := f.st.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o1", Kind: "suicide", Text: text, CreatedAt: f.now}); err != nil {
			t.Fatal(err)
		}
	}
	c := f.loggedIn("amy")
	w := c.get("/admin/crisis")
	wantStatus(t, w, http.StatusOK)
	doc := mustDoc(t, w)
	if doc.Find("main script").Length() != 0 || strings.Contains(w.Body.String(), "13912345678") {
		t.Error("crisis text unescaped or unmasked")
	}
	if doc.Find("li.hl").Length() != 2 || doc.Find(".tabs .dot").Text() != "2" {
		t.Errorf("unhandled rows %d, nav badge %q", doc.Find("li.hl").Length(), doc.Find(".tabs .dot").Text())
	}
	if doc.Find(`#crisis-1 form[action$="/reveal"]`).Length() != 1 || doc.Find(`#crisis-2 form[action$="/reveal"]`).Length() != 0 {
		t.Error("reveal is offered only where a number is masked")
	}
	wantStatus(t, c.post("/admin/crisis/1/reveal", nil), http.StatusOK)
	if f.auditCount("crisis.reveal") != 1 || f.auditCount("crisis.view") != 1 {
		t.Error("crisis views not audited")
	}
	wantStatus(t, c.post("/admin/crisis/1/handled", url.Values{"note": {"已电话联系，居民在家人身边"}, "safe": {"1"}}), http.StatusSeeOther)
	ev, _ := f.st.GetCrisisEvent(ctx, 1)
	if ev.HandledBy != "王艾米" || ev.HandledAt == nil {
		t.Errorf("handled = %+v", ev)
	}
	wantStatus(t, c.post("/admin/crisis/99/handled", nil), http.StatusNotFound)
	wantStatus(t, c.get("/admin/crisis/1/handled"), http.StatusMethodNotAllowed)

	// Replying to the second: text required; the message goes to that resident
	// through the outbox with the emergency lines; the case stays open.
	wantStatus(t, c.post("/admin/crisis/2/reply", url.Values{"text": {"  "}}), http.StatusBadRequest)
	wantStatus(t, c.post("/admin/crisis/2/reply", url.Values{"text": {strings.Repeat("长", crisis.MaxText+1)}}), http.StatusBadRequest)
	wantStatus(t, c.post("/admin/crisis/99/reply", url.Values{"text": {"您好"}}), http.StatusNotFound)
	w = c.post("/admin/crisis/2/reply", url.Values{"text": {"您好，我是协会的小王，方便留个电话吗？"}})
	wantStatus(t, w, http.StatusSeeOther)
	// A double tap sends the same words once.
	wantStatus(t, c.post("/admin/crisis/2/reply", url.Values{"text": {"您好，我是协会的小王，方便留个电话吗？"}}), http.StatusSeeOther)
	var out []models.OutboxMessage
	f.st.DB.Where("dedup_key LIKE ?", "crisisreply:2:%").Find(&out)
	if len(out) != 1 || out[0].To != "o1" || out[0].Channel != models.ChannelCustomer || out[0].FallbackTemplate != "" ||
		!strings.Contains(out[0].Text, "方便留个电话") || !strings.Contains(out[0].Text, "120") || !strings.Contains(out[0].Text, "12356") {
		t.Fatalf("outbox = %+v", out)
	}
	if ev, _ := f.st.GetCrisisEvent(ctx, 2); ev.HandledAt != nil {
		t.Error("sending a reply closed the case")
	}
	if f.auditCount("crisis.reply") != 2 { // both taps are in the log; one message went out
		t.Error("the replies were not audited")
	}
	if got := mustDoc(t, c.get(w.Header().Get("Location"))).Find(".flash.ok").Text(); !strings.Contains(got, "已排队发给居民") {
		t.Errorf("flash = %q", got)
	}
}

func TestMessagesAndOutboxPages(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	msgs := []models.Message{
		{OpenID: "a", Kind: "text", Text: "宝宝发烧", Route: models.RouteFAQ, CreatedAt: f.now},
		{OpenID: "b", Kind: "text", Text: "<i>没答上</i> 13912345678", Route: models.RouteFallback, CreatedAt: f.now},
		{OpenID: "c", Kind: "text", Text: "", Route: models.RouteCrisis, Flagged: true, CreatedAt: f.now},
	}
	if err := f.st.InsertMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("amy")
	doc := mustDoc(t, c.get("/admin/messages"))
	if doc.Find("li").Length() < 3 || doc.Find("li.unanswered").Length() != 1 || doc.Find("main i").Length() != 0 {
		t.Errorf("messages: %d rows, %d unanswered", doc.Find("li").Length(), doc.Find("li.unanswered").Length())
	}
	if !strings.Contains(doc.Find("li.unanswered").Text(), "139****5678") {
		t.Errorf("unanswered row = %q", doc.Find("li.unanswered").Text())
	}
	doc = mustDoc(t, c.get("/admin/messages?unanswered=1"))
	if doc.Find("main .card li").Length() != 1 {
		t.Errorf("unanswered filter rows = %d", doc.Find("main .card li").Length())
	}

	// Wish #1, which amy's team sees (stored directly: its staff alert would be another outbox row).
	f.st.DB.Create(&models.Wish{ID: 1, OpenID: "o-secret", Text: "想问问", Category: models.WishCatHealth, Team: models.WishCatHealth,
		Status: models.WishDone, CreatedAt: f.now})
	reply := f.notif.ToResident("o-secret", models.TemplateWishReply, models.Notice{Kind: models.NoticeWishReply, About: models.WishSubject(1),
		Variant: "1", Text: "您的心愿回复 13912345678"})
	if err := f.st.Enqueue(ctx, reply); err != nil {
		t.Fatal(err)
	}
	f.failOutbox("wishreply:1:1", "43004 require subscribe")
	w := c.get("/admin/outbox")
	doc = mustDoc(t, w)
	if !strings.Contains(doc.Find("main").Text(), "43004 require subscribe") || strings.Contains(w.Body.String(), "o-secret") ||
		strings.Contains(w.Body.String(), "13912345678") {
		t.Errorf("outbox page: %s", doc.Find("main").Text())
	}
	if href, _ := doc.Find(`main a[href^="/admin/wishes/"]`).Attr("href"); href != "/admin/wishes/1" {
		t.Errorf("the failed reply does not link to its wish: %q", href)
	}
	wantStatus(t, c.post("/admin/outbox/1/retry", nil), http.StatusSeeOther)
	if got, _ := f.st.ListOutbox(ctx, models.OutboxPending, 5); len(got) != 1 || f.auditCount("outbox.retry") != 1 {
		t.Errorf("retry: pending %d", len(got))
	}
	wantStatus(t, c.post("/admin/outbox/1/retry", nil), http.StatusNotFound)
}

func TestStaffManagement(t *testing.T) {
	f := fixtureSQLite(t)
	c := f.loggedIn("boss")
	doc := mustDoc(t, c.get("/admin/staff"))
	if doc.Find("main ul.list > li").Length() != 3 {
		t.Fatalf("staff rows = %d", doc.Find("main ul.list > li").Length())
	}
	wantStatus(t, c.post("/admin/staff", url.Values{"user_id": {"carol"}, "name": {"陈卡罗"}, "role": {"staff"}, "team": {"policy"}}), http.StatusSeeOther)
	st, err := f.st.GetStaff(context.Background(), "carol")
	if err != nil || st.Team != models.WishCatPolicy || st.Name != "陈卡罗" {
		t.Fatalf("carol = %+v %v", st, err)
	}
	w := c.post("/admin/staff", url.Values{"user_id": {"bad id"}, "role": {"staff"}})
	wantStatus(t, w, http.StatusBadRequest)
	if !strings.Contains(mustDoc(t, w).Find(".flash.err").Text(), "UserID") {
		t.Error("the problem is not shown")
	}
	// The last admin cannot be demoted or removed, nor can one remove oneself.
	w = c.post("/admin/staff", url.Values{"user_id": {"boss"}, "role": {"staff"}})
	wantStatus(t, w, http.StatusConflict)
	wantStatus(t, c.post("/admin/staff/boss/delete", nil), http.StatusConflict)
	wantStatus(t, c.post("/admin/staff/carol/delete", nil), http.StatusSeeOther)
	if _, err := f.st.GetStaff(context.Background(), "carol"); !models.IsCode(err, models.ENOTFOUND) {
		t.Error("carol was not removed")
	}
	if f.auditCount("staff.save") != 1 || f.auditCount("staff.remove") != 1 {
		t.Error("staff changes not audited")
	}
	doc = mustDoc(t, c.get("/admin/audit"))
	if !strings.Contains(doc.Find("table").Text(), "移除工作人员") {
		t.Error("audit page lacks the removal")
	}
}

// A crisis and the messages the resident sent inside its episode are one
// group, oldest first, numbers masked; handling it covers the messages staff
// saw, and a message that comes later opens it again.
func TestCrisisPageGroupsEpisodes(t *testing.T) {
	f := fixtureSQLite(t)
	ctx := context.Background()
	rows := []models.CrisisEvent{
		{OpenID: "o2", Kind: "medical", Emergency: "seizure", Person: "present", Episode: "ep-a", Text: "宝宝抽搐了 我电话13912345678"},
		{OpenID: "o3", Kind: "suicide", Person: "self", Episode: "ep-b", Text: "我想自杀", FollowedBy: "amy"},
		{OpenID: "o2", Kind: "medical", Emergency: "seizure", Person: "present", Episode: "ep-a", FollowUp: true, Text: "要不要等等看"},
		{OpenID: "o2", Kind: "medical", Emergency: "seizure", Person: "present", Episode: "ep-a", FollowUp: true, Text: "打了120了 等车的时候我要做什么"},
	}
	for i, r := range rows {
		r.CreatedAt = f.now.Add(time.Duration(i) * time.Minute)
		if err := f.st.RecordCrisis(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	c := f.loggedIn("amy")
	page := func() *goquery.Document {
		w := c.get("/admin/crisis")
		wantStatus(t, w, http.StatusOK)
		if strings.Contains(w.Body.String(), "13912345678") {
			t.Fatal("a number is shown unmasked")
		}
		return mustDoc(t, w)
	}
	doc := page()
	ep := doc.Find("#episode-1")
	var texts []string
	ep.Find("ol.episode > li .text").Each(func(_ int, s *goquery.Selection) { texts = append(texts, s.Text()) })
	want := []string{"宝宝抽搐了 我电话139****5678", "要不要等等看", "打了120了 等车的时候我要做什么"}
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("episode messages (-want +got):\n%s", diff)
	}
	if got := ep.Find(".badge").Text(); got != "可能急症" || !strings.Contains(ep.Text(), "抽搐") || !strings.Contains(ep.Text(), "居民在帮忙") {
		t.Errorf("episode head: %q / %q", got, ep.Find(".row").First().Text())
	}
	if ep.Find("li.followup").Length() != 2 || ep.Find(`form[action$="/reveal"]`).Length() != 1 || doc.Find("#episode-2 ol.episode > li").Length() != 1 {
		t.Error("follow-ups, reveal or the other resident's episode wrong")
	}
	if got := doc.Find("#episode-2 .following").Text(); got != "王艾米 正在跟进" {
		t.Errorf("who follows up (from the WeCom card): %q", got)
	}
	if doc.Find("#episode-1 .following").Length() != 0 {
		t.Error("an episode nobody took up shows a follower")
	}
	if doc.Find(".tabs .dot").Text() != "4" {
		t.Errorf("nav badge %q, want the 4 unhandled messages", doc.Find(".tabs .dot").Text())
	}
	// Handling the episode (its form acts on its latest message) handles all three.
	if a, _ := ep.Find(`form[action$="/handled"]`).Attr("action"); a != "/admin/crisis/4/handled" {
		t.Fatalf("handled form acts on %q", a)
	}
	wantStatus(t, c.post("/admin/crisis/4/handled", url.Values{"note": {"已电话联系，救护车已到"}}), http.StatusSeeOther)
	var open int64
	f.st.DB.Model(&models.CrisisEvent{}).Where("episode = ? AND handled_at IS NULL", "ep-a").Count(&open)
	if open != 0 {
		t.Fatalf("%d messages of the handled episode still open", open)
	}
	if page().Find("#episode-1.hl").Length() != 0 {
		t.Error("a handled episode is still highlighted")
	}
	// The resident writes again inside the episode: it is open again.
	f.st.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o2", Kind: "medical", Episode: "ep-a", FollowUp: true, Text: "我不想打电话", CreatedAt: f.now.Add(9 * time.Minute)})
	if ep := page().Find("#episode-1"); !ep.HasClass("hl") || ep.Find("ol.episode > li").Length() != 4 {
		t.Error("a new message in a handled episode does not show as open")
	}
}
