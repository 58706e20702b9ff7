package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"
)

// crisisWait is how long a crisis reply waits for its record and staff alert.
const crisisWait = time.Second

// DefaultCrisisEpisode is how long after a crisis message the resident's next
// messages are read inside the crisis (bot.crisis_episode).
const DefaultCrisisEpisode = 30 * time.Minute

var crisisTitles = map[knowledge.CrisisKind]string{
	knowledge.CrisisMedical:    "紧急：居民可能遇到急症",
	knowledge.CrisisSuicide:    "紧急：居民可能有自伤风险",
	knowledge.CrisisChildAbuse: "紧急：可能涉及儿童受侵害",
	knowledge.CrisisViolence:   "紧急：居民可能遭受家庭暴力",
	crisisMissingAdult:         "紧急：居民家里的老人（或生病的家人）走失",
}

// episode is one resident's crisis: the messages that follow a crisis message
// are read inside it (stay with them until help comes), stored with it, and
// staff are alerted once for all of it. It lives in Recent, shared by every
// copy, until CrisisEpisode after the resident's latest message in it.
type episode struct {
	ID     string           `json:"id"`
	Crisis knowledge.Crisis `json:"c"`
	Sit    situation        `json:"sit"`
	// Last is a hash of the last reply in the episode: the same long reply is
	// never sent twice in a row.
	Last uint32 `json:"l,omitempty"`
}

func episodeKey(openID string) string { return "crisis:" + openID }

func (e *Engine) episodeFor() time.Duration {
	if e.CrisisEpisode > 0 {
		return e.CrisisEpisode
	}
	return DefaultCrisisEpisode
}

// loadEpisode returns the resident's crisis episode, if one is under way. A
// cache that fails counts as none: the next crisis message then starts a new
// episode and alerts staff again, which errs on the safe side.
func (e *Engine) loadEpisode(ctx context.Context, openID string) (episode, bool) {
	if e.Recent == nil {
		return episode{}, false
	}
	v, ok, err := e.Recent.Get(ctx, episodeKey(openID))
	if err != nil || !ok {
		return episode{}, false
	}
	var ep episode
	if json.Unmarshal([]byte(v), &ep) != nil || ep.ID == "" {
		return episode{}, false
	}
	return ep, true
}

func (e *Engine) saveEpisode(ctx context.Context, openID string, ep episode) {
	if e.Recent == nil {
		return
	}
	b, _ := json.Marshal(ep)
	_ = e.Recent.Set(ctx, episodeKey(openID), string(b), e.episodeFor())
}

// newEpisodeID names an episode: the resident (hashed) and the moment it began.
func (e *Engine) newEpisodeID(openID string) string {
	h := fnv.New32a()
	h.Write([]byte(openID))
	return fmt.Sprintf("%08x-%s", h.Sum32(), strconv.FormatInt(e.now().UnixMilli(), 36))
}

// startEpisode starts a crisis episode, unless another copy is starting one for
// the same resident at this very moment (two messages sent together, delivered
// to two copies): then it joins that one, so staff are alerted once.
func (e *Engine) startEpisode(ctx context.Context, openID string) (episode, bool) {
	if e.Recent != nil {
		if n, err := e.Recent.Incr(ctx, "crisis-start:"+openID, episodeStartFor); err == nil && n > 1 {
			for i := 0; i < 25; i++ {
				time.Sleep(20 * time.Millisecond)
				if ep, ok := e.loadEpisode(ctx, openID); ok {
					return ep, true
				}
			}
		}
	}
	return episode{ID: e.newEpisodeID(openID)}, false
}

// episodeStartFor is how long a copy starting an episode holds the claim
// (far longer than the two cache writes it takes).
const episodeStartFor = 10 * time.Second

func (e *Engine) assess(text string) knowledge.Crisis {
	if e.assessCrisis != nil {
		return e.assessCrisis(text)
	}
	return knowledge.AssessCrisis(text)
}

// crisis answers a crisis message. It runs before everything else, is never rate
// limited, ends any flow, starts (or continues) the resident's crisis episode,
// alerts staff once per episode and keeps the raw text out of the general log.
func (e *Engine) crisis(ctx context.Context, in Inbound, c knowledge.Crisis, ep episode, ongoing bool) Reply {
	if ongoing && ep.Crisis.Kind != knowledge.CrisisNone {
		if !e.plausible(ctx, in.Text, c) {
			// 喘息服务 read as a baby's emergency in a conversation about an
			// 80-year-old: a follow-up of the episode, not a new emergency.
			return e.crisisFollowUp(ctx, in, ep)
		}
		if c.Kind == knowledge.CrisisSuicide && deniesDying(in.Text) {
			// 不是说寻死 就是想跑掉: the writer says what they meant.
			if ep.Crisis.Kind != knowledge.CrisisSuicide {
				ep.Crisis, ep.Sit = c, situation{}
			}
			return e.crisisFollowUp(ctx, in, ep)
		}
	}
	if e.context(ctx).Young && c.Person == knowledge.PersonSelf {
		c.ChildWriter = true // the conversation showed a teenager writing
	}
	c, sit := readSituation(in.Text, c)
	verdict := c // as the crisis layer read this message, before the episode
	fresh := !ongoing
	if fresh {
		ep, ongoing = e.startEpisode(ctx, in.OpenID)
	}
	news := true
	if ongoing && ep.Crisis.Kind != knowledge.CrisisNone {
		var turned bool
		c, turned = inEpisode(ep.Crisis, c)
		if turned {
			ep.Sit = situation{}
		}
		news = turned || ep.Sit.join(sit) != ep.Sit
	}
	ep.Crisis, ep.Sit = c, ep.Sit.join(sit)
	if !fresh && !news && ep.Crisis.Kind == crisisMissingAdult {
		return e.missingFollowUp(ctx, in, ep) // 她摔了一跤 while still missing: the search goes on
	}
	if !fresh && !news {
		// The episode's own crisis again (躲在卫生间 after a knife threat):
		// answered as what it tells inside the episode.
		if r, ok := e.serviceInEpisode(ctx, in, ep, verdict); ok {
			return r
		}
		text := notAgain(&ep, in.Text, pronoun(episodeReply(in.Text, &ep, true), ep))
		e.saveEpisode(ctx, in.OpenID, ep)
		e.keepCrisis(ctx, in, ep, true, false)
		return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}
	}
	text := notAgain(&ep, "", pronoun(crisisReply(ep), ep))
	if c.Kind == knowledge.CrisisSuicide && c.Person == knowledge.PersonSelf && classifyFollowUp(in.Text) == fuHelp {
		text += "\n" + msgKeptSecret // 可是我不想让老师知道
	}
	e.saveEpisode(ctx, in.OpenID, ep)
	e.keepCrisis(ctx, in, ep, false, !ongoing)
	// For a medical emergency, the first-aid entry that matches follows the first
	// steps ("热性惊厥发作时怎么办" is both an emergency and a how-to question).
	// After a kind's own first steps only its "when to call 120 / see a doctor"
	// part: its everyday care (多半是轻伤 … 可以正常睡觉) would contradict them.
	if (c.Kind == knowledge.CrisisMedical || c.Emergency != knowledge.EmergencyNone) && e.KB != nil {
		if res := e.KB.Index().Decide(in.Text, e.now()); res.Decision == knowledge.Answer && len(res.Top) > 0 {
			en := res.Top[0].Entry
			body := strings.TrimSpace(en.Answer)
			if see := strings.TrimSpace(en.SeeDoctor); see != "" && stepsFor(c) != "" {
				body = "🏥 " + see
			}
			text += "\n\n【" + en.Title + "】\n" + body
			if en.Source != "" {
				text += "\n来源：" + en.Source
			}
		}
	}
	return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}
}

// crisisFollowUp answers a message inside a crisis episode that is not itself a
// crisis: don't wait, the first steps again, nothing by mouth, which hospital,
// what the situation needs next, or words that stay with someone in despair.
// The episode goes on.
func (e *Engine) crisisFollowUp(ctx context.Context, in Inbound, ep episode) Reply {
	if ep.Crisis.Kind == crisisMissingAdult {
		return e.missingFollowUp(ctx, in, ep)
	}
	if r, ok := e.otherTopic(ctx, in, ep); ok {
		return r
	}
	if r, ok := e.serviceInEpisode(ctx, in, ep, knowledge.Crisis{}); ok {
		return r
	}
	if ep.Crisis.Kind == knowledge.CrisisMedical && ep.Crisis.Emergency == knowledge.EmergencyNone && pregnant(in.Text) {
		// "26周": the one taken ill is pregnant; her steps, once.
		ep.Crisis.Emergency = knowledge.EmergencyPregnancy
		text := notAgain(&ep, "", crisisReply(ep))
		e.saveEpisode(ctx, in.OpenID, ep)
		e.keepCrisis(ctx, in, ep, true, false)
		return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}
	}
	text := notAgain(&ep, in.Text, pronoun(episodeReply(in.Text, &ep, false), ep))
	e.saveEpisode(ctx, in.OpenID, ep)
	e.keepCrisis(ctx, in, ep, true, false)
	return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}
}

// keepCrisis stores the message in the restricted crisis table and, for a new
// episode, alerts the staff on duty. The reply, with 120/110 first, must not
// wait for a slow database: this gets crisisWait, then carries on behind it.
func (e *Engine) keepCrisis(ctx context.Context, in Inbound, ep episode, followUp, alert bool) {
	c := ep.Crisis
	ev := models.CrisisEvent{OpenID: in.OpenID, Kind: string(c.Kind), Emergency: string(c.Emergency), Person: string(c.Person),
		Episode: ep.ID, FollowUp: followUp, Text: in.Text, CreatedAt: e.now().UTC()}
	title := crisisTitles[c.Kind]
	if title == "" {
		title = crisisTitles[knowledge.CrisisSuicide]
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if !followUp {
			e.EndFlow(bctx, in.OpenID)
		}
		// The alert is a card with 我来跟进 for the message kept with it; staff
		// are told even if the record failed: a person must look.
		var alerts []models.Notice
		if alert && e.Alerts != nil {
			alerts = e.Alerts.ToOnDuty("/admin/crisis", models.Notice{Kind: models.NoticeCrisisAlert,
				About: models.Subject{Kind: models.SubjectCrisis}, Variant: in.OpenID + ":" + ep.ID, Title: title,
				Text: "有居民发来需要紧急关注的消息，请立即在后台查看并跟进；这位居民接下来的消息会显示在同一组里。"})
		}
		_ = e.Store.RecordCrisis(bctx, ev, alerts...)
	}()
	select {
	case <-done:
	case <-time.After(crisisWait):
	}
}

// notAgain keeps the episode from sending the same long reply twice in a
// row to a message that asks nothing in particular (嗯, 好吧 after the same
// block): the second time, a short one. A question the same words answer
// again (能匿名吗 after 怕被报复) gets them again. msg "" is no message
// (the reply to news), never shortened.
func notAgain(ep *episode, msg, text string) string {
	h := fnv.New32a()
	h.Write([]byte(text))
	sum := h.Sum32()
	fu := classifyFollowUp(msg)
	if msg != "" && sum == ep.Last && utf8.RuneCountInString(text) > shortReply && (fu == fuOther || fu == fuThanks || fu == fuThinking) {
		text = shortStay(ep.Crisis)
		h = fnv.New32a()
		h.Write([]byte(text))
		sum = h.Sum32()
	}
	ep.Last = sum
	return text
}

// msgKeptSecret answers the worry that help tells parents or the school.
const msgKeptSecret = "热线和我们这里都会为你保密，一般不会告诉老师和家里；只有你马上有生命危险时，才会联系能保护你的人。"

// shortReply is the length up to which a reply may be sent again as it is
// ("不要等，现在就拨打 120" twice is no block of text twice).
const shortReply = 100

// shortStay is the short reply that stands in for a repeat.
func shortStay(c knowledge.Crisis) string {
	switch {
	case c.Kind == knowledge.CrisisMedical:
		return "我还在这里。还没打 120 的话，请现在就打；已经打了，就开门等车，情况有变化再打 120 告诉调度员。"
	case c.Kind == knowledge.CrisisSuicide && c.Person == knowledge.PersonSelf || c.Kind == knowledge.CrisisNone:
		s := "我还在这里陪着你，想说什么都可以，慢慢说。想听到人的声音，可以打 " + localLine + line12356
		if childLines(c) {
			s += " 或 " + line12355
		}
		return s + "；有危险请拨打 120 或 110。"
	case c.Kind == knowledge.CrisisSuicide:
		return "我还在这里。请尽量让人陪着他；有危险马上拨打 110 或 120，也可以打 " + line12356 + " 问怎么帮他。"
	}
	return "我还在这里，需要时随时说。" + dangerLine(c)
}

// notDying are a writer's words that they meant no death (不是说寻死).
var notDying = []string{"不是说寻死", "不是寻死", "不是要寻死", "不是想死", "不是要死", "不是说想死", "不是真想死", "没想死", "没想过死", "不是想自杀", "不是要自杀", "不是说自杀"}

// deniesDying: the message says what the writer meant was not death.
func deniesDying(text string) bool {
	return containsAnyOf(episodeText(text), notDying)
}

// babyWords: a message that is about a baby.
var babyWords = []string{"宝宝", "婴儿", "新生儿", "孩子", "娃", "小孩", "宝", "个月", "满月", "吃奶", "喂奶"}

// plausible reports whether a verdict inside an episode fits the
// conversation: a baby's emergency in a message that names no baby, in a
// conversation about an elder, a teenager or the writer, is not one.
func (e *Engine) plausible(ctx context.Context, text string, c knowledge.Crisis) bool {
	if c.Emergency != knowledge.EmergencyInfant || containsAnyOf(episodeText(text), babyWords) {
		return true
	}
	switch e.context(ctx).Subject {
	case knowledge.SubjectElder, knowledge.SubjectTeen, knowledge.SubjectSelf, knowledge.SubjectMother:
		return false
	}
	return true
}

// topicChanges are the words of a resident who leaves the crisis for
// another question (算了不说这个了 明天体育中考 跑800有什么技巧吗).
var topicChanges = []string{"不说这个了", "不聊这个了", "不说这些了", "不聊这些了", "不提这个了", "换个话题", "说点别的", "聊点别的", "说个别的", "问个别的", "问点别的"}

// otherTopic answers a question the resident turns to inside an episode: the
// question as any other, the line that keeps the crisis open under it.
func (e *Engine) otherTopic(ctx context.Context, in Inbound, ep episode) (Reply, bool) {
	raw := strings.Join(strings.Fields(in.Text), " ")
	at := -1
	var word string
	for _, w := range topicChanges {
		if i := strings.Index(raw, w); i >= 0 && (at < 0 || i < at) {
			at, word = i, w
		}
	}
	if at < 0 {
		return Reply{}, false
	}
	rest := strings.Trim(raw[at+len(word):], " ，,。.！!~")
	if utf8.RuneCountInString(rest) < 4 {
		return Reply{}, false // 算了不说这个了: nothing else asked
	}
	e.saveEpisode(ctx, in.OpenID, ep)
	e.keepCrisis(ctx, in, ep, true, false)
	r := e.faq(ctx, Inbound{OpenID: in.OpenID, Kind: in.Kind, Text: rest})
	r.Text = e.fill(r.Text + "\n\n" + episodeTail(ep.Crisis))
	r.Flagged = true // the message belongs to the crisis: kept with it, not in the log
	return r, true
}
