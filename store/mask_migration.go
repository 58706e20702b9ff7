package store

import (
	"context"

	"familybot/models"
	"familybot/privacy"

	"gorm.io/gorm"
)

// maskMessagesMigration names the rewrite of message-log rows stored before
// privacy.Mask knew every written form of a number (issue 14).
const maskMessagesMigration = "mask_message_text_v2"

// maskStoredMessages masks the numbers in every stored message-log row, once.
// Safe to run again or from two copies at once: masking masked text changes
// nothing, and each row is updated only if its text is still the one read.
func (s *Store) maskStoredMessages(ctx context.Context) error {
	return s.dataMigration(ctx, maskMessagesMigration, func(db *gorm.DB) error {
		var last uint64
		for {
			var rows []models.Message
			if err := db.Select("id", "text").Where("id > ? AND text <> ''", last).Order("id").Limit(500).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				return nil
			}
			last = rows[len(rows)-1].ID
			for _, m := range rows {
				if masked := privacy.Mask(m.Text); masked != m.Text {
					err := db.Model(&models.Message{}).Where("id = ? AND text = ?", m.ID, m.Text).Update("text", masked).Error
					if err != nil {
						return err
					}
				}
			}
		}
	})
}
