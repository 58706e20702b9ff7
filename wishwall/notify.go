package wishwall

import (
	"fmt"
	"strconv"
	"strings"

	"familybot/models"
)

// The outbox rows wishes cause. They are built here from the Notifier's settings
// and written by the store inside the change's own transaction (the store cannot
// import outbox), so they mirror Notifier.AlertStaffTx and Notifier.ToResidentTx.

// Texts residents read in notifications.
const (
	msgAccepted = "您的心愿 #%d 已受理，工作人员正在跟进。\n办理结果会在这里告诉您，也可以回复“我的心愿”查看进度。"
	msgReplied  = "工作人员回复了您的心愿 #%d：\n%s\n\n回复“我的心愿”查看全部。"
	msgFinished = "您的心愿 #%d 已办结。工作人员的答复：\n%s\n\n请为这次答复打个分：回复“评价 %d 5”（1-5分，5分最满意）。"
	msgRejected = "很抱歉，您的心愿 #%d 暂时无法受理。\n原因：%s\n如有疑问，请回复“人工”联系工作人员。"
	msgReopened = "您的心愿 #%d 我们会继续办理：\n%s\n有进展会在这里告诉您，也可以回复“我的心愿”查看。"

	titleReply  = "您的心愿有新回复"
	titleStatus = "心愿办理进度"
)

func (s *Service) adminLink(id uint64) string {
	return strings.TrimRight(s.Notify.PublicURL, "/") + "/admin/wishes/" + strconv.FormatUint(id, 10)
}

func (s *Service) toStaff(key string, to []string, title, text string, id uint64) []models.OutboxMessage {
	if s.Notify == nil || len(to) == 0 {
		return nil
	}
	return []models.OutboxMessage{{DedupKey: key, Channel: models.ChannelWeCom, To: strings.Join(to, "|"),
		Title: title, Text: text, URL: s.adminLink(id)}}
}

func (s *Service) toResident(key, openID, title, text string) []models.OutboxMessage {
	if s.Notify == nil {
		return nil
	}
	return []models.OutboxMessage{{DedupKey: key, Channel: models.ChannelCustomer, To: openID,
		Title: title, Text: text, FallbackTemplate: s.Notify.Templates["wish_reply"]}}
}

// newWishMessages alerts the staff on duty with a card they can accept the wish
// from (受理 / 转给我). The card carries no wish text: the resident's words stay
// in the admin, behind login and audit.
func (s *Service) newWishMessages(w models.Wish) []models.OutboxMessage {
	if s.Notify == nil {
		return nil
	}
	msgs := s.toStaff(fmt.Sprintf("wish:new:%d", w.ID), s.Notify.OnDuty,
		fmt.Sprintf("新心愿 #%d（%s）", w.ID, models.WishCategoryLabel(w.Category)),
		"居民在心愿墙留下了一条新心愿，请在3天内受理。", w.ID)
	for i := range msgs {
		msgs[i].Channel, msgs[i].Data = models.ChannelWeComCard, models.CardSubject{Kind: models.CardWish, ID: w.ID}.JSON()
	}
	return msgs
}

// residentMessages builds what the resident is told after a status change or a
// reply; text is the reply (or the rejection reason).
func (s *Service) residentMessages(text string) func(w models.Wish, replyN int) []models.OutboxMessage {
	return func(w models.Wish, n int) []models.OutboxMessage {
		switch {
		case n > 0 && w.Status == models.WishDone:
			return s.toResident(fmt.Sprintf("wishreply:%d:%d", w.ID, n), w.OpenID, titleReply,
				fmt.Sprintf(msgFinished, w.ID, text, w.ID))
		case n > 0:
			return s.toResident(fmt.Sprintf("wishreply:%d:%d", w.ID, n), w.OpenID, titleReply,
				fmt.Sprintf(msgReplied, w.ID, text))
		case w.Status == models.WishAccepted:
			return s.toResident(fmt.Sprintf("wishstatus:%d:accepted", w.ID), w.OpenID, titleStatus,
				fmt.Sprintf(msgAccepted, w.ID))
		case w.Status == models.WishRejected:
			return s.toResident(fmt.Sprintf("wishstatus:%d:rejected", w.ID), w.OpenID, titleStatus,
				fmt.Sprintf(msgRejected, w.ID, text))
		}
		return nil
	}
}

// reopenMessages tells the resident why their finished wish is taken up again.
func (s *Service) reopenMessages(reason string) func(w models.Wish, replyN int) []models.OutboxMessage {
	return func(w models.Wish, _ int) []models.OutboxMessage {
		return s.toResident(fmt.Sprintf("wishstatus:%d:reopened:%d", w.ID, w.UpdatedAt.UnixNano()), w.OpenID, titleStatus,
			fmt.Sprintf(msgReopened, w.ID, reason))
	}
}

// assignMessages tells a colleague a wish was handed to them.
func (s *Service) assignMessages(w models.Wish, userID string) []models.OutboxMessage {
	return s.toStaff(fmt.Sprintf("wish:assign:%d:%s:%d", w.ID, userID, w.UpdatedAt.Unix()), []string{userID},
		fmt.Sprintf("心愿 #%d 已分派给您", w.ID), "请在后台查看并跟进，按时受理和办结。", w.ID)
}

// lowRatingMessages asks the staff on duty to follow up an unsatisfied resident.
func (s *Service) lowRatingMessages(w models.Wish, score int) []models.OutboxMessage {
	if score > 2 || s.Notify == nil {
		return nil
	}
	return s.toStaff(fmt.Sprintf("wish:rating:%d", w.ID), s.Notify.OnDuty,
		fmt.Sprintf("居民对心愿 #%d 的答复不满意（%d分）", w.ID, score), "请回访居民，了解情况后再跟进。", w.ID)
}
