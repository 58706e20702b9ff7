// Package knowledge is familybot's FAQ: the reviewed entries (embedded YAML
// content), the Chinese-aware matcher that finds the entry a resident means,
// the crisis layer that runs before everything else, and the keyword rules.
// It is pure: no database, no network, testable on its own.
package knowledge

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"familybot/models"

	"gopkg.in/yaml.v3"
)

// Entry is one reviewed FAQ entry. Answer is returned exactly as written.
type Entry struct {
	ID                                   uint
	Slug, Category, Title                string
	Questions, Keywords, CounterExamples []string
	Answer, SeeDoctor, Source            string
	EffectiveFrom, ExpiresAt, ReviewedAt *time.Time
	// ReviewBy is when a policy entry must be checked again (optional).
	ReviewBy *time.Time
	Reviewer string
	Disabled bool
	// Facets are short follow-up answers by facet (用药, 就医 …), for a
	// follow-up such as "要吃什么药" after this entry was answered.
	Facets map[Facet]string
}

// Facet names one aspect of a topic a follow-up question can ask about.
// The names are the words the content files use as keys under facets:.
type Facet string

// The facets an entry may answer.
const (
	FacetMedicine   Facet = "用药" // what medicine, how to take it
	FacetDoctor     Facet = "就医" // where to go, when to see a doctor, is it serious
	FacetDiet       Facet = "饮食" // what to eat or avoid
	FacetPrevention Facet = "预防" // how to prevent it
	FacetContagion  Facet = "传染" // is it contagious
	FacetDuration   Facet = "多久" // how long until better
)

// Facets lists every facet, in display order.
var Facets = []Facet{FacetMedicine, FacetDoctor, FacetDiet, FacetPrevention, FacetContagion, FacetDuration}

// Categories lists the four entry categories, in display order.
var Categories = []string{models.CatParenting, models.CatAdolescent, models.CatElderly, models.CatService}

const dateLayout = "2006-01-02"

// Live reports whether the entry may be answered at now: not disabled, on or
// after EffectiveFrom and before ExpiresAt (the expiry day itself is excluded).
func (e *Entry) Live(now time.Time) bool {
	if e.Disabled {
		return false
	}
	if e.EffectiveFrom != nil && now.Before(*e.EffectiveFrom) {
		return false
	}
	if e.ExpiresAt != nil && !now.Before(*e.ExpiresAt) {
		return false
	}
	return true
}

// yamlEntry is the file form described in content/SCHEMA.md.
type yamlEntry struct {
	Slug            string           `yaml:"slug"`
	Category        string           `yaml:"category"`
	Title           string           `yaml:"title"`
	Questions       []string         `yaml:"questions"`
	Keywords        []string         `yaml:"keywords,flow"`
	CounterExamples []string         `yaml:"counter_examples,omitempty"`
	Answer          string           `yaml:"answer"`
	SeeDoctor       string           `yaml:"see_doctor"`
	Source          string           `yaml:"source"`
	EffectiveFrom   string           `yaml:"effective_from"`
	ExpiresAt       string           `yaml:"expires_at"`
	ReviewBy        string           `yaml:"review_by,omitempty"`
	ReviewedAt      string           `yaml:"reviewed_at"`
	Reviewer        string           `yaml:"reviewer"`
	Disabled        bool             `yaml:"disabled,omitempty"`
	Facets          map[Facet]string `yaml:"facets,omitempty"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ParseYAML reads a list of entries in the content format and validates each
// one. All problems are reported at once, in Chinese, for the staff member
// who uploaded the file.
func ParseYAML(data []byte) ([]Entry, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt field ("question:") is an error, not silently lost
	var raw []yamlEntry
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, models.Errorf(models.EINVALID, "YAML 格式错误：%v", err)
	}
	var problems []string
	seen := map[string]int{}
	out := make([]Entry, 0, len(raw))
	for i, y := range raw {
		e, errs := y.entry()
		where := fmt.Sprintf("第 %d 条", i+1)
		if e.Slug != "" {
			where += "（" + e.Slug + "）"
		}
		if j, dup := seen[e.Slug]; dup && e.Slug != "" {
			errs = append(errs, fmt.Sprintf("slug 与第 %d 条重复", j+1))
		}
		seen[e.Slug] = i
		for _, p := range errs {
			problems = append(problems, where+"："+p)
		}
		out = append(out, e)
	}
	if len(problems) > 0 {
		return nil, models.Errorf(models.EINVALID, "%s", strings.Join(problems, "；"))
	}
	return out, nil
}

func (y yamlEntry) entry() (Entry, []string) {
	e := Entry{
		Slug:            strings.TrimSpace(y.Slug),
		Category:        strings.TrimSpace(y.Category),
		Title:           strings.TrimSpace(y.Title),
		Questions:       cleanList(y.Questions),
		Keywords:        cleanList(y.Keywords),
		CounterExamples: cleanList(y.CounterExamples),
		// Trailing newlines come from YAML block scalars, not from the author.
		Answer:    strings.TrimRight(y.Answer, "\n"),
		SeeDoctor: strings.TrimSpace(y.SeeDoctor),
		Source:    strings.TrimSpace(y.Source),
		Reviewer:  strings.TrimSpace(y.Reviewer),
		Disabled:  y.Disabled,
		Facets:    cleanFacets(y.Facets),
	}
	var errs []string
	var err error
	for _, d := range []struct {
		name string
		in   string
		out  **time.Time
	}{{"effective_from", y.EffectiveFrom, &e.EffectiveFrom}, {"expires_at", y.ExpiresAt, &e.ExpiresAt}, {"review_by", y.ReviewBy, &e.ReviewBy}, {"reviewed_at", y.ReviewedAt, &e.ReviewedAt}} {
		if *d.out, err = parseDate(d.in); err != nil {
			errs = append(errs, fmt.Sprintf("%s 应为 YYYY-MM-DD 或留空（现为 %q）", d.name, d.in))
		}
	}
	return e, append(errs, e.Validate()...)
}

// Validate lists what is wrong with the entry, in Chinese; nil when it is fine.
func (e *Entry) Validate() []string {
	var errs []string
	if !slugRE.MatchString(e.Slug) {
		errs = append(errs, "slug 须为小写字母、数字和连字符（最多 64 个字符）")
	}
	if !isCategory(e.Category) {
		errs = append(errs, fmt.Sprintf("category 须为 %s 之一", strings.Join(Categories, "、")))
	}
	if e.Title == "" {
		errs = append(errs, "缺少 title")
	}
	if len(e.Questions) < 3 {
		errs = append(errs, "questions 至少需要 3 种问法")
	}
	if strings.TrimSpace(e.Answer) == "" {
		errs = append(errs, "缺少 answer")
	}
	if e.Source == "" {
		errs = append(errs, "缺少 source（依据的公开指南）")
	}
	if e.EffectiveFrom != nil && e.ExpiresAt != nil && !e.EffectiveFrom.Before(*e.ExpiresAt) {
		errs = append(errs, "expires_at 须晚于 effective_from")
	}
	if bad := unknownFacets(e.Facets); len(bad) > 0 {
		errs = append(errs, fmt.Sprintf("facets 只能用 用药、就医、饮食、预防、传染、多久（现有 %s）", strings.Join(bad, "、")))
	}
	return errs
}

func isCategory(c string) bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func parseDate(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(dateLayout, s, models.Beijing)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func formatDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(models.Beijing).Format(dateLayout)
}

// MarshalYAML writes entries in the content format; ParseYAML reads it back
// unchanged (IDs are not part of the format).
func MarshalYAML(entries []Entry) ([]byte, error) {
	out := make([]yamlEntry, len(entries))
	for i, e := range entries {
		out[i] = yamlEntry{
			Slug: e.Slug, Category: e.Category, Title: e.Title,
			Questions: e.Questions, Keywords: e.Keywords, CounterExamples: e.CounterExamples,
			Answer: e.Answer, SeeDoctor: e.SeeDoctor, Source: e.Source,
			EffectiveFrom: formatDate(e.EffectiveFrom), ExpiresAt: formatDate(e.ExpiresAt), ReviewBy: formatDate(e.ReviewBy),
			ReviewedAt: formatDate(e.ReviewedAt), Reviewer: e.Reviewer, Disabled: e.Disabled,
			Facets: e.Facets,
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// content holds the reviewed entries shipped in the binary.
//
//go:embed content/*.yaml
var content embed.FS

// Seed returns every entry of the embedded content/*.yaml files, in file
// order, with slugs unique across files.
func Seed() ([]Entry, error) {
	return loadFS(content, "content")
}

func loadFS(fsys fs.FS, dir string) ([]Entry, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []Entry
	from := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		entries, err := ParseYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, e := range entries {
			if f, dup := from[e.Slug]; dup {
				return nil, models.Errorf(models.EINVALID, "%s：slug %s 已在 %s 中使用", name, e.Slug, f)
			}
			from[e.Slug] = name
		}
		all = append(all, entries...)
	}
	return all, nil
}

// cleanFacets trims each facet answer and drops empty ones; nil when none is left.
func cleanFacets(in map[Facet]string) map[Facet]string {
	var out map[Facet]string
	for k, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			if out == nil {
				out = map[Facet]string{}
			}
			out[Facet(strings.TrimSpace(string(k)))] = v
		}
	}
	return out
}

// unknownFacets lists facet keys that are not one of Facets.
func unknownFacets(m map[Facet]string) []string {
	var bad []string
	for k := range m {
		known := false
		for _, f := range Facets {
			known = known || k == f
		}
		if !known {
			bad = append(bad, string(k))
		}
	}
	sort.Strings(bad)
	return bad
}
