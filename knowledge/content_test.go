package knowledge

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"familybot/models"
)

// Facet answers are what a resident reads after "要吃什么药" or "去哪里看":
// one or two short sentences, never a dose table.
const (
	minFacetedEntries = 60
	maxFacetRunes     = 120
)

// doseRE finds an amount per dose or per weight: "10毫克", "5 ml", "每公斤",
// "每天3次". Facet answers send residents to the leaflet or the doctor instead.
var doseRE = regexp.MustCompile(`[0-9０-９.]+\s*(mg|毫克|微克|克|g|ml|mL|毫升|片|粒|袋|滴|国际单位|IU|单位)|每公斤|千克体重|/kg|每[天日]\s*[0-9一二三四]+\s*次|[0-9]+\s*次/[天日]`)

func TestSeedFacetsAreShortAndGiveNoDoses(t *testing.T) {
	entries, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	faceted := 0
	for _, e := range entries {
		if len(e.Facets) > 0 {
			faceted++
		}
		for f, a := range e.Facets {
			if n := utf8.RuneCountInString(a); n > maxFacetRunes {
				t.Errorf("%s %s: %d characters, at most %d fit a follow-up reply: %q", e.Slug, f, n, maxFacetRunes, a)
			}
			if f == FacetMedicine && doseRE.MatchString(a) {
				t.Errorf("%s 用药 gives a dose (%q): say 按说明书 or 遵医嘱 instead: %q", e.Slug, doseRE.FindString(a), a)
			}
		}
	}
	if faceted < minFacetedEntries {
		t.Errorf("%d entries carry facets, want at least %d (the most-asked topics)", faceted, minFacetedEntries)
	}
}

func TestDoseREFindsDoses(t *testing.T) {
	for _, s := range []string{"每次10毫克", "一次5 ml", "按每公斤体重", "每天3次，每次1片", "2次/日"} {
		if !doseRE.MatchString(s) {
			t.Errorf("%q not recognised as a dose", s)
		}
	}
	for _, s := range []string{"按说明书用对乙酰氨基酚", "3个月以下先看医生", "最迟120小时（5天）内"} {
		if doseRE.MatchString(s) {
			t.Errorf("%q wrongly read as a dose (%q)", s, doseRE.FindString(s))
		}
	}
}

// The medical reviewer's corrections: each line is what a resident must read
// in that entry (answer, when to see a doctor, source and facets together).
// Losing one of them in a later edit brings the harm back.
func TestSeedKeepsTheReviewersCorrections(t *testing.T) {
	must := map[string][]string{
		"adolescent-puberty-boys":            {"睾丸", "立即去", "急诊", "扭转"},
		"adolescent-nocturnal-emission":      {"睾丸", "立即去", "急诊", "扭转"},
		"adolescent-hpv-vaccine":             {"国家免疫规划", "2011年11月10日", "13岁", "2剂", "6个月", "2025年10月30日"},
		"parenting-vaccine-schedule":         {"HPV", "13岁", "百白破", "2、4、6、18月龄", "《关于调整国家免疫规划百白破疫苗和白破疫苗免疫程序的通知》"},
		"parenting-fever-care":               {"3个月以下的宝宝发烧，先去医院看医生，不要在家自己用退烧药", "（2016年）"},
		"parenting-vaccine-reactions":        {"3个月以下", "先去看医生", "不要在家自己用退烧药"},
		"elderly-cholesterol":                {"每天吃1个", "300毫克"},
		"parenting-postpartum-mood":          {"立即拨打120", "110", "胡言乱语", "看到听到不存在的东西", "不要让她单独和宝宝在一起"},
		"elderly-collapse-unconscious":       {"100～120次", "5～6厘米", "AED", "不要停", "（2024年版）"},
		"adolescent-early-late-puberty":      {"7岁半", "（2022）"},
		"adolescent-puberty-girls":           {"7岁半"},
		"adolescent-emergency-contraception": {"72小时", "120小时", "含铜宫内节育器", "别放弃"},
		"adolescent-sex-readiness":           {"男孩女孩都一样", "已满14不满16周岁", "负有照护职责", "120小时"},
		"elderly-hypertension-basics":        {"180/110", "当天", "立即拨打120", "（2024年修订版）"},
		"elderly-blood-sugar-monitoring":     {"HI", "急诊", "120", "（2024版）"},
		"elderly-dementia-signs":             {"突然", "当天就去医院"},
		"elderly-dementia-care":              {"突然", "当天就去医院"},
		"adolescent-period-pain":             {"晕倒", "剧痛", "急诊", "宫外孕"},
		"adolescent-dieting-body-image":      {"晕倒", "胸痛", "心跳很慢", "急诊"},
		"parenting-eczema":                   {"成簇的小水疱", "发烧", "当天就去医院"},
		"parenting-cold-cough":               {"数一数呼吸"},
	}
	entries, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]Entry{}
	for _, e := range entries {
		bySlug[e.Slug] = e
	}
	for slug, words := range must {
		e, ok := bySlug[slug]
		if !ok {
			t.Errorf("entry %s is gone", slug)
			continue
		}
		text := e.Answer + "\n" + e.SeeDoctor + "\n" + e.Source
		for _, a := range e.Facets {
			text += "\n" + a
		}
		for _, w := range words {
			if !strings.Contains(text, w) {
				t.Errorf("%s no longer says %q", slug, w)
			}
		}
	}
	// 12356 is for talking; a resident in danger is sent to 120/110 first.
	pp := bySlug["parenting-postpartum-mood"]
	if strings.Contains(pp.SeeDoctor, "120 或 12356") || strings.Contains(pp.SeeDoctor, "120或12356") {
		t.Errorf("postpartum danger offers 12356 as an alternative to 120: %q", pp.SeeDoctor)
	}
}

// Residents name medicines by brand and symptoms in their own dialect; the
// reviewable word lists carry them to the words the entries use.
func TestResidentsWordsReachTheEntriesWords(t *testing.T) {
	for said, want := range map[string]string{
		"美林": "布洛芬", "泰诺林": "对乙酰氨基酚", "扑热息痛": "对乙酰氨基酚", "思密达": "蒙脱石散",
		"二甲双胍": "降糖药", "硝苯地平": "降压药", "拜新同": "降压药", "阿斯匹林": "阿司匹林", "立普妥": "他汀",
		"消炎药": "抗生素", "达菲": "抗病毒药", "肚屙": "腹泻", "窜稀": "腹泻", "冷亲": "感冒", "发热": "发烧",
		"烧起来": "发烧", "跌亲": "跌倒", "蛋蛋": "睾丸", "阿婆": "老人",
	} {
		if got, ok := lex.canonical(said, said); !ok || got != want {
			t.Errorf("%s is read as %q, want %s", said, got, want)
		}
	}
	for said, want := range map[string]string{
		"BB肚屙点算":     "bb肚屙怎么办",
		"女仔发育系唔系性早熟": "女仔发育是不是性早熟",
		"娃儿咳嗽咋个办":    "娃咳嗽怎么办",
		"娃发烧吃啥子药":    "娃发烧吃什么药",
		"阿婆跌亲咗起唔到身":  "阿婆跌亲了起不来身",
	} {
		if got := Normalize(said); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", said, got, want)
		}
	}
}

// editionRE finds a year or an edition in a source line.
var editionRE = regexp.MustCompile(`(19|20)[0-9]{2}|第[一二三四五六七八九十0-9]+版|修订版`)

// A health answer names the guidance it rests on with its edition, so that a
// reviewer can tell whether it is still current.
func TestSeedHealthSourcesNameAnEdition(t *testing.T) {
	entries, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Category != models.CatService && !editionRE.MatchString(e.Source) {
			t.Errorf("%s: source %q names no edition or year", e.Slug, e.Source)
		}
	}
}
