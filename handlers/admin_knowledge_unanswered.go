package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"familybot/kbadmin"
	"familybot/privacy"

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
	groups, err := s.Knowledge.Unanswered(c.Request.Context())
	if err != nil {
		return err
	}
	v := &kbUnansweredView{Page: Page{Title: "未能回答的问题", Nav: "knowledge"}, Days: kbadmin.UnansweredDays, CanEdit: kbCanEdit(c)}
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
	me, _ := staffOf(c)
	m, err := s.Knowledge.Ignore(c.Request.Context(), kbMessageID(c.PostForm("msg")), me.UserID)
	if err != nil {
		return err
	}
	s.audit(c, "kb.unanswered.ignore", fmt.Sprintf("message:%d", m.ID), "")
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/unanswered?ok=kbignored")
	return nil
}

// kbAppend adds the question, as a new variant, to an existing entry.
func (s *Server) kbAppend(c *gin.Context) error {
	eid, err := strconv.ParseUint(c.PostForm("entry"), 10, 64)
	if err != nil {
		eid = 0 // the service asks to choose an entry
	}
	me, _ := staffOf(c)
	e, m, err := s.Knowledge.Append(c.Request.Context(), kbMessageID(c.PostForm("msg")), uint(eid), me.UserID)
	if err != nil {
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

// kbMessageID reads the message number an unanswered-question action names
// (0 when it is not one, which finds nothing).
func kbMessageID(v string) uint64 {
	n, _ := strconv.ParseUint(v, 10, 64)
	return n
}
