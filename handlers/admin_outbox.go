package handlers

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"familybot/models"
	"familybot/privacy"

	"github.com/gin-gonic/gin"
)

// The 发送失败 page: messages the outbox gave up on, each with what it was
// about, a way to reach the resident (masked, revealed on an audited POST) and
// the reason in plain Chinese (the technical text kept in small print).

// Outbox is what the admin shows of outbound messages (messages.Outbox).
type Outbox interface {
	// Failed returns the messages the outbox gave up on and the count in each state.
	Failed(ctx context.Context) ([]models.OutboxMessage, map[string]int64, error)
	Stats(ctx context.Context) (map[string]int64, error)
	Retry(ctx context.Context, id uint64) error
	// WishNotices returns what the resident was sent about a wish.
	WishNotices(ctx context.Context, id uint64) ([]models.OutboxMessage, error)
}

type outboxRow struct {
	models.OutboxMessage
	ChannelText string
	ToText      string
	Shown       string
	Link        string // the page of what the message was about, when known
	LinkText    string
	Problem     string // why it failed, in plain Chinese
	Phone       string // the resident's contact, masked unless Revealed
	NoPhone     bool   // the wish or sign-up left no number
	CanReveal   bool
	Revealed    bool
}

var outboxErrcode = regexp.MustCompile(`errcode[= ]?(-?\d+)|^(\d{5})\b`)

// deliveryProblems are WeChat's common refusals, as staff should read them.
var deliveryProblems = map[string]string{
	"43004": "居民已取消关注公众号", "43019": "居民已把公众号拉黑",
	"40003": "找不到这位居民（可能已取消关注）", "45015": "居民超过48小时没有和公众号互动，且没有配置模板消息",
	"40037": "模板消息的模板编号无效，请技术人员检查配置", "47003": "模板消息的内容不符合模板要求，请技术人员检查配置",
	"45009": "微信接口今天的调用次数已用完，明天会恢复", "45047": "居民未回复，客服消息已达上限",
	"81013": "企业微信里找不到这些同事", "60111": "企业微信里找不到这位同事",
	"40013": "公众号配置有误，请联系技术人员", "40125": "公众号配置有误，请联系技术人员", "-1": "微信暂时不可用",
}

// deliveryProblem turns an outbox error into a plain sentence.
func deliveryProblem(lastError string) string {
	e := strings.ToLower(lastError)
	if m := outboxErrcode.FindStringSubmatch(e); m != nil {
		code := m[1] + m[2]
		if p, ok := deliveryProblems[code]; ok {
			return p
		}
	}
	switch {
	case strings.Contains(e, "48-hour"):
		return deliveryProblems["45015"]
	case strings.Contains(e, "no fields configured"):
		return "模板消息还没有配置内容字段，请技术人员检查配置"
	case strings.Contains(e, "no sender configured"):
		return "系统没有配置微信发送，请联系技术人员"
	case strings.Contains(e, "gave up after"), strings.Contains(e, "timeout"), strings.Contains(e, "deadline"),
		strings.Contains(e, "connection"), strings.Contains(e, "eof"), strings.Contains(e, "no such host"):
		return "微信暂时不可用，多次重试仍没有成功"
	}
	return "发送没有成功"
}

type outboxView struct {
	Page
	Rows  []outboxRow
	Stats map[string]int64
}

var channelTexts = map[models.OutboxChannel]string{models.ChannelCustomer: "公众号客服消息", models.ChannelTemplate: "公众号模板消息", models.ChannelWeCom: "企业微信通知",
	models.ChannelWeComCard: "企业微信卡片", models.ChannelWeComUpdate: "企业微信卡片更新"}

// outboxPage lists outbound messages that could not be delivered.
func (s *Server) outboxPage(c *gin.Context) error { return s.renderOutbox(c, 0) }

func (s *Server) renderOutbox(c *gin.Context, reveal uint64) error {
	ctx := c.Request.Context()
	list, stats, err := s.Outbox.Failed(ctx)
	if err != nil {
		return err
	}
	v := &outboxView{Page: Page{Title: "发送失败", Nav: "outbox"}, Stats: stats}
	found := false
	for _, m := range list {
		to := m.To
		staff := m.Channel.ToStaff() // staff UserIDs (or a card's task), shown as they are
		if !staff {
			to = residentTag(m.To)
		}
		r := outboxRow{OutboxMessage: m, ChannelText: channelTexts[m.Channel], ToText: to,
			Shown: excerpt(privacy.Mask(m.Text), 80), Problem: deliveryProblem(m.LastError)}
		if !staff {
			s.outboxContact(ctx, c, &r, m.ID == reveal)
		} else if about := m.About(); about.Kind == models.SubjectWish && about.ID != 0 {
			// A staff notice about a wish: the wish page (which checks access) shows the rest.
			r.Link, r.LinkText = fmt.Sprintf("/admin/wishes/%d", about.ID), fmt.Sprintf("查看心愿 #%d", about.ID)
		}
		found = found || (m.ID == reveal && r.Revealed)
		v.Rows = append(v.Rows, r)
	}
	if reveal != 0 {
		if !found {
			return models.Errorf(models.ENOTFOUND, "not found")
		}
		s.audit(c, "outbox.reveal", fmt.Sprintf("outbox:%d", reveal), "")
	}
	s.render(c, http.StatusOK, "outbox.html", v)
	return nil
}

// outboxContact fills the link to the wish or sign-up and the resident's
// number from it, masked unless reveal. Wishes the staff member may not see
// give neither.
func (s *Server) outboxContact(ctx context.Context, c *gin.Context, r *outboxRow, reveal bool) {
	about := r.About()
	if about.ID == 0 {
		return
	}
	id := about.ID
	var phone string
	switch about.Kind {
	case models.SubjectWish:
		if s.Wishes == nil {
			return
		}
		me, _ := staffOf(c)
		d, err := s.Wishes.Get(ctx, me, id)
		if err != nil {
			return
		}
		r.Link, r.LinkText = fmt.Sprintf("/admin/wishes/%d", id), fmt.Sprintf("查看心愿 #%d", id)
		phone, r.Phone = d.Contact, privacy.Mask(d.Contact)
	case "signup":
		if s.Signups == nil {
			return
		}
		su, err := s.Signups.Signup(ctx, id)
		if err != nil {
			return
		}
		r.Link, r.LinkText = fmt.Sprintf("/admin/events/%d#su-%d", su.EventID, su.ID), fmt.Sprintf("查看报名 #%d", su.ID)
		phone, r.Phone = su.Phone, privacy.MaskPhone(su.Phone)
	case models.SubjectCrisis:
		r.Link, r.LinkText = "/admin/crisis", "查看危机消息"
		return
	default:
		return
	}
	if strings.TrimSpace(phone) == "" {
		r.Phone, r.NoPhone = "", true
		return
	}
	r.CanReveal = r.Phone != phone
	if reveal && r.CanReveal {
		r.Phone, r.CanReveal, r.Revealed = phone, false, true
	}
}

// outboxReveal shows one failed message's contact number in full (audited POST).
func (s *Server) outboxReveal(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderOutbox(c, id)
}

// outboxRetry puts a failed message back in the queue.
func (s *Server) outboxRetry(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Outbox.Retry(c.Request.Context(), id); err != nil {
		return err
	}
	s.audit(c, "outbox.retry", fmt.Sprintf("outbox:%d", id), "")
	c.Redirect(http.StatusSeeOther, "/admin/outbox?ok=retried")
	return nil
}

// noticeRow is one message the resident was sent about a wish, with its state.
type noticeRow struct {
	Title, State, Class string
	At                  string
	Problem             string
}

// wishNotices lists what the resident was sent about wish id: 排队中 until the
// outbox delivers it, then 已发出, or 没送到 with the reason.
func (s *Server) wishNotices(ctx context.Context, id uint64) []noticeRow {
	list, err := s.Outbox.WishNotices(ctx, id)
	if err != nil {
		return nil
	}
	var out []noticeRow
	for _, m := range list {
		r := noticeRow{Title: m.Title, State: "排队发送中", Class: "pending", At: whenText(m.CreatedAt)}
		switch m.Status {
		case models.OutboxSent:
			r.State, r.Class, r.At = "已发出", "okb", whenText(m.SentAt)
		case models.OutboxFailed:
			r.State, r.Class, r.Problem = "没送到", "bad", deliveryProblem(m.LastError)
		}
		out = append(out, r)
	}
	return out
}
