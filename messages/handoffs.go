package messages

import (
	"context"
	"strings"
	"unicode/utf8"

	"familybot/models"
	"familybot/privacy"
)

// The 人工 queue: residents who asked for a person (人工, 转人工, the menu's
// contact button) or whom the bot failed twice in a row, until a colleague
// marks them 已联系 with a note of what was done.

// MaxHandoffNote bounds the note of what was done.
const MaxHandoffNote = 200

// Handoff is one request for a person with what staff need to get in touch.
type Handoff struct {
	models.Handoff
	Phone  string           // masked, from the resident's latest wish or sign-up (open requests only)
	Recent []models.Message // their latest messages, oldest first (open requests only)
}

// Handoffs returns the open requests (oldest waiting first, as the store
// orders them) with contact details, and the latest done ones.
func (s *Service) Handoffs(ctx context.Context) (open, done []Handoff, err error) {
	o, err := s.Store.ListHandoffs(ctx, false, 200)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.Store.ListHandoffs(ctx, true, 20)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range o {
		open = append(open, s.withContact(ctx, h))
	}
	for _, h := range d {
		done = append(done, Handoff{Handoff: h})
	}
	return open, done, nil
}

// withContact adds the resident's latest messages and a masked phone number.
func (s *Service) withContact(ctx context.Context, h models.Handoff) Handoff {
	r := Handoff{Handoff: h}
	if msgs, err := s.Store.ListMessagesByOpenID(ctx, h.OpenID, 4); err == nil {
		for i := len(msgs) - 1; i >= 0; i-- {
			r.Recent = append(r.Recent, msgs[i])
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
		if sus, err := s.Store.ListSignupsByOpenID(ctx, h.OpenID, s.Now.UTC().AddDate(-1, 0, 0)); err == nil {
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

// OpenHandoffs is how many residents are waiting for a person.
func (s *Service) OpenHandoffs(ctx context.Context) (int64, error) {
	return s.Store.CountOpenHandoffs(ctx)
}

// CloseHandoff marks request id 已联系 with what was done (EINVALID when the
// note is too long). It returns the note as kept.
func (s *Service) CloseHandoff(ctx context.Context, id uint64, by models.Staff, note string) (string, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxHandoffNote {
		return "", models.Errorf(models.EINVALID, "情况说明请不要超过%d个字", MaxHandoffNote)
	}
	return note, s.Store.CloseHandoff(ctx, id, by.Label(), note, s.Now.UTC())
}
