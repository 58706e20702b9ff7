package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"familybot/privacy"
	"familybot/wishwall"

	"github.com/gin-gonic/gin"
)

// wishPublicKey carries, in the request, the 回音壁 version being previewed.
const wishPublicKey = "wish_public"

// wallVersion is the wish page's 回音壁 section: the version staff edit
// (saved, or a draft from the reply), the preview, and whether it still
// needs writing.
type wallVersion struct {
	Text    string // in the textarea
	Preview string // exactly as /wall would show it; empty when not previewing
	Missing bool   // published (or to be) without a version staff wrote
	Wish    string // the wish as /wall shows it
}

func publicVersion(c *gin.Context, d wishwall.Detail) wallVersion {
	v := wallVersion{Text: d.PublicReply, Missing: d.PublicReply == "" && !d.WallHidden, Wish: privacy.Hide(d.Text)}
	if v.Text == "" {
		v.Text = wishwall.PublicDraft(d.LastReply())
	}
	if typed, ok := c.Get(wishPublicKey); ok {
		v.Text = typed.(string)
		v.Preview = privacy.Hide(strings.TrimSpace(v.Text))
	}
	return v
}

// wishPublic previews (action=preview) or saves the 回音壁 version of a
// wish's answer; saving is audited and takes effect on /wall at once.
func (s *Server) wishPublic(c *gin.Context) error {
	id, svc, err := s.wishTarget(c)
	if err != nil {
		return err
	}
	text := c.PostForm("public")
	c.Set(wishFormKey, "public")
	if c.PostForm("action") == "preview" {
		c.Set(wishPublicKey, text)
		return s.renderWish(c, http.StatusOK, id, false, "", "", "")
	}
	me, _ := staffOf(c)
	_, err = svc.SetPublicReply(c.Request.Context(), me, id, text)
	if err == nil {
		s.audit(c, "wish.public", fmt.Sprintf("wish:%d", id), fmt.Sprintf("chars=%d", len([]rune(text))))
	} else {
		c.Set(wishPublicKey, text)
	}
	return s.afterChange(c, id, err, "public_saved", "", "")
}
