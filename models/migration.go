package models

import "time"

// DataMigration marks a one-off rewrite of existing rows as done (e.g. masking
// the numbers in old message-log rows), so start-up does not redo the work.
type DataMigration struct {
	Name   string `gorm:"type:varchar(64);primaryKey"`
	DoneAt time.Time
}
