// Package wishwall holds the 心愿墙 rules: the wish lifecycle, staff replies and
// the 回音壁, shared by the chat and the admin.
//
// Lifecycle: 待受理 → 已受理 → 办理中 → 已办结 (with a reply), or 不予受理 (with a
// reason) from 待受理 or 已受理. A wish not accepted within AcceptWithin, or not
// finished within FinishWithin of its creation, is overdue (calendar time, from
// the injected clock). Every change is one store transaction that also writes the
// history row and the notices it causes, so a notification exists exactly
// when the change does.
package wishwall

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/memo"
	"familybot/models"
	"familybot/outbox"
	"familybot/privacy"
)

// Service-level limits.
const (
	AcceptWithin = 3 * 24 * time.Hour
	FinishWithin = 15 * 24 * time.Hour
	MinTextRunes = 4
	MaxTextRunes = 500
	MaxContact   = 64
	MaxReply     = 1000
)

// Service is the wish service.
type Service struct {
	Store  Store
	Notify *outbox.Notifier // nil: nothing is sent (tests, the CLI)
	Now    models.Clock
	// WallCache keeps the 回音壁 for WallCache.TTL (zero: not at all). Every
	// change made through this Service forgets it, so only other copies'
	// changes may take that long to show.
	WallCache memo.Recent[int, []WallItem]
}

// Store is what wishes need from storage (implemented by *store.Store).
type Store interface {
	CreateWish(ctx context.Context, w *models.Wish, perDay int, day string, msgs func(models.Wish) []models.Notice) error
	GetWish(ctx context.Context, id uint64) (models.Wish, error)
	ListWishReplies(ctx context.Context, wishID uint64) ([]models.WishReply, error)
	ListWishRepliesFor(ctx context.Context, wishIDs []uint64) (map[uint64][]models.WishReply, error)
	ListWishEvents(ctx context.Context, wishID uint64) ([]models.WishEvent, error)
	ListWishesByOpenID(ctx context.Context, openID string, limit int) ([]models.Wish, error)
	ListWallWishes(ctx context.Context, limit int) ([]models.Wish, error)
	ListWishes(ctx context.Context, f models.WishFilter) ([]models.Wish, error)
	CountWishesByStatus(ctx context.Context, f models.WishFilter) (map[models.WishStatus]int64, error)
	CountOverdueWishes(ctx context.Context, f models.WishFilter) (int64, error)
	CountWishes(ctx context.Context, f models.WishFilter) (int64, error)
	ChangeWish(ctx context.Context, ch models.WishChange) (models.Wish, error)
	RateWish(ctx context.Context, id uint64, openID string, score int, at time.Time, msgs func(models.Wish) []models.Notice) (models.Wish, error)
	WishesOnDay(ctx context.Context, openID, day string) (int, error)
	GetStaff(ctx context.Context, userID string) (models.Staff, error)
}

// Detail is a wish with its replies and history.
type Detail struct {
	models.Wish
	Replies []models.WishReply
	Events  []models.WishEvent
	// Overdue says why the wish is overdue ("" when it is not).
	Overdue string
}

// LastReply returns the latest staff reply, or "".
func (d Detail) LastReply() string {
	if len(d.Replies) == 0 {
		return ""
	}
	return d.Replies[len(d.Replies)-1].Text
}

// NewWish is what a resident submits.
type NewWish struct {
	OpenID   string
	Text     string
	Category string // a models.WishCat* code; empty means 其他
	Contact  string
	Public   bool
}

// CheckText validates a wish's text and returns it cleaned: trimmed, with ID card
// numbers redacted (redacted reports whether any were).
func CheckText(text string) (clean string, redacted bool, err error) {
	clean = strings.TrimSpace(text)
	n := utf8.RuneCountInString(clean)
	if n < MinTextRunes {
		return "", false, models.Errorf(models.EINVALID, "心愿内容太短，请多写几个字")
	}
	if n > MaxTextRunes {
		return "", false, models.Errorf(models.EINVALID, "心愿内容请不要超过%d个字", MaxTextRunes)
	}
	clean, redacted = privacy.RedactIDs(clean)
	return clean, redacted, nil
}

// Create stores a resident's wish and alerts the staff on duty. perDay > 0 limits
// the resident's wishes per Beijing calendar day (ELIMIT beyond it).
func (s *Service) Create(ctx context.Context, in NewWish, perDay int) (models.Wish, error) {
	text, _, err := CheckText(in.Text)
	if err != nil {
		return models.Wish{}, err
	}
	if in.OpenID == "" {
		return models.Wish{}, models.Errorf(models.EINVALID, "missing resident")
	}
	cat, ok := models.WishCategoryByLabel(in.Category)
	if !ok {
		cat = models.WishCatOther
	}
	contact := strings.TrimSpace(in.Contact)
	if utf8.RuneCountInString(contact) > MaxContact {
		return models.Wish{}, models.Errorf(models.EINVALID, "联系方式请不要超过%d个字", MaxContact)
	}
	now := s.Now.UTC()
	w := models.Wish{OpenID: in.OpenID, Text: text, Category: cat, Team: cat, Contact: contact, Public: in.Public,
		Status: models.WishPending, CreatedAt: now, UpdatedAt: now}
	err = s.Store.CreateWish(ctx, &w, perDay, now.In(models.Beijing).Format("2006-01-02"), s.newWishNotices)
	return w, err
}

// Today returns how many wishes the resident has made today (Beijing time), as counted for the daily limit.
func (s *Service) Today(ctx context.Context, openID string) (int, error) {
	return s.Store.WishesOnDay(ctx, openID, s.Now.UTC().In(models.Beijing).Format("2006-01-02"))
}

// Mine returns a resident's latest wishes with their replies.
func (s *Service) Mine(ctx context.Context, openID string, limit int) ([]Detail, error) {
	ws, err := s.Store.ListWishesByOpenID(ctx, openID, limit)
	if err != nil {
		return nil, err
	}
	return s.withReplies(ctx, ws)
}

// MineOne returns one of the resident's wishes; another resident's is ENOTFOUND.
func (s *Service) MineOne(ctx context.Context, openID string, id uint64) (Detail, error) {
	w, err := s.Store.GetWish(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	if w.OpenID != openID {
		return Detail{}, models.Errorf(models.ENOTFOUND, "wish not found")
	}
	rs, err := s.Store.ListWishReplies(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	return Detail{Wish: w, Replies: rs, Overdue: Overdue(w, s.Now.UTC())}, nil
}

func (s *Service) withReplies(ctx context.Context, ws []models.Wish) ([]Detail, error) {
	ids := make([]uint64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	rs, err := s.Store.ListWishRepliesFor(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.Now.UTC()
	out := make([]Detail, len(ws))
	for i, w := range ws {
		out[i] = Detail{Wish: w, Replies: rs[w.ID], Overdue: Overdue(w, now)}
	}
	return out, nil
}

// Rate stores the resident's 1–5 rating of a finished wish. id 0 means "the
// resident's one finished, unrated wish" (ENOTFOUND when there is none, EINVALID
// with the candidates' numbers when there are several). A rating of 2 or less
// alerts the staff on duty, so someone follows up (回访).
func (s *Service) Rate(ctx context.Context, openID string, id uint64, score int) (models.Wish, error) {
	defer s.WallCache.Forget()
	if score < 1 || score > 5 {
		return models.Wish{}, models.Errorf(models.EINVALID, "评分请用1到5的数字")
	}
	if id == 0 {
		ws, err := s.Store.ListWishesByOpenID(ctx, openID, 50)
		if err != nil {
			return models.Wish{}, err
		}
		var cand []uint64
		for _, w := range ws {
			if w.Status == models.WishDone && w.Rating == 0 {
				cand = append(cand, w.ID)
			}
		}
		switch len(cand) {
		case 0:
			return models.Wish{}, models.Errorf(models.ENOTFOUND, "no finished wish to rate")
		case 1:
			id = cand[0]
		default:
			return models.Wish{}, models.Errorf(models.EINVALID, "several wishes to rate")
		}
	}
	return s.Store.RateWish(ctx, id, openID, score, s.Now.UTC(), func(w models.Wish) []models.Notice {
		return s.lowRatingNotices(w, score)
	})
}

// WallItem is one 回音壁 entry: anonymous, numbers masked.
type WallItem struct {
	ID         uint64
	Category   string // Chinese label
	Text       string
	Reply      string
	CreatedAt  time.Time
	FinishedAt time.Time
	Rating     int
}

// Wall returns the latest answered public wishes, anonymised: no names, openids
// or contacts, and every long number in the wish and the reply masked.
func (s *Service) Wall(ctx context.Context, limit int) ([]WallItem, error) {
	return s.WallCache.Get(limit, func() ([]WallItem, error) { return s.wall(ctx, limit) })
}

func (s *Service) wall(ctx context.Context, limit int) ([]WallItem, error) {
	ws, err := s.Store.ListWallWishes(ctx, limit)
	if err != nil {
		return nil, err
	}
	ds, err := s.withReplies(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := make([]WallItem, 0, len(ds))
	for _, d := range ds {
		it := WallItem{ID: d.ID, Category: models.WishCategoryLabel(d.Category), Text: privacy.Hide(d.Text),
			Reply: WallReply(d), CreatedAt: d.CreatedAt, Rating: d.Rating}
		if d.FinishedAt != nil {
			it.FinishedAt = *d.FinishedAt
		}
		out = append(out, it)
	}
	return out, nil
}

// Overdue says why w is overdue at now, or "" when it is not.
func Overdue(w models.Wish, now time.Time) string {
	age := now.Sub(w.CreatedAt)
	switch {
	case w.Status == models.WishPending && age > AcceptWithin:
		return "超过3天未受理"
	case isOpen(w.Status) && age > FinishWithin:
		return "超过15天未办结"
	}
	return ""
}

func isOpen(status models.WishStatus) bool {
	for _, s := range models.WishOpenStatuses {
		if s == status {
			return true
		}
	}
	return false
}
