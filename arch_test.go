package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// importRules are the import rules familybot keeps, each with the packages it
// concerns; TestImportRules checks every one against `go list -deps` for every
// package of the module, main included. The checks read a package's own
// (non-test) imports: a test may use the SDK to play WeChat's side.
//
// bench/ is outside the application and outside the rules: bench/bareecho is
// the bare Gin + silenceper webhook the load benchmark measures familybot
// against, so it imports both on purpose (and nothing imports it).
var importRules = []importRule{
	{
		text:    "gin only in handlers and wechat: the URL table and the admin are handlers; wechat adapts WeChat's webhooks.",
		imports: []string{"github.com/gin-gonic/"},
		onlyIn:  []string{"familybot/handlers", "familybot/wechat"},
	},
	{
		text:    "gorm and its drivers only in store: the database is one adapter, behind the interfaces the other packages declare.",
		imports: gormAndDrivers,
		onlyIn:  []string{"familybot/store", "familybot/store/storetest"},
	},
	{
		text:    "silenceper only in wechat: the WeChat SDK is one adapter; the rest speaks bot.Inbound/Reply and outbox.",
		imports: []string{"github.com/silenceper/"},
		onlyIn:  []string{"familybot/wechat"},
	},
	{
		text: "main only wires: its own files import no gin, gorm, database driver or silenceper; " +
			"it builds the packages that do (a token cache, a router) through their constructors.",
		imports:  append([]string{"github.com/gin-gonic/", "github.com/silenceper/"}, gormAndDrivers...),
		notIn:    []string{"familybot"},
		directly: true,
	},
	{
		text:    "handlers does not import store: a handler parses, calls one service method and renders.",
		imports: []string{"familybot/store"},
		notIn:   []string{"familybot/handlers"},
	},
	{
		text:    "models imports nothing of ours: every other package speaks its types.",
		imports: []string{"familybot/"},
		notIn:   []string{"familybot/models"},
	},
	{
		text: "the features (knowledge, signup, wishwall, cards, outbox, speech) know nothing of the store, the bot, " +
			"the admin or WeChat: chat and admin share them, and each declares the store methods it needs.",
		imports: []string{"familybot/store", "familybot/bot", "familybot/handlers", "familybot/wechat"},
		notIn:   []string{"familybot/knowledge", "familybot/signup", "familybot/wishwall", "familybot/cards", "familybot/outbox", "familybot/speech"},
	},
	{
		text:    "knowledge and speech reach no gorm at all: they are tested without a database.",
		imports: gormAndDrivers,
		notIn:   []string{"familybot/knowledge", "familybot/speech"},
	},
	{
		text:    "bot knows nothing of HTTP adapters: it answers bot.Inbound with bot.Reply, whoever carries them.",
		imports: []string{"familybot/wechat", "familybot/handlers", "net/http/httptest"},
		notIn:   []string{"familybot/bot"},
	},
	{
		text:    "handlers does not import wechat: it receives the webhook and the WeCom callback as http.Handlers.",
		imports: []string{"familybot/wechat"},
		notIn:   []string{"familybot/handlers"},
	},
}

// gormAndDrivers are gorm and the database drivers familybot could reach.
var gormAndDrivers = []string{"gorm.io/", "github.com/glebarez/", "github.com/go-sql-driver/", "modernc.org/sqlite"}

// importRule forbids imports (path prefixes) in some packages: those in notIn,
// or every package but those in onlyIn. A notIn package must not reach them at
// all (through any dependency) unless directly is set; an onlyIn rule concerns
// direct imports, since every package that wires an allowed one reaches them.
type importRule struct {
	text     string
	imports  []string
	onlyIn   []string
	notIn    []string
	directly bool
}

func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool")
	}
	// Every package main needs, with its direct imports (one line each).
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	var ours []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		imports[f[0]] = f[1:]
		if (f[0] == "familybot" || strings.HasPrefix(f[0], "familybot/")) && !strings.HasPrefix(f[0], "familybot/bench/") {
			ours = append(ours, f[0])
		}
	}
	for _, need := range []string{"familybot", "familybot/handlers", "familybot/store", "familybot/wechat", "familybot/bot"} {
		if !slices.Contains(ours, need) {
			t.Fatalf("go list did not list %s: the rules would check nothing", need)
		}
	}
	deps := func(pkg string) []string { // everything pkg reaches
		seen := map[string]bool{}
		var walk func(string)
		walk = func(p string) {
			for _, q := range imports[p] {
				if !seen[q] {
					seen[q] = true
					walk(q)
				}
			}
		}
		walk(pkg)
		var all []string
		for p := range seen {
			all = append(all, p)
		}
		slices.Sort(all)
		return all
	}
	for _, r := range importRules {
		for _, pkg := range ours {
			var reach []string
			switch {
			case r.onlyIn != nil && !slices.Contains(r.onlyIn, pkg), r.directly && slices.Contains(r.notIn, pkg):
				reach = imports[pkg]
			case slices.Contains(r.notIn, pkg):
				reach = deps(pkg)
			}
			for _, dep := range reach {
				if matches(dep, r.imports) {
					how := "imports"
					if !slices.Contains(imports[pkg], dep) {
						how = "depends (through its imports) on"
					}
					t.Errorf("%s %s %s, against the rule: %s", pkg, how, dep, r.text)
				}
			}
		}
	}
}

func matches(dep string, prefixes []string) bool {
	for _, p := range prefixes {
		if dep == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(dep, p)) || strings.HasPrefix(dep, p+"/") {
			return true
		}
	}
	return false
}
