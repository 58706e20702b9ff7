package handlers

import (
	"sort"
	"strconv"
	"time"

	"familybot/models"
	"familybot/privacy"
)

// crisisEpisode is one resident's crisis on the 危机消息 page: the crisis
// message and everything the resident wrote inside the episode after it.
type crisisEpisode struct {
	Key       string // for the element id
	KindText  string
	Detail    string // the emergency and who is at risk, when the crisis layer said
	Resident  string
	Rows      []crisisRow // oldest first
	Open      bool        // a message is not handled yet
	LastID    uint64      // handling and replying act on the episode up to this message
	HandledBy string
	HandledAt *time.Time
	// FollowedBy is who said 我来跟进 on the WeCom card for a message of the episode.
	FollowedBy string
}

var emergencyTexts = map[string]string{
	"stroke": "疑似中风", "chest_pain": "胸痛", "breathing": "呼吸困难", "choking": "噎住", "seizure": "抽搐", "poisoning": "中毒或误服",
	"swallowed": "吞了电池或磁铁", "head_injury": "头部受伤", "drowning": "溺水", "bleeding": "大出血", "burn": "烧烫伤", "allergy": "严重过敏",
	"pregnancy": "孕期急症", "infant": "婴儿危急", "unconscious": "叫不醒",
}

var personTexts = map[string]string{"self": "本人", "present": "身边的人出事，居民在帮忙", "worried": "居民担心的家人或朋友"}

// groupCrisis groups crisis messages by episode, in the order list gives
// (unhandled first, then newest), each episode's messages oldest first. A
// message from before episodes were kept is an episode of its own. reveal is
// the one message shown with its numbers unmasked.
func groupCrisis(list []models.CrisisEvent, reveal uint64) []crisisEpisode {
	var out []crisisEpisode
	at := map[string]int{}
	for _, ev := range list {
		key := ev.OpenID + "|" + ev.Episode
		if ev.Episode == "" {
			key = "#" + strconv.FormatUint(ev.ID, 10)
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, crisisEpisode{Key: strconv.FormatUint(ev.ID, 10), Resident: residentTag(ev.OpenID)})
		}
		r := crisisRow{CrisisEvent: ev, Shown: privacy.Mask(ev.Text)}
		r.CanReveal = r.Shown != ev.Text
		if ev.ID == reveal {
			r.Shown, r.CanReveal = ev.Text, false
		}
		out[i].Rows = append(out[i].Rows, r)
	}
	for i := range out {
		g := &out[i]
		sort.Slice(g.Rows, func(a, b int) bool { return g.Rows[a].ID < g.Rows[b].ID })
		g.Key = strconv.FormatUint(g.Rows[0].ID, 10)
		last := g.Rows[len(g.Rows)-1]
		g.LastID, g.HandledBy, g.HandledAt = last.ID, last.HandledBy, last.HandledAt
		for _, r := range g.Rows {
			g.Open = g.Open || r.HandledAt == nil
			if r.FollowedBy != "" {
				g.FollowedBy = r.FollowedBy
			}
			if r.FollowUp {
				continue
			}
			// The latest crisis message names the episode (a seizure, then "他打我").
			g.KindText = crisisKinds[r.Kind]
			g.Detail = emergencyTexts[r.Emergency]
			if p := personTexts[r.Person]; p != "" && r.Kind != "" {
				if g.Detail != "" {
					g.Detail += " · "
				}
				g.Detail += p
			}
		}
		if g.KindText == "" {
			g.KindText = "需关注"
		}
	}
	return out
}
