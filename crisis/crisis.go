// Package crisis is the staff's follow-up of crisis messages: the episodes on
// the 危机消息 page with what was done about them, notes, replies to the
// resident within WeChat's 48 hours, and closing an episode. Detecting a crisis
// is knowledge's job and answering the resident bot's; this is what happens after.
package crisis

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/models"
)

// Store is what crisis follow-up needs from storage (implemented by *store.Store).
type Store interface {
	ListCrisisEvents(ctx context.Context, limit int) ([]models.CrisisEvent, error)
	GetCrisisEvent(ctx context.Context, id uint64) (models.CrisisEvent, error)
	CrisisEpisode(ctx context.Context, id uint64) ([]models.CrisisEvent, error)
	CountUnhandledCrisis(ctx context.Context) (int64, error)
	ListCrisisNotes(ctx context.Context, crisisIDs []uint64) ([]models.CrisisNote, error)
	AddCrisisNote(ctx context.Context, n models.CrisisNote) error
	CloseCrisis(ctx context.Context, id uint64, note models.CrisisNote) error
	// SendCrisisReply queues the message and keeps the note, both or neither.
	SendCrisisReply(ctx context.Context, n models.Notice, note models.CrisisNote) error
	LastMessageAt(ctx context.Context, openID string) (time.Time, error)
	GetStaff(ctx context.Context, userID string) (models.Staff, error)
}

// Service is the crisis follow-up service.
type Service struct {
	Store Store
	// Association signs replies to residents (config association.name).
	Association string
	Now         models.Clock
}

// MaxText bounds a reply or a note (one WeChat text).
const MaxText = 600

// CustomerWindow is how long after a resident's last message WeChat lets the
// official account write to them (customer-service messages).
const CustomerWindow = 48 * time.Hour

// Problem is a form staff must correct: the field at fault and what to say.
type Problem struct{ Field, Text string }

func (p *Problem) Error() string { return p.Text }

func problem(field, text string) error { return &Problem{Field: field, Text: text} }

// Episode is one resident's crisis: the crisis message and everything the
// resident wrote inside the episode after it, with what staff did.
type Episode struct {
	Events []models.CrisisEvent // oldest first
	Notes  []models.CrisisNote  // replies, calls, notes, closing; oldest first
	Open   bool                 // a message is not handled yet
	// SelfHarm: closing asks staff to confirm the resident is safe.
	SelfHarm bool
	// FollowedBy is who said 我来跟进 on the WeCom card, by name.
	FollowedBy string
	// ReplyUntil is when WeChat stops letting the official account write to the resident.
	ReplyUntil time.Time
	OpenID     string
}

// Last is the episode's newest message: handling and replying act on the episode up to it.
func (e Episode) Last() models.CrisisEvent { return e.Events[len(e.Events)-1] }

// CanReply reports whether the reply window is still open at now.
func (e Episode) CanReply(now time.Time) bool { return now.Before(e.ReplyUntil) }

// Episodes returns the latest limit crisis messages grouped by episode,
// unhandled first, then newest. A message from before episodes were kept is an
// episode of its own.
func (s *Service) Episodes(ctx context.Context, limit int) ([]Episode, error) {
	list, err := s.Store.ListCrisisEvents(ctx, limit)
	if err != nil {
		return nil, err
	}
	var out []Episode
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
			out = append(out, Episode{OpenID: ev.OpenID})
		}
		out[i].Events = append(out[i].Events, ev)
	}
	byMessage := map[uint64]int{}
	var ids []uint64
	names := map[string]string{}
	for i := range out {
		ep := &out[i]
		sort.Slice(ep.Events, func(a, b int) bool { return ep.Events[a].ID < ep.Events[b].ID })
		for _, ev := range ep.Events {
			byMessage[ev.ID] = i
			ids = append(ids, ev.ID)
			ep.Open = ep.Open || ev.HandledAt == nil
			ep.SelfHarm = ep.SelfHarm || ev.Kind == "suicide"
			if ev.FollowedBy != "" {
				ep.FollowedBy = ev.FollowedBy
			}
		}
		if ep.FollowedBy != "" { // a UserID: shown by name
			if _, ok := names[ep.FollowedBy]; !ok {
				names[ep.FollowedBy] = ep.FollowedBy
				if st, err := s.Store.GetStaff(ctx, ep.FollowedBy); err == nil {
					names[ep.FollowedBy] = st.Label()
				}
			}
			ep.FollowedBy = names[ep.FollowedBy]
		}
		ep.ReplyUntil = s.replyUntil(ctx, ep.OpenID, ep.Last().CreatedAt)
	}
	notes, err := s.Store.ListCrisisNotes(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		i := byMessage[n.CrisisID]
		out[i].Notes = append(out[i].Notes, n)
	}
	return out, nil
}

// replyUntil is the end of WeChat's 48 hours, counted from the resident's
// last message (seen, the crisis message, when nothing later is known).
func (s *Service) replyUntil(ctx context.Context, openID string, seen time.Time) time.Time {
	last, err := s.Store.LastMessageAt(ctx, openID)
	if err != nil || last.Before(seen) {
		last = seen
	}
	return last.Add(CustomerWindow)
}

// OpenCount is how many crisis messages nobody has handled yet.
func (s *Service) OpenCount(ctx context.Context) (int64, error) {
	return s.Store.CountUnhandledCrisis(ctx)
}

// Event returns one crisis message, or ENOTFOUND.
func (s *Service) Event(ctx context.Context, id uint64) (models.CrisisEvent, error) {
	return s.Store.GetCrisisEvent(ctx, id)
}

// Closing is what closing an episode did.
type Closing struct {
	Text     string // the closing note as kept
	SelfHarm bool   // the resident's safety was confirmed
	Already  bool   // someone had closed it already: nothing changed
}

// Close closes the episode up to message id, keeping what was done. A note is
// required unless one is already kept (a reply, a call); closing a self-harm
// episode needs safe (已确认居民目前安全). A *Problem names what to correct.
func (s *Service) Close(ctx context.Context, id uint64, by models.Staff, note string, safe bool) (Closing, error) {
	ep, err := s.Store.CrisisEpisode(ctx, id)
	if err != nil {
		return Closing{}, err
	}
	text := strings.TrimSpace(note)
	if utf8.RuneCountInString(text) > MaxText {
		return Closing{}, problem("close", "处理情况请不要超过"+strconv.Itoa(MaxText)+"个字")
	}
	ids := make([]uint64, len(ep))
	var cl Closing
	for i, ev := range ep {
		ids[i] = ev.ID
		cl.SelfHarm = cl.SelfHarm || ev.Kind == "suicide"
	}
	notes, err := s.Store.ListCrisisNotes(ctx, ids)
	if err != nil {
		return Closing{}, err
	}
	if text == "" && len(notes) == 0 {
		return Closing{}, problem("close", "请先写下做了什么（例如：已电话联系，孩子已送医），再标记已处理")
	}
	if cl.SelfHarm && !safe {
		return Closing{}, problem("safe", "这是自伤风险的求助：请先确认居民目前安全，勾选“已确认居民目前安全”，再标记已处理")
	}
	if cl.SelfHarm {
		text = strings.TrimSpace(text + " 已确认居民目前安全")
	}
	cl.Text = text
	err = s.Store.CloseCrisis(ctx, id, models.CrisisNote{Kind: models.CrisisNoteClosed, Text: text, By: by.Label(), CreatedAt: s.Now.UTC()})
	if models.IsCode(err, models.ECONFLICT) {
		cl.Already, err = true, nil
	}
	return cl, err
}

// AddNote keeps what staff did about an episode: 已电话联系 (called, with what
// came of it) or any other note, which must say something. It does not close
// the case. A *Problem names what to correct.
func (s *Service) AddNote(ctx context.Context, id uint64, by models.Staff, called bool, note string) (models.CrisisNote, error) {
	if _, err := s.Store.GetCrisisEvent(ctx, id); err != nil {
		return models.CrisisNote{}, err
	}
	text := strings.TrimSpace(note)
	kind := models.CrisisNoteNote
	if called {
		kind = models.CrisisNoteCalled
	}
	switch {
	case text == "" && kind == models.CrisisNoteNote:
		return models.CrisisNote{}, problem("note", "请写下做了什么，例如：已电话联系，孩子已送医")
	case utf8.RuneCountInString(text) > MaxText:
		return models.CrisisNote{}, problem("note", "处理情况请不要超过"+strconv.Itoa(MaxText)+"个字")
	}
	n := models.CrisisNote{CrisisID: id, Kind: kind, Text: text, By: by.Label(), CreatedAt: s.Now.UTC()}
	return n, s.Store.AddCrisisNote(ctx, n)
}
