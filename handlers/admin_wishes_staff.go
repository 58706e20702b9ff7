package handlers

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// Staff follow-ups on a wish beyond its lifecycle: calling back a resident who
// rated the answer low.

func init() {
	registerFlashes(map[string]string{"followed_up": "已记录回访"})
	registerAdminPages(func(s *Server, g *gin.RouterGroup) {
		g.POST("/wishes/:id/followup", s.h(s.wishFollowUp))
	})
}

// wishFollowUp records that the resident who rated low was called back.
func (s *Server) wishFollowUp(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	_, err = svc.FollowUp(c.Request.Context(), me, id, c.PostForm("note"))
	if err == nil {
		s.audit(c, "wish.followup", fmt.Sprintf("wish:%d", id), "")
	}
	return s.afterChange(c, id, err, "followed_up", "", "")
}
