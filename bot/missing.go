package bot

import (
	"context"
	"strconv"
	"time"

	"familybot/knowledge"
	"familybot/models"
)

// missingKind is how a missing or unreachable child is kept in the crisis
// table (not a crisis kind of the detector: no kind's reply fits it).
const missingKind = string(knowledge.CrisisMissingMinor)

// msgMissingMinor: a child or teen who cannot be found or reached. 110 first —
// a minor's disappearance needs no 24-hour wait.
const msgMissingMinor = "孩子联系不上，请现在就拨打 110 报警，未成年人走失不用等 24 小时。\n" +
	"1. 报警时说清孩子的姓名、年龄、长相和衣着、最后见到的时间和地点、手机号（可请警方帮忙定位）。\n" +
	"2. 马上问孩子的同学、好朋友、班主任：最后和谁在一起、说过要去哪里。\n" +
	"3. 分头去常去的地方找（同学家、网吧、公园、车站、河边），家里留一个人等，手机保持畅通。\n" +
	"4. 孩子最近说过不想活、想离家，或和网友约见面，报警时一定告诉警察。\n" +
	"5. 找到后先别责骂，先确认他安全、问问发生了什么。\n" +
	"我们的工作人员也收到了提醒。"

// missingMinor answers a message about a missing or unreachable child: 110
// first, the steps, staff alerted once an hour; the text is kept only in the
// restricted crisis table.
func (e *Engine) missingMinor(ctx context.Context, in Inbound) (Reply, bool) {
	if !knowledge.MissingMinor(in.Text) {
		return Reply{}, false
	}
	ev := models.CrisisEvent{OpenID: in.OpenID, Kind: missingKind, Person: string(knowledge.PersonWorried), Text: in.Text, CreatedAt: e.now().UTC()}
	key := "missing:" + in.OpenID + ":" + strconv.FormatInt(e.now().Unix()/3600, 10)
	done := make(chan struct{})
	go func() { // the reply, with 110 first, does not wait for a slow database
		defer close(done)
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = e.Store.RecordCrisis(bctx, ev)
		if e.Alerts != nil {
			_ = e.Alerts.AlertStaff(bctx, key, "紧急：居民的孩子联系不上", "有居民说孩子走失或联系不上，已请他报警；请在后台查看并跟进。", "/admin/crisis")
		}
	}()
	select {
	case <-done:
	case <-time.After(crisisWait):
	}
	return Reply{Text: e.fill(msgMissingMinor), Route: models.RouteCrisis, Flagged: true, Score: 1}, true
}
