package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"familybot/models"
	"familybot/wishwall"
)

// The 心愿墙 in the chat: 许愿 (a four-step flow, or one line: "许愿 内容"),
// 我的心愿, 回音壁 and 评价. Rating is a command rather than a pending state:
// the staff reply reaches the resident later, outside any conversation, so the
// reply itself says what to send ("评价 12 5"); "评价 5" works when only one
// finished wish is waiting for a rating.

const wishFlow = "wish"

// wishDraft is the wish flow's state: the wish as written so far.
type wishDraft struct {
	Text     string `json:"text,omitempty"`
	Category string `json:"category,omitempty"`
	Contact  string `json:"contact,omitempty"`
}

// wish is the draft ready to be stored.
func (d *wishDraft) wish(openID string, public bool) wishwall.NewWish {
	return wishwall.NewWish{OpenID: openID, Text: d.Text, Category: d.Category, Contact: d.Contact, Public: public}
}

// Texts of the wish flow.
const (
	msgWishAsk = "欢迎来到心愿墙 🌻 请用几句话写下您的心愿或建议（500字以内），例如“希望社区多办几次家长课堂”。\n" +
		"⚠️ 请不要填写身份证号、病历等敏感信息。\n回复“退出”可随时结束。"
	msgWishAskCategory = "好的。请选择类别，回复数字：\n1. 育儿\n2. 青春期\n3. 养老\n4. 活动建议\n5. 协会服务\n6. 其他\n不确定请回复“跳过”。"
	msgWishCategorized = "好的，已归入「%s」类（不对的话，之后工作人员会调整）。\n"
	msgWishAskContact  = "需要工作人员直接联系您吗？需要请留下称呼和电话，例如“王阿姨 139xxxxxxxx”；不需要请回复“跳过”。\n（联系方式只有工作人员能看到。）"
	msgWishAskPublic   = "办结后，是否同意把您的心愿和我们的答复匿名展示在“回音壁”上？不会显示您的名字和电话。\n回复 1 同意，回复 2 不同意。"
	msgWishRedacted    = "（为保护您的隐私，内容里的身份证号已自动隐藏。）\n"
	msgWishDone        = "已收到您的心愿，编号 #%d。\n类别：%s\n工作人员一般在3天内受理、15天内答复，结果会通过公众号通知您。\n回复“我的心愿”可随时查看进度。%s"
	msgWishDonePublic  = "\n办结后会匿名展示在回音壁。"
	msgWishDoneQuick   = "\n（如需工作人员联系您或同意在回音壁展示，可回复“许愿”按步骤填写。）"
	msgWishLimit       = "您今天已经留了%d条心愿，请明天再来。着急的事请回复“人工”或致电 {{phone}}（{{hours}}）。"
	msgWishOff         = "心愿墙暂时不可用，请稍后再试，或回复“人工”联系工作人员（{{phone}}）。"
	msgWishBadCategory = "请回复 1 到 6 的数字选择类别，不确定请回复“跳过”。"
	msgWishBadPublic   = "请回复 1（同意展示）或 2（不同意）。回复“退出”可结束。"
	msgWishNone        = "您还没有留过心愿。回复“许愿”写下您的心愿或建议，工作人员会回复您。"
	msgWishNotFound    = "没有找到您的心愿 #%d。回复“我的心愿”查看您的全部心愿。"
	msgWallEmpty       = "回音壁暂时还没有内容。回复“许愿”写下您的心愿，办结后会在这里回应大家。"
	msgRateUsage       = "请回复“评价 心愿编号 分数”，例如“评价 12 5”（1-5分，5分最满意）。"
	msgRateNone        = "您还没有已办结、待评价的心愿。回复“我的心愿”查看进度。"
	msgRateSeveral     = "您有几条心愿可以评价，请带上编号，例如“评价 %d 5”。回复“我的心愿”可查看编号。"
	msgRateNotDone     = "心愿 #%d 还没有办结，办结后再来评价吧。"
	msgRateTwice       = "您已经评价过心愿 #%d 了，谢谢！"
	msgRateThanks      = "谢谢您的评价（%d分）！我们会继续努力。"
	msgRateSorry       = "谢谢您的评价（%d分）。抱歉没能让您满意，工作人员会再联系您了解情况。"
)

// wishCommandNames start the flow, or with words after them, take a one-line wish.
var wishCommandNames = []string{"许愿", "我要许愿", "心愿墙", "留心愿", "我想许愿", "我想许个愿", "许个愿", "我想许个心愿", "我要许个心愿",
	"许个心愿", "想许个心愿", "许心愿", "我想许心愿", "我要许心愿", "我想留个心愿", "留个心愿", "我有个心愿", "我想写个心愿", "提建议", "提个建议",
	"我想提个建议", "我想给你们提个建议", "我要提建议", "反映问题", "反映个问题", "我想反映个问题", "留言", "我要留言"}

// wishStart begins the flow, or stores a one-line wish.
func wishStart(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	if e.Wishes == nil {
		return Reply{Text: e.fill(msgWishOff)}
	}
	if args == "" {
		if r, limited := e.wishLimited(ctx, in.OpenID); limited {
			return r
		}
		if err := e.StartFlow(ctx, in.OpenID, State{Flow: wishFlow, Step: "text", Wish: &wishDraft{}}); err != nil {
			return Reply{Text: msgSorry}
		}
		return Reply{Text: msgWishAsk}
	}
	// One line: keep the resident's own punctuation (the command matcher folds
	// full-width characters), defaults: 其他, no contact, not shown on the wall.
	text := originalArgs(in.Text, args)
	return e.createWish(ctx, wishwall.NewWish{OpenID: in.OpenID, Text: text, Category: wishwall.InferCategory(text)}, msgWishDoneQuick)
}

// originalArgs returns the text after the command word as the resident typed it.
func originalArgs(raw, args string) string {
	raw = strings.TrimSpace(raw)
	for _, n := range wishCommandNames {
		if rest, ok := strings.CutPrefix(raw, n); ok {
			if rest = strings.TrimSpace(strings.TrimLeft(rest, "\u3000 ")); rest != "" {
				return rest
			}
		}
	}
	return args
}

// wishLimited tells a resident who has used today's wishes before they type one.
func (e *Engine) wishLimited(ctx context.Context, openID string) (Reply, bool) {
	if e.Limits.WishesPerDay <= 0 {
		return Reply{}, false
	}
	n, err := e.Wishes.Today(ctx, openID)
	if err != nil || n < e.Limits.WishesPerDay {
		return Reply{}, false
	}
	return Reply{Text: e.fill(fmt.Sprintf(msgWishLimit, e.Limits.WishesPerDay)), Route: models.RouteLimited}, true
}

func (e *Engine) createWish(ctx context.Context, nw wishwall.NewWish, tail string) Reply {
	_, redacted, err := wishwall.CheckText(nw.Text)
	if err == nil {
		var w models.Wish
		if w, err = e.Wishes.Create(ctx, nw, e.Limits.WishesPerDay); err == nil {
			if nw.Public {
				tail = msgWishDonePublic
			}
			convOf(ctx).update(ctx, func(c *convContext) { c.Wish = uint(w.ID) }) // "多久回复" next is about it
			text := fmt.Sprintf(msgWishDone, w.ID, models.WishCategoryLabel(w.Category), tail)
			if redacted {
				text = msgWishRedacted + text
			}
			return Reply{Text: text}
		}
	}
	switch models.ErrorCode(err) {
	case models.ELIMIT:
		return Reply{Text: e.fill(fmt.Sprintf(msgWishLimit, e.Limits.WishesPerDay)), Route: models.RouteLimited}
	case models.EINVALID:
		var de *models.Error
		if asDomain(err, &de) {
			return Reply{Text: de.Message + "。回复“许愿”重新填写。"}
		}
	}
	return Reply{Text: msgSorry}
}

// wishStep runs one step of the wish flow: text → category → contact → public.
func wishStep(ctx context.Context, e *Engine, in Inbound, st *State) (Reply, bool) {
	if e.Wishes == nil {
		st.Flow = ""
		return Reply{Text: e.fill(msgWishOff)}, true
	}
	answer := strings.TrimSpace(in.Text)
	short := normalizeCommand(answer)
	if prompt, asking := wishPrompts[st.Step]; asking && !wishStepAnswer(st.Step, short) {
		// 你是真人吗, 唉 其实还是挺想有人来的: answered, then the step asked again.
		if r, ok := e.chat(ctx, in); ok && r.Route == models.RouteChat {
			return Reply{Text: r.Text + "\n\n（心愿还没写完，接着回答就行；回复“退出”放弃。）\n" + prompt}, true
		}
	}
	if prompt, asking := wishPrompts[st.Step]; asking && signupQuestion(answer) {
		if r, ok := wallQuestion(answer, prompt); ok {
			return r, true
		}
		// A question half-way is answered, and the step asked again.
		r := e.faq(ctx, in)
		return Reply{Text: r.Text + "\n\n（心愿还没写完，接着回答就行；回复“退出”放弃。）\n" + prompt}, true
	}
	switch st.Step {
	case "offer", "keep":
		if k, _ := chatKindOf(answer); k == chatWhoAreYou || k == chatSad || k == chatGrief {
			if r, ok := e.chat(ctx, in); ok && r.Route == models.RouteChat {
				return Reply{Text: r.Text + "\n\n（刚才的心愿还没留下：回复“是”留下，回复“不用”就不留。）"}, true
			}
		}
		return e.wishOffered(ctx, in, st, short)
	case "text":
		text, redacted, err := wishwall.CheckText(answer)
		if err != nil {
			var de *models.Error
			if asDomain(err, &de) {
				return Reply{Text: de.Message + "。回复“退出”可结束。"}, true
			}
			return Reply{Text: msgSorry}, true
		}
		st.Wish.Text = text
		ask := msgWishAskCategory
		st.Step = "category"
		if cat := wishwall.InferCategory(text); cat != models.WishCatOther {
			// The text says its category: one question fewer.
			st.Wish.Category = cat
			st.Step = "contact"
			ask = fmt.Sprintf(msgWishCategorized, models.WishCategoryLabel(cat)) + msgWishAskContact
		}
		if redacted {
			return Reply{Text: msgWishRedacted + ask}, true
		}
		return Reply{Text: ask}, true
	case "category":
		cat, ok := parseCategory(short)
		if !ok && phoneInText.MatchString(joinPhone(short)) && utf8.RuneCountInString(answer) <= wishwall.MaxContact {
			// 我叫赵秀兰 电话139…: the contact, given before it was asked for.
			st.Wish.Category = wishwall.InferCategory(st.Wish.Text)
			st.Wish.Contact = answer
			st.Step = "public"
			return Reply{Text: "好的，联系方式记下了（只有工作人员能看到），工作人员会联系您。\n" + msgWishAskPublic}, true
		}
		if !ok && utf8.RuneCountInString(plainIntent(short)) > 5 {
			// More words of the wish, not a category: added to it.
			st.Wish.Text = clip(st.Wish.Text+"；"+answer, 500)
			return Reply{Text: "好的，这句也补充进心愿里了。\n" + msgWishAskCategory}, true
		}
		if !ok {
			return Reply{Text: msgWishBadCategory}, true
		}
		st.Wish.Category = cat
		st.Step = "contact"
		return Reply{Text: msgWishAskContact}, true
	case "contact":
		contact := answer
		if isSkip(short) {
			contact = ""
		}
		if utf8.RuneCountInString(contact) > wishwall.MaxContact {
			return Reply{Text: fmt.Sprintf("联系方式请不要超过%d个字，或回复“跳过”。", wishwall.MaxContact)}, true
		}
		st.Wish.Contact = contact
		st.Step = "public"
		return Reply{Text: msgWishAskPublic}, true
	case "public":
		var public bool
		switch short {
		case "1", "同意", "可以", "是", "愿意", "行":
			public = true
		case "2", "不同意", "不", "否", "不要", "不可以", "不愿意", "不行":
		default:
			return Reply{Text: msgWishBadPublic}, true
		}
		st.Flow = ""
		return e.createWish(ctx, st.Wish.wish(in.OpenID, public), ""), true
	}
	st.Flow = ""
	return Reply{}, false
}

// wishStepAnswer reports an answer the step takes as it is: a category, a
// phone number or 跳过, a yes or no.
func wishStepAnswer(step, short string) bool {
	switch step {
	case "category":
		_, ok := parseCategory(short)
		return ok
	case "contact":
		return isSkip(short) || strings.ContainsAny(short, "0123456789")
	case "public":
		return containsExact(short, []string{"1", "2", "同意", "不同意", "可以", "是", "愿意", "行", "不", "否", "不要", "不可以", "不愿意", "不行"})
	}
	return true
}

// wishPrompts are the questions of the steps after the wish's text.
var wishPrompts = map[string]string{"category": msgWishAskCategory, "contact": msgWishAskContact, "public": msgWishAskPublic}

func parseCategory(s string) (string, bool) {
	if isSkip(s) {
		return models.WishCatOther, true
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(models.WishResidentCategories) {
		return models.WishResidentCategories[n-1], true
	}
	return models.WishCategoryByLabel(s)
}

func isSkip(s string) bool {
	switch s {
	case "跳过", "不用", "不用了", "不需要", "不需要了", "不留", "不要", "不", "否", "无", "没有", "不选", "不知道", "略", "skip":
		return true
	}
	return noWithMore(s)
}

// myWishes lists the resident's latest wishes, or shows one ("我的心愿 12").
func myWishes(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	if e.Wishes == nil {
		return Reply{Text: e.fill(msgWishOff)}
	}
	if id, ok := parseWishID(args); ok {
		d, err := e.Wishes.MineOne(ctx, in.OpenID, id)
		if models.IsCode(err, models.ENOTFOUND) {
			return Reply{Text: fmt.Sprintf(msgWishNotFound, id)}
		}
		if err != nil {
			return Reply{Text: msgSorry}
		}
		return Reply{Text: wishDetailText(d)}
	}
	ds, err := e.Wishes.Mine(ctx, in.OpenID, 5)
	if err != nil {
		return Reply{Text: msgSorry}
	}
	if len(ds) == 0 {
		return Reply{Text: msgWishNone}
	}
	var b strings.Builder
	b.WriteString("您最近的心愿：\n")
	for _, d := range ds {
		fmt.Fprintf(&b, "\n#%d【%s】%s\n心愿：%s\n", d.ID, models.WishStatusLabel(d.Status), chinaDate(d), excerpt(d.Text, 24))
		switch {
		case d.Status == models.WishRejected:
			fmt.Fprintf(&b, "原因：%s\n", excerpt(d.Reason, 40))
		case d.LastReply() != "":
			fmt.Fprintf(&b, "回复：%s\n", excerpt(d.LastReply(), 40))
		}
		if d.Status == models.WishDone {
			if d.Rating > 0 {
				fmt.Fprintf(&b, "您的评价：%d分\n", d.Rating)
			} else {
				fmt.Fprintf(&b, "评价：回复“评价 %d 5”（1-5分）\n", d.ID)
			}
		}
	}
	fmt.Fprintf(&b, "\n回复“我的心愿 %d”查看某条的完整回复。", ds[0].ID)
	return Reply{Text: b.String()}
}

func wishDetailText(d wishwall.Detail) string {
	var b strings.Builder
	fmt.Fprintf(&b, "心愿 #%d【%s】%s\n类别：%s\n心愿：%s\n", d.ID, models.WishStatusLabel(d.Status), chinaDate(d),
		models.WishCategoryLabel(d.Category), excerpt(d.Text, 200))
	if d.Status == models.WishRejected && d.Reason != "" {
		fmt.Fprintf(&b, "不予受理的原因：%s\n", excerpt(d.Reason, 150))
	}
	for i, r := range d.Replies {
		if len(d.Replies)-i > 3 {
			continue // the last three replies keep the message within WeChat's size limit
		}
		fmt.Fprintf(&b, "\n工作人员回复（%s）：\n%s\n", r.CreatedAt.In(models.Beijing).Format("1月2日"), excerpt(r.Text, 150))
	}
	if len(d.Replies) == 0 && d.Status != models.WishRejected {
		b.WriteString("\n工作人员还没有回复，回复后会通知您。\n")
	}
	if d.Status == models.WishDone && d.Rating == 0 {
		fmt.Fprintf(&b, "\n满意吗？回复“评价 %d 5”打分（1-5分，5分最满意）。", d.ID)
	}
	return strings.TrimRight(b.String(), "\n")
}

// echoWall shows the latest answered public wishes.
func echoWall(ctx context.Context, e *Engine, in Inbound, _ string) Reply {
	if e.Wishes == nil {
		return Reply{Text: e.fill(msgWishOff)}
	}
	items, err := e.Wishes.Wall(ctx, 4)
	if err != nil {
		return Reply{Text: msgSorry}
	}
	if len(items) == 0 {
		return Reply{Text: msgWallEmpty}
	}
	var b strings.Builder
	b.WriteString("【回音壁】大家的心愿，我们这样回应：\n")
	for _, it := range items {
		fmt.Fprintf(&b, "\n#%d %s\n心愿：%s\n回音：%s\n", it.ID, it.Category, excerpt(it.Text, 40), excerpt(it.Reply, 60))
	}
	if u := strings.TrimRight(e.PublicURL, "/"); u != "" {
		fmt.Fprintf(&b, "\n查看更多：%s/wall", u)
	}
	b.WriteString("\n回复“许愿”写下您的心愿。")
	return Reply{Text: b.String()}
}

// rateWish handles "评价 12 5" and "评价 5".
func rateWish(ctx context.Context, e *Engine, in Inbound, args string) Reply {
	if e.Wishes == nil {
		return Reply{Text: e.fill(msgWishOff)}
	}
	f := strings.Fields(strings.NewReplacer("#", " ", "分", " ", ",", " ", "，", " ").Replace(args))
	var id uint64
	var score int
	var err error
	switch len(f) {
	case 1:
		score, err = strconv.Atoi(f[0])
	case 2:
		if id, err = strconv.ParseUint(f[0], 10, 64); err == nil {
			score, err = strconv.Atoi(f[1])
		}
	default:
		return Reply{Text: msgRateUsage}
	}
	if err != nil || score < 1 || score > 5 {
		return Reply{Text: msgRateUsage}
	}
	w, err := e.Wishes.Rate(ctx, in.OpenID, id, score)
	switch code := models.ErrorCode(err); {
	case err == nil && score <= 2:
		return Reply{Text: fmt.Sprintf(msgRateSorry, score)}
	case err == nil:
		return Reply{Text: fmt.Sprintf(msgRateThanks, score)}
	case code == models.ENOTFOUND && id == 0:
		return Reply{Text: msgRateNone}
	case code == models.ENOTFOUND:
		return Reply{Text: fmt.Sprintf(msgWishNotFound, id)}
	case code == models.EINVALID && id == 0:
		ds, _ := e.Wishes.Mine(ctx, in.OpenID, 20)
		example := uint64(0)
		for _, d := range ds {
			if d.Status == models.WishDone && d.Rating == 0 {
				example = d.ID
				break
			}
		}
		return Reply{Text: fmt.Sprintf(msgRateSeveral, example)}
	case code == models.EINVALID:
		return Reply{Text: fmt.Sprintf(msgRateNotDone, id)}
	case code == models.ECONFLICT:
		if id == 0 {
			id = w.ID
		}
		return Reply{Text: fmt.Sprintf(msgRateTwice, id)}
	}
	return Reply{Text: msgSorry}
}

func parseWishID(s string) (uint64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	id, err := strconv.ParseUint(s, 10, 64)
	return id, err == nil && id > 0
}

func chinaDate(d wishwall.Detail) string { return d.CreatedAt.In(models.Beijing).Format("1月2日") }

// excerpt shortens s to n characters on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func asDomain(err error, target **models.Error) bool { return errors.As(err, target) }
