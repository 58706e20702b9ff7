package knowledge

import (
	"os"
	"strings"
	"testing"
	"time"

	"familybot/models"

	"github.com/google/go-cmp/cmp"
)

func mustFixture(t testing.TB) []Entry {
	t.Helper()
	data, err := os.ReadFile("testdata/kb_fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ParseYAML(data)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return entries
}

func TestParseYAMLReadsTheSchema(t *testing.T) {
	entries := mustFixture(t)
	if len(entries) != 8 {
		t.Fatalf("got %d entries", len(entries))
	}
	e := entries[0]
	if e.Slug != "elderly-hypertension" || e.Category != models.CatElderly || len(e.Questions) != 3 || e.Reviewer != "王医生" {
		t.Fatalf("entry: %+v", e)
	}
	if want := "高压≥140或低压≥90，不同日子测3次都这样，就是高血压。"; e.Answer != want {
		t.Errorf("answer %q, want %q (exactly as written, without the block's trailing newline)", e.Answer, want)
	}
	if e.ReviewedAt == nil || !e.ReviewedAt.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, models.Beijing)) {
		t.Errorf("reviewed_at %v", e.ReviewedAt)
	}
	if !entries[7].Disabled {
		t.Errorf("disabled not read")
	}
}

func TestParseYAMLRejectsInvalidEntries(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"missing fields", "- slug: parenting-x\n  category: parenting\n", "缺少 title"},
		{"few questions", "- {slug: parenting-x, category: parenting, title: t, questions: [a, b], answer: a, source: s}\n", "至少需要 3 种问法"},
		{"bad category", "- {slug: x, category: pets, title: t, questions: [a, b, c], answer: a, source: s}\n", "category 须为"},
		{"bad slug", "- {slug: Bad Slug, category: service, title: t, questions: [a, b, c], answer: a, source: s}\n", "slug 须为"},
		{"bad date", "- {slug: x, category: service, title: t, questions: [a, b, c], answer: a, source: s, expires_at: 2025/1/1}\n", "expires_at 应为"},
		{"misspelt field", "- {slug: x, category: service, title: t, question: [a, b, c], answer: a, source: s}\n", "YAML 格式错误"},
		{"duplicate slug", "- {slug: x, category: service, title: t, questions: [a, b, c], answer: a, source: s}\n- {slug: x, category: service, title: t, questions: [a, b, c], answer: a, source: s}\n", "重复"},
		{"not a list", "slug: x\n", "YAML 格式错误"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseYAML([]byte(tc.yaml))
			if !models.IsCode(err, models.EINVALID) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
}

func TestMarshalYAMLRoundTrips(t *testing.T) {
	entries := mustFixture(t)
	entries[1].Answer = "含 emoji 🙂 和换行\n第二行"
	data, err := MarshalYAML(entries)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseYAML(data)
	if err != nil {
		t.Fatalf("reparse: %v\n%s", err, data)
	}
	if diff := cmp.Diff(entries, back); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
}

func TestSeedIsValidAndUnique(t *testing.T) {
	entries, err := Seed()
	if err != nil {
		t.Fatalf("embedded content: %v", err)
	}
	if len(entries) == 0 {
		t.Skip("no content files yet")
	}
	per := map[string]int{}
	for _, e := range entries {
		per[e.Category]++
		if !strings.HasPrefix(e.Slug, e.Category+"-") {
			t.Errorf("slug %s does not start with its category %s", e.Slug, e.Category)
		}
	}
	t.Logf("%d entries: %v", len(entries), per)
}

func TestLiveRespectsDates(t *testing.T) {
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, models.Beijing)
	until := time.Date(2025, 9, 1, 0, 0, 0, 0, models.Beijing)
	e := Entry{EffectiveFrom: &from, ExpiresAt: &until}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{from.Add(-time.Second), false},
		{from, true},
		{until.Add(-time.Second), true},
		{until, false},
		{time.Date(2025, 5, 31, 16, 0, 0, 0, time.UTC), true}, // 00:00 on 1 June in Beijing
	} {
		if got := e.Live(tc.at); got != tc.want {
			t.Errorf("Live(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	e.Disabled = true
	if e.Live(from) {
		t.Error("a disabled entry is live")
	}
}
