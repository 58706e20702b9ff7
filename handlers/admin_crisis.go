package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/crisis"
	"familybot/models"
	"familybot/privacy"

	"github.com/gin-gonic/gin"
)

// crisisEpisode is one resident's crisis on the 危机消息 page: the crisis
// message and everything the resident wrote inside the episode after it.
type crisisEpisode struct {
	Key       string // for the element id
	KindText  string
	Detail    string // the emergency and who is at risk, when the crisis layer said
	Resident  string
	Rows      []crisisRow // oldest first
	Open      bool        // a message is not handled yet
	LastID    uint64      // handling and replying act on the episode up to this message
	HandledBy string
	HandledAt *time.Time
	// FollowedBy is who said 我来跟进 on the WeCom card for a message of the episode.
	FollowedBy string
	Notes      []crisisNoteRow // what staff did: replies, calls, notes, closing; oldest first
	SelfHarm   bool            // closing asks 已确认居民目前安全
	Window     replyWindow     // whether the official account can still write to the resident
	Problem    crisisProblem   // the form that came back invalid, with what was typed
}

// crisisNoteRow is one line of an episode's history of staff actions.
type crisisNoteRow struct {
	models.CrisisNote
	What  string
	Shown string // numbers masked
}

var crisisNoteTexts = map[models.CrisisNoteKind]string{models.CrisisNoteReply: "回复居民", models.CrisisNoteCalled: "已电话联系",
	models.CrisisNoteNote: "处理记录", models.CrisisNoteClosed: "标记已处理"}

// crisisProblem is a crisis form sent back: which episode (its LastID), the
// field at fault, the message, and what was typed, so nothing is lost.
type crisisProblem struct {
	ID          uint64
	Field, Text string
	Reply, Note string
}

const crisisProblemKey = "crisis_problem"

// crisisInvalid shows the crisis page again with the form's problem (400).
func (s *Server) crisisInvalid(c *gin.Context, id uint64, field, text string) error {
	c.Set(crisisProblemKey, crisisProblem{ID: id, Field: field, Text: text, Reply: c.PostForm("text"), Note: c.PostForm("note")})
	return s.renderCrisis(c, http.StatusBadRequest, 0)
}

// replyWindow is WeChat's 48 hours for customer-service messages, counted
// from the resident's last message.
type replyWindow struct {
	Open bool
	Text string
}

func (s *Server) replyWindow(ep crisis.Episode) replyWindow {
	if !ep.CanReply(s.now()) {
		return replyWindow{Text: "已超过48小时，公众号发不出去了，请电话联系"}
	}
	return replyWindow{Open: true, Text: "可回复至 " + ep.ReplyUntil.In(models.Beijing).Format("1月2日 15:04")}
}

// crisisNoteRows shows an episode's history of staff actions.
func crisisNoteRows(notes []models.CrisisNote) []crisisNoteRow {
	var out []crisisNoteRow
	for _, n := range notes {
		shown := privacy.Mask(n.Text)
		if n.Kind == models.CrisisNoteCalled { // "已电话联系：已电话联系，孩子已送医" says it twice
			shown = strings.TrimLeft(strings.TrimPrefix(shown, "已电话联系"), "，,：: ")
		}
		out = append(out, crisisNoteRow{CrisisNote: n, What: crisisNoteTexts[n.Kind], Shown: shown})
	}
	return out
}

// crisisNote keeps what staff did about an episode: 已电话联系 (with what
// came of it) or any other note. It does not close the case.
func (s *Server) crisisNote(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	n, err := s.Crisis.AddNote(c.Request.Context(), id, me, c.PostForm("action") == "called", c.PostForm("note"))
	if p, ok := errors.AsType[*crisis.Problem](err); ok {
		return s.crisisInvalid(c, id, p.Field, p.Text)
	}
	if err != nil {
		return err
	}
	s.audit(c, "crisis.note", fmt.Sprintf("crisis:%d", id), fmt.Sprintf("kind=%s chars=%d", n.Kind, utf8.RuneCountInString(n.Text)))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/crisis?ok=crisis_noted#episode-%d", id))
	return nil
}

var emergencyTexts = map[string]string{
	"stroke": "疑似中风", "chest_pain": "胸痛", "breathing": "呼吸困难", "choking": "噎住", "seizure": "抽搐", "poisoning": "中毒或误服",
	"swallowed": "吞了电池或磁铁", "head_injury": "头部受伤", "drowning": "溺水", "bleeding": "大出血", "burn": "烧烫伤", "allergy": "严重过敏",
	"pregnancy": "孕期急症", "infant": "婴儿危急", "unconscious": "叫不醒",
}

var personTexts = map[string]string{"self": "本人", "present": "身边的人出事，居民在帮忙", "worried": "居民担心的家人或朋友"}

// crisisEpisodes shows the episodes (unhandled first, then newest), each
// one's messages oldest first. reveal is the one message shown with its numbers
// unmasked.
func (s *Server) crisisEpisodes(eps []crisis.Episode, reveal uint64) []crisisEpisode {
	out := make([]crisisEpisode, 0, len(eps))
	for _, ep := range eps {
		last := ep.Last()
		g := crisisEpisode{Key: strconv.FormatUint(ep.Events[0].ID, 10), Resident: residentTag(ep.OpenID), Open: ep.Open,
			LastID: last.ID, HandledBy: last.HandledBy, HandledAt: last.HandledAt, FollowedBy: ep.FollowedBy,
			Notes: crisisNoteRows(ep.Notes), SelfHarm: ep.SelfHarm, Window: s.replyWindow(ep)}
		for _, ev := range ep.Events {
			r := crisisRow{CrisisEvent: ev, Shown: privacy.Mask(ev.Text)}
			r.CanReveal = r.Shown != ev.Text
			if ev.ID == reveal {
				r.Shown, r.CanReveal = ev.Text, false
			}
			g.Rows = append(g.Rows, r)
			if ev.FollowUp {
				continue
			}
			// The latest crisis message names the episode (a seizure, then "他打我").
			g.KindText = crisisKinds[ev.Kind]
			g.Detail = emergencyTexts[ev.Emergency]
			if p := personTexts[ev.Person]; p != "" && ev.Kind != "" {
				if g.Detail != "" {
					g.Detail += " · "
				}
				g.Detail += p
			}
		}
		if g.KindText == "" {
			g.KindText = "需关注"
		}
		out = append(out, g)
	}
	return out
}
