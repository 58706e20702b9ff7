package kbadmin

import (
	"context"

	"familybot/knowledge"
	"familybot/models"
)

// Rules returns every keyword rule (disabled ones too, highest priority
// first) and what the enabled ones take over from each other, in words.
func (s *Service) Rules(ctx context.Context) ([]models.KBRule, []string, error) {
	rows, err := s.Store.ListKBRuleRows(ctx)
	if err != nil {
		return nil, nil, err
	}
	conflicts, err := s.RuleConflicts(ctx)
	return rows, conflicts, err
}

// RuleConflicts says, for the enabled rules, which keywords one rule takes
// over from another (knowledge.RuleConflicts).
func (s *Service) RuleConflicts(ctx context.Context) ([]string, error) {
	enabled, err := s.Store.ListKBRules(ctx)
	if err != nil {
		return nil, err
	}
	return knowledge.RuleConflicts(enabled), nil
}

// EnabledRules returns the rules the bot answers with.
func (s *Service) EnabledRules(ctx context.Context) ([]knowledge.Rule, error) {
	return s.Store.ListKBRules(ctx)
}

// Rule returns one rule's row, or ENOTFOUND.
func (s *Service) Rule(ctx context.Context, id uint) (models.KBRule, error) {
	return s.Store.GetKBRule(ctx, id)
}

// SaveRule creates (ID 0) or updates a rule written by staff and turns it on
// or off (EINVALID: a rule the matcher cannot use; ENOTFOUND: no such rule).
func (s *Service) SaveRule(ctx context.Context, r knowledge.Rule, enabled bool) (knowledge.Rule, error) {
	saved, err := s.Store.SaveKBRule(ctx, r, "staff")
	if err != nil {
		return saved, err
	}
	return saved, s.Store.SetKBRuleEnabled(ctx, saved.ID, enabled)
}

// DeleteRule removes rule id, returning it as it was (ENOTFOUND: no such rule).
func (s *Service) DeleteRule(ctx context.Context, id uint) (models.KBRule, error) {
	row, err := s.Store.GetKBRule(ctx, id)
	if err != nil {
		return row, err
	}
	return row, s.Store.DeleteKBRule(ctx, row.ID)
}
