package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/models"
	"familybot/privacy"

	"github.com/gin-gonic/gin"
)

// The 人工 queue: residents who asked for a person (人工, 转人工, the menu's
// contact button) or whom the bot failed twice in a row, until a colleague
// marks them 已联系 with a note of what was done.

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

// maxHandoffNote bounds the note of what was done.
const maxHandoffNote = 200

func (s *Server) handoffsPage(c *gin.Context) error {
	ctx := c.Request.Context()
	open, err := s.Store.ListHandoffs(ctx, false, 200)
	if err != nil {
		return err
	}
	done, err := s.Store.ListHandoffs(ctx, true, 20)
	if err != nil {
		return err
	}
	v := &handoffsView{Page: Page{Title: "人工", Nav: "handoffs"}}
	for _, h := range open {
		v.Rows = append(v.Rows, s.handoffRow(ctx, h, true))
	}
	for _, h := range done {
		v.Done = append(v.Done, s.handoffRow(ctx, h, false))
	}
	s.audit(c, "handoff.view", "handoffs", fmt.Sprintf("rows=%d", len(open)))
	s.render(c, http.StatusOK, "handoffs.html", v)
	return nil
}

// handoffRow fills what staff need to get in touch; details only for open requests.
func (s *Server) handoffRow(ctx context.Context, h models.Handoff, details bool) handoffRow {
	r := handoffRow{Handoff: h, Resident: residentTag(h.OpenID), WhyText: handoffWhy[h.Why]}
	if !details {
		return r
	}
	r.Waited = handoffSince(h.CreatedAt, s.now())
	if msgs, err := s.Store.ListMessagesByOpenID(ctx, h.OpenID, 4); err == nil {
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			switch {
			case m.Flagged || m.Route == models.RouteCrisis:
				r.Recent = append(r.Recent, "（危机消息，请到“危机”页查看）")
			case strings.TrimSpace(m.Text) != "":
				r.Recent = append(r.Recent, excerpt(privacy.Mask(m.Text), 60))
			}
		}
	}
	if ws, err := s.Store.ListWishesByOpenID(ctx, h.OpenID, 5); err == nil {
		for _, w := range ws {
			if strings.TrimSpace(w.Contact) != "" {
				r.Phone = privacy.Mask(w.Contact)
				break
			}
		}
	}
	if r.Phone == "" {
		if sus, err := s.Store.ListSignupsByOpenID(ctx, h.OpenID, s.now().AddDate(-1, 0, 0)); err == nil {
			for i := len(sus) - 1; i >= 0; i-- {
				if sus[i].Phone != "" {
					r.Phone = privacy.MaskPhone(sus[i].Phone)
					break
				}
			}
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
	note := strings.TrimSpace(c.PostForm("note"))
	if utf8.RuneCountInString(note) > maxHandoffNote {
		return models.Errorf(models.EINVALID, "情况说明请不要超过%d个字", maxHandoffNote)
	}
	me, _ := staffOf(c)
	if err := s.Store.CloseHandoff(c.Request.Context(), id, me.Label(), note, s.now()); err != nil {
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
