package knowledge

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func mustReadCrisisTSV(t testing.TB, path string) []crisisExample {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ex := parseCrisisTSV(string(data))
	if len(ex) == 0 {
		t.Fatalf("%s: no examples", path)
	}
	return ex
}

// TestCrisisRegression: every example of issue 10 (missed crises, wrong
// replies, guard cases), the earlier tests' positives and negatives, and one
// per concept class — all of them, kind, emergency and who is at risk.
func TestCrisisRegression(t *testing.T) {
	ex := mustReadCrisisTSV(t, "testdata/crisis_regression.tsv")
	ok := 0
	for _, e := range ex {
		c := AssessCrisis(e.Text)
		switch {
		case c.Kind != e.Kind:
			t.Errorf("%q: kind %q, want %q (%+v)", e.Text, c.Kind, e.Kind, c)
		case e.Emergency != "" && c.Emergency != e.Emergency:
			t.Errorf("%q: emergency %q, want %q (%+v)", e.Text, c.Emergency, e.Emergency, c)
		case e.Person != "" && c.Person != e.Person:
			t.Errorf("%q: person %q, want %q (%+v)", e.Text, c.Person, e.Person, c)
		default:
			ok++
		}
	}
	t.Logf("crisis regression list: %d/%d", ok, len(ex))
}

func TestCrisisWho(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Crisis
	}{
		{"我继父晚上老是进我房间摸我 我不敢说", Crisis{Kind: CrisisChildAbuse, Person: PersonSelf, Subject: SubjectSelf, ChildWriter: true}},
		{"儿子说要跳楼", Crisis{Kind: CrisisSuicide, Person: PersonWorried, Subject: SubjectChild}},
		{"我妈吃了一整瓶安眠药 叫不太醒", Crisis{Kind: CrisisMedical, Emergency: EmergencyPoisoning, Person: PersonPresent, Subject: SubjectElder}},
		{"我吃了一整瓶安眠药", Crisis{Kind: CrisisSuicide, Emergency: EmergencyPoisoning, Person: PersonSelf, Subject: SubjectSelf}},
		{"我才13岁 他让我别告诉别人", Crisis{Kind: CrisisChildAbuse, Person: PersonSelf, Subject: SubjectSelf, ChildWriter: true}},
		{"宝宝才20天 发烧38度5", Crisis{Kind: CrisisMedical, Emergency: EmergencyInfant, Person: PersonPresent, Subject: SubjectInfant}},
		// A bereaved parent wishing to go with the one lost is the one at risk
		// (kept out of the regression list: that list is fitted on, and these
		// words as a positive shifted the model on everyday messages).
		{"真想跟儿子一起去了算了", Crisis{Kind: CrisisSuicide, Person: PersonSelf, Subject: SubjectSelf}},
		{"女儿走了三年了 我想去陪她了", Crisis{Kind: CrisisSuicide, Person: PersonSelf, Subject: SubjectSelf}},
	} {
		got := AssessCrisis(tc.text)
		got.Layer = ""
		if got != tc.want {
			t.Errorf("AssessCrisis(%q) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}

func BenchmarkAssessCrisis(b *testing.B) {
	msgs := []string{"嗯就是那个我妈血糖有点高能不能吃粽子啊", "我继父晚上老是进我房间摸我 我不敢说", "孩子发烧39度 精神还可以 要去医院吗", "活著沒意思"}
	defaultCrisisModel()
	b.Run("memo", func(b *testing.B) {
		for b.Loop() {
			AssessCrisis(msgs[0])
		}
	})
	b.Run("cold", func(b *testing.B) {
		i := 0
		for b.Loop() {
			assessCrisis(msgs[i%len(msgs)])
			i++
		}
	})
}

// Issue 10's targets on the held-out part of the corpus, which neither the
// rules nor the model were fitted on, and the floor CI enforces until they
// are met: the figures measured when the corpus was added, so that no change
// makes detection worse unnoticed. Raise the floor as the figures improve.
const (
	targetCrisisRecall      = 0.97
	targetCrisisFalseAlarms = 0.02
	floorCrisisRecall       = 0.95 // measured 2026-12-06: 237/247 (96.0%)
	// measured 2026-12-06: 10/216 (4.6%), then 11/216 (5.1%) once the knowledge
	// entries' new questions joined the everyday negatives the model is fitted
	// on (the fit, not the rules, moved): one message of noise above the figure.
	ceilCrisisFalseAlarms = 0.055
	// Held-out set 2, first measured 2026-12-06 before any tuning at 92.9%
	// recall and 8.7% false alarms; after the round-3 fixes 216/226 (95.6%)
	// and 13/230 (5.7%). A message or two of noise below/above.
	floorCrisisRecall2     = 0.94
	ceilCrisisFalseAlarms2 = 0.07
)

// crisisScore counts one evaluation.
type crisisScore struct {
	pos, hit, neg, fa, kindOK    int
	perKind, perKindHit          map[CrisisKind]int
	emN, emOK, personN, personOK int
	misses, alarms               []string
}

func scoreCrisis(l *crisisLexicon, m *crisisModel, ex []crisisExample) crisisScore {
	sc := crisisScore{perKind: map[CrisisKind]int{}, perKindHit: map[CrisisKind]int{}}
	for _, e := range ex {
		c := l.assess(e.Text, m)
		if e.Kind == CrisisNone {
			sc.neg++
			if c.Kind != CrisisNone {
				sc.fa++
				sc.alarms = append(sc.alarms, fmt.Sprintf("%s/%s %q", c.Kind, c.Layer, e.Text))
			}
			continue
		}
		sc.pos++
		sc.perKind[e.Kind]++
		if c.Kind == CrisisNone {
			sc.misses = append(sc.misses, fmt.Sprintf("%s %q", e.Kind, e.Text))
			continue
		}
		sc.hit++
		sc.perKindHit[e.Kind]++
		if c.Kind == e.Kind {
			sc.kindOK++
		}
		if e.Emergency != "" {
			sc.emN++
			if c.Emergency == e.Emergency {
				sc.emOK++
			}
		}
		if e.Person != "" {
			sc.personN++
			if c.Person == e.Person {
				sc.personOK++
			}
		}
	}
	return sc
}

func (sc *crisisScore) count(k CrisisKind, fired bool) {
	if k == CrisisNone {
		sc.neg++
		if fired {
			sc.fa++
		}
		return
	}
	sc.pos++
	if fired {
		sc.hit++
	}
}

func pctOf(n, d int) float64 { return 100 * float64(n) / float64(max(d, 1)) }

func (sc crisisScore) summary() string {
	return fmt.Sprintf("recall %.1f%% (%d/%d), false alarms %.1f%% (%d/%d)", pctOf(sc.hit, sc.pos), sc.hit, sc.pos, pctOf(sc.fa, sc.neg), sc.fa, sc.neg)
}

// TestCrisisCorpus fits the model on the training part of the labelled corpus
// only, and measures rules + model on the held-out part. Reproduce with
// go test ./knowledge -run Corpus -v. The held-out messages that were missed
// or falsely alarmed are listed only with FAMILYBOT_CRISIS_SHOW_MISSES=1:
// tune on the training part, never on what measures you.
func TestCrisisCorpus(t *testing.T) {
	held := mustReadCrisisTSV(t, "testdata/crisis_heldout.tsv")
	// The second held-out set was written later by another writer who saw
	// nothing of the project; nobody tuning the rules or the model has seen
	// its figures before they were first printed.
	held2 := mustReadCrisisTSV(t, "testdata/crisis_heldout2.tsv")
	inHeld := map[string]bool{}
	for _, e := range append(append([]crisisExample(nil), held...), held2...) {
		inHeld[e.Text] = true
	}
	if overlap := len(held) - len(inHeld); overlap > 0 {
		t.Logf("%d held-out messages are duplicates of each other", overlap)
	}
	// The fitting data minus anything also in the held-out part (the corpus
	// quotes some of the examples, which the regression list has too),
	// so that the model measured has never seen a held-out message.
	var train []crisisExample
	var fromCorpus []bool // the corpus's training part, not the regression list
	left := 0
	for _, f := range crisisTrainingFiles {
		for _, e := range mustReadCrisisTSV(t, f) {
			if inHeld[e.Text] {
				left++
				continue
			}
			train = append(train, e)
			fromCorpus = append(fromCorpus, strings.HasPrefix(f, "crisisdata/"))
		}
	}
	everyday := everydayExamples()
	for _, e := range everyday {
		if !inHeld[e.Text] {
			train = append(train, e)
			fromCorpus = append(fromCorpus, false)
		}
	}
	t.Logf("%d messages of the fitting data are also held out: left out of the fit measured here; %d everyday questions of the knowledge entries fitted as negatives", left, len(everyday))

	// Cross-validation: how the model threshold was chosen, without looking
	// at the held-out part. Each fold fits on four fifths of the fitting data;
	// rules + model are validated on the rest of the corpus's training part
	// (distributed like the held-out part; the regression list is rich in
	// deliberate near-misses).
	const folds = 5
	// The threshold only decides, it does not change the fit: one model per
	// fold serves every threshold.
	grid := []float64{0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7}
	both := make([]crisisScore, len(grid))  // rules + model, validated on the corpus's training part
	alone := make([]crisisScore, len(grid)) // the model alone, validated on all the fitting data
	for f := range folds {
		// Rules + model: fitted on everything but this fold of the corpus's
		// training part. The model alone: on everything but this fold.
		var fitBoth, fitAlone []crisisExample
		for i, e := range train {
			if !(fromCorpus[i] && i%folds == f) {
				fitBoth = append(fitBoth, e)
			}
			if i%folds != f {
				fitAlone = append(fitAlone, e)
			}
		}
		mBoth, mAlone := trainCrisisModel(fitBoth, modelThreshold), trainCrisisModel(fitAlone, modelThreshold)
		for g, th := range grid {
			mBoth.threshold, mAlone.threshold = th, th
			for i, e := range train {
				if i%folds != f {
					continue
				}
				s, _ := crisisLex.prepare(e.Text)
				_, fired := mAlone.verdict(s)
				alone[g].count(e.Kind, fired)
				if fromCorpus[i] {
					c := crisisLex.assess(e.Text, mBoth)
					both[g].count(e.Kind, c.Kind != CrisisNone)
					if th == modelThreshold && os.Getenv("FAMILYBOT_CRISIS_SHOW_TRAIN") != "" && (c.Kind != CrisisNone) != (e.Kind != CrisisNone) {
						t.Logf("cross-validation at %.2f, missed or alarmed: %s %q", th, e.Kind, e.Text)
					}
				}
			}
		}
	}
	for g, th := range grid {
		t.Logf("training part %d-fold, rules + model, threshold %.2f: %s", folds, th, both[g].summary())
		t.Logf("fitting data %d-fold, model alone, threshold %.2f: %s", folds, th, alone[g].summary())
		// The threshold in use must keep to the rule it was chosen by: the
		// largest of the grid whose false alarms stay within the target.
		within := float64(both[g].fa) <= targetCrisisFalseAlarms*float64(both[g].neg)
		if th == modelThreshold && !within {
			t.Errorf("model threshold %.2f gives %.1f%% false alarms in cross-validation: choose a lower one", th, pctOf(both[g].fa, both[g].neg))
		}
		if th > modelThreshold && within {
			t.Logf("threshold %.2f keeps false alarms within %.0f%% too: consider raising modelThreshold", th, 100*targetCrisisFalseAlarms)
		}
	}
	rules := scoreCrisis(crisisLex, nil, train)
	t.Logf("fitting data, rules only: %s", rules.summary())
	if os.Getenv("FAMILYBOT_CRISIS_SHOW_TRAIN") != "" {
		for _, s := range rules.misses {
			t.Logf("train miss (rules): %s", s)
		}
		for _, s := range rules.alarms {
			t.Logf("train alarm (rules): %s", s)
		}
	}

	m := trainCrisisModel(train, modelThreshold)
	sc := scoreCrisis(crisisLex, m, held)
	onlyRules := scoreCrisis(crisisLex, nil, held)
	t.Logf("held-out, rules only: %s", onlyRules.summary())
	sc2 := scoreCrisis(crisisLex, m, held2)
	t.Logf("held-out set 2, rules only: %s", scoreCrisis(crisisLex, nil, held2).summary())
	var kinds []string
	for _, k := range kindOrder {
		kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, sc.perKindHit[k], sc.perKind[k]))
	}
	lines := []string{
		fmt.Sprintf("crisis corpus held-out: %s", sc.summary()),
		fmt.Sprintf("crisis corpus held-out per kind (detected): %s", strings.Join(kinds, ", ")),
		fmt.Sprintf("crisis corpus held-out kind right %.1f%% (%d/%d), emergency right %d/%d, person right %d/%d; fitted on %d messages (training part and regression list), held-out %d",
			pctOf(sc.kindOK, sc.hit), sc.kindOK, sc.hit, sc.emOK, sc.emN, sc.personOK, sc.personN, len(train), len(held)),
		fmt.Sprintf("crisis corpus held-out set 2 (%d messages, another independent writer): %s; kind right %d/%d, person right %d/%d",
			len(held2), sc2.summary(), sc2.kindOK, sc2.hit, sc2.personOK, sc2.personN),
	}
	for _, s := range lines {
		t.Log(s)
		fmt.Println(s)
	}
	if os.Getenv("FAMILYBOT_CRISIS_SHOW_MISSES") != "" {
		for _, s := range append(sc.misses, sc2.misses...) {
			t.Logf("held-out miss: %s", s)
		}
		for _, s := range append(sc.alarms, sc2.alarms...) {
			t.Logf("held-out false alarm: %s", s)
		}
	}
	if float64(sc.hit) < targetCrisisRecall*float64(sc.pos) || float64(sc.fa) > targetCrisisFalseAlarms*float64(sc.neg) ||
		float64(sc2.hit) < targetCrisisRecall*float64(sc2.pos) || float64(sc2.fa) > targetCrisisFalseAlarms*float64(sc2.neg) {
		msg := fmt.Sprintf("crisis corpus held-out: target (recall ≥ %.0f%%, false alarms ≤ %.0f%%) not met yet", 100*targetCrisisRecall, 100*targetCrisisFalseAlarms)
		t.Log(msg)
		fmt.Println(msg)
	}
	if float64(sc.hit) < floorCrisisRecall*float64(sc.pos) {
		t.Errorf("held-out recall %.1f%% fell below the %.0f%% floor", pctOf(sc.hit, sc.pos), 100*floorCrisisRecall)
	}
	if float64(sc.fa) > ceilCrisisFalseAlarms*float64(sc.neg) {
		t.Errorf("held-out false alarms %.1f%% rose above the %.0f%% ceiling", pctOf(sc.fa, sc.neg), 100*ceilCrisisFalseAlarms)
	}
	if float64(sc2.hit) < floorCrisisRecall2*float64(sc2.pos) {
		t.Errorf("held-out set 2 recall %.1f%% fell below the %.0f%% floor", pctOf(sc2.hit, sc2.pos), 100*floorCrisisRecall2)
	}
	if float64(sc2.fa) > ceilCrisisFalseAlarms2*float64(sc2.neg) {
		t.Errorf("held-out set 2 false alarms %.1f%% rose above the %.0f%% ceiling", pctOf(sc2.fa, sc2.neg), 100*ceilCrisisFalseAlarms2)
	}
}

// TestCrisisGuardKeepsPresentDanger: a prevention, learning or medicine
// question, a past event or an idiom never hides a danger stated in the same
// message.
func TestCrisisGuardKeepsPresentDanger(t *testing.T) {
	for _, tc := range []struct {
		text string
		want CrisisKind
	}{
		{"想学心肺复苏 我爸现在突然倒地没呼吸了", CrisisMedical},
		{"去年中风过 今天突然又嘴歪了 说话不清", CrisisMedical},
		{"怎么预防性侵 我女儿昨天被邻居摸了", CrisisChildAbuse},
		{"安眠药吃久了会上瘾吗 我刚才吃了一整瓶", CrisisSuicide},
		{"怎么跟孩子讲身体安全 他说叔叔摸过他下面", CrisisChildAbuse},
		{"笑死 我刚才真的割腕了", CrisisSuicide},
		{"安眠药吃多少会死", CrisisSuicide},                 // a lethal-dose question naming nobody else
		{"以前被前夫打过 离婚了 现在他在门外说要杀了我", CrisisViolence}, // over once, not now
		{"他把我的裸照转发给别人了 我才15", CrisisChildAbuse},
		{"孩子发烧 一直睡 怎么喊都不太理人", CrisisMedical},
		{"宝宝一边抖一边眼睛发直 以前从来没这样", CrisisMedical}, // new, so now
		// and without the danger, the same questions are not crises
		{"想学心肺复苏", CrisisNone},
		{"去年中风了 现在康复得不错", CrisisNone},
		{"怎么预防孩子被性侵", CrisisNone},
		{"安眠药吃久了会上瘾吗", CrisisNone},
		{"怎么跟孩子讲身体安全", CrisisNone},
		{"笑死我了", CrisisNone},
		{"狗狗吃了巧克力会死吗", CrisisNone},
		{"以前被前夫家暴过 现在已经离了好几年 想问能不能申请公租房", CrisisNone},
		{"听说隔壁县有孩子吃果冻噎住了 还能给孩子吃果冻吗", CrisisNone},
		{"老人血压有点高 150/90 没有不舒服", CrisisNone},
	} {
		if got := DetectCrisis(tc.text); got != tc.want {
			t.Errorf("DetectCrisis(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestCrisisSparesEverydayQuestions: the questions of the knowledge entries'
// evaluation set are everyday questions, answered by the FAQ; only those that
// describe an emergency happening now get the crisis reply first.
func TestCrisisSparesEverydayQuestions(t *testing.T) {
	_, items := loadEval(t)
	crisisToo := map[string]bool{
		"網友讓我發私密照片不發就威脅我":  true, // online coercion of a child
		"热性惊厥发作时家长应该怎么处理":  true, // 120 first, then the entry (bot's test)
		"误食药物要不要先催吐":       true, // poisoning: 120 first, then the entry
		"我爸刚摔了一跤 腿动不了":     true, // an elder who fell and cannot move: 120
		"月经量好大 卫生巾一小时就湿透了": true, // soaking a pad an hour: heavy bleeding, urgent care first
		// Red flags happening now: the crisis reply (120 first), then the entry.
		"宝宝才两个月发烧38度 能不能先喂点泰诺林":  true, // fever under 3 months
		"2个月宝宝打完百白破发烧了 能吃退烧药吗":   true, // fever under 3 months, even after a vaccine
		"刚出生十天的宝宝发烧37度8":         true, // a newborn with a raised temperature
		"满月前宝宝不怎么吃奶 一直睡":         true, // a newborn not feeding and drowsy
		"宝宝湿疹上面突然起了好多小水泡还发烧":     true, // blisters on eczema with fever (eczema herpeticum)
		"怀孕七个月 下面突然流出好多水":        true, // waters breaking preterm
		"孕妇肚子一阵一阵发硬 才32周":        true, // preterm contractions
		"生完孩子两个礼拜突然出了好多血块":       true, // late postpartum haemorrhage
		"儿子说蛋蛋突然好痛":              true, // sudden testicular pain (torsion)
		"月经期间肚子突然剧痛 痛得直不起腰":      true, // sudden severe abdominal pain
		"女儿节食减肥 今天晕倒了 心跳很慢":      true, // fainting with a slow heart in starvation
		"减肥一天只吃一顿饭 胸口疼":          true, // chest pain while starving
		"嗯那个我女儿减肥减得晕倒了好几次 怎么办啊":  true, // repeated fainting from starvation
		"痛经痛到晕倒要去医院吗":            true, // fainting
		"血糖仪显示HI 老爷子一直口渴想吐":      true, // very high blood sugar, vomiting
		"阿公食咗降糖药心慌出冷汗点算":         true, // low blood sugar after diabetes pills
		"老年痴呆的老人这两天突然糊涂得厉害 胡言乱语": true, // sudden confusion (delirium or stroke)
		"阿婆跌亲咗 起唔到身":             true, // an elder who fell and cannot get up
		"我儿子喝了酒就打我":              true, // violence against the writer
		"隔壁老太太经常被儿媳骂 还不给饭吃":      true, // elder abuse the writer worries about
		"我同桌手臂上好多刀痕 她不让我说":       true, // a friend's self-injury: the worried reply
		"好朋友说活着没意思 我该怎么帮她":       true, // a friend's death wish: the worried reply
		"朋友自殘我要不要告訴老師":           true, // a friend's self-injury: the worried reply
		"對象要我拍裸照給他":              true, // a teen pressed for nude photos
		"濕疹起水泡仲發燒":               true, // blisters on eczema with fever (eczema herpeticum)
		"我老婆生完孩子这几天不睡觉 一直说胡话":    true, // confusion after birth (postpartum psychosis)
	}
	n := 0
	for cat, list := range items {
		if cat == "crisis" || cat == "benign" {
			continue
		}
		for _, it := range list {
			n++
			if k := DetectCrisis(it.Q); k != CrisisNone && !crisisToo[it.Q] {
				t.Errorf("%q (%s) taken as %s", it.Q, cat, k)
			}
		}
	}
	t.Logf("%d everyday questions checked", n)
}
