package handlers

import (
	"fmt"
	"net/http"

	"familybot/models"
	"familybot/wishwall"

	"github.com/gin-gonic/gin"
)

// Staff work on a wish beyond its lifecycle: calling back a resident who rated
// the answer low, and correcting the category the resident chose.

// wishCategory changes the category (and the team, when it was the category's).
func (s *Server) wishCategory(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	cat := c.PostForm("category")
	w, err := svc.SetCategory(c.Request.Context(), me, id, cat)
	if err != nil {
		return s.afterChange(c, id, err, "", "", "")
	}
	s.audit(c, "wish.category", fmt.Sprintf("wish:%d", id), "category="+w.Category+" team="+w.Team)
	if !wishwall.CanSee(me, w) {
		c.Redirect(http.StatusSeeOther, "/admin/wishes?ok=recategorized_away")
		return nil
	}
	return s.afterChange(c, id, nil, "recategorized", "", "")
}

// categoryOptions lists the wish categories with code selected.
func categoryOptions(code string) []option {
	var out []option
	for _, c := range models.WishCategories {
		out = append(out, option{Value: c, Label: models.WishCategoryLabel(c), Selected: c == code})
	}
	return out
}

// wishFollowUp records that the resident who rated low was called back.
func (s *Server) wishFollowUp(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	c.Set(wishFormKey, "followup")
	_, err = svc.FollowUp(c.Request.Context(), me, id, c.PostForm("note"))
	if err == nil {
		s.audit(c, "wish.followup", fmt.Sprintf("wish:%d", id), "")
	}
	return s.afterChange(c, id, err, "followed_up", "", "")
}
