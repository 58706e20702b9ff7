package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"familybot/bot"
	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/PuerkitoBio/goquery"
)

// kbFixture is the admin fixture with the shipped knowledge base seeded into
// the store, the index built from it, RebuildIndex as in main, and an engine
// whose keyword rules the pages must reload.
func kbFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	f := newFixture(t, s)
	ctx := context.Background()
	seed, err := knowledge.Seed()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SeedKnowledge(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedKBRules(ctx); err != nil {
		t.Fatal(err)
	}
	entries, err := s.ListKBEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.srv.KB = knowledge.NewBase(knowledge.NewIndex(entries, knowledge.DefaultOptions()))
	f.srv.RebuildIndex = func(ctx context.Context) error {
		entries, err := s.ListKBEntries(ctx)
		if err != nil {
			return err
		}
		f.srv.KB.Replace(knowledge.NewIndex(entries, knowledge.DefaultOptions()))
		return nil
	}
	f.srv.Engine = &bot.Engine{Store: s, KB: f.srv.KB, Assoc: f.srv.Cfg.Association, Now: f.clock, TTL: time.Minute}
	return f
}

func (f *fixture) entry(slug string) knowledge.Entry {
	f.t.Helper()
	entries, err := f.st.ListKBEntries(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Slug == slug {
			return e
		}
	}
	f.t.Fatalf("no entry %s", slug)
	return knowledge.Entry{}
}

func (f *fixture) match(q string) knowledge.Result {
	return f.srv.KB.Index().Match(q, f.now)
}

func (f *fixture) fallback(text string, ago time.Duration) uint64 {
	f.t.Helper()
	m := models.Message{OpenID: "o-resident-1", Kind: "text", Text: text, Route: models.RouteFallback, CreatedAt: f.now.Add(-ago)}
	if err := f.st.InsertMessages(context.Background(), []models.Message{m}); err != nil {
		f.t.Fatal(err)
	}
	var id uint64
	f.st.DB.Model(&models.Message{}).Select("max(id)").Scan(&id)
	return id
}

// formValues is what a browser submits for the form sel, as the page renders it.
func formValues(t *testing.T, doc *goquery.Document, sel string) url.Values {
	t.Helper()
	form := doc.Find(sel)
	if form.Length() == 0 {
		t.Fatalf("no form %s", sel)
	}
	v := url.Values{}
	form.Find("input[name], textarea[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		switch {
		case goquery.NodeName(s) == "textarea":
			v.Set(name, s.Text())
		case goquery.NodeName(s) == "select":
			val, _ := s.Find("option[selected]").Attr("value")
			v.Set(name, val)
		case s.AttrOr("type", "") == "checkbox":
			if _, on := s.Attr("checked"); on {
				v.Set(name, s.AttrOr("value", "on"))
			}
		default:
			v.Set(name, s.AttrOr("value", ""))
		}
	})
	return v
}

func TestKnowledgeList(t *testing.T) {
	f := kbFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	fever, roseola, old := f.entry("parenting-fever-care"), f.entry("parenting-roseola"), f.entry("service-echo-wall")
	f.st.AddKBHits(ctx, map[uint]int{fever.ID: 10, roseola.ID: 10})
	for i := 0; i < 4; i++ {
		f.st.AddKBFeedback(ctx, fever.ID, "o1")
	}
	f.st.AddKBFeedback(ctx, roseola.ID, "o1")
	old.Disabled = true
	if _, err := f.st.SaveKBEntry(ctx, old, true); err != nil {
		t.Fatal(err)
	}

	c := f.loggedIn("amy")
	w := c.get("/admin/knowledge")
	wantStatus(t, w, http.StatusOK)
	doc := mustDoc(t, w)
	if n := doc.Find("ul.entries > li").Length(); n != seedCount(t) {
		t.Errorf("entries listed = %d, want %d", n, seedCount(t))
	}
	if got := doc.Find("section.kb-group h2").Map(func(_ int, s *goquery.Selection) string { return strings.Fields(s.Text())[0] }); strings.Join(got, " ") != "科学育儿 青春健康 老年保健 协会服务" {
		t.Errorf("categories = %v", got)
	}
	row := doc.Find(fmt.Sprintf(`a[href="/admin/knowledge/%d"]`, fever.ID)).Closest("li")
	if !row.HasClass("high") || row.Find(".hits").Text() != "10" || row.Find(".unhelpful").Text() != "4" || !strings.Contains(row.Find(".rate").Text(), "40%") {
		t.Errorf("failing entry row: class %q text %q", row.AttrOr("class", ""), row.Text())
	}
	row = doc.Find(fmt.Sprintf(`a[href="/admin/knowledge/%d"]`, roseola.ID)).Closest("li")
	if row.HasClass("high") || !strings.Contains(row.Find(".rate").Text(), "10%") {
		t.Errorf("one 没用 in ten is flagged: %q", row.Text())
	}
	row = doc.Find(fmt.Sprintf(`a[href="/admin/knowledge/%d"]`, old.ID)).Closest("li")
	if !strings.Contains(row.Text(), "停用") || !strings.Contains(row.Text(), "已修改") {
		t.Errorf("disabled, staff-edited row = %q", row.Text())
	}
	if doc.Find("#new-entry").Length() != 0 {
		t.Error("a staff member is offered 新建条目")
	}

	// Search by title; the failing entries first.
	doc = mustDoc(t, c.get("/admin/knowledge?q="+url.QueryEscape("发烧")))
	titles := doc.Find("ul.entries .title").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if len(titles) == 0 || len(titles) > 10 {
		t.Fatalf("search 发烧: %v", titles)
	}
	for _, ti := range titles {
		if !strings.Contains(ti, "发烧") {
			t.Errorf("search 发烧 lists %q", ti)
		}
	}
	if v, _ := doc.Find(`input[name=q]`).Attr("value"); v != "发烧" {
		t.Errorf("search box lost the query: %q", v)
	}
	doc = mustDoc(t, c.get("/admin/knowledge?sort=bad"))
	titles = doc.Find("ul.entries .title").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if len(titles) != 2 || titles[0] != fever.Title {
		t.Errorf("sort=bad: %v", titles)
	}
	doc = mustDoc(t, c.get("/admin/knowledge?cat=service&q="+url.QueryEscape("怎么")))
	titles = doc.Find("ul.entries .title").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if len(titles) == 0 || doc.Find("section.kb-group").Length() != 1 || !strings.HasPrefix(doc.Find("section.kb-group h2").Text(), "协会服务") {
		t.Errorf("category filter: %v", titles)
	}
	if href, _ := doc.Find(`nav[aria-label="筛选"] a.on`).Attr("href"); href != "/admin/knowledge?cat=service&q=%E6%80%8E%E4%B9%88" {
		t.Errorf("selected filter = %q", href)
	}
	wantStatus(t, c.get("/admin/knowledge?q=%3Cscript%3E&sort=%27&cat=%3Cx%3E"), http.StatusOK)
	if mustDoc(t, c.get("/admin/knowledge?q=%3Cscript%3E")).Find("main script").Length() != 0 {
		t.Error("the query became markup")
	}
	if mustDoc(t, f.loggedIn("boss").get("/admin/knowledge")).Find("#new-entry").Length() != 1 {
		t.Error("an admin is not offered 新建条目")
	}
}

func TestKnowledgeEditRebuildsIndex(t *testing.T) {
	storetest.ForEach(t, testKnowledgeEdit)
}

func testKnowledgeEdit(t *testing.T, s *store.Store) {
	f := kbFixture(t, s)
	entry := f.entry("service-contact-staff")
	const variant = "小区门口的快递柜坏了找谁"
	if r := f.match(variant); r.Decision == knowledge.Answer && r.Top[0].Entry.ID == entry.ID {
		t.Fatal("the variant already matches: pick another")
	}
	c := f.loggedIn("boss")
	path := fmt.Sprintf("/admin/knowledge/%d", entry.ID)
	doc := mustDoc(t, c.get(path))
	form := formValues(t, doc, "#entry-form")
	if form.Get("title") != entry.Title || form.Get("category") != "service" || !strings.HasPrefix(form.Get("questions"), entry.Questions[0]+"\n") {
		t.Fatalf("form = %v", form)
	}
	form.Set("questions", form.Get("questions")+"\n"+variant)
	// An edit cannot mark the entry reviewed: only a reviewer's recorded review does.
	form.Set("reviewed_at", "2026/11/20")
	form.Set("reviewer", "王医生")
	w := c.post(path, form)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != path+"?ok=kbsaved" {
		t.Errorf("redirect = %q", loc)
	}
	// The bot uses the new variant at once.
	r := f.match(variant)
	if r.Decision != knowledge.Answer || r.Top[0].Entry.ID != entry.ID {
		t.Fatalf("after the edit %q → %v %v", variant, r.Decision, r.Top)
	}
	got := f.entry(entry.Slug)
	if got.Reviewer != "" || got.ReviewedAt != nil || got.Answer != entry.Answer || len(got.Questions) != len(entry.Questions)+1 {
		t.Errorf("saved = %+v", got)
	}
	row, _ := f.st.GetKBEntry(context.Background(), entry.ID)
	if !row.StaffEdited {
		t.Error("not marked staff edited")
	}
	var a models.AuditLog
	f.st.DB.Where("action = ?", "kb.entry.save").Take(&a)
	if a.Actor != "boss" || a.Object != fmt.Sprintf("kb:%d", entry.ID) || a.Detail != "slug=service-contact-staff changed=questions" {
		t.Errorf("audit = %+v", a)
	}
	doc = mustDoc(t, c.get(path+"?ok=kbsaved"))
	if !strings.Contains(doc.Find(".flash.ok").Text(), "已保存") || !strings.Contains(doc.Find("#state").Text(), "使用中") {
		t.Errorf("after save: %q", doc.Find("main").Text())
	}
	// The test page agrees.
	doc = mustDoc(t, c.get("/admin/knowledge/test?q="+url.QueryEscape(variant)))
	if doc.Find("#decision").Text() != "直接回答" || doc.Find("li.chosen a").Text() != entry.Title ||
		!strings.Contains(doc.Find("#reply").Text(), "【"+entry.Title+"】") {
		t.Errorf("test page: %q", doc.Find("main").Text())
	}

	// Disabling takes the entry out of the index.
	form = formValues(t, mustDoc(t, c.get(path)), "#entry-form")
	form.Set("disabled", "1")
	wantStatus(t, c.post(path, form), http.StatusSeeOther)
	if _, ok := f.srv.KB.Index().Entry(entry.ID); ok {
		t.Error("a disabled entry is still indexed")
	}
}

func TestKnowledgeInvalidEditChangesNothing(t *testing.T) {
	storetest.ForEach(t, testKnowledgeInvalidEdit)
}

func testKnowledgeInvalidEdit(t *testing.T, s *store.Store) {
	f := kbFixture(t, s)
	entry := f.entry("parenting-fever-care")
	c := f.loggedIn("boss")
	path := fmt.Sprintf("/admin/knowledge/%d", entry.ID)
	good := formValues(t, mustDoc(t, c.get(path)), "#entry-form")
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("title", " ")
	bad.Set("questions", "宝宝发烧\n<b>娃发热</b>\n宝宝发烧")
	bad.Set("answer", "")
	bad.Set("expires_at", "2026-13-45")
	w := c.post(path, bad)
	wantStatus(t, w, http.StatusBadRequest)
	doc := mustDoc(t, w)
	problems := doc.Find("#problems li").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	want := []string{"请填写标题", "请至少写 3 种居民的问法，每行一种（现在有 2 种）", "请填写回答", "失效日期请写成 2026-06-01 这样的格式，或留空"}
	if strings.Join(problems, "|") != strings.Join(want, "|") {
		t.Errorf("problems = %q", problems)
	}
	if got := doc.Find("#questions").Text(); got != "宝宝发烧\n<b>娃发热</b>\n宝宝发烧" {
		t.Errorf("typed questions lost: %q", got)
	}
	if v, _ := doc.Find("#expires-at").Attr("value"); v != "2026-13-45" || doc.Find("#entry-form b").Length() != 0 {
		t.Errorf("typed date lost (%q) or text became markup", v)
	}
	if !strings.Contains(doc.Find(".flash.err").Text(), "还没有保存") {
		t.Errorf("flash = %q", doc.Find(".flash.err").Text())
	}
	if got := f.entry(entry.Slug); got.Title != entry.Title || got.Answer != entry.Answer || len(got.Questions) != len(entry.Questions) {
		t.Errorf("an invalid edit changed the entry: %+v", got)
	}
	if row, _ := f.st.GetKBEntry(context.Background(), entry.ID); row.StaffEdited || f.auditCount("kb.entry.save") != 0 {
		t.Error("an invalid edit was recorded")
	}

	// Expiry before the start date.
	bad = url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("effective_from", "2026-06-01")
	bad.Set("expires_at", "2026-05-01")
	doc = mustDoc(t, c.post(path, bad))
	if got := doc.Find("#problems").Text(); !strings.Contains(got, "失效日期须晚于生效日期") {
		t.Errorf("date order: %q", got)
	}

	// A colleague saved in between: nothing is overwritten silently.
	f.now = f.now.Add(time.Minute)
	other := entry
	other.Answer = "同事改过的回答"
	if _, err := f.st.SaveKBEntry(context.Background(), other, true); err != nil {
		t.Fatal(err)
	}
	stale := url.Values{}
	for k, v := range good {
		stale[k] = v
	}
	stale.Set("answer", "我改的回答")
	w = c.post(path, stale)
	wantStatus(t, w, http.StatusConflict)
	doc = mustDoc(t, w)
	if !strings.Contains(doc.Find(".flash.err").Text(), "刚被其他同事修改过") || doc.Find("#answer").Text() != "我改的回答" {
		t.Errorf("conflict page: %q / %q", doc.Find(".flash.err").Text(), doc.Find("#answer").Text())
	}
	if got := f.entry(entry.Slug); got.Answer != "同事改过的回答" {
		t.Errorf("the colleague's answer was overwritten: %q", got.Answer)
	}
	// Saving again from that page is deliberate.
	wantStatus(t, c.post(path, formValues(t, doc, "#entry-form")), http.StatusSeeOther)
	if got := f.entry(entry.Slug); got.Answer != "我改的回答" {
		t.Errorf("second save: %q", got.Answer)
	}
}

func TestKnowledgeTestPage(t *testing.T) {
	f := kbFixture(t, storetest.SQLite(t))
	c := f.loggedIn("amy")
	wantStatus(t, c.get("/admin/knowledge/test"), http.StatusOK)
	if mustDoc(t, c.get("/admin/knowledge/test")).Find("#verdict").Length() != 0 {
		t.Error("a verdict without a question")
	}

	doc := mustDoc(t, c.get("/admin/knowledge/test?q="+url.QueryEscape("宝宝發燒了怎麼辦？")))
	if doc.Find("#decision").Text() != "直接回答" || doc.Find("#normalized").Text() != "宝宝发烧了怎么办" {
		t.Errorf("verdict: %q", doc.Find("#verdict").Text())
	}
	cands := doc.Find("ol.cands > li")
	if cands.Length() < 2 || !cands.First().HasClass("chosen") || cands.First().Find(".score").Text() == "" {
		t.Fatalf("candidates: %q", cands.Text())
	}
	if why := cands.First().Find(".why li").First().Text(); !strings.HasPrefix(why, "命中：") || !strings.Contains(why, "发烧") {
		t.Errorf("reasons = %q", why)
	}
	fever := f.entry("parenting-fever-care")
	if reply := doc.Find("#reply").Text(); !strings.HasPrefix(reply, "【"+fever.Title+"】") || !strings.Contains(reply, "没帮上忙请回复“没用”") {
		t.Errorf("reply = %q", reply)
	}

	// A crisis: the crisis reply, and nothing recorded or counted.
	doc = mustDoc(t, c.get("/admin/knowledge/test?q="+url.QueryEscape("我不想活了")))
	if doc.Find("#decision").Text() != "危机" || !strings.Contains(doc.Find("#crisis").Text(), "自伤风险") ||
		!strings.Contains(doc.Find("#reply").Text(), "12356") || !doc.Find("#verdict").HasClass("alert") {
		t.Errorf("crisis: %q", doc.Find("main").Text())
	}
	var n int64
	for _, m := range []any{&models.CrisisEvent{}, &models.Message{}, &models.Resident{}, &models.Conversation{}, &models.KBFeedback{}} {
		f.st.DB.Model(m).Count(&n)
		if n != 0 {
			t.Errorf("testing wrote %T rows: %d", m, n)
		}
	}
	var hits int64
	f.st.DB.Model(&models.KBEntry{}).Select("sum(hits)").Scan(&hits)
	if hits != 0 {
		t.Errorf("testing counted hits: %d", hits)
	}

	// A keyword rule answers before the knowledge base.
	doc = mustDoc(t, c.get("/admin/knowledge/test?q="+url.QueryEscape("电话")))
	if got := doc.Find("#route").Text(); !strings.Contains(got, "关键词规则") || !strings.Contains(got, "联系电话") ||
		doc.Find("#decision").Text() != "关键词回复" || !strings.Contains(doc.Find("#kb-decision").Text(), "直接回答") {
		t.Errorf("keyword route = %q, decision %q, kb %q", got, doc.Find("#decision").Text(), doc.Find("#kb-decision").Text())
	}
	// Nothing matches: the fallback, said honestly.
	doc = mustDoc(t, c.get("/admin/knowledge/test?q="+url.QueryEscape("今天股市怎么样")))
	if doc.Find("#decision").Text() != "兜底" || doc.Find("#reply").Text() == "" {
		t.Errorf("fallback: %q", doc.Find("main").Text())
	}
	// A command is not run.
	doc = mustDoc(t, c.get("/admin/knowledge/test?q="+url.QueryEscape("许愿 希望多办讲座")))
	if doc.Find("#reply").Length() != 0 || doc.Find("#decision").Text() != "指令" {
		t.Error("a command was run or its reply shown")
	}
	var wishes int64
	f.st.DB.Model(&models.Wish{}).Count(&wishes)
	if wishes != 0 {
		t.Error("testing 许愿 made a wish")
	}
	// What staff type is text.
	doc = mustDoc(t, c.get("/admin/knowledge/test?q="+url.QueryEscape(hostile)))
	if doc.Find("main script, main img").Length() != 0 || !strings.Contains(doc.Find("#q").Text(), "<script>") {
		t.Error("the question became markup")
	}
}

func TestUnansweredQuestions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := kbFixture(t, s)
		ctx := context.Background()
		const card = "老年人办理老年证需要什么材料"
		f.fallback(card+" 电话13912345678", 3*time.Hour)
		f.fallback("老年人办理老年证需要什么材料？电话13912345678", time.Hour)
		f.fallback(`<script>alert(1)</script>小区门口的快递柜坏了找谁`, 2*time.Hour)
		toIgnore := f.fallback("哈哈哈 今天股市怎么样", 30*time.Minute)
		f.fallback("很久以前的问题", 40*24*time.Hour)

		amyC := f.loggedIn("amy")
		w := amyC.get("/admin/knowledge/unanswered")
		wantStatus(t, w, http.StatusOK)
		doc := mustDoc(t, w)
		qs := doc.Find("section.q")
		texts := qs.Find(".qtext").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		want := []string{"哈哈哈 今天股市怎么样", "老年人办理老年证需要什么材料？电话139****5678", "<script>alert(1)</script>小区门口的快递柜坏了找谁"}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Fatalf("groups = %q", texts)
		}
		if got := qs.Eq(1).Find(".count").Text(); got != "2 次" || !strings.Contains(qs.Eq(1).Text(), "最接近的类别：协会服务") {
			t.Errorf("count = %q, row %q", got, qs.Eq(1).Text())
		}
		if strings.Contains(w.Body.String(), "13912345678") || doc.Find("main script").Length() != 0 {
			t.Error("a number is shown in full or a question became markup")
		}
		if doc.Find(`form[action$="/append"]`).Length() != 0 || doc.Find(`a[href^="/admin/knowledge/new"]`).Length() != 0 {
			t.Error("a staff member is offered to change the knowledge base")
		}
		if f.auditCount("kb.unanswered.view") != 1 {
			t.Error("the view is not audited")
		}
		// Staff may ignore; admins only may add.
		wantStatus(t, amyC.post("/admin/knowledge/unanswered/ignore", url.Values{"msg": {fmt.Sprint(toIgnore)}}), http.StatusSeeOther)
		wantStatus(t, amyC.post("/admin/knowledge/unanswered/append", url.Values{"msg": {"1"}, "entry": {"1"}}), http.StatusForbidden)
		wantStatus(t, amyC.get("/admin/knowledge/new?from=1"), http.StatusForbidden)

		c := f.loggedIn("boss")
		doc = mustDoc(t, c.get("/admin/knowledge/unanswered?ok=kbignored"))
		if doc.Find("section.q").Length() != 2 || !strings.Contains(doc.Find(".flash.ok").Text(), "已忽略") {
			t.Fatalf("after ignoring: %q", doc.Find("main").Text())
		}

		// 加到已有条目: the question becomes a variant of the chosen entry and then matches it.
		checkup := f.entry("elderly-annual-checkup")
		sec := doc.Find("section.q").First()
		form := formValues(t, goquery.NewDocumentFromNode(sec.Nodes[0]), "form.append")
		if form.Get("entry") == "" || sec.Find(`select[name=entry] option`).Length() == 0 {
			t.Fatalf("no candidates offered: %q", sec.Text())
		}
		form.Set("entry", fmt.Sprint(checkup.ID))
		w = c.post("/admin/knowledge/unanswered/append", form)
		wantStatus(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/admin/knowledge/unanswered?ok=kbappended" {
			t.Errorf("redirect = %q", loc)
		}
		got := f.entry(checkup.Slug)
		if last := got.Questions[len(got.Questions)-1]; last != "老年人办理老年证需要什么材料？电话139****5678" {
			t.Errorf("appended %q", last)
		}
		if r := f.match(card); r.Decision != knowledge.Answer || r.Top[0].Entry.ID != checkup.ID {
			t.Errorf("after appending %q → %v %v", card, r.Decision, r.Top)
		}
		var a models.AuditLog
		f.st.DB.Where("action = ?", "kb.entry.append").Take(&a)
		if a.Object != fmt.Sprintf("kb:%d", checkup.ID) || strings.Contains(a.Detail, "老年") {
			t.Errorf("audit = %+v", a)
		}

		// 加为新条目: the form is pre-filled; saving it creates the entry, which then answers.
		doc = mustDoc(t, c.get("/admin/knowledge/unanswered"))
		if doc.Find("section.q").Length() != 1 {
			t.Fatalf("after appending: %q", doc.Find("main").Text())
		}
		href, _ := doc.Find(`section.q a[href^="/admin/knowledge/new?from="]`).Attr("href")
		doc = mustDoc(t, c.get(href))
		form = formValues(t, doc, "#entry-form")
		if form.Get("questions") != "<script>alert(1)</script>小区门口的快递柜坏了找谁\n" || form.Get("from") == "" ||
			!strings.Contains(doc.Find("#from-text").Text(), "快递柜") || doc.Find("main script").Length() != 0 {
			t.Fatalf("pre-filled form = %v", form)
		}
		if form.Get("category") != "" {
			t.Errorf("category %q suggested from an entry that shares almost nothing", form.Get("category"))
		}
		form.Set("category", "service")
		form.Set("title", "快递柜、物业问题找谁")
		form.Set("questions", "小区门口的快递柜坏了找谁\n快递柜坏了\n物业不管快递柜怎么办")
		form.Set("keywords", "快递柜，物业")
		form.Set("answer", "快递柜和物业的问题请联系小区物业或社区居委会，我们无法直接处理。")
		form.Set("source", "本会服务说明")
		w = c.post("/admin/knowledge", form)
		wantStatus(t, w, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		if !regexp.MustCompile(`^/admin/knowledge/\d+\?ok=kbcreated$`).MatchString(loc) {
			t.Fatalf("redirect = %q", loc)
		}
		r := f.match("快递柜坏了找谁")
		if r.Decision != knowledge.Answer || r.Top[0].Entry.Title != "快递柜、物业问题找谁" ||
			!regexp.MustCompile(`^service-[0-9a-f]{6}$`).MatchString(r.Top[0].Entry.Slug) {
			t.Errorf("the new entry does not answer: %v %+v", r.Decision, r.Top)
		}
		if n := mustDoc(t, c.get("/admin/knowledge/unanswered")).Find("section.q").Length(); n != 0 {
			t.Errorf("%d questions left", n)
		}
		if f.auditCount("kb.entry.create") != 1 || f.auditCount("kb.unanswered.ignore") != 1 {
			t.Error("not audited")
		}
		// Asked again after it was added: back on the list (the bot still failed).
		f.now = f.now.Add(time.Minute)
		f.fallback("哈哈哈，今天股市怎么样？", 0)
		if n := mustDoc(t, c.get("/admin/knowledge/unanswered")).Find("section.q").Length(); n != 1 {
			t.Errorf("asked again: %d questions", n)
		}
		_ = ctx
	})
}

func TestKnowledgeCreateProblems(t *testing.T) {
	f := kbFixture(t, storetest.SQLite(t))
	c := f.loggedIn("boss")
	form := url.Values{"category": {"parenting"}, "title": {"新条目"}, "questions": {"一\n二\n三"}, "answer": {"回答"},
		"source": {"依据"}, "slug": {"parenting-fever-care"}}
	w := c.post("/admin/knowledge", form)
	wantStatus(t, w, http.StatusConflict)
	if got := mustDoc(t, w).Find("#problems").Text(); !strings.Contains(got, "已被其他条目使用") {
		t.Errorf("duplicate slug: %q", got)
	}
	form.Set("slug", "Bad Slug!")
	w = c.post("/admin/knowledge", form)
	wantStatus(t, w, http.StatusBadRequest)
	if got := mustDoc(t, w).Find("#problems").Text(); !strings.Contains(got, "编号只能用小写字母") {
		t.Errorf("bad slug: %q", got)
	}
	form.Set("slug", "")
	form.Set("category", "other")
	doc := mustDoc(t, c.post("/admin/knowledge", form))
	if got := doc.Find("#problems li").Text(); got != "请选择类别" {
		t.Errorf("bad category: %q", got)
	}
	var n int64
	f.st.DB.Model(&models.KBEntry{}).Count(&n)
	if n != int64(seedCount(t)) || f.auditCount("kb.entry.create") != 0 {
		t.Errorf("entries = %d", n)
	}
	wantStatus(t, c.get("/admin/knowledge/99999"), http.StatusNotFound)
	wantStatus(t, c.get("/admin/knowledge/abc"), http.StatusNotFound)
}

func TestKeywordRules(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := kbFixture(t, s)
		say := func(text string) string {
			return f.srv.Engine.Handle(context.Background(), bot.Inbound{OpenID: "o-r", Kind: bot.KindText, Text: text}).Text
		}
		before := say("电话") // the engine caches the rules: the pages must make it read them again
		if !strings.Contains(before, "联系电话") {
			t.Fatalf("seed rule reply = %q", before)
		}
		c := f.loggedIn("boss")
		doc := mustDoc(t, c.get("/admin/knowledge/rules"))
		if doc.Find("ul.rules > li").Length() != 3 || doc.Find("#conflicts").Length() != 0 {
			t.Fatalf("rules page: %q", doc.Find("main").Text())
		}

		// Create: a higher-priority rule that takes over 电话.
		doc = mustDoc(t, c.get("/admin/knowledge/rules/new"))
		form := formValues(t, doc, "#rule-form")
		form.Set("name", "热线")
		form.Set("keywords", "电话，热线电话")
		form.Set("match", "equal")
		form.Set("priority", "20")
		form.Set("reply", "热线：{{phone}}")
		w := c.post("/admin/knowledge/rules", form)
		wantStatus(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/admin/knowledge/rules?ok=rulesaved" {
			t.Errorf("redirect = %q", loc)
		}
		if got := say("电话"); !strings.HasPrefix(got, "热线：") {
			t.Errorf("the engine did not reload its rules: %q", got)
		}
		doc = mustDoc(t, c.get("/admin/knowledge/rules"))
		conflicts := doc.Find("#conflicts li")
		if conflicts.Length() != 1 || !strings.Contains(conflicts.Text(), "关键词“电话”") || !strings.Contains(conflicts.Text(), "优先级更高") {
			t.Fatalf("conflicts: %q", doc.Find("#conflicts").Text())
		}
		var rule models.KBRule
		f.st.DB.Where("name = ?", "热线").Take(&rule)
		li := doc.Find(fmt.Sprintf("#rule-%d", rule.ID))
		if !li.HasClass("hl") || li.Find(".priority").Text() != "20" || !strings.Contains(li.Text(), "完全一致") || !strings.Contains(li.Text(), "工作人员添加") {
			t.Errorf("new rule row: %q", li.Text())
		}
		if rule.Origin != "staff" || !rule.Enabled {
			t.Errorf("rule = %+v", rule)
		}

		// Edit: lower its priority and turn it off; the conflict goes away.
		path := fmt.Sprintf("/admin/knowledge/rules/%d", rule.ID)
		doc = mustDoc(t, c.get(path))
		if doc.Find("#conflicts li").Length() != 1 {
			t.Errorf("the rule page does not show its conflict")
		}
		form = formValues(t, doc, "#rule-form")
		if form.Get("keywords") != "电话\n热线电话" || form.Get("enabled") != "1" || form.Get("priority") != "20" {
			t.Fatalf("edit form = %v", form)
		}
		form.Set("priority", "5")
		form.Del("enabled")
		wantStatus(t, c.post(path, form), http.StatusSeeOther)
		if got := say("电话"); !strings.Contains(got, "联系电话") {
			t.Errorf("a disabled rule still answers: %q", got)
		}
		doc = mustDoc(t, c.get("/admin/knowledge/rules"))
		if doc.Find("#conflicts").Length() != 0 || !strings.Contains(doc.Find(fmt.Sprintf("#rule-%d", rule.ID)).Text(), "停用") {
			t.Errorf("after disabling: %q", doc.Find("main").Text())
		}

		// Invalid: the problems, the typed values, nothing saved.
		bad := url.Values{"name": {"<b>空</b>"}, "kind": {"keyword"}, "keywords": {"？！"}, "match": {"like"}, "priority": {"abc"}, "reply": {""}}
		w = c.post("/admin/knowledge/rules", bad)
		wantStatus(t, w, http.StatusBadRequest)
		doc = mustDoc(t, w)
		if n := doc.Find("#problems li").Length(); n != 4 {
			t.Errorf("problems: %q", doc.Find("#problems").Text())
		}
		if v, _ := doc.Find("#name").Attr("value"); v != "<b>空</b>" || doc.Find("main form b").Length() != 0 {
			t.Errorf("typed name = %q", v)
		}
		var n int64
		f.st.DB.Model(&models.KBRule{}).Count(&n)
		if n != 4 {
			t.Errorf("rules = %d", n)
		}

		// Delete.
		w = c.post(path+"/delete", nil)
		wantStatus(t, w, http.StatusSeeOther)
		if _, err := f.st.GetKBRule(context.Background(), rule.ID); !models.IsCode(err, models.ENOTFOUND) {
			t.Errorf("deleted rule: %v", err)
		}
		for _, a := range []string{"kb.rule.create", "kb.rule.save", "kb.rule.delete"} {
			if f.auditCount(a) != 1 {
				t.Errorf("audit %s = %d", a, f.auditCount(a))
			}
		}
		wantStatus(t, c.post(path+"/delete", nil), http.StatusNotFound)
	})
}

func TestKnowledgeRolesAndCSRF(t *testing.T) {
	f := kbFixture(t, storetest.SQLite(t))
	entry := f.entry("parenting-fever-care")
	path := fmt.Sprintf("/admin/knowledge/%d", entry.ID)
	boss := f.loggedIn("boss")
	form := formValues(t, mustDoc(t, boss.get(path)), "#entry-form")
	form.Set("answer", "被篡改的回答")

	// Staff read the entry, read-only; they cannot save it or touch rules.
	amyC := f.loggedIn("amy")
	doc := mustDoc(t, amyC.get(path))
	if _, ro := doc.Find("#answer").Attr("readonly"); !ro || doc.Find("#save").Length() != 0 {
		t.Error("staff get an editable form")
	}
	amyForm := url.Values{}
	for k, v := range form {
		amyForm[k] = v
	}
	amyForm.Del("csrf")
	wantStatus(t, amyC.post(path, amyForm), http.StatusForbidden)
	wantStatus(t, amyC.get("/admin/knowledge/rules"), http.StatusOK)
	for _, p := range []string{"/admin/knowledge/rules/new", "/admin/knowledge/rules/1"} {
		wantStatus(t, amyC.get(p), http.StatusForbidden)
	}
	wantStatus(t, amyC.post("/admin/knowledge/rules", url.Values{"name": {"x"}}), http.StatusForbidden)
	wantStatus(t, amyC.post("/admin/knowledge/rules/1/delete", nil), http.StatusForbidden)
	wantStatus(t, amyC.post("/admin/knowledge", url.Values{"title": {"x"}}), http.StatusForbidden)

	// No CSRF token: 403, nothing changes.
	form.Set("csrf", "")
	wantStatus(t, boss.post(path, form), http.StatusForbidden)
	wantStatus(t, boss.post("/admin/knowledge/rules/1/delete", url.Values{"csrf": {"wrong"}}), http.StatusForbidden)
	id := f.fallback("没人回答的问题", time.Minute)
	wantStatus(t, boss.post("/admin/knowledge/unanswered/ignore", url.Values{"csrf": {""}, "msg": {fmt.Sprint(id)}}), http.StatusForbidden)
	if got := f.entry(entry.Slug); got.Answer != entry.Answer {
		t.Error("a forged or forbidden request changed the entry")
	}
	if _, err := f.st.GetKBRule(context.Background(), 1); err != nil {
		t.Error("a forged request deleted a rule")
	}
	if n := mustDoc(t, boss.get("/admin/knowledge/unanswered")).Find("section.q").Length(); n != 1 {
		t.Error("a forged request ignored a question")
	}
	// State never changes on GET.
	wantStatus(t, boss.get("/admin/knowledge/unanswered/ignore?msg=1"), http.StatusMethodNotAllowed)
	wantStatus(t, boss.get("/admin/knowledge/rules/1/delete"), http.StatusMethodNotAllowed)
	if f.auditCount("kb.entry.save") != 0 || f.auditCount("csrf.reject") != 3 || f.auditCount("forbidden") < 6 {
		t.Errorf("audit: save %d csrf %d forbidden %d", f.auditCount("kb.entry.save"), f.auditCount("csrf.reject"), f.auditCount("forbidden"))
	}
}

// seedCount is the number of embedded entries (the content grows; tests should not care by how much).
func seedCount(t *testing.T) int {
	t.Helper()
	seed, err := knowledge.Seed()
	if err != nil {
		t.Fatal(err)
	}
	return len(seed)
}
