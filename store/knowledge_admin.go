package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"familybot/knowledge"
	"familybot/models"

	"gorm.io/gorm/clause"
)

// What the knowledge admin needs beyond the bot: every rule (disabled ones
// too), and the unanswered questions grouped the way the matcher reads them,
// with the groups staff have dealt with left out.

// KBHandledQuestion records that staff dealt with one unanswered question (all
// messages that normalise to the same text) up to HandledAt: ignored it, made
// it a new entry or added it to an entry. The same question asked again later
// comes back, because the bot still did not answer it.
//
// It lives here rather than in models because only the knowledge admin uses it;
// move it to models/knowledge.go if anything else ever needs it.
type KBHandledQuestion struct {
	NormHash  string `gorm:"type:varchar(64);primaryKey"` // sha256 of knowledge.Normalize(text)
	Action    string `gorm:"type:varchar(16)"`            // ignored | added | appended
	EntryID   uint
	HandledBy string `gorm:"type:varchar(64)"`
	HandledAt time.Time
}

// TableName keeps the table name readable.
func (KBHandledQuestion) TableName() string { return "kb_handled_questions" }

// normHash names a group of questions: their normalised text, hashed so the
// key has a fixed length whatever the question.
func normHash(norm string) string {
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}

// unansweredScan bounds how many recent fallback messages are grouped.
const unansweredScan = 2000

// ListUnansweredGroups groups the fallback messages since since by normalised
// text, newest group first, leaving out messages of a group staff handled
// after they were sent. At most limit groups.
func (s *Store) ListUnansweredGroups(ctx context.Context, since time.Time, limit int) ([]models.UnansweredGroup, error) {
	msgs, err := s.ListUnanswered(ctx, since.UTC(), unansweredScan)
	if err != nil {
		return nil, err
	}
	// Normalise each message once; group by the hash of the normalised text.
	hashes := make([]string, len(msgs))
	norms := map[string]string{}
	var order []string
	for i, m := range msgs { // newest first
		norm := knowledge.Normalize(m.Text)
		if norm == "" {
			continue
		}
		h := normHash(norm)
		hashes[i] = h
		if _, ok := norms[h]; !ok {
			norms[h] = norm
			order = append(order, h)
		}
	}
	handled, err := s.handledSince(ctx, order)
	if err != nil {
		return nil, err
	}
	var marked []uint64
	for _, m := range msgs {
		if m.Route != models.RouteFallback {
			marked = append(marked, m.ID)
		}
	}
	wrong, err := s.WrongAnswers(ctx, marked)
	if err != nil {
		return nil, err
	}
	groups := map[string]*models.UnansweredGroup{}
	for i, m := range msgs {
		h := hashes[i]
		if h == "" {
			continue
		}
		since := m.CreatedAt // a wrong answer counts from when it was marked
		wa, isWrong := wrong[m.ID]
		if isWrong && wa.MarkedAt.After(since) {
			since = wa.MarkedAt
		}
		if at, ok := handled[h]; ok && !since.After(at) {
			continue // staff dealt with it after this message came in
		}
		g, ok := groups[h]
		if !ok {
			g = &models.UnansweredGroup{Norm: norms[h], Text: m.Text, MessageID: m.ID, Last: m.CreatedAt}
			groups[h] = g
		}
		if isWrong && g.WrongEntryID == 0 {
			g.WrongEntryID, g.WrongScore = wa.EntryID, wa.Score
		}
		g.Count++
		g.First = m.CreatedAt
	}
	out := make([]models.UnansweredGroup, 0, len(groups))
	for _, h := range order {
		if g, ok := groups[h]; ok {
			out = append(out, *g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// handledSince returns when each of the groups was last handled.
func (s *Store) handledSince(ctx context.Context, hashes []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for len(hashes) > 0 {
		n := min(len(hashes), 500)
		var rows []KBHandledQuestion
		if err := s.DB.WithContext(ctx).Where("norm_hash IN ?", hashes[:n]).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.NormHash] = r.HandledAt
		}
		hashes = hashes[n:]
	}
	return out, nil
}

// GetMessage returns one logged message, or ENOTFOUND.
func (s *Store) GetMessage(ctx context.Context, id uint64) (models.Message, error) {
	var m models.Message
	err := s.DB.WithContext(ctx).Take(&m, id).Error
	return m, mapErr(err, "message")
}

// MarkUnansweredHandled marks every message normalising to the same text as
// text as handled now, by staff user by; entryID is the entry it went to (0
// when ignored).
func (s *Store) MarkUnansweredHandled(ctx context.Context, text, action, by string, entryID uint) error {
	norm := knowledge.Normalize(text)
	if norm == "" {
		return models.Errorf(models.EINVALID, "这条消息没有可处理的文字。")
	}
	row := KBHandledQuestion{NormHash: normHash(norm), Action: action, EntryID: entryID, HandledBy: by, HandledAt: s.Now().UTC()}
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
}

// ListKBRuleRows returns every rule, disabled ones too, highest priority first.
func (s *Store) ListKBRuleRows(ctx context.Context) ([]models.KBRule, error) {
	var rows []models.KBRule
	err := s.DB.WithContext(ctx).Order("priority DESC, id").Find(&rows).Error
	return rows, err
}

// GetKBRule returns one rule's row, or ENOTFOUND.
func (s *Store) GetKBRule(ctx context.Context, id uint) (models.KBRule, error) {
	var row models.KBRule
	err := s.DB.WithContext(ctx).Take(&row, id).Error
	return row, mapErr(err, "rule")
}

// SetKBRuleEnabled turns a rule on or off (SaveKBRule keeps a rule's state).
func (s *Store) SetKBRuleEnabled(ctx context.Context, id uint, enabled bool) error {
	res := s.DB.WithContext(ctx).Model(&models.KBRule{}).Where("id = ?", id).
		Updates(map[string]any{"enabled": enabled, "updated_at": s.Now()})
	if res.Error == nil && res.RowsAffected == 0 {
		// MySQL counts changed rows only: tell "unchanged" from "missing".
		_, err := s.GetKBRule(ctx, id)
		return err
	}
	return res.Error
}
