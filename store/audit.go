package store

import (
	"context"
	"strings"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AddAuditSummary counts one attempt into the summary row for its action,
// client (IP) and minute, creating the row on the first attempt. A flood of
// failed logins so writes at most one row per client per minute (its Times is
// the count), and the unique key keeps that true with several copies running.
func (s *Store) AddAuditSummary(ctx context.Context, a models.AuditLog) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.Now()
	}
	a.CreatedAt = a.CreatedAt.UTC().Truncate(time.Minute) // the row stands for the whole minute
	a.Detail = truncate(a.Detail, 500)
	key := truncate(a.Action+"|"+a.IP+"|"+a.CreatedAt.Format("200601021504"), 160)
	a.Summary, a.Times = &key, 1
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "summary"}},
		DoUpdates: clause.Assignments(map[string]any{"times": gorm.Expr("times + 1")}),
	}).Create(&a).Error
}

// FindAudit returns one page of the audit records f selects, newest first,
// and how many there are in all.
func (s *Store) FindAudit(ctx context.Context, f models.AuditFilter, offset, limit int) ([]models.AuditLog, int64, error) {
	q := s.DB.WithContext(ctx).Model(&models.AuditLog{})
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		q = q.Where("action LIKE ?", f.Action+"%") // callers pass known codes only: no % or _ to escape
	case f.Action != "":
		q = q.Where("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []models.AuditLog
	err := q.Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, err
}
