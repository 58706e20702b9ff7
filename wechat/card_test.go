package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"familybot/cards"
	"familybot/config"
	"familybot/models"
	"familybot/outbox"
	"familybot/store"
	"familybot/store/storetest"
	"familybot/wishwall"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/util"
)

const (
	cardToken = "cardtoken"
	cardKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	cardCorp  = "corp"
)

// cardRig is the whole card flow on one store: the wish service, the outbox
// worker sending through the real client to the fake WeCom, and the callback.
type cardRig struct {
	t      *testing.T
	st     *store.Store
	api    *fakeAPI
	now    time.Time
	wishes *wishwall.Service
	worker *outbox.Worker
	cb     *WeComCallback
}

func newCardRig(t *testing.T, st *store.Store) *cardRig {
	r := &cardRig{t: t, st: st, api: useFake(t), now: time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return r.now }
	st.Now = clock
	ctx := context.Background()
	for _, s := range []models.Staff{
		{UserID: "zhangsan", Name: "张三", Role: models.RoleStaff, Team: models.WishCatOther},
		{UserID: "wangwu", Name: "王五", Role: models.RoleAdmin},
		{UserID: "lisi", Name: "李四", Role: models.RoleStaff, Team: "health"},
	} {
		if err := st.SaveStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	n := &outbox.Notifier{Store: st, OnDuty: []string{"zhangsan", "lisi"}, PublicURL: "https://bot.example.org"}
	r.wishes = &wishwall.Service{Store: st, Notify: n, Now: clock}
	client := NewClient(config.OfficialAccount{AppID: "wxapp", AppSecret: "s"},
		config.WeCom{CorpID: cardCorp, CorpSecret: "cs", AgentID: "1000002", CallbackToken: cardToken, CallbackAESKey: cardKey},
		cache.NewMemory(), true)
	r.worker = &outbox.Worker{Store: st, Sender: client, ID: "w1", Now: clock}
	r.cb = &WeComCallback{Token: cardToken, EncodingAESKey: cardKey, CorpID: cardCorp, MaxSkew: 5 * time.Minute, Now: clock,
		Taps: &cards.Service{Store: st, Wishes: r.wishes, Now: clock}}
	return r
}

func (r *cardRig) newWish(text string) uint64 {
	w, err := r.wishes.Create(context.Background(), wishwall.NewWish{OpenID: "o-resident", Text: text}, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	return w.ID
}

func (r *cardRig) deliver() {
	r.t.Helper()
	if _, err := r.worker.RunOnce(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// lastBody returns the JSON last posted to path.
func (r *cardRig) lastBody(path string) map[string]any {
	r.t.Helper()
	r.api.mu.Lock()
	defer r.api.mu.Unlock()
	for i := len(r.api.calls) - 1; i >= 0; i-- {
		if r.api.calls[i] == path {
			var m map[string]any
			if err := json.Unmarshal([]byte(r.api.bodies[i]), &m); err != nil {
				r.t.Fatal(err)
			}
			return m
		}
	}
	r.t.Fatalf("nothing posted to %s: %v", path, r.api.calls)
	return nil
}

// signed builds a callback request as WeCom does: encrypted for the corp,
// msg_signature over token, timestamp, nonce and the ciphertext.
func signed(method, plain string, at time.Time, token, corp string) *http.Request {
	enc, err := EncryptMessage([]byte("0123456789abcdef"), []byte(plain), corp, cardKey)
	if err != nil {
		panic(err)
	}
	ts, nonce := strconv.FormatInt(at.Unix(), 10), "n"+strconv.FormatInt(at.UnixNano()%1e6, 10)
	q := url.Values{"msg_signature": {util.Signature(token, ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}
	if method == http.MethodGet {
		q.Set("echostr", enc)
		return httptest.NewRequest(method, "/wecom/callback?"+q.Encode(), nil)
	}
	body := "<xml><ToUserName><![CDATA[" + corp + "]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	return httptest.NewRequest(method, "/wecom/callback?"+q.Encode(), strings.NewReader(body))
}

func tapXML(user, key, task, code string) string {
	return "<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[" + user + "]]></FromUserName>" +
		"<CreateTime>1765000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>" +
		"<EventKey><![CDATA[" + key + "]]></EventKey><TaskId><![CDATA[" + task + "]]></TaskId>" +
		"<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[" + code + "]]></ResponseCode><AgentID>1000002</AgentID></xml>"
}

func (r *cardRig) tap(user, key, task, code string) int {
	rec := httptest.NewRecorder()
	r.cb.ServeHTTP(rec, signed(http.MethodPost, tapXML(user, key, task, code), r.now, cardToken, cardCorp))
	return rec.Code
}

func (r *cardRig) audits(actor string) []string {
	var rows []models.AuditLog
	r.st.DB.Where("actor = ?", actor).Order("id").Find(&rows)
	var out []string
	for _, a := range rows {
		out = append(out, a.Action+" "+a.Object)
	}
	return out
}

func (r *cardRig) wish(id uint64) models.Wish {
	w, err := r.st.GetWish(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return w
}

// A new wish reaches staff on duty as a card; 受理 tapped on it accepts the wish
// as that staff member, the resident is told, the tap is audited and the card
// then says who took it, for everyone. A late tap changes nothing.
func TestWishCardAcceptedFromWeCom(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		r := newCardRig(t, st)
		id := r.newWish("想咨询一下育儿补贴怎么申请")
		r.deliver()
		sent := r.lastBody("/cgi-bin/message/send")
		card, _ := sent["template_card"].(map[string]any)
		task := fmt.Sprintf("wish_%d_m1", id)
		if sent["msgtype"] != "template_card" || sent["touser"] != "zhangsan|lisi" || sent["agentid"] != float64(1000002) ||
			card["card_type"] != "button_interaction" || card["task_id"] != task {
			t.Fatalf("card sent: %v", sent)
		}
		btns, _ := json.Marshal(card["button_list"])
		wantBtns := fmt.Sprintf(`[{"key":"wish_accept:%d","style":1,"text":"受理"},{"key":"wish_take:%d","style":3,"text":"转给我"}]`, id, id)
		if string(btns) != wantBtns {
			t.Fatalf("buttons %s, want %s", btns, wantBtns)
		}
		jump, _ := json.Marshal(card["jump_list"])
		if !strings.Contains(string(jump), fmt.Sprintf(`"url":"https://bot.example.org/admin/wishes/%d"`, id)) ||
			strings.Contains(string(btns)+string(jump)+fmt.Sprint(card["main_title"], card["sub_title_text"]), "育儿补贴") {
			t.Fatalf("jump %s / the wish's words must stay in the admin: %v", jump, card)
		}

		if code := r.tap("zhangsan", fmt.Sprintf("wish_accept:%d", id), task, "RC-zhangsan"); code != http.StatusOK {
			t.Fatalf("tap answered %d", code)
		}
		if w := r.wish(id); w.Status != models.WishAccepted {
			t.Fatalf("wish not accepted: %+v", w)
		}
		if got := r.audits("zhangsan"); strings.Join(got, ",") != fmt.Sprintf("wish.accept.card wish:%d", id) {
			t.Fatalf("audit %v", got)
		}
		r.deliver()
		notice := r.lastBody("/cgi-bin/message/custom/send")
		if notice["touser"] != "o-resident" || !strings.Contains(fmt.Sprint(notice["text"]), "已受理") {
			t.Fatalf("resident notice %v", notice)
		}
		upd := r.lastBody("/cgi-bin/message/update_template_card")
		if upd["response_code"] != "RC-zhangsan" || upd["atall"] != float64(1) || upd["agentid"] != float64(1000002) ||
			upd["button"].(map[string]any)["replace_name"] != "已由张三受理" {
			t.Fatalf("card update %v", upd)
		}

		// The admin taps 转给我 on a copy not yet updated: nothing changes, the card says who has it.
		if code := r.tap("wangwu", fmt.Sprintf("wish_take:%d", id), task, "RC-wangwu"); code != http.StatusOK {
			t.Fatalf("late tap answered %d", code)
		}
		if w := r.wish(id); w.AssignedTo != "" || w.Status != models.WishAccepted {
			t.Fatalf("a late tap changed the wish: %+v", w)
		}
		r.deliver()
		if upd := r.lastBody("/cgi-bin/message/update_template_card"); upd["response_code"] != "RC-wangwu" ||
			upd["button"].(map[string]any)["replace_name"] != "已由张三受理" {
			t.Fatalf("late card update %v", upd)
		}
		if got := r.audits("wangwu"); strings.Join(got, ",") != fmt.Sprintf("wish.card.late wish:%d", id) {
			t.Fatalf("late audit %v", got)
		}
		// WeCom sends a slow-answered tap again: one card update per tap.
		r.tap("wangwu", fmt.Sprintf("wish_take:%d", id), task, "RC-wangwu")
		r.deliver()
		if n := r.api.count("/cgi-bin/message/update_template_card"); n != 2 {
			t.Fatalf("%d card updates, want 2", n)
		}
	})
}

// Only staff in the list act, and only on wishes they may see (their team's,
// or any for an admin); 转给我 assigns the wish to the one who tapped.
func TestWishCardRefusalsAndTake(t *testing.T) {
	r := newCardRig(t, storetest.SQLite(t))
	id := r.newWish("社区能不能办一次亲子活动")
	key := fmt.Sprintf("wish_accept:%d", id)
	for _, who := range []string{"stranger", "lisi"} { // not staff; staff of another team
		if code := r.tap(who, key, "wish_1_m1", "RC-"+who); code != http.StatusOK {
			t.Fatalf("%s: tap answered %d", who, code)
		}
		if got := r.audits(who); strings.Join(got, ",") != fmt.Sprintf("card.refuse wish:%d", id) {
			t.Fatalf("%s: audit %v", who, got)
		}
	}
	if w := r.wish(id); w.Status != models.WishPending || w.AssignedTo != "" {
		t.Fatalf("a refused tap changed the wish: %+v", w)
	}
	r.tap("zhangsan", "wish_delete:1", "wish_1_m1", "RC-x") // a button we never sent
	if got := r.audits("zhangsan"); strings.Join(got, ",") != "card.refuse card:wish_1_m1" {
		t.Fatalf("unknown button audit %v", got)
	}
	r.deliver()
	if n := r.api.count("/cgi-bin/message/update_template_card"); n != 0 {
		t.Fatalf("a refused tap updated the card %d times", n)
	}

	r.tap("zhangsan", fmt.Sprintf("wish_take:%d", id), "wish_1_m1", "RC-take")
	if w := r.wish(id); w.AssignedTo != "zhangsan" || w.Status != models.WishPending {
		t.Fatalf("转给我: %+v", w)
	}
	r.deliver()
	if upd := r.lastBody("/cgi-bin/message/update_template_card"); upd["button"].(map[string]any)["replace_name"] != "已转给张三" {
		t.Fatalf("card update %v", upd)
	}
}

// A crisis alert is a card with 我来跟进: the first colleague to tap it is
// recorded as following it up, and the card says so for everyone.
func TestCrisisCardFollowedUpFromWeCom(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		r := newCardRig(t, st)
		ctx := context.Background()
		if err := st.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o-other", Kind: "suicide", Text: "不想活了"}); err != nil {
			t.Fatal(err)
		}
		alert := r.wishes.Notify.ToOnDuty("/admin/crisis", models.Notice{Kind: models.NoticeCrisisAlert, About: models.Subject{Kind: models.SubjectCrisis},
			Variant: "o-crisis:29400000", Title: "紧急：居民可能有自伤风险", Text: "请立即在后台查看并跟进。"})
		if err := st.RecordCrisis(ctx, models.CrisisEvent{OpenID: "o-crisis", Kind: "suicide", Text: "不想活了"}, alert...); err != nil {
			t.Fatal(err)
		}
		r.deliver()
		card, _ := r.lastBody("/cgi-bin/message/send")["template_card"].(map[string]any)
		btns, _ := json.Marshal(card["button_list"])
		if string(btns) != `[{"key":"crisis_follow:2","style":1,"text":"我来跟进"}]` ||
			card["source"].(map[string]any)["desc"] != "危机消息" || strings.Contains(fmt.Sprint(card), "不想活") {
			t.Fatalf("crisis card %v", card)
		}
		task, _ := card["task_id"].(string)
		r.tap("stranger", "crisis_follow:2", task, "RC-0")
		r.tap("lisi", "crisis_follow:2", task, "RC-1")
		r.tap("zhangsan", "crisis_follow:2", task, "RC-2") // a copy not yet updated
		ev, err := st.GetCrisisEvent(ctx, 2)
		if err != nil || ev.FollowedBy != "lisi" || ev.FollowedAt == nil || ev.HandledAt != nil {
			t.Fatalf("crisis %+v %v", ev, err)
		}
		if a, b, c := r.audits("stranger"), r.audits("lisi"), r.audits("zhangsan"); strings.Join(a, ",") != "card.refuse crisis:2" ||
			strings.Join(b, ",") != "crisis.follow.card crisis:2" || strings.Join(c, ",") != "crisis.card.late crisis:2" {
			t.Fatalf("audit %v %v %v", a, b, c)
		}
		r.deliver()
		if upd := r.lastBody("/cgi-bin/message/update_template_card"); upd["response_code"] != "RC-2" ||
			upd["button"].(map[string]any)["replace_name"] != "已由李四跟进" {
			t.Fatalf("card update %v", upd)
		}
		// Handled on the admin page before anyone tapped: the card says so, nobody is recorded.
		if err := st.MarkCrisisHandled(ctx, 1, "wangwu", r.now); err != nil {
			t.Fatal(err)
		}
		r.tap("zhangsan", "crisis_follow:1", "crisis_1_m9", "RC-3")
		if ev, _ := st.GetCrisisEvent(ctx, 1); ev.FollowedBy != "" {
			t.Fatalf("a handled crisis was claimed: %+v", ev)
		}
		r.deliver()
		if upd := r.lastBody("/cgi-bin/message/update_template_card"); upd["button"].(map[string]any)["replace_name"] != "已由王五处理" {
			t.Fatalf("card update %v", upd)
		}
	})
}

// Without the callback set up, a tap could not reach us: staff get the plain
// textcard linking to the admin instead of buttons that do nothing.
func TestCardWithoutCallbackIsATextCard(t *testing.T) {
	f := useFake(t)
	c := newClient() // no wecom.callback_token
	card := outbox.Card{TaskID: "wish_3_m1", Subject: models.CardSubject{Kind: models.CardWish, ID: 3}, Title: "新心愿 #3（其他）",
		Description: "请在3天内受理。", URL: "https://bot.example.org/admin/wishes/3"}
	if err := c.SendWeComCard(context.Background(), []string{"zhangsan"}, card); err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	json.Unmarshal([]byte(f.bodies[len(f.bodies)-1]), &sent)
	if sent["msgtype"] != "textcard" || sent["textcard"].(map[string]any)["url"] != "https://bot.example.org/admin/wishes/3" {
		t.Fatalf("sent %v", sent)
	}
}
