package outbox

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"familybot/models"

	"gorm.io/gorm"
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

var crisisLink = regexp.MustCompile(`^/admin/crisis/(\d+)`)

// crisisSubject finds the crisis message an alert is about, so the alert can
// carry a 我来跟进 button: the link names it (/admin/crisis/42), or the dedup key
// names the resident ("crisis:<openid>:<minute>") whose message was just
// recorded, before the alert, by the bot.
func crisisSubject(tx *gorm.DB, dedupKey, link string) (models.CardSubject, bool) {
	if m := crisisLink.FindStringSubmatch(link); m != nil {
		id, err := strconv.ParseUint(m[1], 10, 64)
		return models.CardSubject{Kind: models.CardCrisis, ID: id}, err == nil && id > 0
	}
	parts := strings.Split(dedupKey, ":")
	if len(parts) < 3 || parts[0] != "crisis" || parts[1] == "" || !strings.HasPrefix(link, "/admin/crisis") {
		return models.CardSubject{}, false
	}
	var ids []uint64
	err := tx.Session(&gorm.Session{NewDB: true}).Model(&models.CrisisEvent{}).Where("open_id = ?", parts[1]).
		Order("id DESC").Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return models.CardSubject{}, false
	}
	return models.CardSubject{Kind: models.CardCrisis, ID: ids[0]}, true
}
