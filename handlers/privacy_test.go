package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"familybot/bot"
	"familybot/cache"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/PuerkitoBio/goquery"
)

// readDigits keeps only the digits of s, whatever their form, as ASCII.
var readDigits = strings.NewReplacer(
	"０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9",
	"零", "0", "〇", "0", "一", "1", "幺", "1", "二", "2", "两", "2", "三", "3", "四", "4", "五", "5",
	"六", "6", "七", "7", "八", "8", "九", "9")

// readable reports whether the whole number can be read in s: its middle digits
// next to its first three or its last four.
func readable(s, number string) bool {
	var b strings.Builder
	for _, r := range readDigits.Replace(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return strings.Contains(b.String(), number[:7]) || strings.Contains(b.String(), number[3:])
}

// The formats the security test found shown in full (issue 14, finding 1).
var leakedFormats = []struct{ written, number string }{
	{"139－1234－5608", "13912345608"}, {"139.1234.5604", "13912345604"}, {"139 - 2345 - 6701", "13923456701"},
	{"139  3456  7802", "13934567802"}, {"139—4567—8903", "13945678903"}, {"139_5678_9004", "13956789004"},
	{"139/6789/0105", "13967890105"}, {"139，7890，1206", "13978901206"}, {"139、8901、2307", "13989012307"},
	{"139*9012*3408", "13990123408"}, {"一三九 零一二三 四五零九", "13901234509"}, {"+86 158 1122 3310", "15811223310"},
	{"１８６－２２３３－４４１１", "18622334411"}, {"幺八八两三四五六七八九", "18823456789"},
}

// A number a resident writes in any of those forms is masked in the stored
// message-log row, on /admin/messages, /admin/knowledge/unanswered, the wish
// inbox, wish page and wishes.csv, and /admin/crisis (the original only behind
// the audited reveal), and is not on the public /wall at all.
func TestNumbersMaskedEverywhere(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := kbFixture(t, s)
		ctx := context.Background()
		rec := bot.NewBatchRecorder(s, nil)
		t.Cleanup(rec.Close)
		e := &bot.Engine{Store: s, KB: f.srv.KB, Wishes: f.wish, Alerts: f.notif, Recorder: rec, Recent: cache.NewMemoryState(),
			Assoc: f.srv.Cfg.Association, Limits: f.srv.Cfg.Limits, TTL: 15 * time.Minute, Now: f.clock}
		say := func(openID, text string) string {
			return e.Handle(ctx, bot.Inbound{OpenID: openID, Kind: bot.KindText, Text: text}).Text
		}
		for i, lf := range leakedFormats {
			say(fmt.Sprintf("o-ask-%d", i), "小区门口的快递柜坏了找谁，请回电话"+lf.written)
		}
		wishFmt, contactFmt := leakedFormats[0], leakedFormats[10]
		for _, m := range []string{"许愿", "希望小区多装几盏路灯，我电话" + wishFmt.written, "1", "王阿姨 " + contactFmt.written, "1"} {
			say("o-wisher", m)
		}
		rec.Flush()
		crisisFmt := leakedFormats[1]
		if err := s.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o-x", Kind: "violence", Text: "他又打我了，我的电话" + crisisFmt.written, CreatedAt: f.now}); err != nil {
			t.Fatal(err)
		}

		// The stored message-log rows.
		var stored []string
		if err := s.DB.Model(&models.Message{}).Where("open_id LIKE ?", "o-ask-%").Order("id").Pluck("text", &stored).Error; err != nil {
			t.Fatal(err)
		}
		if len(stored) != len(leakedFormats) {
			t.Fatalf("%d message-log rows, want %d", len(stored), len(leakedFormats))
		}
		for i, lf := range leakedFormats {
			if readable(stored[i], lf.number) || !strings.Contains(stored[i], "****") {
				t.Errorf("stored row %q keeps %s", stored[i], lf.written)
			}
		}

		c := f.loggedIn("boss")
		csv := c.get("/admin/wishes.csv")
		wantStatus(t, csv, http.StatusOK)
		pages := map[string]string{"/admin/wishes.csv": csv.Body.String()}
		for _, p := range []string{"/admin/messages", "/admin/knowledge/unanswered", "/admin/wishes", "/admin/wishes/1", "/admin/crisis"} {
			w := c.get(p)
			if w.Code != http.StatusOK {
				t.Fatalf("%s: %d", p, w.Code)
			}
			pages[p] = mustDoc(t, w).Find("main").Text()
		}
		// Each number is checked on its own row or line, so digits of neighbours never join up.
		lines := func(page string) []string {
			if page == "/admin/wishes.csv" {
				return strings.Split(pages[page], "\n")
			}
			doc, _ := goquery.NewDocumentFromReader(strings.NewReader(c.get(page).Body.String()))
			return doc.Find("main li, main tr, main section, main p, main .card").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		}
		shows := map[string][]struct{ written, number string }{
			"/admin/messages":             leakedFormats,
			"/admin/knowledge/unanswered": leakedFormats,
			"/admin/wishes":               {wishFmt, contactFmt},
			"/admin/wishes/1":             {wishFmt, contactFmt},
			"/admin/wishes.csv":           {wishFmt, contactFmt},
			"/admin/crisis":               {crisisFmt},
		}
		for page, formats := range shows {
			if !strings.Contains(pages[page], "****") {
				t.Errorf("%s shows no masked number", page)
			}
			for _, line := range lines(page) {
				for _, lf := range formats {
					if readable(line, lf.number) {
						t.Errorf("%s shows %s in full: %q", page, lf.written, line)
					}
				}
			}
		}

		// The crisis page's audited reveal still shows the original to staff.
		w := c.post("/admin/crisis/1/reveal", nil)
		wantStatus(t, w, http.StatusOK)
		if !strings.Contains(w.Body.String(), crisisFmt.written) || f.auditCount("crisis.reveal") != 1 {
			t.Errorf("the audited reveal does not show the original")
		}

		// Published on the 回音壁 with a reply that also holds a landline: no number at all.
		if _, err := f.wish.Accept(ctx, boss, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := f.wish.Finish(ctx, boss, 1, "已安排，联系(0571)8765 4321或139－1111－2222"); err != nil {
			t.Fatal(err)
		}
		wall := f.client().get("/wall")
		wantStatus(t, wall, http.StatusOK)
		doc := mustDoc(t, wall)
		if doc.Find("article").Length() != 1 || !strings.Contains(doc.Find("article").Text(), "号码已隐去") {
			t.Fatalf("wall: %s", doc.Find("main").Text())
		}
		for _, n := range []string{wishFmt.number, contactFmt.number, "05718765432", "13911112222"} {
			if readable(doc.Find("article").Text(), n) {
				t.Errorf("the wall shows %s", n)
			}
		}
		if txt := doc.Find("article").Text(); strings.Contains(txt, "*") {
			t.Errorf("the wall shows a masked number: %q", txt)
		}
	})
}
