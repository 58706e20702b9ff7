package wishwall

import (
	"fmt"
	"strconv"

	"familybot/models"
)

// The notices wishes cause. They are addressed by the Notifier and written by
// the store inside the change's own transaction.

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

// ResidentNotices are the kinds of notice a resident gets about a wish (the
// admin lists them on the wish's page).
var ResidentNotices = []models.NoticeKind{models.NoticeWishReply, models.NoticeWishStatus}

func adminLink(id uint64) string { return "/admin/wishes/" + strconv.FormatUint(id, 10) }

// toStaff tells staff about wish w; to nil means the staff on duty.
func (s *Service) toStaff(kind models.NoticeKind, variant string, to []string, title, text string, w models.Wish) []models.Notice {
	m := models.Notice{Kind: kind, About: models.WishSubject(w.ID), Variant: variant, Title: title, Text: text}
	if to == nil {
		return s.Notify.ToOnDuty(adminLink(w.ID), m)
	}
	return s.Notify.ToStaff(to, adminLink(w.ID), m)
}

// toResident tells the resident who made wish w.
func (s *Service) toResident(kind models.NoticeKind, variant string, w models.Wish, title, text string) []models.Notice {
	if s.Notify == nil {
		return nil
	}
	return []models.Notice{s.Notify.ToResident(w.OpenID, models.TemplateWishReply,
		models.Notice{Kind: kind, About: models.WishSubject(w.ID), Variant: variant, Title: title, Text: text})}
}

// newWishNotices alerts the staff on duty with a card they can accept the wish
// from (受理 / 转给我). The card carries no wish text: the resident's words stay
// in the admin, behind login and audit.
func (s *Service) newWishNotices(w models.Wish) []models.Notice {
	return s.toStaff(models.NoticeWishNew, "", nil,
		fmt.Sprintf("新心愿 #%d（%s）", w.ID, models.WishCategoryLabel(w.Category)),
		"居民在心愿墙留下了一条新心愿，请在3天内受理。", w)
}

// residentNotices builds what the resident is told after a status change or a
// reply; text is the reply (or the rejection reason).
func (s *Service) residentNotices(text string) func(w models.Wish, replyN int) []models.Notice {
	return func(w models.Wish, n int) []models.Notice {
		switch {
		case n > 0 && w.Status == models.WishDone:
			return s.toResident(models.NoticeWishReply, strconv.Itoa(n), w, titleReply, fmt.Sprintf(msgFinished, w.ID, text, w.ID))
		case n > 0:
			return s.toResident(models.NoticeWishReply, strconv.Itoa(n), w, titleReply, fmt.Sprintf(msgReplied, w.ID, text))
		case w.Status == models.WishAccepted:
			return s.toResident(models.NoticeWishStatus, "accepted", w, titleStatus, fmt.Sprintf(msgAccepted, w.ID))
		case w.Status == models.WishRejected:
			return s.toResident(models.NoticeWishStatus, "rejected", w, titleStatus, fmt.Sprintf(msgRejected, w.ID, text))
		}
		return nil
	}
}

// reopenNotices tells the resident why their finished wish is taken up again.
func (s *Service) reopenNotices(reason string) func(w models.Wish, replyN int) []models.Notice {
	return func(w models.Wish, _ int) []models.Notice {
		return s.toResident(models.NoticeWishStatus, "reopened:"+strconv.FormatInt(w.UpdatedAt.UnixNano(), 10), w, titleStatus,
			fmt.Sprintf(msgReopened, w.ID, reason))
	}
}

// assignNotices tells a colleague a wish was handed to them.
func (s *Service) assignNotices(w models.Wish, userID string) []models.Notice {
	return s.toStaff(models.NoticeWishAssigned, userID+":"+strconv.FormatInt(w.UpdatedAt.Unix(), 10), []string{userID},
		fmt.Sprintf("心愿 #%d 已分派给您", w.ID), "请在后台查看并跟进，按时受理和办结。", w)
}

// lowRatingNotices asks the staff on duty to follow up an unsatisfied resident.
func (s *Service) lowRatingNotices(w models.Wish, score int) []models.Notice {
	if score > 2 {
		return nil
	}
	return s.toStaff(models.NoticeWishLowRating, "", nil,
		fmt.Sprintf("居民对心愿 #%d 的答复不满意（%d分）", w.ID, score), "请回访居民，了解情况后再跟进。", w)
}
