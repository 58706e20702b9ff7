package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"familybot/models"

	"gorm.io/gorm"
)

// noticeColumnsMigration names the filling of the kind and subject columns of
// outbox rows stored before notices had them (issue 15).
const noticeColumnsMigration = "outbox_notice_columns_v1"

// oldNoticeSubjects are the kinds of rows stored before the subject columns,
// each with the kind of subject whose id followed the kind in the dedup key.
// Longer kinds come first, so "wish:new" is not read as "wish…".
var oldNoticeSubjects = []struct {
	kind    models.NoticeKind
	subject models.SubjectKind
}{
	{models.NoticeEventCancelled, models.SubjectSignup}, {models.NoticeSignupCancelled, models.SubjectSignup},
	{models.NoticeEventMoved, models.SubjectSignup}, {models.NoticePromoted, models.SubjectSignup},
	{models.NoticeReminder, models.SubjectSignup}, {models.NoticeWishAssigned, models.SubjectWish},
	{models.NoticeWishLowRating, models.SubjectWish}, {models.NoticeWishNew, models.SubjectWish},
	{models.NoticeWishReply, models.SubjectWish}, {models.NoticeWishStatus, models.SubjectWish},
	{models.NoticeCrisisReply, models.SubjectCrisis}, {models.NoticeCardUpdate, ""}, {models.NoticeCrisisAlert, ""},
	{models.NoticeMissingAlert, ""}, {models.NoticeHandoff, ""}, {models.NoticeLateAnswer, ""}, {models.NoticeOverflow, ""},
}

// oldNoticeColumns reads an old row's kind and subject from its dedup key (and
// a card's subject from its data): the one place a key is read back, once,
// for rows no notice made.
func oldNoticeColumns(m models.OutboxMessage) (models.NoticeKind, models.Subject) {
	for _, k := range oldNoticeSubjects {
		rest, ok := strings.CutPrefix(m.DedupKey, string(k.kind))
		if !ok || (rest != "" && rest[0] != ':') {
			continue
		}
		about := models.Subject{}
		if k.subject != "" {
			num, _, _ := strings.Cut(strings.TrimPrefix(rest, ":"), ":")
			if id, err := strconv.ParseUint(num, 10, 64); err == nil && id > 0 {
				about = models.Subject{Kind: k.subject, ID: id}
			}
		}
		var card models.CardSubject
		if m.Channel == models.ChannelWeComCard && json.Unmarshal([]byte(m.Data), &card) == nil && card.ID > 0 {
			about = models.Subject{Kind: models.SubjectKind(card.Kind), ID: card.ID}
		}
		return k.kind, about
	}
	return "", models.Subject{}
}

// fillNoticeColumns gives old outbox rows their kind and subject, once, so the
// admin finds what each was about from the columns alone. Safe to run again or
// from two copies at once: a row is updated only while its kind is still empty.
func (s *Store) fillNoticeColumns(ctx context.Context) error {
	return s.dataMigration(ctx, noticeColumnsMigration, func(db *gorm.DB) error {
		var last uint64
		for {
			var rows []models.OutboxMessage
			if err := db.Select("id", "dedup_key", "channel", "data").Where("id > ? AND (kind = '' OR kind IS NULL)", last).
				Order("id").Limit(500).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				return nil
			}
			last = rows[len(rows)-1].ID
			for _, m := range rows {
				kind, about := oldNoticeColumns(m)
				if kind == "" {
					continue
				}
				err := db.Model(&models.OutboxMessage{}).Where("id = ? AND (kind = '' OR kind IS NULL)", m.ID).
					Updates(map[string]any{"kind": kind, "subject_kind": about.Kind, "subject_id": about.ID}).Error
				if err != nil {
					return err
				}
			}
		}
	})
}
