package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"familybot/knowledge"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

func TestKBStatsAndMatchJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, err := runCLI(t, db, "", "kb", "stats")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"parenting", "adolescent", "elderly", "service", "total"} {
		if !strings.Contains(out, want) {
			t.Fatalf("stats lacks %s: %s", want, out)
		}
	}
	out, err = runCLI(t, db, "", "kb", "match", "--json", "寶寶發燒怎麼辦")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Normalized string `json:"normalized"`
		Decision   string `json:"decision"`
		Candidates []struct {
			Slug  string   `json:"slug"`
			Score float64  `json:"score"`
			Why   []string `json:"why"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if m.Decision != "answer" || !strings.Contains(m.Normalized, "宝宝发烧") || len(m.Candidates) == 0 ||
		!strings.HasPrefix(m.Candidates[0].Slug, "parenting-") || len(m.Candidates[0].Why) == 0 {
		t.Fatalf("%+v", m)
	}
	out, _ = runCLI(t, db, "", "kb", "match", "--json", "我不想活了")
	if !strings.Contains(out, `"decision":"crisis:suicide"`) {
		t.Fatalf("crisis not shown: %s", out)
	}
	// export → import round trip
	exported, err := runCLI(t, db, "", "kb", "export")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := knowledge.ParseYAML([]byte(exported))
	if err != nil || len(entries) < 150 {
		t.Fatalf("export: %d entries, %v", len(entries), err)
	}
}

type fakeAutoreply struct{}

func (fakeAutoreply) AutoReplyRules(context.Context) ([]knowledge.Rule, []string, error) {
	return []knowledge.Rule{
		{Name: "被关注回复", Kind: "welcome", Reply: "欢迎关注！这是后台原来的欢迎语。"},
		{Name: "疫苗", Kind: "keyword", Match: "contain", Keywords: []string{"疫苗本"}, Reply: "疫苗本丢了请到社区卫生服务中心补办。"},
	}, []string{"规则「图文」的一条news回复"}, nil
}

func TestImportAutoreplyBecomesRules(t *testing.T) {
	var out strings.Builder
	env := &Env{Stdout: &out, Stderr: &out, ConfigPath: "config.yaml", ConfigExplicit: true,
		Environ: []string{"FAMILYBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "a.db"), "FAMILYBOT_SERVER_LOG_LEVEL=error"}}
	app, err := env.App(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := importAutoreply(context.Background(), env, app, fakeAutoreply{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "导入 2 条") || !strings.Contains(out.String(), "未导入") {
		t.Fatalf("%s", out.String())
	}
	r := app.Engine.Handle(context.Background(), inText("o1", "我家疫苗本丢了"))
	if r.Route != "keyword" || !strings.Contains(r.Text, "补办") {
		t.Fatalf("imported keyword rule not used: %+v", r)
	}
	w := app.Engine.Handle(context.Background(), inEvent("o2", "subscribe"))
	if !strings.Contains(w.Text, "后台原来的欢迎语") || !strings.Contains(w.Text, "人工") {
		t.Fatalf("imported welcome not used: %q", w.Text)
	}
}

func TestChatCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, err := runCLI(t, db, "宝宝发烧了怎么办\n/click KB_ELDERLY\n/quit\n", "chat")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "欢迎关注") || !strings.Contains(out, "发烧") || !strings.Contains(out, "老年保健") {
		t.Fatalf("%s", out)
	}
}

// The official vector C, safe mode, through the whole router as `serve` builds it.
func TestOfficialVectorThroughServeRouter(t *testing.T) {
	environ := []string{"FAMILYBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "v.db"), "FAMILYBOT_SERVER_LOG_LEVEL=error",
		"FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=spamtest", "FAMILYBOT_OFFICIAL_ACCOUNT_APP_ID=wx2c2769f8efd9abc2",
		"FAMILYBOT_OFFICIAL_ACCOUNT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		"FAMILYBOT_SERVER_MAX_CLOCK_SKEW=0s"} // the vector is from 2014
	_, srv := copyOf(t, environ)
	q := url.Values{"signature": {"16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"}, "timestamp": {"1409735669"}, "nonce": {"1320562132"},
		"encrypt_type": {"aes"}, "msg_signature": {"5d197aaffba7e9b25a30732f161a50dee96bd5fa"}}
	body := `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>`
	resp, err := http.Post(srv.URL+"/wechat?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env message.ResponseEncryptedXMLMsg
	if err := xml.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	_, plain, err := util.DecryptMsg("wx2c2769f8efd9abc2", env.EncryptedMsg, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	if err != nil || !strings.Contains(string(plain), "oyORnuP8q7ou2gfYjqLzSIWZf0rs") || !strings.Contains(string(plain), "<Content>") {
		t.Fatalf("reply %v %s", err, plain)
	}
}
