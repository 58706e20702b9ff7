package handlers

import (
	"net/http"

	"familybot/wishwall"

	"github.com/gin-gonic/gin"
)

type wallView struct {
	Page
	Items []wishwall.WallItem
	Name  string
}

// wallPage is the public 回音壁: anonymous, numbers masked, large type.
func (s *Server) wallPage(c *gin.Context) error {
	v := &wallView{Page: Page{Title: "回音壁"}, Name: s.Cfg.Association.Name}
	if s.Wishes != nil {
		items, err := s.Wishes.Wall(c.Request.Context(), 50)
		if err != nil {
			return err
		}
		v.Items = items
	}
	s.render(c, http.StatusOK, "wall.html", v)
	return nil
}
