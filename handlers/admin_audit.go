package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"familybot/models"

	"github.com/gin-gonic/gin"
)

// Audit keeps and finds the audit log (staff.Service).
type Audit interface {
	Record(ctx context.Context, a models.AuditLog) error
	// RecordAttempt counts an anonymous attempt into its per-minute row.
	RecordAttempt(ctx context.Context, a models.AuditLog) error
	// FindAudit returns page (from 1) of size records f selects, and how many there are.
	FindAudit(ctx context.Context, f models.AuditFilter, page, size int) ([]models.AuditLog, int64, error)
}

// auditActions names every action code the audit log holds, in the order the
// filter lists them. The page shows the Chinese; a code missing here is shown as is.
var auditActions = []option{
	{Value: "login", Label: "登录（企业微信）"}, {Value: "login.dev", Label: "开发登录"},
	{Value: "login.reject", Label: "登录被拒绝"},
	{Value: "logout", Label: "退出登录"}, {Value: "forbidden", Label: "无权限的访问被拒绝"},
	{Value: "csrf.reject", Label: "来源可疑的提交被拒绝"},
	{Value: "wish.view", Label: "查看心愿"}, {Value: "wish.reveal", Label: "查看心愿完整内容和联系方式"},
	{Value: "wish.status", Label: "更改心愿状态"}, {Value: "wish.replied", Label: "回复心愿"},
	{Value: "wish.finished", Label: "办结心愿"}, {Value: "wish.assign", Label: "分派心愿"},
	{Value: "wish.wall", Label: "设置回音壁展示"}, {Value: "wish.public", Label: "编写回音壁公开回应"}, {Value: "wish.followup", Label: "记录低分回访"},
	{Value: "wish.category", Label: "修改心愿类别"}, {Value: "wish.export", Label: "导出心愿表"},
	{Value: "wish.accept.card", Label: "在企业微信卡片上受理心愿"}, {Value: "wish.take.card", Label: "在企业微信卡片上把心愿转给自己"},
	{Value: "wish.card.late", Label: "企业微信卡片：心愿已有人处理，未改动"}, {Value: "card.refuse", Label: "企业微信卡片上的操作被拒绝"},
	{Value: "crisis.view", Label: "查看危机消息"}, {Value: "crisis.reveal", Label: "查看危机消息原文"},
	{Value: "crisis.handled", Label: "标记危机消息已处理"}, {Value: "crisis.reply", Label: "回复危机消息"}, {Value: "crisis.note", Label: "记录危机处理情况"},
	{Value: "crisis.follow.card", Label: "在企业微信卡片上认领跟进危机消息"}, {Value: "crisis.card.late", Label: "企业微信卡片：危机消息已有人跟进，未改动"},
	{Value: "messages.view", Label: "查看居民留言"}, {Value: "message.wrong", Label: "标记机器人答错了"}, {Value: "outbox.retry", Label: "重发消息"},
	{Value: "outbox.reveal", Label: "查看发送失败消息的居民电话"},
	{Value: "handoff.view", Label: "查看人工请求"}, {Value: "handoff.done", Label: "人工请求标记已联系"},
	{Value: "staff.save", Label: "保存工作人员"}, {Value: "staff.remove", Label: "移除工作人员"},
	{Value: "event.create", Label: "新建活动"}, {Value: "event.update", Label: "修改活动"},
	{Value: "event.publish", Label: "发布活动"}, {Value: "event.cancel", Label: "取消活动"},
	{Value: "event.view", Label: "查看报名名单"}, {Value: "event.reveal", Label: "查看报名人电话"},
	{Value: "event.checkin", Label: "活动签到"}, {Value: "event.signup_cancel", Label: "取消报名"},
	{Value: "event.export", Label: "导出报名表"}, {Value: "event.qr", Label: "生成签到二维码"},
	{Value: "kb.entry.create", Label: "新建知识条目"}, {Value: "kb.entry.save", Label: "修改知识条目"},
	{Value: "kb.entry.append", Label: "给知识条目添加问法"}, {Value: "kb.rule.create", Label: "新建关键词规则"},
	{Value: "kb.rule.save", Label: "修改关键词规则"}, {Value: "kb.rule.delete", Label: "删除关键词规则"},
	{Value: "kb.unanswered.view", Label: "查看未能回答的问题"}, {Value: "kb.unanswered.ignore", Label: "忽略未能回答的问题"},
	{Value: "kb.review", Label: "医生审核知识条目"}, {Value: "kb.review.export", Label: "导出待审核清单"},
	{Value: "report.export", Label: "导出服务报告"},
}

// auditGroups are the filter's groups of actions (a code prefix ending in ".").
var auditGroups = []option{
	{Value: "login.", Label: "全部登录记录"}, {Value: "wish.", Label: "全部心愿操作"}, {Value: "crisis.", Label: "全部危机消息操作"},
	{Value: "event.", Label: "全部活动操作"}, {Value: "kb.", Label: "全部知识库操作"}, {Value: "staff.", Label: "全部人员管理"},
}

var auditLabels = func() map[string]string {
	m := map[string]string{}
	for _, o := range append(append([]option{}, auditActions...), auditGroups...) {
		m[o.Value] = o.Label
	}
	return m
}()

const auditPageSize = 50

type auditRow struct {
	models.AuditLog
	Label string
}

type auditView struct {
	Page
	Rows         []auditRow
	Who, What    string
	From, To     string // YYYY-MM-DD as typed (China dates)
	Actions      []option
	Groups       []option
	Total        int64
	PageN, Pages int
	Prev, Next   string // links to the neighbouring pages, keeping the filter
	Filtered     bool
}

// auditPage shows the audit log, newest first, 50 a page, filtered by who
// (UserID), what (an action or a group) and a China date range (admin only).
func (s *Server) auditPage(c *gin.Context) error {
	v := &auditView{Page: Page{Title: "操作日志", Nav: "audit"}, Who: strings.TrimSpace(c.Query("who")),
		What: c.Query("what"), From: c.Query("from"), To: c.Query("to")}
	f := models.AuditFilter{Actor: v.Who}
	if v.What != "" {
		if _, ok := auditLabels[v.What]; !ok {
			return models.Errorf(models.EINVALID, "没有这种操作，请从列表中选择。")
		}
		f.Action = v.What
	}
	var err error
	if f.From, err = chinaDate(v.From, 0); err != nil {
		return err
	}
	if f.To, err = chinaDate(v.To, 1); err != nil { // the whole "to" day
		return err
	}
	if len(v.Who) > 64 {
		return models.Errorf(models.EINVALID, "人员账号太长，请检查后再查。")
	}
	v.PageN, _ = strconv.Atoi(c.Query("page"))
	v.PageN = max(v.PageN, 1)
	rows, total, err := s.Audit.FindAudit(c.Request.Context(), f, v.PageN, auditPageSize)
	if err != nil {
		return err
	}
	v.Total, v.Pages = total, max(int((total+auditPageSize-1)/auditPageSize), 1)
	v.Filtered = v.Who != "" || v.What != "" || v.From != "" || v.To != ""
	for _, r := range rows {
		label := auditLabels[r.Action]
		if label == "" {
			label = r.Action
		}
		v.Rows = append(v.Rows, auditRow{AuditLog: r, Label: label})
	}
	for _, o := range auditActions {
		o.Selected = o.Value == v.What
		v.Actions = append(v.Actions, o)
	}
	for _, o := range auditGroups {
		o.Selected = o.Value == v.What
		v.Groups = append(v.Groups, o)
	}
	link := func(page int) string {
		q := url.Values{}
		for k, val := range map[string]string{"who": v.Who, "what": v.What, "from": v.From, "to": v.To} {
			if val != "" {
				q.Set(k, val)
			}
		}
		q.Set("page", strconv.Itoa(page))
		return "/admin/audit?" + q.Encode()
	}
	if v.PageN > 1 {
		v.Prev = link(min(v.PageN-1, v.Pages))
	}
	if v.PageN < v.Pages {
		v.Next = link(v.PageN + 1)
	}
	s.render(c, http.StatusOK, "audit.html", v)
	return nil
}

// chinaDate reads a YYYY-MM-DD date as midnight in China, plus days; "" is the zero time.
func chinaDate(s string, days int) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, models.Beijing)
	if err != nil {
		return time.Time{}, models.Errorf(models.EINVALID, "日期格式不对，请按 2026-01-31 这样填写。")
	}
	return d.AddDate(0, 0, days), nil
}
