package handlers

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
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
	openID     string
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

// customerWindow is how long after a resident's last message WeChat lets the
// official account write to them.
const customerWindow = 48 * time.Hour

func (s *Server) replyWindow(ctx context.Context, openID string, seen time.Time) replyWindow {
	last, err := s.Store.LastMessageAt(ctx, openID)
	if err != nil || last.Before(seen) {
		last = seen // the crisis message itself is the latest we know of
	}
	until := last.Add(customerWindow)
	if !s.now().Before(until) {
		return replyWindow{Text: "已超过48小时，公众号发不出去了，请电话联系"}
	}
	return replyWindow{Open: true, Text: "可回复至 " + until.In(models.Beijing).Format("1月2日 15:04")}
}

// crisisHistory adds each episode's staff notes, its reply window and whether
// it is a self-harm episode.
func (s *Server) crisisHistory(ctx context.Context, eps []crisisEpisode) error {
	at := map[uint64]int{}
	var ids []uint64
	for i, ep := range eps {
		for _, r := range ep.Rows {
			at[r.ID] = i
			ids = append(ids, r.ID)
			eps[i].SelfHarm = eps[i].SelfHarm || knowledge.CrisisKind(r.Kind) == knowledge.CrisisSuicide
		}
		eps[i].Window = s.replyWindow(ctx, ep.openID, ep.Rows[len(ep.Rows)-1].CreatedAt)
	}
	notes, err := s.Store.ListCrisisNotes(ctx, ids)
	if err != nil {
		return err
	}
	for _, n := range notes {
		i := at[n.CrisisID]
		shown := privacy.Mask(n.Text)
		if n.Kind == models.CrisisNoteCalled { // "已电话联系：已电话联系，孩子已送医" says it twice
			shown = strings.TrimLeft(strings.TrimPrefix(shown, "已电话联系"), "，,：: ")
		}
		eps[i].Notes = append(eps[i].Notes, crisisNoteRow{CrisisNote: n, What: crisisNoteTexts[n.Kind], Shown: shown})
	}
	return nil
}

// crisisNote keeps what staff did about an episode: 已电话联系 (with what
// came of it) or any other note. It does not close the case.
func (s *Server) crisisNote(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := s.Store.GetCrisisEvent(ctx, id); err != nil {
		return err
	}
	text := strings.TrimSpace(c.PostForm("note"))
	kind := models.CrisisNoteNote
	if c.PostForm("action") == "called" {
		kind = models.CrisisNoteCalled
	}
	switch {
	case text == "" && kind == models.CrisisNoteNote:
		return s.crisisInvalid(c, id, "note", "请写下做了什么，例如：已电话联系，孩子已送医")
	case utf8.RuneCountInString(text) > maxCrisisReply:
		return s.crisisInvalid(c, id, "note", fmt.Sprintf("处理情况请不要超过%d个字", maxCrisisReply))
	}
	me, _ := staffOf(c)
	if err := s.Store.AddCrisisNote(ctx, models.CrisisNote{CrisisID: id, Kind: kind, Text: text, By: me.Label(), CreatedAt: s.now()}); err != nil {
		return err
	}
	s.audit(c, "crisis.note", fmt.Sprintf("crisis:%d", id), fmt.Sprintf("kind=%s chars=%d", kind, utf8.RuneCountInString(text)))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/crisis?ok=crisis_noted#episode-%d", id))
	return nil
}

var emergencyTexts = map[string]string{
	"stroke": "疑似中风", "chest_pain": "胸痛", "breathing": "呼吸困难", "choking": "噎住", "seizure": "抽搐", "poisoning": "中毒或误服",
	"swallowed": "吞了电池或磁铁", "head_injury": "头部受伤", "drowning": "溺水", "bleeding": "大出血", "burn": "烧烫伤", "allergy": "严重过敏",
	"pregnancy": "孕期急症", "infant": "婴儿危急", "unconscious": "叫不醒",
}

var personTexts = map[string]string{"self": "本人", "present": "身边的人出事，居民在帮忙", "worried": "居民担心的家人或朋友"}

// groupCrisis groups crisis messages by episode, in the order list gives
// (unhandled first, then newest), each episode's messages oldest first. A
// message from before episodes were kept is an episode of its own. reveal is
// the one message shown with its numbers unmasked.
func groupCrisis(list []models.CrisisEvent, reveal uint64) []crisisEpisode {
	var out []crisisEpisode
	at := map[string]int{}
	for _, ev := range list {
		key := ev.OpenID + "|" + ev.Episode
		if ev.Episode == "" {
			key = "#" + strconv.FormatUint(ev.ID, 10)
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, crisisEpisode{Key: strconv.FormatUint(ev.ID, 10), Resident: residentTag(ev.OpenID), openID: ev.OpenID})
		}
		r := crisisRow{CrisisEvent: ev, Shown: privacy.Mask(ev.Text)}
		r.CanReveal = r.Shown != ev.Text
		if ev.ID == reveal {
			r.Shown, r.CanReveal = ev.Text, false
		}
		out[i].Rows = append(out[i].Rows, r)
	}
	for i := range out {
		g := &out[i]
		sort.Slice(g.Rows, func(a, b int) bool { return g.Rows[a].ID < g.Rows[b].ID })
		g.Key = strconv.FormatUint(g.Rows[0].ID, 10)
		last := g.Rows[len(g.Rows)-1]
		g.LastID, g.HandledBy, g.HandledAt = last.ID, last.HandledBy, last.HandledAt
		for _, r := range g.Rows {
			g.Open = g.Open || r.HandledAt == nil
			if r.FollowedBy != "" {
				g.FollowedBy = r.FollowedBy
			}
			if r.FollowUp {
				continue
			}
			// The latest crisis message names the episode (a seizure, then "他打我").
			g.KindText = crisisKinds[knowledge.CrisisKind(r.Kind)]
			g.Detail = emergencyTexts[r.Emergency]
			if p := personTexts[r.Person]; p != "" && r.Kind != "" {
				if g.Detail != "" {
					g.Detail += " · "
				}
				g.Detail += p
			}
		}
		if g.KindText == "" {
			g.KindText = "需关注"
		}
	}
	return out
}
