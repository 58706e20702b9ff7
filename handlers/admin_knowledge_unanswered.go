package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
	"familybot/privacy"
	"familybot/store"

	"github.com/gin-gonic/gin"
)

// ---- Unanswered questions ----

type kbUnansweredRow struct {
	MessageID   uint64
	Text        string // masked
	Count       int
	First, Last time.Time
	Cands       []option   // the nearest entries, to add the question to
	Suggest     string     // the category of the nearest entry
	Wrong       answeredBy // the entry that answered before staff marked it 答错了 (EntryID 0: none)
}

type kbUnansweredView struct {
	Page
	Rows    []kbUnansweredRow
	Days    int
	CanEdit bool
}

// kbUnanswered lists what the bot could not answer, grouped as the matcher
// reads it, each with the nearest entries.
func (s *Server) kbUnanswered(c *gin.Context) error {
	ix, err := s.kb()
	if err != nil {
		return err
	}
	now := s.now()
	groups, err := s.Store.ListUnansweredGroups(c.Request.Context(), now.Add(-kbUnansweredDays*24*time.Hour), kbUnansweredLimit)
	if err != nil {
		return err
	}
	v := &kbUnansweredView{Page: Page{Title: "未能回答的问题", Nav: "knowledge"}, Days: kbUnansweredDays, CanEdit: kbCanEdit(c)}
	for _, g := range groups {
		row := kbUnansweredRow{MessageID: g.MessageID, Text: privacy.Mask(g.Text), Count: g.Count, First: g.First, Last: g.Last}
		if g.WrongEntryID != 0 {
			row.Wrong = s.answeredBy(g.WrongEntryID, g.WrongScore)
		}
		res := ix.Match(row.Text, now)
		for i, cand := range res.Top {
			if i == 3 || cand.Score < kbCandidateFloor {
				break
			}
			if i == 0 {
				row.Suggest = kbCategoryName(cand.Entry.Category)
			}
			row.Cands = append(row.Cands, option{Value: strconv.FormatUint(uint64(cand.Entry.ID), 10),
				Label: fmt.Sprintf("%s（%.2f）", cand.Entry.Title, cand.Score), Selected: i == 0})
		}
		v.Rows = append(v.Rows, row)
	}
	s.audit(c, "kb.unanswered.view", "messages", fmt.Sprintf("rows=%d", len(v.Rows)))
	s.render(c, http.StatusOK, "kb_unanswered.html", v)
	return nil
}

// kbIgnore takes a question off the list (until a resident asks it again).
func (s *Server) kbIgnore(c *gin.Context) error {
	m, err := s.kbUnansweredMessage(c, c.PostForm("msg"))
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	if err := s.Store.MarkUnansweredHandled(c.Request.Context(), m.Text, store.HandledIgnored, me.UserID, 0); err != nil {
		return err
	}
	s.audit(c, "kb.unanswered.ignore", fmt.Sprintf("message:%d", m.ID), "")
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/unanswered?ok=kbignored")
	return nil
}

// kbAppend adds the question, as a new variant, to an existing entry.
func (s *Server) kbAppend(c *gin.Context) error {
	m, err := s.kbUnansweredMessage(c, c.PostForm("msg"))
	if err != nil {
		return err
	}
	eid, err := strconv.ParseUint(c.PostForm("entry"), 10, 64)
	if err != nil || eid == 0 {
		return models.Errorf(models.EINVALID, "请选择要加入的条目。")
	}
	ctx := c.Request.Context()
	row, err := s.Store.GetKBEntry(ctx, uint(eid))
	if err != nil {
		return err
	}
	e := store.KBEntryFromRow(row)
	q := privacy.Mask(strings.TrimSpace(m.Text))
	if utf8.RuneCountInString(q) > 100 {
		return models.Errorf(models.EINVALID, "这个问题太长（超过100字），不适合直接作为问法。请用“加为新条目”或在条目里写一个简短的问法。")
	}
	known := false
	for _, have := range e.Questions {
		known = known || knowledge.Normalize(have) == knowledge.Normalize(q)
	}
	if !known {
		e.Questions = append(e.Questions, q)
		if _, err := s.Store.SaveKBEntry(ctx, e, true); err != nil {
			return err
		}
	}
	me, _ := staffOf(c)
	if err := s.Store.MarkUnansweredHandled(ctx, m.Text, store.HandledAppended, me.UserID, e.ID); err != nil {
		return err
	}
	s.audit(c, "kb.entry.append", fmt.Sprintf("kb:%d", e.ID), fmt.Sprintf("slug=%s from=message:%d", e.Slug, m.ID))
	ok := "kbappended"
	if !s.rebuildKB(c) {
		ok = "kbstale"
	}
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/unanswered?ok="+ok)
	return nil
}
