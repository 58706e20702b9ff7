package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"familybot/knowledge"
	"familybot/models"
)

// The crisis replies: calm, short, the right lines first. Reviewed text; the
// numbers are national (see shared/reference/wechat-protocol-and-reliability.md §8).
var crisisReplies = map[knowledge.CrisisKind]string{
	knowledge.CrisisMedical: "这可能是急症，请马上拨打 120 急救电话！\n" +
		"· 疑似中风（脸歪、一侧手臂无力、说话不清）、胸痛、呼吸困难、昏迷叫不醒、抽搐、大出血：立即拨打 120，不要自行开车或走路去医院。\n" +
		"· 宝宝被噎住：1岁以下拍背压胸，1岁以上海姆立克法，同时请人拨打 120。\n" +
		"· 误服药物、农药、洗涤剂或吞了纽扣电池：不要催吐，带上包装立即拨打 120 或去最近的医院急诊。\n" +
		"工作人员已收到提醒。",
	knowledge.CrisisSuicide: "谢谢你愿意说出来，你现在的感受很重要，你并不孤单。\n" +
		"如果你有危险或已经伤害了自己，请立即拨打 120 或 110。\n" +
		"想找人聊聊，可以随时拨打：\n" +
		"· 12356 全国心理援助热线\n" +
		"· 010-82951332 北京心理危机研究与干预中心（24小时）\n" +
		"· 12355 青少年服务台（青少年和家长）\n" +
		"也请告诉一位你信任的家人或朋友，让他陪着你。我们的工作人员也收到了提醒。",
	knowledge.CrisisChildAbuse: "这不是你的错，谢谢你告诉我们。\n" +
		"如果孩子现在有危险，请立即拨打 110 报警；受伤请拨打 120。\n" +
		"· 尽量保留证据（衣物、聊天记录），不要清洗，尽快就医。\n" +
		"· 12355 青少年服务台可以提供心理和法律帮助。\n" +
		"· 12338 妇女儿童维权热线。\n" +
		"我们的工作人员已收到提醒，会尽快和你联系。",
	knowledge.CrisisViolence: "你的安全最重要。\n" +
		"如果现在有危险，请立即拨打 110 报警；受伤请拨打 120。\n" +
		"· 12338 全国妇联妇女维权热线，可以咨询家庭暴力的求助和法律帮助（可申请人身安全保护令）。\n" +
		"· 12356 心理援助热线，可以找人聊聊。\n" +
		"我们的工作人员已收到提醒，会尽快和你联系。",
}

// crisisWait is how long a crisis reply waits for its record and staff alert.
const crisisWait = time.Second

var crisisTitles = map[knowledge.CrisisKind]string{
	knowledge.CrisisMedical:    "紧急：居民可能遇到急症",
	knowledge.CrisisSuicide:    "紧急：居民可能有自伤风险",
	knowledge.CrisisChildAbuse: "紧急：可能涉及儿童受侵害",
	knowledge.CrisisViolence:   "紧急：居民可能遭受家庭暴力",
}

// crisis answers a crisis message. It runs before everything else, is never rate
// limited, ends any flow, flags the message for staff and keeps the raw text out of
// the general log.
func (e *Engine) crisis(ctx context.Context, in Inbound, kind knowledge.CrisisKind) Reply {
	text, ok := crisisReplies[kind]
	if !ok {
		text = crisisReplies[knowledge.CrisisSuicide]
	}
	// Recording the message and alerting staff need the database; the reply,
	// with 120/110 first, must not wait for a slow one. They get crisisWait,
	// then carry on behind the reply.
	ev := models.CrisisEvent{OpenID: in.OpenID, Kind: string(kind), Text: in.Text, CreatedAt: e.now().UTC()}
	key := "crisis:" + in.OpenID + ":" + strconv.FormatInt(e.now().Unix()/60, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		e.EndFlow(bctx, in.OpenID)
		if err := e.Store.RecordCrisis(bctx, ev); err == nil && e.Alerts != nil {
			_ = e.Alerts.AlertStaff(bctx, key, crisisTitles[kind],
				"有居民发来需要紧急关注的消息，请立即在后台查看并跟进。", "/admin/crisis")
		}
	}()
	select {
	case <-done:
	case <-time.After(crisisWait):
	}
	// For a medical emergency, the first-aid entry that matches follows the 120 advice
	// ("热性惊厥发作时怎么办" is both an emergency and a how-to question).
	if kind == knowledge.CrisisMedical && e.KB != nil {
		if res := e.KB.Index().Decide(in.Text, e.now()); res.Decision == knowledge.Answer && len(res.Top) > 0 {
			en := res.Top[0].Entry
			text += "\n\n【" + en.Title + "】\n" + strings.TrimSpace(en.Answer)
			if en.Source != "" {
				text += "\n来源：" + en.Source
			}
		}
	}
	return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}
}
