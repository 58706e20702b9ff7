package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The import arrows of STYLE.md: feature packages know nothing of HTTP, gorm
// drivers or the WeChat SDK; only wechat/ imports silenceper; only store/ the drivers.
func TestImportArrows(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool")
	}
	forbidden := map[string][]string{
		"familybot/models":    {"gorm.io/driver", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/store", "familybot/bot"},
		"familybot/knowledge": {"gorm.io/", "github.com/gin-gonic", "github.com/silenceper", "familybot/store", "familybot/bot"},
		"familybot/signup":    {"gorm.io/driver", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/bot", "familybot/handlers"},
		"familybot/wishwall":  {"gorm.io/driver", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/bot", "familybot/handlers"},
		"familybot/bot":       {"github.com/gin-gonic", "github.com/silenceper", "familybot/wechat", "familybot/handlers", "net/http/httptest"},
		"familybot/handlers":  {"github.com/silenceper", "familybot/wechat", "familybot/store"},
		"familybot/outbox":    {"github.com/gin-gonic", "github.com/silenceper"},
		"familybot/cards":     {"gorm.io/driver", "github.com/glebarez", "github.com/gin-gonic", "github.com/silenceper", "familybot/handlers", "familybot/wechat"},
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
