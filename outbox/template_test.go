package outbox

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTemplateDataCutsToWeChatLimits(t *testing.T) {
	long := strings.Repeat("活动", 20)
	data := TemplateData(map[string]string{"thing1": "title", "phrase2": "title", "time3": "time", "character_string4": "text", "thing5": "missing"},
		map[string]string{"title": long, "text": "第一行\n第二行", "time": "2026年12月06日 14:00"})
	if n := utf8.RuneCountInString(data["thing1"]); n != 20 || !strings.HasSuffix(data["thing1"], "…") {
		t.Errorf("thing1 = %q (%d)", data["thing1"], n)
	}
	if n := utf8.RuneCountInString(data["phrase2"]); n != 5 {
		t.Errorf("phrase2 = %q", data["phrase2"])
	}
	if data["time3"] != "2026年12月06日 14:00" || data["character_string4"] != "第一行 第二行" || data["thing5"] != "" {
		t.Errorf("data = %v", data)
	}
}
