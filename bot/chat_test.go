package bot

import (
	"context"
	"strings"
	"testing"

	"familybot/knowledge"
	"familybot/models"
)

// Feelings answered for the one who writes them: a teenager after a row with
// her mother is no carer, a tired mother no grandparent, a lonely holiday no
// question about festive food.
func TestChatSpeaksToTheWriter(t *testing.T) {
	e, _, _, _ := engineForTest(t)
	e.assessCrisis = func(string) knowledge.Crisis { return knowledge.Crisis{} } // none of these is a crisis
	ctx := context.Background()
	for _, c := range []struct {
		user        string
		before      []string
		say         string
		has, hasNot []string
	}{
		{user: "teen", before: []string{"我妈又偷看我手机了 气死"}, say: "我跟她吵了一架 她说我不懂事", has: []string{"委屈", "12355"}},
		{user: "teen", say: "有时候觉得好累 没人懂我", has: []string{"12355"}, hasNot: []string{"照顾家人", "暖心家园"}},
		{user: "carer", say: "照顾我妈三年了 太累了", has: []string{"照顾家人", "暖心家园"}},
		{user: "mum", say: "好的 谢谢 带娃太累了 有时候想哭", has: []string{"辛苦", "12356"}, hasNot: []string{"孩子爸妈"}},
		{user: "grandma", say: "我太累了 天天带孙子", has: []string{"孩子爸妈"}},
		{user: "shidu", say: "过年过节的时候最难受 家里就我和老伴两个人 冷冷清清的", has: []string{"暖心家园", "人工"}, hasNot: []string{"粽子"}},
		{user: "shidu2", say: "马上元旦了 又要一个人过节 心里空落落的", has: []string{"暖心家园"}, hasNot: []string{"粽子"}},
		{user: "who", say: "你们是真人在回吗 还是机器", has: []string{"不是真人", "人工"}},
		{user: "thanks", say: "谢谢 挺有用的", has: []string{"谢谢"}, hasNot: []string{"还不会回答"}},
	} {
		for _, b := range c.before {
			e.Handle(ctx, text(c.user, b))
		}
		r := e.Handle(ctx, text(c.user, c.say))
		if r.Route != models.RouteChat {
			t.Errorf("%s: route %s, want chat: %.80s", c.say, r.Route, r.Text)
			continue
		}
		checkWords(t, c.say, r.Text, c.has, c.hasNot)
	}
	// A parent's row with a teenager is a question for the FAQ, not a teen's feelings.
	if r := e.Handle(ctx, text("parent", "孩子一说就顶嘴 吵架怎么办")); strings.Contains(r.Text, "又气又委屈") {
		t.Errorf("a parent got a teen's words: %s", r.Text)
	}
}
