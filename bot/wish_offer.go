package bot

import (
	"context"
	"strings"
	"unicode/utf8"

	"familybot/models"
)

// A suggestion said outright ("希望周末也有活动") is offered to the 心愿墙; a
// wish half-written is not thrown away on a 算了; questions about the wall
// are answered from its own promise.

// Texts of the offer and of keeping a written wish.
const (
	msgWishOffer        = "这是给我们的建议吗？可以留在“心愿墙”上，工作人员一般3天内受理、15天内答复。\n回复“是”留下这条（也可以接着补充几句），回复“不用”就不留。以后想提建议，直接回复“许愿”就行。"
	msgWishOfferCompany = "这是您的心愿吧，想有人陪陪、来家里坐坐，一点也不过分。可以把它留在“心愿墙”上，工作人员会看到，一般3天内受理、15天内答复，也会帮您问问志愿者和“暖心家园”。\n回复“是”留下这条（也可以接着补充几句），回复“不用”就不留。"
	msgWishKeep         = "刚才写的建议还没提交。要保存吗？回复“保存”提交（不留联系方式、不上回音壁），回复“不用”就不保存。"
	msgWishNotKept      = "好的，这条没有保存。想提建议随时回复“许愿”。"
	msgWishPhoneAsk     = "不是必须的：留了电话，工作人员可以直接联系您；不留也一样会答复，结果通过公众号通知您。不留请回复“跳过”。"
	msgWishWhen         = "工作人员一般在3天内受理、15天内答复，结果会通过公众号通知您；回复“我的心愿”可随时查看进度。"
)

// wishIntent starts the wish flow for a suggestion said outright ("希望周末也有
// 活动") and answers a question about a wish just left ("多久回复").
func (e *Engine) wishIntent(ctx context.Context, in Inbound, text string) (Reply, bool) {
	if e.context(ctx).Wish != 0 && containsAnyWord(text, []string{"多久", "几天", "什么时候", "啥时候", "多长时间"}) &&
		containsAnyWord(text, []string{"回复", "答复", "受理", "处理", "回", "办"}) {
		// The wall's own promise, not a knowledge entry that may word it otherwise.
		return Reply{Text: msgWishWhen, Route: models.RouteCommand}, true
	}
	company := containsAnyWord(text, []string{"想有人来", "想有人陪", "希望有人", "盼着有人", "想让人来", "想请人来"})
	if !strings.HasPrefix(text, "希望") && !strings.HasPrefix(text, "建议") && !company || isQuestion(text) {
		return Reply{}, false
	}
	// 希望宝宝快点好起来 is a feeling, 希望社区多办点周末的活动 a suggestion.
	if !company && !containsAnyWord(text, suggestionCues) && e.confident(ctx, text) {
		return Reply{}, false
	}
	if r, limited := e.wishLimited(ctx, in.OpenID); limited {
		return r, true
	}
	if err := e.StartFlow(ctx, in.OpenID, State{Flow: wishFlow, Step: "offer", Wish: &wishDraft{Text: clip(in.Text, 500)}}); err != nil {
		return Reply{Text: msgSorry}, true
	}
	if company || containsAnyWord(text, companyWords) {
		return Reply{Text: msgWishOfferCompany, Route: models.RouteCommand}, true
	}
	return Reply{Text: msgWishOffer, Route: models.RouteCommand}, true
}

// companyWords make a 希望… sentence a wish for company (有人来家里坐坐), a 心愿 rather than a suggestion.
var companyWords = []string{"陪我", "陪陪", "陪我们", "来家里", "来我家", "坐坐", "说说话", "聊聊天", "看看我", "看看我们", "有人来", "有人陪"}

// wishOffered takes the answer to "这是给我们的建议吗？" (offer) or "要保存吗？"
// (keep): yes, with or without more words, goes on; no ends the flow.
func (e *Engine) wishOffered(ctx context.Context, in Inbound, st *State, short string) (Reply, bool) {
	plain := plainIntent(short)
	if st.Step == "offer" && isQuestion(short) {
		st.Flow = ""
		return Reply{}, false // a question instead of an answer: routed as usual
	}
	if isSkip(plain) || strings.HasPrefix(plain, "不") || strings.HasPrefix(plain, "算了") {
		st.Flow = ""
		return Reply{Text: msgWishNotKept}, true
	}
	if st.Step == "keep" {
		if !containsAnyWord(plain, []string{"保存", "是", "好", "要", "可以", "行", "提交", "1", "嗯", "对"}) {
			return Reply{Text: msgWishKeep}, true
		}
		st.Flow = ""
		return e.createWish(ctx, st.Wish.wish(in.OpenID, false), ""), true
	}
	// 对 就是建议 周末搞点亲子的: the yes, then more of the wish.
	more := strings.TrimSpace(strings.NewReplacer("就是建议", "", "是建议", "", "是的", "", "对的", "", "留下", "", "是", "", "对", "", "嗯", "", "好", "", "可以", "").Replace(short))
	text := st.Wish.Text
	if utf8.RuneCountInString(plainIntent(more)) > 1 {
		text += "；" + strings.TrimLeft(more, "，,。 ")
	}
	st.Step = "text"
	return wishStep(ctx, e, Inbound{OpenID: in.OpenID, Kind: in.Kind, Text: text}, st)
}

// suggestionCues make a 希望… sentence a suggestion to the association.
var suggestionCues = []string{"多办", "多搞", "多开", "多组织", "增加", "开设", "办个", "搞个", "也有", "能有", "开放", "延长", "周末",
	"晚上", "你们", "社区", "协会", "活动", "课堂", "讲座", "名额"}

// wallQuestion answers a question about the wall itself, asked half-way
// through a wish, from the wall's promise.
func wallQuestion(answer, prompt string) (Reply, bool) {
	switch {
	case containsAnyWord(answer, []string{"留电话", "要电话", "留手机", "必须", "一定要", "联系方式"}):
		return Reply{Text: msgWishPhoneAsk}, true
	case containsAnyWord(answer, []string{"多久", "几天", "什么时候", "啥时候"}):
		return Reply{Text: msgWishWhen + "\n\n" + prompt}, true
	}
	return Reply{}, false
}

// noWithMore reports a no with more words: 不用留, 不需要联系我, 不留了.
func noWithMore(s string) bool {
	for _, p := range []string{"不用", "不需要", "不留", "不要留", "不必"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
