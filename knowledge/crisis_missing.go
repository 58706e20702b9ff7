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
