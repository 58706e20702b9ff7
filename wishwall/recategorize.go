package wishwall

import (
	"context"

	"familybot/models"
)

// SetCategory corrects a wish's category (residents often pick 其他). The team
// follows when it was still the category's own team; a wish staff handed to
// another team stays there.
func (s *Service) SetCategory(ctx context.Context, st models.Staff, id uint64, category string) (models.Wish, error) {
	defer s.WallCache.Forget()
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	code, ok := models.WishCategoryByLabel(category)
	if !ok {
		return w, models.Errorf(models.EINVALID, "没有这个类别")
	}
	if code == w.Category {
		return w, nil
	}
	note := "类别：" + models.WishCategoryLabel(w.Category) + " → " + models.WishCategoryLabel(code)
	ch := models.WishChange{ID: id, From: w.Status, To: w.Status, At: s.Now.UTC(), Category: &code}
	if w.Team == w.Category || w.Team == "" {
		ch.Team = &code
		note += "；转给" + models.WishCategoryLabel(code) + "组"
	}
	ch.Event = event(st, models.WishActCategory, note)
	return s.Store.ChangeWish(ctx, ch)
}
