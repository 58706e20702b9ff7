package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"familybot/models"
)

// Card is a WeCom card with buttons to staff.
type Card struct {
	TaskID      string // unique per card; the tap and the update name it
	Subject     models.CardSubject
	Title       string
	Description string
	URL         string // the admin page
}

// CardSender sends WeCom cards with buttons and updates them after a tap. A
// Sender without it gets the card as a textcard, and no update.
type CardSender interface {
	SendWeComCard(ctx context.Context, toUsers []string, card Card) error
	UpdateWeComCard(ctx context.Context, u models.CardUpdate) error
}

// CardUpdateNotice replaces a tapped card's buttons with u.ReplaceName for
// everyone who got it, once per tap (WeCom sends a tap again when the answer
// is slow; the response code is the same).
func CardUpdateNotice(u models.CardUpdate) models.Notice {
	data, _ := json.Marshal(u) // a struct of strings always marshals
	sum := sha256.Sum256([]byte(u.ResponseCode))
	return models.Notice{Kind: models.NoticeCardUpdate, Variant: hex.EncodeToString(sum[:16]), Channel: models.ChannelWeComUpdate,
		To: []string{clip(u.TaskID, 255)}, Title: u.ReplaceName, Data: string(data)}
}

// clip cuts s to n characters (the column's width).
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// CardTaskID names the card an outbox message sends: WeCom allows letters,
// digits, _ - and @; the message id keeps it unique.
func CardTaskID(m models.OutboxMessage, s models.CardSubject) string {
	return fmt.Sprintf("%s_%d_m%d", s.Kind, s.ID, m.ID)
}

func (w *Worker) deliverCard(ctx context.Context, m models.OutboxMessage) error {
	var s models.CardSubject
	if err := jsonUnmarshal(m.Data, &s); err != nil || len(s.Buttons()) == 0 {
		return &Permanent{Err: fmt.Errorf("bad card subject %q", m.Data)}
	}
	to := strings.Split(m.To, "|")
	cs, ok := w.Sender.(CardSender)
	if !ok {
		return w.Sender.SendWeComTextCard(ctx, to, m.Title, m.Text, m.URL)
	}
	return cs.SendWeComCard(ctx, to, Card{TaskID: CardTaskID(m, s), Subject: s, Title: m.Title, Description: m.Text, URL: m.URL})
}

func (w *Worker) deliverCardUpdate(ctx context.Context, m models.OutboxMessage) error {
	var u models.CardUpdate
	if err := jsonUnmarshal(m.Data, &u); err != nil || u.ResponseCode == "" || u.ReplaceName == "" {
		return &Permanent{Err: fmt.Errorf("bad card update")}
	}
	cs, ok := w.Sender.(CardSender)
	if !ok {
		return nil // nothing was sent with buttons
	}
	return cs.UpdateWeComCard(ctx, u)
}
