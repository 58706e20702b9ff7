package wishwall

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"familybot/models"
	"familybot/privacy"
)

// MaxPublicReply bounds the 回音壁 version of an answer.
const MaxPublicReply = 600

// greeting is a leading salutation: "张阿姨您好，", "王先生：您好！", "您好，".
var greeting = regexp.MustCompile(`^\s*(尊敬的)?([\p{Han}A-Za-z·]{0,8}?)[\s，,、：:]*(您好|你好)[\s！!，,。.：:~～]*`)

// PublicDraft turns a staff reply into a first 回音壁 version: numbers
// replaced by a note, a greeting with the resident's name taken off the
// front, and that name removed wherever else it appears. Staff read and edit
// it before it is published; names in the middle of the text are theirs to catch.
func PublicDraft(reply string) string {
	text := privacy.Hide(strings.TrimSpace(reply))
	if m := greeting.FindStringSubmatch(text); m != nil {
		text = text[len(m[0]):]
		if name := strings.TrimSpace(m[2]); utf8.RuneCountInString(name) >= 2 {
			text = strings.ReplaceAll(text, name, "您")
		}
	}
	return strings.TrimSpace(text)
}

// WallReply is the answer as the 回音壁 shows it: the public version staff
// wrote, or else the draft made from the last reply (numbers and greeting off).
func WallReply(d Detail) string {
	if d.PublicReply != "" {
		return privacy.Hide(d.PublicReply)
	}
	return PublicDraft(d.LastReply())
}

// SetPublicReply saves the 回音壁 version of a wish's answer (numbers hidden
// on the way in, so none is ever published) and records who wrote it.
func (s *Service) SetPublicReply(ctx context.Context, st models.Staff, id uint64, text string) (models.Wish, error) {
	defer s.WallCache.Forget()
	text = privacy.Hide(strings.TrimSpace(text))
	switch {
	case text == "":
		return models.Wish{}, models.Errorf(models.EINVALID, "请填写回音壁上显示的回应")
	case utf8.RuneCountInString(text) > MaxPublicReply:
		return models.Wish{}, models.Errorf(models.EINVALID, "回音壁上的回应请不要超过%d个字", MaxPublicReply)
	}
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	if !w.Public {
		return w, models.Errorf(models.EINVALID, "居民没有同意公开这条心愿，不会上回音壁")
	}
	return s.Store.ChangeWish(ctx, models.WishChange{ID: id, From: w.Status, To: w.Status, At: s.Now.UTC(), PublicReply: &text,
		Event: event(st, models.WishActWall, "写了回音壁上的公开回应")})
}
