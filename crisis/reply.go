package crisis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"familybot/models"
	"familybot/outbox"
)

// Reply sends the resident a message from the staff member following the
// crisis up, through the outbox as a customer-service message, and keeps it
// with the episode. The emergency lines are always added. There is no template
// fallback: a resident silent for more than 48 hours cannot be reached this
// way, so staff are told to phone instead. Sending does not close the case:
// staff close it when they know the resident is looked after. A *Problem names
// what to correct. It returns the text as typed, trimmed.
func (s *Service) Reply(ctx context.Context, id uint64, by models.Staff, reply string) (string, error) {
	ev, err := s.Store.GetCrisisEvent(ctx, id)
	if err != nil {
		return "", err
	}
	text := strings.TrimSpace(reply)
	switch {
	case text == "":
		return "", problem("text", "请填写要发给居民的话")
	case utf8.RuneCountInString(text) > MaxText:
		return "", problem("text", "内容请不要超过"+strconv.Itoa(MaxText)+"个字")
	}
	if !s.Now.UTC().Before(s.replyUntil(ctx, ev.OpenID, ev.CreatedAt)) {
		return "", problem("text", "居民超过48小时没有发消息，公众号发不出去了，请电话联系")
	}
	name := strings.TrimSpace(s.Association)
	body := text + "\n\n——" + name + "工作人员\n如情况紧急，请立即拨打 120（急救）或 110（报警）；想找人说说：12356 全国统一心理援助热线。"
	// The same words sent twice (a double tap) go out once; a second, different reply goes out too.
	sum := sha256.Sum256([]byte(text))
	n := outbox.ToResident(ev.OpenID, models.Notice{Kind: models.NoticeCrisisReply, About: models.CrisisSubject(id),
		Variant: hex.EncodeToString(sum[:8]), Title: "工作人员回复", Text: body})
	note := models.CrisisNote{CrisisID: id, Kind: models.CrisisNoteReply, Text: text, By: by.Label(), CreatedAt: s.Now.UTC()}
	return text, s.Store.SendCrisisReply(ctx, n, note)
}
