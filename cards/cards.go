// Package cards applies what staff tap on their WeCom cards: 受理 or 转给我 on a
// new wish, 我来跟进 on a crisis message. A tap is applied as that staff member, through the same wishwall
// methods and scope rules as the admin, audited with the staff member as the
// actor, and the card is then updated for everyone who got it (through the
// outbox) to say who took it, so nobody taps it again.
package cards

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"familybot/models"
	"familybot/outbox"
)

// Audit actions written for taps (handlers/admin_audit.go names them in Chinese).
const (
	ActWishAccept = "wish.accept.card" // accepted from the card
	ActWishTake   = "wish.take.card"   // taken (assigned to oneself) from the card
	ActWishLate   = "wish.card.late"   // someone already had it: nothing changed
	ActRefuse     = "card.refuse"      // not staff, not their wish, unknown button
	// ActCrisisFollow records the staff member as following a crisis message up.
	ActCrisisFollow = "crisis.follow.card"
	ActCrisisLate   = "crisis.card.late" // someone already follows it up (or handled it)
)

// AuditActions lists every action this package audits.
var AuditActions = []string{ActWishAccept, ActWishTake, ActWishLate, ActRefuse, ActCrisisFollow, ActCrisisLate}

// Store is what taps need from storage (implemented by *store.Store).
type Store interface {
	GetStaff(ctx context.Context, userID string) (models.Staff, error)
	GetWish(ctx context.Context, id uint64) (models.Wish, error)
	ListWishEvents(ctx context.Context, wishID uint64) ([]models.WishEvent, error)
	FollowCrisis(ctx context.Context, id uint64, by string, at time.Time) (ev models.CrisisEvent, recorded bool, err error)
	AddAudit(ctx context.Context, a models.AuditLog) error
	Enqueue(ctx context.Context, notices ...models.Notice) error
}

// Wishes is the wish service the admin uses (wishwall.Service).
type Wishes interface {
	Accept(ctx context.Context, st models.Staff, id uint64) (models.Wish, error)
	Assign(ctx context.Context, st models.Staff, id uint64, team, userID string) (models.Wish, error)
}

// Service applies taps.
type Service struct {
	Store  Store
	Wishes Wishes
	Now    models.Clock
}

// Apply applies one tap. A refusal (not in the staff list, not their wish, an
// unknown button) changes nothing and is audited; an error means the tap could
// not be handled now (WeCom will send it again).
func (s *Service) Apply(ctx context.Context, t models.CardTap) error {
	action, id, ok := models.ParseCardKey(t.Key)
	actor := clip(t.UserID, 64)
	if !ok {
		return s.audit(ctx, actor, ActRefuse, clip("card:"+t.TaskID, 64), "未知的按钮")
	}
	object := fmt.Sprintf("wish:%d", id)
	if action == models.CardCrisisFollow {
		object = fmt.Sprintf("crisis:%d", id)
	}
	st, err := s.Store.GetStaff(ctx, t.UserID)
	if models.IsCode(err, models.ENOTFOUND) {
		return s.audit(ctx, actor, ActRefuse, object, "不在工作人员名单中")
	}
	if err != nil {
		return err
	}
	if action == models.CardCrisisFollow {
		return s.follow(ctx, st, t, id, object)
	}
	var done, replace string
	switch action {
	case models.CardWishAccept:
		_, err = s.Wishes.Accept(ctx, st, id)
		done, replace = ActWishAccept, "已由"+name(st)+"受理"
	case models.CardWishTake:
		err = s.take(ctx, st, id)
		done, replace = ActWishTake, "已转给"+name(st)
	}
	switch {
	case err == nil:
		if err := s.audit(ctx, st.UserID, done, object, ""); err != nil {
			return err
		}
	case models.IsCode(err, models.EFORBID):
		return s.audit(ctx, st.UserID, ActRefuse, object, "这条心愿不属于您的小组")
	case models.IsCode(err, models.ENOTFOUND):
		return s.audit(ctx, st.UserID, ActRefuse, object, "心愿不存在")
	case models.IsCode(err, models.EINVALID), models.IsCode(err, models.ECONFLICT):
		if replace, err = s.holder(ctx, id); err != nil {
			return err
		}
		if err := s.audit(ctx, st.UserID, ActWishLate, object, replace); err != nil {
			return err
		}
	default:
		return err
	}
	return s.update(ctx, t, replace)
}

// follow records st as following the crisis message up; the first tap wins.
// Every staff member may (the admin's crisis page is open to all staff).
func (s *Service) follow(ctx context.Context, st models.Staff, t models.CardTap, id uint64, object string) error {
	ev, recorded, err := s.Store.FollowCrisis(ctx, id, st.UserID, s.Now.UTC())
	if models.IsCode(err, models.ENOTFOUND) {
		return s.audit(ctx, st.UserID, ActRefuse, object, "危机消息不存在")
	}
	if err != nil {
		return err
	}
	action, replace := ActCrisisFollow, "已由"+name(st)+"跟进"
	switch {
	case recorded:
	case ev.FollowedBy != "":
		action, replace = ActCrisisLate, "已由"+s.staffName(ctx, ev.FollowedBy)+"跟进"
	default: // handled on the admin page before anyone tapped
		action, replace = ActCrisisLate, "已由"+s.staffName(ctx, ev.HandledBy)+"处理"
	}
	if err := s.audit(ctx, st.UserID, action, object, replace); err != nil {
		return err
	}
	return s.update(ctx, t, replace)
}

// staffName is a colleague's short name, or the UserID when they have left the list.
func (s *Service) staffName(ctx context.Context, userID string) string {
	st, err := s.Store.GetStaff(ctx, userID)
	if err != nil {
		st = models.Staff{UserID: userID}
	}
	return name(st)
}

// errTaken says a wish already has someone: 转给我 changes nothing.
var errTaken = models.Errorf(models.EINVALID, "wish already taken")

// take assigns a waiting wish to st, unless a colleague already has it. Once
// accepted, someone has it: a tap on a card not yet updated changes nothing.
func (s *Service) take(ctx context.Context, st models.Staff, id uint64) error {
	w, err := s.Store.GetWish(ctx, id)
	if err != nil {
		return err
	}
	if (w.AssignedTo != "" && w.AssignedTo != st.UserID) || w.Status != models.WishPending {
		return errTaken
	}
	_, err = s.Wishes.Assign(ctx, st, id, "", st.UserID)
	return err
}

// holder says who already has the wish, for the card: "已由张三受理", "已转给李四",
// or its status ("已办结") when nobody is named.
func (s *Service) holder(ctx context.Context, id uint64) (string, error) {
	w, err := s.Store.GetWish(ctx, id)
	if err != nil {
		return "", err
	}
	if w.AssignedTo != "" {
		return "已转给" + s.staffName(ctx, w.AssignedTo), nil
	}
	if w.Status == models.WishAccepted {
		evs, err := s.Store.ListWishEvents(ctx, id)
		if err != nil {
			return "", err
		}
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].ToStatus == models.WishAccepted && evs[i].FromStatus != models.WishAccepted && evs[i].ActorName != "" {
				return "已由" + clip(evs[i].ActorName, 6) + "受理", nil
			}
		}
	}
	return models.WishStatusLabel(w.Status), nil
}

// update replaces the card's buttons for everyone, once per tap (WeCom sends a
// tap again when the answer is slow; the response code is the same).
func (s *Service) update(ctx context.Context, t models.CardTap, replace string) error {
	if t.ResponseCode == "" {
		return nil
	}
	return s.Store.Enqueue(ctx, outbox.CardUpdateNotice(models.CardUpdate{TaskID: t.TaskID, ResponseCode: t.ResponseCode, ReplaceName: replace}))
}

func (s *Service) audit(ctx context.Context, actor, action, object, detail string) error {
	if actor == "" {
		actor = "anonymous"
	}
	return s.Store.AddAudit(ctx, models.AuditLog{Actor: actor, Action: action, Object: object, Detail: detail,
		IP: "企业微信", CreatedAt: s.Now.UTC()})
}

// name is the staff member's name as the card shows it (short: the button is small).
func name(st models.Staff) string { return clip(st.Label(), 6) }

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
