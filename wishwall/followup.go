package wishwall

import (
	"context"

	"familybot/models"
)

// Low ratings: a resident who rated an answer WishLowRating or less is called
// back; the inbox flags these wishes and the nav counts those still waiting.

// LowRatedWaiting counts the low-rated wishes st may see that nobody has
// followed up yet.
func (s *Service) LowRatedWaiting(ctx context.Context, st models.Staff) (int64, error) {
	f := s.scope(st)
	f.Statuses, f.LowRated, f.NotFollowedUp = []models.WishStatus{models.WishDone}, true, true
	return s.Store.CountWishes(ctx, f)
}

// IsLowRating reports whether a rating (0: none) is low enough to call the resident back.
func IsLowRating(r int) bool { return r >= 1 && r <= models.WishLowRating }

// FollowUp records that st called back a resident who gave a low rating, with
// what came of it (note, required).
func (s *Service) FollowUp(ctx context.Context, st models.Staff, id uint64, note string) (models.Wish, error) {
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	if !IsLowRating(w.Rating) {
		return w, models.Errorf(models.EINVALID, "只有评价为%d分及以下的心愿需要回访", models.WishLowRating)
	}
	if w.FollowedUpAt != nil {
		return w, models.Errorf(models.ECONFLICT, "这条心愿已经记录过回访")
	}
	if note, err = checkReply(note, "请写下回访的情况"); err != nil {
		return w, err
	}
	return s.Store.ChangeWish(ctx, models.WishChange{ID: id, From: w.Status, To: w.Status, At: s.Now.UTC(), FollowedUp: true,
		Event: event(st, models.WishActFollowUp, note)})
}
