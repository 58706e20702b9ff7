package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"familybot/models"
	"familybot/signup"

	"github.com/gin-gonic/gin"
)

// QRCodes makes the official account's QR codes (implemented by wechat.Client).
type QRCodes interface {
	// CheckinQR returns the image address of a temporary code carrying scene,
	// valid for up to valid, and when it stops working.
	CheckinQR(ctx context.Context, scene string, valid time.Duration) (string, time.Time, error)
}

// eventQR makes the event's check-in QR code, valid through the check-in
// window (WeChat caps temporary codes at 30 days), and keeps its address on the
// event so the page can show it for printing.
func (s *Server) eventQR(c *gin.Context) error {
	id, svc, err := s.eventTarget(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ev, err := svc.Event(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case s.QR == nil:
		return models.Errorf(models.EINVALID, "公众号还没有配置（official_account.app_id / app_secret），不能生成二维码")
	case ev.Status != models.EventOpen:
		return models.Errorf(models.EINVALID, "活动发布后才能生成签到二维码")
	}
	valid := ev.End().Add(signup.CheckinLate + 24*time.Hour).Sub(s.now())
	if valid <= 0 {
		return models.Errorf(models.EINVALID, "活动已经结束，不需要签到二维码了")
	}
	img, until, err := s.QR.CheckinQR(ctx, fmt.Sprintf("checkin_%d", id), valid)
	if err != nil {
		s.logError(c, err)
		return s.renderEvent(c, id, eventOpts{status: http.StatusServiceUnavailable,
			problem: "微信接口暂时没有生成二维码，请稍后再试。如果一直不行，请检查公众号的 AppID、AppSecret 和 IP 白名单。"})
	}
	if err := svc.SetCheckinQR(ctx, id, img, until); err != nil {
		return err
	}
	s.audit(c, "event.qr", fmt.Sprintf("event:%d", id), "")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/events/%d?ok=qr_made#qr", id))
	return nil
}
