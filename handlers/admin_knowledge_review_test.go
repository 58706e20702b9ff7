package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"familybot/knowledge"
	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/xuri/excelize/v2"
)

var doctor = models.Staff{UserID: "drwang", Name: "王医生", Role: models.RoleReviewer}

// TestKnowledgeReview: a doctor opens the queue, reviews an entry against the
// version shown, and it leaves the queue; staff and admins cannot record a
// review; an admin's edit of the answer puts it back; the queue downloads as a
// workbook; the list filters by review state.
func TestKnowledgeReview(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := kbFixture(t, s)
		if err := s.SaveStaff(context.Background(), doctor); err != nil {
			t.Fatal(err)
		}
		total := len(f.mustEntries())
		entry := f.entry("parenting-fever-care")
		path := fmt.Sprintf("/admin/knowledge/%d", entry.ID)

		dr := f.loggedIn("drwang")
		doc := mustDoc(t, dr.get("/admin/knowledge/review"))
		if got := doc.Find("#waiting").Text(); got != fmt.Sprint(total) {
			t.Fatalf("waiting = %q, want every entry (%d)", got, total)
		}
		if doc.Find(fmt.Sprintf(`a[href="%s"]`, path)).Length() != 1 {
			t.Fatal("the fever entry is not in the queue")
		}
		doc = mustDoc(t, dr.get(path))
		if got := strings.TrimSpace(doc.Find("#review-state").Text()); got != "从未审核" {
			t.Fatalf("state = %q", got)
		}
		form := formValues(t, doc, "#review-form")
		if form.Get("version_hash") == "" {
			t.Fatal("the review form carries no version")
		}
		// The entry page's edit form no longer offers review fields.
		if doc.Find(`#entry-form [name=reviewed_at], #entry-form [name=reviewer]`).Length() != 0 {
			t.Error("the edit form still lets anyone type a review")
		}

		// Meanwhile an admin edits the answer: the doctor's review of the old text is refused.
		boss := f.loggedIn("boss")
		edit := formValues(t, mustDoc(t, boss.get(path)), "#entry-form")
		edit.Set("answer", edit.Get("answer")+"\n5. 退烧后也要多休息。")
		wantStatus(t, boss.post(path, edit), http.StatusSeeOther)
		wantStatus(t, dr.post(path+"/review", form), http.StatusConflict)
		if n := f.auditCount("kb.review"); n != 0 {
			t.Fatalf("%d reviews recorded for a changed text", n)
		}

		// Reading the new text and reviewing it works.
		form = formValues(t, mustDoc(t, dr.get(path)), "#review-form")
		form.Set("note", "已核对，无误")
		w := dr.post(path+"/review", form)
		wantStatus(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/admin/knowledge/review?ok=kbreviewed" {
			t.Fatalf("redirect %q", loc)
		}
		doc = mustDoc(t, dr.get("/admin/knowledge/review?ok=kbreviewed"))
		if got := doc.Find("#waiting").Text(); got != fmt.Sprint(total-1) {
			t.Fatalf("waiting after one review = %q", got)
		}
		doc = mustDoc(t, dr.get(path))
		if got := strings.TrimSpace(doc.Find("#review-state").Text()); got != "已审核" {
			t.Fatalf("state after the review = %q", got)
		}
		if hist := doc.Find("#review-history").Text(); !strings.Contains(hist, "王医生") || !strings.Contains(hist, "已核对，无误") {
			t.Fatalf("history = %q", hist)
		}
		// Residents' replies do not change.
		if got := f.entry("parenting-fever-care"); !strings.Contains(got.Answer, "退烧后也要多休息") || got.Reviewer != "王医生" {
			t.Fatalf("entry after review: %+v", got)
		}

		// Only doctors record reviews.
		for _, who := range []string{"boss", "amy"} {
			c := f.loggedIn(who)
			form := formValues(t, mustDoc(t, c.get(path)), "#entry-form")
			w := c.post(path+"/review", url.Values{"version_hash": {form.Get("version")}})
			wantStatus(t, w, http.StatusForbidden)
		}
		if n := f.auditCount("kb.review"); n != 1 {
			t.Fatalf("reviews audited: %d", n)
		}

		// The list filters by review state.
		doc = mustDoc(t, boss.get("/admin/knowledge?review=ok"))
		if n := doc.Find("ul.entries li").Length(); n != 1 || !strings.Contains(doc.Find("ul.entries").Text(), entry.Title) {
			t.Fatalf("review=ok lists %d entries", n)
		}
		if n := mustDoc(t, boss.get("/admin/knowledge?review=queue")).Find("ul.entries li").Length(); n != total-1 {
			t.Fatalf("review=queue lists %d", n)
		}

		// An admin changes the answer again: back in the queue as changed.
		edit = formValues(t, mustDoc(t, boss.get(path)), "#entry-form")
		edit.Set("see_doctor", edit.Get("see_doctor")+"精神很差请立即就医。")
		wantStatus(t, boss.post(path, edit), http.StatusSeeOther)
		doc = mustDoc(t, dr.get("/admin/knowledge/review"))
		if doc.Find(fmt.Sprintf(`#group-changed a[href="%s"]`, path)).Length() != 1 {
			t.Fatal("an edited entry is not back in the queue as changed")
		}

		// The queue as a workbook: a doctor and an admin may download it, staff may not.
		wantStatus(t, f.loggedIn("amy").get("/admin/knowledge/review.xlsx"), http.StatusForbidden)
		w = dr.get("/admin/knowledge/review.xlsx")
		wantStatus(t, w, http.StatusOK)
		x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		rows, err := x.GetRows("待审核")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != total+1 || rows[0][0] != "编号" {
			t.Fatalf("queue sheet has %d rows (want header + %d)", len(rows), total)
		}
		found := false
		for _, r := range rows[1:] {
			if r[0] == entry.Slug {
				found = r[3] == knowledge.ReviewChanged.Label() && strings.Contains(r[8], "退烧后也要多休息")
			}
		}
		if !found {
			t.Fatal("the edited entry is not in the sheet with its state and answer")
		}
		if all, _ := x.GetRows("全部条目"); len(all) != total+1 {
			t.Fatalf("all sheet: %d rows", len(all))
		}
	})
}

func (f *fixture) mustEntries() []knowledge.Entry {
	f.t.Helper()
	es, err := f.st.ListKBEntries(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

// TestKnowledgeEditKeepsFacetsAndReviewDate: the edit form carries the
// follow-up answers and the policy review date, so saving an unrelated change
// loses neither, and staff can change them.
func TestKnowledgeEditKeepsFacetsAndReviewDate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := kbFixture(t, s)
		e := f.entry("parenting-fever-care")
		e.Facets = map[knowledge.Facet]string{knowledge.FacetMedicine: "按说明书用退烧药。", knowledge.FacetDoctor: "3月龄以下先就医。"}
		due, _ := kbParseDay("2027-01-01")
		e.ReviewBy = due
		if _, err := s.SaveKBEntry(context.Background(), e, false); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/admin/knowledge/%d", e.ID)
		boss := f.loggedIn("boss")
		form := formValues(t, mustDoc(t, boss.get(path)), "#entry-form")
		if form.Get("facet_0") != "按说明书用退烧药。" || form.Get("review_by") != "2027-01-01" {
			t.Fatalf("form facets %q review_by %q", form.Get("facet_0"), form.Get("review_by"))
		}
		form.Set("title", e.Title+"（护理）")
		wantStatus(t, boss.post(path, form), http.StatusSeeOther)
		got := f.entry(e.Slug)
		if got.Facets[knowledge.FacetDoctor] != "3月龄以下先就医。" || got.ReviewBy == nil || kbDay(got.ReviewBy) != "2027-01-01" {
			t.Fatalf("after an unrelated edit: facets %v review_by %v", got.Facets, got.ReviewBy)
		}
		form = formValues(t, mustDoc(t, boss.get(path)), "#entry-form")
		form.Set("facet_0", "")
		form.Set("facet_2", "清淡饮食，多喝水。")
		form.Set("facet_3", strings.Repeat("很长", 101))
		wantStatus(t, boss.post(path, form), http.StatusBadRequest) // over 200 characters
		form.Set("facet_3", "")
		wantStatus(t, boss.post(path, form), http.StatusSeeOther)
		got = f.entry(e.Slug)
		if _, ok := got.Facets[knowledge.FacetMedicine]; ok || got.Facets[knowledge.FacetDiet] != "清淡饮食，多喝水。" {
			t.Fatalf("facets after editing them: %v", got.Facets)
		}
	})
}
