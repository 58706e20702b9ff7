package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The import arrows of STYLE.md: feature packages know nothing of HTTP, gorm
// or the WeChat SDK; only wechat/ imports silenceper; only store/ gorm and its
// drivers (notices go to the store as models.Notice, never as a *gorm.DB).
func TestImportArrows(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool")
	}
	forbidden := map[string][]string{
		"familybot/models":    {"gorm.io/driver", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/store", "familybot/bot"},
		"familybot/knowledge": {"gorm.io/", "github.com/gin-gonic", "github.com/silenceper", "familybot/store", "familybot/bot"},
		"familybot/signup":    {"gorm.io/", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/bot", "familybot/handlers"},
		"familybot/wishwall":  {"gorm.io/", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/bot", "familybot/handlers"},
		"familybot/bot":       {"gorm.io/", "github.com/gin-gonic", "github.com/silenceper", "familybot/wechat", "familybot/handlers", "net/http/httptest"},
		"familybot/handlers":  {"github.com/silenceper", "familybot/wechat"},
		"familybot/outbox":    {"gorm.io/", "github.com/gin-gonic", "github.com/silenceper"},
		"familybot/cards":     {"gorm.io/", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/handlers", "familybot/wechat"},
		"familybot/wechat":    {"gorm.io/", "familybot/store", "familybot/handlers"},
		"familybot/speech":    {"gorm.io/", "github.com/gin-gonic", "github.com/silenceper", "familybot/store", "familybot/bot", "familybot/wechat"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s imports %s (STYLE.md: it must not)", pkg, dep)
				}
			}
		}
	}
}
