package knowledge

import (
	"fmt"
	"strings"
)

// features are what the score is made of, kept for tuning and for Why.
type features struct {
	matched   float64 // BM25 evidence: idf × saturated frequency of the shared words
	unmatched float64 // idf of the question's words no entry uses
	elsewhere float64 // idf of the question's index words this entry does not use
	central   float64 // how central to the entry the shared topic words are (0..1)
	text      float64 // similarity to the nearest title or question variant (weighted Dice)
	phrase    string  // a keyword found verbatim in the question
	subject   bool    // question about another group than the entry
	offtopic  string  // a subject the entry never mentions
	counter   string  // the counter-example the question is closer to
	doc       int32   // the entry's position in the index
}

// Scoring constants, tuned on the evaluation set (see eval_test.go).
var (
	// unmatchedWeight: residents add details no entry has (粽子, 凌晨三点),
	// so such a word counts against an entry much less than a shared word
	// counts for it.
	unmatchedWeight = 0.15
	// elsewhereWeight: a word other entries use but this one does not is
	// stronger evidence that another entry is meant.
	elsewhereWeight = 0.2
	// phraseBonus is the evidence of a keyword found verbatim.
	phraseBonus = 3.0
	// evidenceScale keeps one weak shared word from looking like certainty.
	evidenceScale = 0.5
	// centralFloor is the share of the score left when the matched words are
	// all peripheral to the entry.
	centralFloor = 0.1
	// centralTF is the weighted frequency at which a word is fully central:
	// the title plus a variant, or a keyword plus two variants.
	centralTF = 4.0
	// whoCentral is how much a word naming a person (宝宝, 老人) counts as central.
	whoCentral = 0.5
	// literalDiscount applies to a word the entry only uses through a synonym.
	literalDiscount = 0.9
	// nearestWeight is the share of the score that depends on the nearest
	// variant, relative to the best candidate's.
	nearestWeight = 0.05
	// closeMargin: candidates within this score of a confident best are
	// "close", and the question is asked back rather than guessed.
	closeMargin = 0.02
	// crossMargin is closeMargin for a runner-up from another category.
	crossMargin = 0.06
	// counterMin: a counter-example rules an entry out only when the question
	// is really like it, not when both share little more than 宝宝.
	counterMin = 0.4
	// counterFloor: entries scoring below it are not worth checking against
	// their counter-examples.
	counterFloor = 0.1
	// Penalties, multiplied into the score.
	penaltySubject  = 0.7 // the question is about another group (老人 vs 宝宝)
	penaltyOfftopic = 0.3 // the question names a subject the entry never does (猫咪)
)

// combine turns features into the 0..1 score: how much of the question the
// entry explains, times how central the shared words are to the entry. A
// question must hit something central: "今天星期几" shares 星期 with one
// variant of the exercise entry and must not pass.
func (f features) combine() float64 {
	if f.counter != "" {
		return 0
	}
	m := f.matched
	if f.phrase != "" {
		m += phraseBonus
	}
	s := m / (m + unmatchedWeight*f.unmatched + elsewhereWeight*f.elsewhere + evidenceScale)
	s *= centralFloor + (1-centralFloor)*f.central
	if f.subject {
		s *= penaltySubject
	}
	if f.offtopic != "" {
		s *= penaltyOfftopic
	}
	return min(1, max(0, s))
}

// score computes an entry's features for the question. An entry the question
// is closer to a counter-example of scores 0, with the reason.
func (ix *Index) score(d int32, q *query) Candidate {
	dc := &ix.docs[d]
	f := features{doc: d}
	for _, t := range q.terms {
		tf, ok := dc.tf[t.id]
		if !ok || t.id < 0 {
			if t.id >= 0 {
				f.elsewhere += t.weight
			} else {
				f.unmatched += t.weight
			}
			continue
		}
		mult := t.mult
		if !dc.raw[t.raw] {
			// Matched through a synonym only: a hair less than the entry's own
			// word, so 宝宝 prefers the entry that says 宝宝 over one that says 女儿.
			mult *= literalDiscount
		}
		f.matched += t.weight * mult * tf / (tf + saturation)
		// Several fairly central words add up (a soft OR). Who the question
		// is about (宝宝, 老人) is hardly ever its topic.
		cw := min(1, tf/centralTF) * t.mult
		if lex.who[t.canonical] {
			cw *= whoCentral
		}
		f.central = 1 - (1-f.central)*(1-cw)
	}
	for _, t := range q.parts {
		_, whole := dc.tf[t.parent]
		if tf, ok := dc.tf[t.id]; ok && !whole {
			f.matched += t.weight * t.mult * tf / (tf + saturation)
		}
	}
	for _, p := range dc.phrases {
		if strings.Contains(q.compact, p) {
			f.phrase, f.central = p, 1
			break
		}
	}
	for _, t := range dc.texts {
		f.text = max(f.text, ix.dice(t, q))
	}
	if len(q.subjects) > 0 && len(dc.subjects) > 0 && !lex.compatibleSpecific(q.specific, dc.specific) {
		f.subject = true
	}
	for _, t := range q.terms {
		kind, off := lex.offtopic[t.canonical]
		if _, named := dc.tf[t.id]; off && !(named && t.id >= 0) && (kind == "animal" || len(q.subjects) == 0) {
			f.offtopic = t.raw
			break
		}
	}
	if len(dc.counter) > 0 && f.combine() >= counterFloor {
		pos := f.text
		for _, t := range dc.keywords {
			pos = max(pos, ix.dice(t, q))
		}
		neg := 0.0
		for i, words := range dc.counter {
			if s := ix.diceWords(words, q); s > neg && s > pos && s >= counterMin {
				neg, f.counter = s, ix.entries[d].CounterExamples[i]
			}
		}
	}
	return Candidate{Entry: &ix.entries[d], Score: f.combine(), feat: f}
}

// explain lists, in Chinese for staff, why a candidate scored as it did.
func (ix *Index) explain(c Candidate, q *query) []string {
	f, dc := c.feat, &ix.docs[c.feat.doc]
	if f.counter != "" {
		return []string{"排除：问题更像此条目的反例“" + f.counter + "”"}
	}
	var matched []string
	for _, t := range q.terms {
		if _, ok := dc.tf[t.id]; !ok || t.id < 0 {
			continue
		}
		switch t.how {
		case "synonym":
			matched = append(matched, t.raw+"→"+t.canonical+"（同义词）")
		case "pinyin":
			matched = append(matched, t.raw+"→"+t.canonical+"（拼音）")
		case "part":
			matched = append(matched, t.raw+"→"+t.canonical+"（部分）")
		default:
			matched = append(matched, t.canonical)
		}
	}
	why := []string{"命中：" + strings.Join(matched, "、")}
	if f.phrase != "" {
		why = append(why, "关键词："+f.phrase)
	}
	why = append(why, fmt.Sprintf("证据 %.1f，条目未用的词 %.1f，知识库没有的词 %.1f，核心程度 %.0f%%，最接近的问法 %.0f%%",
		f.matched, f.elsewhere, f.unmatched, f.central*100, f.text*100))
	if f.subject {
		why = append(why, "对象不符")
	}
	if f.offtopic != "" {
		why = append(why, "无关话题："+f.offtopic)
	}
	return why
}

// dice is the weighted Dice similarity of the question and one text.
func (ix *Index) dice(t text, q *query) float64 {
	var hit float64
	for _, id := range t.ids {
		for _, qt := range q.terms {
			if qt.id == id {
				hit += ix.idf[id]
				break
			}
		}
	}
	if t.sum+q.total == 0 {
		return 0
	}
	return 2 * hit / (t.sum + q.total)
}

// diceWords is dice for words that need not be index words (counter-examples).
func (ix *Index) diceWords(words []string, q *query) float64 {
	var hit, all float64
	for _, w := range words {
		x := ix.unseen
		if id, ok := ix.vocab[w]; ok {
			x = ix.idf[id]
		}
		all += x
		for _, qt := range q.terms {
			if qt.canonical == w {
				hit += x
				break
			}
		}
	}
	if all+q.total == 0 {
		return 0
	}
	return 2 * hit / (all + q.total)
}
