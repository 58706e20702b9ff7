package staff

import (
	"context"

	"familybot/models"
)

// Record keeps one audit record (who did what, never the data itself).
func (s *Service) Record(ctx context.Context, a models.AuditLog) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.Now.UTC()
	}
	return s.Store.AddAudit(ctx, a)
}

// RecordAttempt counts an anonymous attempt (a failed login) into the audit row
// for its action, client and minute, so a flood of them stays a few rows.
func (s *Service) RecordAttempt(ctx context.Context, a models.AuditLog) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.Now.UTC()
	}
	return s.Store.AddAuditSummary(ctx, a)
}

// FindAudit returns one page (size records, page from 1) of the audit records
// f selects, newest first, and how many there are in all.
func (s *Service) FindAudit(ctx context.Context, f models.AuditFilter, page, size int) ([]models.AuditLog, int64, error) {
	return s.Store.FindAudit(ctx, f, (max(page, 1)-1)*size, size)
}
