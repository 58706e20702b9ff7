package knowledge

// MissingMinor reports whether the message tells of a child or teen who is
// missing or cannot be reached (已经凌晨一点了 我儿子还没回家 打电话也不接). It is
// not a crisis kind: no kind's reply fits (the abuse reply speaks of evidence,
// the suicide reply of pills and ropes), so the caller answers it with its own
// words — 110 first, a minor's disappearance needs no 24-hour wait.
func MissingMinor(text string) bool {
	s, ends := crisisLex.prepare(text)
	if s == "" {
		return false
	}
	return crisisLex.missingMinor(crisisLex.hits(s, ends))
}

func (l *crisisLexicon) missingMinor(h conceptHits) bool {
	return l.hasAll(h, "missing_minor", "missing_when") && l.hasAny(h, "child", "teen") &&
		!l.hasAny(h, "guard_prevention", "guard_past", "guard_over", "guard_fiction")
}

// MissingPerson reports whether the message tells of an adult who cannot
// look after themself — an elder with dementia, an adult with an
// intellectual disability or a mental illness — who is missing or cannot be
// reached (我妈又找不到了 出门一个小时了 她有老年痴呆), and who: SubjectElder
// for an elder, SubjectOther otherwise. Like MissingMinor it is not a crisis
// kind (110 first, no 24-hour wait; the caller answers with its own words).
// A child or teen is MissingMinor's; a lost thing (钥匙又找不到了), a
// prevention question or a past event is not missing.
func MissingPerson(text string) (who Subject, ok bool) {
	s, ends := crisisLex.prepare(text)
	if s == "" {
		return SubjectUnknown, false
	}
	h := crisisLex.hits(s, ends)
	if !crisisLex.missingPerson(h) {
		return SubjectUnknown, false
	}
	if crisisLex.has(h, "elder") {
		return SubjectElder, true
	}
	return SubjectOther, true
}

func (l *crisisLexicon) missingPerson(h conceptHits) bool {
	gone := l.hasAll(h, "missing_adult", "missing_vulnerable") || l.hasAll(h, "missing_lost", "elder")
	return gone && !l.missingMinor(h) &&
		!l.hasAny(h, "missing_thing", "guard_prevention", "guard_past", "guard_over", "guard_fiction", "guard_hypothetical")
}
