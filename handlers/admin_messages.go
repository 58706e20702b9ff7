package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// answeredBy is the entry that answered a message, as 留言 and the
// unanswered list show it: its title (linked), the first line of its answer
// and how close the match was.
type answeredBy struct {
	EntryID uint
	Title   string
	First   string // the answer's first line, shortened
	Score   string
}

// answerPreview bounds the first line of an answer shown beside a message.
const answerPreview = 60

// answeredBy looks the entry up in the bot's knowledge base (an entry since
// removed keeps its number).
func (s *Server) answeredBy(id uint, score float64) answeredBy {
	a := answeredBy{EntryID: id, Title: fmt.Sprintf("条目 #%d", id), Score: fmt.Sprintf("%.2f", score)}
	ix, err := s.kb()
	if err != nil {
		return a
	}
	e, ok := ix.Entry(id)
	if !ok {
		return a
	}
	a.Title = e.Title
	for _, line := range strings.Split(e.Answer, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			a.First = line
			break
		}
	}
	if utf8.RuneCountInString(a.First) > answerPreview {
		a.First = string([]rune(a.First)[:answerPreview]) + "…"
	}
	return a
}

// messageWrong marks the bot's answer to a message as wrong (答错了): the
// question goes to 未能回答的问题 with the entry that answered it, so staff
// can fix the content. Audited.
func (s *Server) messageWrong(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	w, err := s.Messages.MarkWrong(c.Request.Context(), id, me.UserID)
	if err != nil {
		return err
	}
	s.audit(c, "message.wrong", fmt.Sprintf("message:%d", id), fmt.Sprintf("entry=%d", w.EntryID))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/messages?ok=marked_wrong#msg-%d", id))
	return nil
}
