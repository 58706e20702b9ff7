package knowledge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shortcut for text that is already simplified gives exactly what the full
// conversion gives, on every question, answer and test text we have.
func TestSimplifiedShortcutAgreesWithConversion(t *testing.T) {
	simplified("预热")
	if t2s == nil {
		t.Skip("opencc did not load")
	}
	var texts []string
	entries, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		texts = append(texts, e.Title, e.Answer, e.SeeDoctor, e.Source)
		texts = append(texts, e.Questions...)
		texts = append(texts, e.CounterExamples...)
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.Split(string(b), "\n")...)
	}
	texts = append(texts, "乾隆", "干净", "著名", "头发", "發展", "后来", "皇后", "一只猫", "隻", "🙂宝宝", "「你好」")
	shortcuts := 0
	for _, s := range texts {
		want, err := t2s.Convert(s)
		if err != nil {
			continue
		}
		if got := simplified(s); got != want {
			t.Errorf("%q: shortcut gives %q, conversion %q", s, got, want)
		}
		if alreadySimplified(s) {
			shortcuts++
		}
	}
	if shortcuts < len(texts)/2 {
		t.Fatalf("only %d of %d texts took the shortcut: it is not doing anything", shortcuts, len(texts))
	}
}

// Any text the shortcut passes, the conversion leaves as it is.
func FuzzSimplifiedShortcut(f *testing.F) {
	for _, s := range []string{"宝宝发烧怎么办", "乾隆下江南", "著名的后来", "寶寶", "🙂好", "「引号」"} {
		f.Add(s)
	}
	simplified("预热")
	f.Fuzz(func(t *testing.T, s string) {
		if t2s == nil || !alreadySimplified(s) {
			return
		}
		if out, err := t2s.Convert(s); err == nil && out != s {
			t.Fatalf("%q passed the shortcut but converts to %q", s, out)
		}
	})
}
