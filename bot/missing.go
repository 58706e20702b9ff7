package bot

import (
	"context"
	"strconv"
	"strings"
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
		return e.missingAdult(ctx, in)
	}
	ev := models.CrisisEvent{OpenID: in.OpenID, Kind: missingKind, Person: string(knowledge.PersonWorried), Text: in.Text, CreatedAt: e.now().UTC()}
	hour := in.OpenID + ":" + strconv.FormatInt(e.now().Unix()/3600, 10)
	done := make(chan struct{})
	go func() { // the reply, with 110 first, does not wait for a slow database
		defer close(done)
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = e.Store.RecordCrisis(bctx, ev)
		if e.Alerts != nil {
			_ = e.Alerts.AlertStaff(bctx, "/admin/crisis", models.Notice{Kind: models.NoticeMissingAlert, Variant: hour,
				Title: "紧急：居民的孩子联系不上", Text: "有居民说孩子走失或联系不上，已请他报警；请在后台查看并跟进。"})
		}
	}()
	select {
	case <-done:
	case <-time.After(crisisWait):
	}
	return Reply{Text: e.fill(msgMissingMinor), Route: models.RouteCrisis, Flagged: true, Score: 1}, true
}

// crisisMissingAdult is an elder with dementia, or another adult who cannot
// look after themself, gone missing: a crisis episode of its own (not a kind
// of the detector), kept in the crisis table as "missing_adult".
const crisisMissingAdult knowledge.CrisisKind = "missing_adult"

// vulnerableWords name an illness that makes a missing adult more at risk
// (a follow-up in the episode: 她有老年痴呆).
var vulnerableWords = []string{"痴呆", "失智", "认知障碍", "阿尔茨海默", "老糊涂", "犯糊涂", "记性不好", "智力障碍", "智障", "残疾", "自闭症", "精神病", "精神分裂", "脑梗后", "中风后"}

// msgMissingAdult: 110 first, no 24-hour wait, and what finds them.
const msgMissingAdult = "家里老人（或生病的家人）找不到了：有老年痴呆（认知障碍）、记性差、行动不便，或智力、精神上有障碍的，请现在就拨打 110 报警，不用等 24 小时。\n" +
	"1. 报警时说清姓名、年龄、长相、穿的什么衣服、最后见到的时间和地点，有没有带手机；准备一张近期照片给警察。\n" +
	"2. 马上请物业或小区保安调监控，看往哪个方向走了。\n" +
	"3. 分头去以前常去的地方找：老家、老单位、菜市场、公园、公交站、医院；家里留一个人等，手机保持畅通。\n" +
	"4. 告诉邻居和社区居委会，发到小区群里，请大家帮忙留意。\n" +
	"5. 找到后先别责怪，看看有没有冻着、摔伤，给喝点水。\n" + staffSee

// missingAdult starts the episode of a vulnerable adult gone missing: 110
// first, staff alerted once for the episode; what the resident writes next
// is answered inside it (missingSituation).
func (e *Engine) missingAdult(ctx context.Context, in Inbound) (Reply, bool) {
	who, ok := knowledge.MissingPerson(in.Text)
	if !ok {
		return Reply{}, false
	}
	ep, joined := e.startEpisode(ctx, in.OpenID)
	ep.Crisis = knowledge.Crisis{Kind: crisisMissingAdult, Person: knowledge.PersonWorried, Subject: who, Layer: "rule"}
	text := notAgain(&ep, "", msgMissingAdult)
	e.saveEpisode(ctx, in.OpenID, ep)
	e.keepCrisis(ctx, in, ep, false, !joined)
	return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}, true
}

// missingSituations answer what follows inside that episode, in the order
// they are looked for (found outweighs everything).
var missingSituations = []struct {
	phrases []string
	words   string
}{
	{[]string{"报警", "警察", "110", "24小时", "二十四小时", "立案"},
		"警察会管。老人有老年痴呆、走失了，不用等 24 小时，现在就可以打 110，越早找越好。\n" +
			"报警时说清：姓名、年龄、长相和穿着、最后见到的时间地点、有没有带手机，有老年痴呆也一定说；把近期照片给警察。已经报了，把新想到的线索随时告诉警察。"},
	{[]string{"找了一圈", "找遍", "没找到", "没找着", "都找了", "还是没有", "没有", "找不到", "哪里都"},
		"先别慌，越早报警越好：还没报就现在拨打 110，不用等 24 小时。\n" +
			"1. 请物业、保安调小区和门口的监控，看往哪个方向走了。\n" +
			"2. 扩大范围找：她以前常去的地方、老家和老单位、公交站和车站、附近的医院。\n" +
			"3. 发到小区群、告诉社区居委会和邻居，附上照片和穿着。\n" +
			"4. 家里留一个人，也许她自己会走回来。"},
	{[]string{"常去", "老去", "经常去", "以前去", "爱去", "总去", "菜市场", "公园", "老家", "老房子", "老单位", "超市", "医院", "车站", "公交站", "广场"},
		"那边要去找，请家人分头过去，沿路问问店主、保安和路人，给他们看照片。\n" +
			"同时请一定报 110（不用等 24 小时），把这些她可能去的地方告诉警察，他们可以调沿路的监控。家里留一个人，手机保持畅通。"},
	{vulnerableWords,
		"有老年痴呆、又没带手机，自己很难找回家，更要马上报警：现在就拨打 110，不用等 24 小时，告诉警察她有老年痴呆、没带手机。\n" +
			"同时请物业调监控，家人分头去她常去的地方找，家里留一个人。"},
}

// foundWords: the one missing is found.
var foundWords = []string{"找到了", "找着了", "找回来了", "回来了", "回家了", "到家了", "接到了", "接回来了", "在公交站", "人在", "看到她了", "看到他了", "看见她了", "看见他了", "派出所送回", "警察送回"}

// msgMissingFound: relief, check them over, and how to keep it from happening.
const msgMissingFound = "找到了就好，你一定吓坏了，先缓口气。\n" +
	"1. 先看看老人：有没有冻着、摔伤、磕碰，嘴唇干不干（给喝点温水），认不认得人；有受伤、发烧、比平时更糊涂，今天就去医院看看。\n" +
	"2. 别责怪她，她自己也害怕；报过警的，告诉警察人已经找到了。\n" +
	"3. 以后防走失：戴写有家人电话的手环或卡片，衣服上缝联系方式；门上装提示铃；存好近期照片；可以用带定位的手表或老人机；外出尽量有人陪。\n" +
	"想了解怎么照护，可以问我“家有认知障碍老人怎么照护”。"

// missingSituation answers a message inside a missing-adult episode; found
// ends the episode (the next question is a question again).
func (e *Engine) missingFollowUp(ctx context.Context, in Inbound, ep episode) Reply {
	s := episodeText(in.Text)
	text := ""
	if containsAnyOf(s, foundWords) && !strings.Contains(s, "没找到") && !strings.Contains(s, "找不到") {
		e.keepCrisis(ctx, in, ep, true, false)
		if e.Recent != nil {
			_ = e.Recent.Del(ctx, episodeKey(in.OpenID))
		}
		return Reply{Text: e.fill(msgMissingFound), Route: models.RouteCrisis, Flagged: true, Score: 1}
	}
	for _, m := range missingSituations {
		if containsAnyOf(s, m.phrases) {
			text = m.words
			break
		}
	}
	if text == "" {
		switch classifyFollowUp(in.Text) {
		case fuThanks, fuRelief, fuThinking:
			text = "不客气。请先拨打 110（不用等 24 小时），家人分头去找，家里留一个人。有新情况随时告诉我。"
		default:
			text = msgMissingAdult
		}
	}
	text = notAgain(&ep, in.Text, text)
	e.saveEpisode(ctx, in.OpenID, ep)
	e.keepCrisis(ctx, in, ep, true, false)
	return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}
}
