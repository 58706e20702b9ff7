package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/messages"
	"familybot/models"
	"familybot/privacy"

	"github.com/gin-gonic/gin"
)

// The 人工 queue (messages.Handoffs says what it holds).

var handoffWhy = map[string]string{models.HandoffAsked: "居民要求找工作人员", models.HandoffMisses: "机器人连续两次没答上"}

type handoffRow struct {
	models.Handoff
	Resident string
	WhyText  string
	Waited   string   // how long an open request has waited
	Phone    string   // masked, from the resident's latest wish or sign-up
	Recent   []string // their latest messages, masked, oldest first
}

type handoffsView struct {
	Page
	Rows []handoffRow
	Done []handoffRow
}

// Handoffs is the 人工 queue (messages.Service).
type Handoffs interface {
	// Handoffs returns the open requests with contact details, and the latest done ones.
	Handoffs(ctx context.Context) (open, done []messages.Handoff, err error)
	OpenHandoffs(ctx context.Context) (int64, error)
	// CloseHandoff marks a request 已联系 (EINVALID: note too long), returning the note kept.
	CloseHandoff(ctx context.Context, id uint64, by models.Staff, note string) (string, error)
}

func (s *Server) handoffsPage(c *gin.Context) error {
	open, done, err := s.Handoffs.Handoffs(c.Request.Context())
	if err != nil {
		return err
	}
	v := &handoffsView{Page: Page{Title: "人工", Nav: "handoffs"}}
	for _, h := range open {
		v.Rows = append(v.Rows, s.handoffRow(h, true))
	}
	for _, h := range done {
		v.Done = append(v.Done, s.handoffRow(h, false))
	}
	s.audit(c, "handoff.view", "handoffs", fmt.Sprintf("rows=%d", len(open)))
	s.render(c, http.StatusOK, "handoffs.html", v)
	return nil
}

// handoffRow shows what staff need to get in touch; details only for open requests.
func (s *Server) handoffRow(h messages.Handoff, details bool) handoffRow {
	r := handoffRow{Handoff: h.Handoff, Resident: residentTag(h.OpenID), WhyText: handoffWhy[h.Why], Phone: h.Phone}
	if !details {
		return r
	}
	r.Waited = handoffSince(h.CreatedAt, s.now())
	for _, m := range h.Recent {
		switch {
		case m.Flagged || m.Route == models.RouteCrisis:
			r.Recent = append(r.Recent, "（危机消息，请到“危机”页查看）")
		case strings.TrimSpace(m.Text) != "":
			r.Recent = append(r.Recent, excerpt(privacy.Mask(m.Text), 60))
		}
	}
	return r
}

// handoffDone marks a request 已联系, with what was done (audited).
func (s *Server) handoffDone(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	note, err := s.Handoffs.CloseHandoff(c.Request.Context(), id, me, c.PostForm("note"))
	if err != nil {
		return err
	}
	s.audit(c, "handoff.done", fmt.Sprintf("handoff:%d", id), fmt.Sprintf("note_chars=%d", utf8.RuneCountInString(note)))
	c.Redirect(http.StatusSeeOther, "/admin/handoffs?ok=handoff_done#result")
	return nil
}

// handoffSince is how long a waiting request has waited, in plain words.
func handoffSince(from, now time.Time) string {
	d := now.Sub(from)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d分钟", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d小时", int(d.Hours()))
	}
	return fmt.Sprintf("%d天", int(d.Hours()/24))
}
