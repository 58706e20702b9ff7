package knowledge

import (
	"strings"
	"unicode/utf8"
)

// Kinds in the order a message that signals several gets its kind: a
// message that is both self-harm and an emergency gets the self-harm reply,
// which also tells the resident to call 120.
var kindOrder = []CrisisKind{CrisisSuicide, CrisisChildAbuse, CrisisViolence, CrisisMedical}

func assessCrisis(text string) Crisis {
	return crisisLex.assess(text, defaultCrisisModel())
}

// assess gives the verdict of the rules and the model m (nil: rules only).
func (l *crisisLexicon) assess(text string, m *crisisModel) Crisis {
	s, ends := l.prepare(text)
	if s == "" {
		return Crisis{}
	}
	h := l.hits(s, ends)
	// Laughter is cut by Normalize (a trailing 哈 is a particle): look at the raw text.
	if containsAny(text, jokeMarks) {
		h[l.ids["guard_joke"]]++
	}
	fired := map[CrisisKind]bool{}
	var em Emergency
	for _, r := range l.rules {
		if fired[r.kind] && (r.kind != CrisisMedical || em != "") {
			continue
		}
		if r.fires(h) {
			fired[r.kind] = true
			if r.kind == CrisisMedical && em == "" {
				em = r.emergency
			}
		}
	}
	for _, k := range kindOrder {
		if fired[k] && l.guarded(k, h, s) {
			delete(fired, k)
		}
	}
	c := Crisis{}
	for _, k := range kindOrder {
		if fired[k] {
			c.Kind, c.Layer = k, "rule"
			break
		}
	}
	if c.Kind != CrisisMedical && !fired[CrisisMedical] {
		em = ""
	}
	// Someone else's overdose or injury without a word of wanting to die
	// (我妈吃了一整瓶安眠药 叫不太醒) is a medical emergency for the helper.
	if c.Kind == CrisisSuicide && em != "" && !l.has(h, "self_harm_self") && l.hasAny(h, "child", "teen", "infant", "partner", "elder", "peer", "other_person") &&
		!l.hasAny(h, "death_wish", "despair", "third_intent") {
		c.Kind = CrisisMedical
	}
	// The statistical layer: recall first, so a message the rules miss is
	// still a crisis when the model is confident. It never overrides the
	// guard: a message with a prevention, learning, medicine or past-event
	// word that the rules (which know about present danger) let through is
	// a question for the FAQ, and the model, which only sees characters,
	// cannot tell 噎住了怎么急救 (learning) from 噎住了 (now). Nor does it
	// decide alone on a text an idiom was cut from (笑死我了) or on a very
	// short one: a few characters are too few for n-gram statistics, and short
	// crises are what the concept rules are for. On a few everyday topics
	// (guard_model: a medicine question, periods, allowances) it never
	// decides alone either, nor on a joke or a story (哈哈, 电视剧里), nor on
	// a missing child or vulnerable adult (MissingMinor, MissingPerson: no
	// kind's reply fits).
	if k, ok := m.verdict(s); ok {
		switch {
		case c.Kind != CrisisNone:
			c.Layer = "rule+model"
		case !l.anyGuard(h) && !l.hasAny(h, "guard_model", "guard_joke", "guard_fiction") && !strings.Contains(s, "|") && utf8.RuneCountInString(s) >= modelMinRunes && !l.missingMinor(h) && !l.missingPerson(h):
			c.Kind, c.Layer = k, "model"
		}
	}
	if c.Kind == CrisisNone {
		return Crisis{}
	}
	if c.Kind == CrisisMedical && em == "" {
		em = l.weakEmergency(h)
	}
	c.Emergency = em
	l.who(&c, h, s)
	return c
}

var jokeMarks = []string{"哈哈", "呵呵", "hhh", "HHH", "😂", "🤣", "😆", "😁", "233"}

// emergencyHints: for a medical verdict no medical rule made (the model's),
// the emergency its weaker signs point to, most specific first.
var emergencyHints = []struct {
	concept   string
	emergency Emergency
}{
	{"pregnancy", EmergencyPregnancy}, {"young_infant", EmergencyInfant}, {"stroke_weak", EmergencyStroke}, {"stroke_sign", EmergencyStroke},
	{"chest_sign", EmergencyChest}, {"choke_weak", EmergencyChoking}, {"choking_sign", EmergencyChoking}, {"drowning_sign", EmergencyDrowning},
	{"seizure_eyes", EmergencySeizure}, {"seizure_shake", EmergencySeizure}, {"overdose_sign", EmergencyPoisoning}, {"toxic_household", EmergencyPoisoning},
	{"poison_substance", EmergencyPoisoning}, {"sharp_object", EmergencySwallowed}, {"fall_impact", EmergencyHeadInjury}, {"burn_sign", EmergencyBurn},
	{"allergy_sign", EmergencyAllergy}, {"allergy_red", EmergencyAllergy}, {"sugar", EmergencyBloodSugar}, {"breathing_sign", EmergencyBreathing},
	{"bleeding_sign", EmergencyBleeding}, {"infant", EmergencyInfant}, {"unconscious_weak", EmergencyUnconscious},
}

func (l *crisisLexicon) weakEmergency(h conceptHits) Emergency {
	for _, e := range emergencyHints {
		if l.has(h, e.concept) {
			return e.emergency
		}
	}
	return EmergencyNone
}

// hits: the concepts found in prepared text, ages included.
func (l *crisisLexicon) hits(s string, ends map[int]bool) conceptHits {
	h := l.match(s, ends)
	if youngInfantAge(s) {
		h[l.ids["young_infant"]]++
	}
	return h
}

// guarded: a question about prevention, learning, medicines or general
// knowledge (怎么给孩子讲身体安全, 想学心肺复苏), or for a medical kind a past
// event (去年中风了现在康复), is not a crisis — unless the message also states
// a present danger (突然, 刚才, 救命 …), the writer speaks of harming
// themselves, someone said they would, or abuse is reported as having
// happened.
func (l *crisisLexicon) guarded(k CrisisKind, h conceptHits, s string) bool {
	if l.has(h, "present") {
		return false
	}
	// Someone making something for others (出一期推文, 想做心理志愿者) is
	// not in danger, whatever words the topic brings.
	if l.has(h, "guard_content") {
		return true
	}
	general := l.has(h, "guard_prevention") || l.has(h, "guard_info")
	// A story's or a game's (电视剧里女主自杀了, 游戏里被砍死了) or a joke's
	// (减肥又失败了 不想活了哈哈) crisis is not the writer's, unless the writer
	// says so in so many words (我想死 没开玩笑).
	// Abuse that happened "in a game" (让她脱裤子玩游戏) is still abuse.
	ownSelf := l.has(h, "self_harm_self")
	abuse := k == CrisisChildAbuse && l.hasAny(h, "sex_touch", "sex_assault", "online_coercion", "genital_injury", "secrecy", "secrecy_strong")
	if l.hasAny(h, "guard_fiction", "guard_joke") && !ownSelf && !abuse {
		return true
	}
	switch k {
	case CrisisMedical:
		// A pet's emergency (狗狗抽搐口吐白沫) is for a vet, not 120.
		pet := l.has(h, "pet") && !l.hasAny(h, "child", "teen", "infant", "partner", "elder")
		return general || pet || l.has(h, "guard_past")
	case CrisisSuicide:
		// The writer's own death wish or plan is never a "general question"
		// (吃多少片安眠药才不会醒).
		// Nor is a lethal-dose question that names nobody else (吃多少片安眠药会死).
		others := l.hasAny(h, "child", "teen", "infant", "partner", "elder", "peer", "pet")
		self := ownSelf || ((strings.Contains(strings.ReplaceAll(s, "我们", ""), "我") || l.has(h, "lethal_ask")) && !others)
		if l.hasAll(h, "guard_past", "guard_over") {
			return true // 我以前自残过 现在一年多没有了
		}
		// A pet's danger (狗狗吃了巧克力会死吗) is for a vet.
		if l.has(h, "pet") && !ownSelf && !l.hasAny(h, "child", "teen", "infant", "partner", "elder", "peer") {
			return true
		}
		// Someone else's 活够了 said as a complaint, their cheerful days
		// described (其实就是抱怨 每天照样打麻将).
		if l.has(h, "guard_fine") && !self {
			return true
		}
		// A toddler's 不想活了 over a dropped ice cream, told with a laugh
		// or asked about (三岁小孩说这个正常吗).
		if l.has(h, "toddler") && (general || l.has(h, "guard_joke")) {
			return true
		}
		return (general || l.has(h, "guard_past")) && !self && (!l.has(h, "third_intent") || l.has(h, "guard_hypothetical"))
	default:
		// A stated act (让她脱裤子, 让她拍私处照片) is hidden only by a
		// prevention question, not by a general word around it.
		if abuse {
			general = l.has(h, "guard_prevention")
		}
		// 我前几年被家暴过 离婚以后过得挺好 想当志愿者: over, and a question.
		// A what-if asked to learn what to teach (要是有坏人打他怎么办 我该怎么教).
		if l.hasAll(h, "guard_hypothetical", "guard_prevention") {
			return true
		}
		// A threat or danger at the door now is never "over".
		if (general || l.has(h, "guard_over")) && l.has(h, "guard_past") && !l.hasAny(h, "threat_strong", "danger_near") {
			return true
		}
		return general && !l.has(h, "who_self_victim") && !l.has(h, "event_abuse") && !l.has(h, "secrecy")
	}
}

func (l *crisisLexicon) anyGuard(h conceptHits) bool {
	return l.hasAny(h, "guard_prevention", "guard_info", "guard_past", "guard_content", "guard_over", "guard_fine")
}
