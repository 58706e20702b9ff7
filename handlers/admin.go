package handlers

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gin-gonic/gin"
)

// adminRoutes mounts the staff admin and the public 回音壁 page.
func (s *Server) adminRoutes(r *gin.Engine) {}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
