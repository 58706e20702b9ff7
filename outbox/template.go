package outbox

import (
	"strings"
	"unicode/utf8"

	"familybot/models"
)

// templateValues are what a template field may be filled with for m.
func (w *Worker) templateValues(m models.OutboxMessage) map[string]string {
	made := m.CreatedAt
	if made.IsZero() {
		made = w.now()
	}
	made = made.In(models.Beijing)
	return map[string]string{
		"title": m.Title, "text": m.Text, "assoc": w.Association,
		"time": made.Format("2006年01月02日 15:04"), "date": made.Format("2006年01月02日"),
	}
}

// fieldLimits are WeChat's length limits by field type (the name without its
// number): a longer value makes the whole send fail, so it is cut with "…".
var fieldLimits = map[string]int{
	"thing": 20, "phrase": 5, "character_string": 32, "number": 32, "letter": 32, "symbol": 5,
	"name": 10, "phone_number": 17, "car_number": 8, "const": 20, "keyword": 20,
}

// TemplateData fills a template's fields from values, each cut to its type's limit.
func TemplateData(fields map[string]string, values map[string]string) map[string]string {
	data := make(map[string]string, len(fields))
	for field, source := range fields {
		v := strings.Join(strings.Fields(values[source]), " ") // one line: template fields show no line breaks
		kind := strings.TrimRight(field, "0123456789")
		if max, ok := fieldLimits[kind]; ok && utf8.RuneCountInString(v) > max {
			v = string([]rune(v)[:max-1]) + "…"
		}
		data[field] = v
	}
	return data
}
