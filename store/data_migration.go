package store

import (
	"context"
	"fmt"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// dataMigration runs a one-off rewrite of existing rows named name, unless it
// is marked done, and marks it done. run must be safe to repeat and to run from
// two copies at once: a copy that dies before the mark runs it again.
func (s *Store) dataMigration(ctx context.Context, name string, run func(db *gorm.DB) error) error {
	db := s.DB.WithContext(ctx)
	var done int64
	if err := db.Model(&models.DataMigration{}).Where("name = ?", name).Count(&done).Error; err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	if err := run(db); err != nil {
		return err
	}
	mark := models.DataMigration{Name: name, DoneAt: s.Now()}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&mark).Error; err != nil {
		return fmt.Errorf("marking %s done: %v", name, err)
	}
	return nil
}
