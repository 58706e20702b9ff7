package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

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
}

// episode is one resident's crisis: the messages that follow a crisis message
// are read inside it (stay with them until help comes), stored with it, and
// staff are alerted once for all of it. It lives in Recent, shared by every
// copy, until CrisisEpisode after the resident's latest message in it.
type episode struct {
	ID     string           `json:"id"`
	Crisis knowledge.Crisis `json:"c"`
	Sit    situation        `json:"sit"`
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
	if !fresh && !news {
		// The episode's own crisis again (躲在卫生间 after a knife threat):
		// answered as what it tells inside the episode.
		if r, ok := e.serviceInEpisode(ctx, in, ep, verdict); ok {
			return r
		}
		text := pronoun(episodeReply(in.Text, &ep, true), ep)
		e.saveEpisode(ctx, in.OpenID, ep)
		e.keepCrisis(ctx, in, ep, true, false)
		return Reply{Text: e.fill(text), Route: models.RouteCrisis, Flagged: true, Score: 1}
	}
	e.saveEpisode(ctx, in.OpenID, ep)
	e.keepCrisis(ctx, in, ep, false, !ongoing)
	text := pronoun(crisisReply(ep), ep)
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
	if r, ok := e.serviceInEpisode(ctx, in, ep, knowledge.Crisis{}); ok {
		return r
	}
	text := pronoun(episodeReply(in.Text, &ep, false), ep)
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
