package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"familybot/knowledge"
	"familybot/models"

	"github.com/gin-gonic/gin"
)

// ---- Keyword rules ----

var (
	kbRuleKinds   = map[models.RuleKind]string{models.RuleKeyword: "关键词回复", models.RuleWelcome: "被关注回复", models.RuleDefault: "收到消息回复"}
	kbRuleMatches = map[string]string{knowledge.MatchEqual: "完全一致", knowledge.MatchContain: "包含"}
	kbRuleOrigins = map[string]string{"seed": "预置", "autoreply": "公众号后台导入", "staff": "工作人员添加"}
)

type kbRuleRow struct {
	ID                               uint
	Name, Kind, Match, Origin, Reply string
	Keywords                         []string
	Priority                         int
	Enabled, IsKeyword, HasConflict  bool
}

type kbRulesView struct {
	Page
	Rows      []kbRuleRow
	Conflicts []string
	CanEdit   bool
}

func kbRuleKeywords(js string) []string {
	return knowledge.RuleFromRow(models.KBRule{Keywords: js}).Keywords
}

// kbRules lists every rule and the keywords another rule takes over.
func (s *Server) kbRules(c *gin.Context) error {
	rows, conflicts, err := s.Knowledge.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	v := &kbRulesView{Page: Page{Title: "关键词规则", Nav: "knowledge"}, Conflicts: conflicts, CanEdit: kbCanEdit(c)}
	for _, r := range rows {
		tag := fmt.Sprintf("（#%d）", r.ID)
		conflict := false
		for _, msg := range v.Conflicts {
			conflict = conflict || strings.Contains(msg, tag)
		}
		v.Rows = append(v.Rows, kbRuleRow{ID: r.ID, Name: r.Name, Kind: kbRuleKinds[r.Kind], Match: kbRuleMatches[r.Match],
			Origin: kbRuleOrigins[r.Origin], Reply: excerpt(r.Reply, 80), Keywords: kbRuleKeywords(r.Keywords), Priority: r.Priority,
			Enabled: r.Enabled, IsKeyword: r.Kind == models.RuleKeyword || r.Kind == "", HasConflict: conflict && r.Enabled})
	}
	s.render(c, http.StatusOK, "kb_rules.html", v)
	return nil
}

// kbRuleForm is the rule form as typed.
type kbRuleForm struct {
	Name, Keywords, Match, Priority, Reply, Origin string
	Kind                                           models.RuleKind
	Enabled                                        bool
}

type kbRuleView struct {
	Page
	ID        uint
	F         kbRuleForm
	Problems  []string
	Kinds     []option
	Matches   []option
	Conflicts []string // the current conflicts involving this rule
}

func (f kbRuleForm) rule() (knowledge.Rule, []string) {
	r := knowledge.Rule{Name: strings.TrimSpace(f.Name), Kind: f.Kind, Keywords: kbSplitList(f.Keywords, true), Match: f.Match,
		Reply: strings.TrimSpace(strings.ReplaceAll(f.Reply, "\r\n", "\n"))}
	var p []string
	if r.Name == "" {
		p = append(p, "请填写规则名称")
	} else if utf8.RuneCountInString(r.Name) > 40 {
		p = append(p, "规则名称最多 40 个字")
	}
	if _, ok := kbRuleKinds[r.Kind]; !ok {
		p = append(p, "请选择规则类型")
	}
	if r.Kind == models.RuleKeyword {
		if len(r.Keywords) == 0 {
			p = append(p, "请至少填写一个关键词")
		}
		for _, k := range r.Keywords {
			if utf8.RuneCountInString(k) > 30 {
				p = append(p, "每个关键词最多 30 个字")
				break
			}
			if knowledge.Normalize(k) == "" {
				p = append(p, "关键词“"+k+"”只有标点或语气词，永远不会匹配")
			}
		}
	}
	if _, ok := kbRuleMatches[r.Match]; !ok {
		p = append(p, "请选择匹配方式")
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.Priority))
	if strings.TrimSpace(f.Priority) == "" {
		n, err = 0, nil
	}
	if err != nil || n < -999 || n > 999 {
		p = append(p, "优先级请填 -999 到 999 之间的整数（数字大的先匹配）")
	}
	r.Priority = n
	if r.Reply == "" {
		p = append(p, "请填写回复内容")
	} else if utf8.RuneCountInString(r.Reply) > 600 {
		p = append(p, "回复内容最多 600 个字")
	}
	return r, p
}

func (s *Server) renderKBRule(c *gin.Context, status int, id uint, f kbRuleForm, problems []string) {
	v := &kbRuleView{Page: Page{Title: "关键词规则", Nav: "knowledge", Invalid: fieldsOf(strings.Join(problems, "；"), kbRuleFields)},
		ID: id, F: f, Problems: problems}
	if id == 0 {
		v.Title = "新建关键词规则"
	}
	if len(problems) > 0 {
		v.Error = fmt.Sprintf("有 %d 处需要修改，规则还没有保存。", len(problems))
	}
	for _, k := range []models.RuleKind{models.RuleKeyword, models.RuleWelcome, models.RuleDefault} {
		v.Kinds = append(v.Kinds, option{Value: string(k), Label: kbRuleKinds[k], Selected: f.Kind == k})
	}
	for _, m := range []string{knowledge.MatchContain, knowledge.MatchEqual} {
		v.Matches = append(v.Matches, option{Value: m, Label: kbRuleMatches[m], Selected: f.Match == m})
	}
	if id != 0 {
		if conflicts, err := s.Knowledge.RuleConflicts(c.Request.Context()); err == nil {
			for _, msg := range conflicts {
				if strings.Contains(msg, fmt.Sprintf("（#%d）", id)) {
					v.Conflicts = append(v.Conflicts, msg)
				}
			}
		}
	}
	s.render(c, status, "kb_rule.html", v)
}

func bindKBRuleForm(c *gin.Context) kbRuleForm {
	return kbRuleForm{Name: c.PostForm("name"), Kind: models.RuleKind(c.PostForm("kind")), Keywords: c.PostForm("keywords"), Match: c.PostForm("match"),
		Priority: c.PostForm("priority"), Reply: c.PostForm("reply"), Enabled: c.PostForm("enabled") == "1"}
}

func (s *Server) kbRuleNew(c *gin.Context) error {
	s.renderKBRule(c, http.StatusOK, 0, kbRuleForm{Kind: models.RuleKeyword, Match: knowledge.MatchContain, Priority: "0", Enabled: true}, nil)
	return nil
}

func (s *Server) kbRulePage(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	row, err := s.Knowledge.Rule(c.Request.Context(), uint(id))
	if err != nil {
		return err
	}
	f := kbRuleForm{Name: row.Name, Kind: row.Kind, Keywords: strings.Join(kbRuleKeywords(row.Keywords), "\n"), Match: row.Match,
		Priority: strconv.Itoa(row.Priority), Reply: row.Reply, Enabled: row.Enabled, Origin: kbRuleOrigins[row.Origin]}
	if f.Kind == "" {
		f.Kind = models.RuleKeyword
	}
	s.renderKBRule(c, http.StatusOK, row.ID, f, nil)
	return nil
}

func (s *Server) kbRuleCreate(c *gin.Context) error { return s.saveKBRule(c, 0) }

func (s *Server) kbRuleSave(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Knowledge.Rule(c.Request.Context(), uint(id)); err != nil {
		return err
	}
	return s.saveKBRule(c, uint(id))
}

// saveKBRule creates (id 0) or updates a rule, then has the engine read the rules again.
func (s *Server) saveKBRule(c *gin.Context, id uint) error {
	f := bindKBRuleForm(c)
	r, problems := f.rule()
	if len(problems) > 0 {
		s.renderKBRule(c, http.StatusBadRequest, id, f, problems)
		return nil
	}
	r.ID = id
	saved, err := s.Knowledge.SaveRule(c.Request.Context(), r, f.Enabled)
	if models.IsCode(err, models.EINVALID) {
		s.renderKBRule(c, http.StatusBadRequest, id, f, []string{domainMessage(err)})
		return nil
	}
	if err != nil {
		return err
	}
	action := "kb.rule.save"
	if id == 0 {
		action = "kb.rule.create"
	}
	s.audit(c, action, fmt.Sprintf("rule:%d", saved.ID), fmt.Sprintf("kind=%s match=%s priority=%d enabled=%t keywords=%d",
		saved.Kind, saved.Match, saved.Priority, f.Enabled, len(saved.Keywords)))
	s.reloadKBRules()
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/rules?ok=rulesaved")
	return nil
}

func (s *Server) kbRuleDelete(c *gin.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	row, err := s.Knowledge.DeleteRule(c.Request.Context(), uint(id))
	if err != nil {
		return err
	}
	s.audit(c, "kb.rule.delete", fmt.Sprintf("rule:%d", row.ID), "name="+row.Name)
	s.reloadKBRules()
	c.Redirect(http.StatusSeeOther, "/admin/knowledge/rules?ok=ruledeleted")
	return nil
}

// reloadKBRules makes this copy's engine read the rules on the next message;
// other copies read them within the engine's refresh interval.
func (s *Server) reloadKBRules() {
	if s.Engine != nil {
		s.Engine.ReloadRules()
	}
}
