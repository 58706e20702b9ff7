package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"familybot/knowledge"
	"familybot/models"

	"gorm.io/gorm"
)

// The knowledge base in the database: the embedded content is seeded into it,
// staff edits are marked StaffEdited and survive upgrades. Lists are JSON text
// so the same schema works on SQLite and MySQL.

func toJSON(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func entryToModel(e knowledge.Entry, row *models.KBEntry) {
	row.Slug, row.Category, row.Title = e.Slug, e.Category, e.Title
	row.Questions, row.Keywords, row.CounterExamples = toJSON(e.Questions), toJSON(e.Keywords), toJSON(e.CounterExamples)
	row.Answer, row.SeeDoctor, row.Source = e.Answer, e.SeeDoctor, e.Source
	row.EffectiveFrom, row.ExpiresAt, row.ReviewBy = utc(e.EffectiveFrom), utc(e.ExpiresAt), utc(e.ReviewBy)
	// ReviewedAt and Reviewer are not copied: only a recorded review
	// (RecordKBReview) sets them, never an edit, an import or the seed files.
	row.Disabled = e.Disabled
	row.Facets = ""
	if len(e.Facets) > 0 {
		b, _ := json.Marshal(e.Facets)
		row.Facets = string(b)
	}
}

// utc stores times in UTC on every engine (dates arrive as midnight in China).
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// entryHash fingerprints an entry's reviewed content.
func entryHash(e knowledge.Entry) string {
	e.ID = 0
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// SeedKnowledge loads the embedded entries: new slugs are inserted, rows whose
// embedded content changed are updated unless staff edited them; nothing is deleted.
func (s *Store) SeedKnowledge(ctx context.Context, entries []knowledge.Entry) (added, updated int, err error) {
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		var rows []models.KBEntry
		if err := tx.Find(&rows).Error; err != nil {
			return err
		}
		bySlug := map[string]models.KBEntry{}
		for _, r := range rows {
			bySlug[r.Slug] = r
		}
		for _, e := range entries {
			h := entryHash(e)
			row, ok := bySlug[e.Slug]
			switch {
			case !ok:
				row = models.KBEntry{SeedHash: h}
				entryToModel(e, &row)
				if err := tx.Create(&row).Error; err != nil {
					return mapErr(err, "entry "+e.Slug)
				}
				added++
			case row.StaffEdited || row.SeedHash == h:
			default:
				entryToModel(e, &row)
				row.SeedHash = h
				if err := tx.Save(&row).Error; err != nil {
					return mapErr(err, "entry "+e.Slug)
				}
				updated++
			}
		}
		return nil
	})
	return added, updated, err
}

// ListKBEntries returns every entry, disabled ones included.
func (s *Store) ListKBEntries(ctx context.Context) ([]knowledge.Entry, error) {
	var rows []models.KBEntry
	if err := s.DB.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]knowledge.Entry, 0, len(rows))
	for _, r := range rows {
		out = append(out, knowledge.EntryFromRow(r))
	}
	return out, nil
}

// GetKBEntry returns one entry's row, with its hit and "没用" counters, or ENOTFOUND.
func (s *Store) GetKBEntry(ctx context.Context, id uint) (models.KBEntry, error) {
	var row models.KBEntry
	err := s.DB.WithContext(ctx).Take(&row, id).Error
	return row, mapErr(err, "entry")
}

// ListKBEntryRows returns the rows with hit and unhelpful counters, for staff.
func (s *Store) ListKBEntryRows(ctx context.Context) ([]models.KBEntry, error) {
	var rows []models.KBEntry
	err := s.DB.WithContext(ctx).Order("category, id").Find(&rows).Error
	return rows, err
}

// SaveKBEntry creates (ID 0) or updates an entry; staff=true marks it as staff
// edited so upgrades never overwrite it.
func (s *Store) SaveKBEntry(ctx context.Context, e knowledge.Entry, staff bool) (knowledge.Entry, error) {
	if probs := e.Validate(); len(probs) > 0 {
		return e, models.Errorf(models.EINVALID, "%s", strings.Join(probs, "；"))
	}
	var row models.KBEntry
	if e.ID != 0 {
		if err := s.DB.WithContext(ctx).Take(&row, e.ID).Error; err != nil {
			return e, mapErr(err, "entry")
		}
	}
	entryToModel(e, &row)
	row.StaffEdited = row.StaffEdited || staff
	if err := s.DB.WithContext(ctx).Save(&row).Error; err != nil {
		return e, mapErr(err, "entry "+e.Slug)
	}
	return knowledge.EntryFromRow(row), nil
}

// ImportKB upserts entries by slug and marks them staff edited, all or nothing.
func (s *Store) ImportKB(ctx context.Context, entries []knowledge.Entry) (int, error) {
	for _, e := range entries {
		if probs := e.Validate(); len(probs) > 0 {
			return 0, models.Errorf(models.EINVALID, "%s：%s", e.Slug, strings.Join(probs, "；"))
		}
	}
	n := 0
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		for _, e := range entries {
			var row models.KBEntry
			err := tx.Where("slug = ?", e.Slug).Take(&row).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			entryToModel(e, &row)
			row.StaffEdited = true
			if err := tx.Save(&row).Error; err != nil {
				return mapErr(err, "entry "+e.Slug)
			}
			n++
		}
		return nil
	})
	return n, err
}

// AddKBFeedback records one "没用" for an entry.
func (s *Store) AddKBFeedback(ctx context.Context, id uint, openID string) error {
	return s.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&models.KBFeedback{EntryID: id, OpenID: openID, CreatedAt: s.Now()}).Error; err != nil {
			return err
		}
		return tx.Model(&models.KBEntry{}).Where("id = ?", id).UpdateColumn("unhelpful", gorm.Expr("unhelpful + 1")).Error
	})
}

// KBStats counts enabled entries per category.
func (s *Store) KBStats(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Category string
		N        int
	}
	err := s.DB.WithContext(ctx).Model(&models.KBEntry{}).Where("disabled = ?", false).
		Select("category, count(*) as n").Group("category").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Category] = r.N
	}
	return out, nil
}

func ruleToModel(r knowledge.Rule, origin string) models.KBRule {
	return models.KBRule{ID: r.ID, Name: r.Name, Kind: r.Kind, Keywords: toJSON(r.Keywords), Match: r.Match,
		Reply: r.Reply, Priority: r.Priority, Enabled: true, Origin: origin}
}

// ListKBRules returns the enabled rules.
func (s *Store) ListKBRules(ctx context.Context) ([]knowledge.Rule, error) {
	var rows []models.KBRule
	if err := s.DB.WithContext(ctx).Where("enabled = ?", true).Order("priority DESC, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]knowledge.Rule, 0, len(rows))
	for _, r := range rows {
		out = append(out, knowledge.RuleFromRow(r))
	}
	return out, nil
}

// SaveKBRule creates (ID 0) or updates a rule. An update keeps the rule's
// origin and creation time, so an edited seed rule is not seeded again.
func (s *Store) SaveKBRule(ctx context.Context, r knowledge.Rule, origin string) (knowledge.Rule, error) {
	if r.Kind == "" {
		r.Kind = models.RuleKeyword
	}
	if r.Match == "" {
		r.Match = knowledge.MatchContain
	}
	switch {
	case strings.TrimSpace(r.Reply) == "" || (r.Kind == models.RuleKeyword && len(r.Keywords) == 0):
		return r, models.Errorf(models.EINVALID, "规则需要关键词和回复内容")
	case r.Match != knowledge.MatchEqual && r.Match != knowledge.MatchContain:
		return r, models.Errorf(models.EINVALID, "匹配方式须为 equal（完全一致）或 contain（包含）")
	case r.Kind != models.RuleKeyword && r.Kind != models.RuleWelcome && r.Kind != models.RuleDefault:
		return r, models.Errorf(models.EINVALID, "规则类型须为 keyword、welcome 或 default")
	}
	row := ruleToModel(r, origin)
	now := s.Now()
	row.CreatedAt, row.UpdatedAt = now, now
	if r.ID != 0 {
		var old models.KBRule
		if err := s.DB.WithContext(ctx).Take(&old, r.ID).Error; err != nil {
			return r, mapErr(err, "rule")
		}
		row.CreatedAt, row.Origin, row.Enabled = old.CreatedAt, old.Origin, old.Enabled
	}
	if err := s.DB.WithContext(ctx).Save(&row).Error; err != nil {
		return r, mapErr(err, "rule")
	}
	return knowledge.RuleFromRow(row), nil
}

// DeleteKBRule removes a rule.
func (s *Store) DeleteKBRule(ctx context.Context, id uint) error {
	res := s.DB.WithContext(ctx).Delete(&models.KBRule{}, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return models.Errorf(models.ENOTFOUND, "rule not found")
	}
	return res.Error
}

// ReplaceKBRulesByOrigin replaces every rule of one origin (e.g. the console import).
func (s *Store) ReplaceKBRulesByOrigin(ctx context.Context, origin string, rules []knowledge.Rule) error {
	return s.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("origin = ?", origin).Delete(&models.KBRule{}).Error; err != nil {
			return err
		}
		now := s.Now()
		for _, r := range rules {
			if r.Kind == "" {
				r.Kind = models.RuleKeyword
			}
			row := ruleToModel(r, origin)
			row.ID, row.CreatedAt, row.UpdatedAt = 0, now, now
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// seedRules are the association's default keyword rules, inserted once.
var seedRules = []knowledge.Rule{
	{Name: "联系电话", Keywords: []string{"电话", "联系方式", "热线", "客服电话"}, Match: knowledge.MatchEqual, Priority: 10,
		Reply: "{{name}}联系电话：{{phone}}\n服务时间：{{hours}}\n地址：{{address}}\n也可以回复“人工”，我们会通知值班工作人员。"},
	{Name: "地址", Keywords: []string{"地址", "在哪", "在哪里", "怎么走", "办公地址"}, Match: knowledge.MatchEqual, Priority: 10,
		Reply: "{{name}}地址：{{address}}\n服务时间：{{hours}}\n电话：{{phone}}"},
	{Name: "上班时间", Keywords: []string{"上班时间", "办公时间", "几点上班", "服务时间"}, Match: knowledge.MatchEqual, Priority: 10,
		Reply: "服务时间：{{hours}}\n电话：{{phone}}\n地址：{{address}}"},
}

// SeedKBRules inserts the default keyword rules once.
func (s *Store) SeedKBRules(ctx context.Context) error {
	var n int64
	if err := s.DB.WithContext(ctx).Model(&models.KBRule{}).Where("origin = ?", "seed").Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, r := range seedRules {
		r.Kind = models.RuleKeyword
		if _, err := s.SaveKBRule(ctx, r, "seed"); err != nil {
			return fmt.Errorf("seed rule %s: %w", r.Name, err)
		}
	}
	return nil
}

// KBFingerprint changes whenever an entry is added, edited or disabled, so every
// copy can tell that another copy's staff edit needs its index rebuilt.
func (s *Store) KBFingerprint(ctx context.Context) (string, error) {
	var row struct {
		N    int64
		Last *string // SQLite answers text, MySQL a time: both scan into a string
	}
	err := s.DB.WithContext(ctx).Model(&models.KBEntry{}).Select("count(*) as n, max(updated_at) as last").Scan(&row).Error
	if err != nil {
		return "", err
	}
	last := ""
	if row.Last != nil {
		last = *row.Last
	}
	return fmt.Sprintf("%d|%s", row.N, last), nil
}
