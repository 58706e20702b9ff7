package handlers

import (
	"html/template"
	"strings"
)

// Forms: a field the last submission got wrong is marked for eyes (the
// "invalid" class: a red border) and for screen readers (aria-invalid, and
// aria-describedby pointing at the message). Required fields carry the
// required attribute and a visible ＊ ({{template "req"}} in the label).

// invalidAttr is the template function "invalid": the attributes of a field
// the last submission got wrong, nothing for the others.
func invalidAttr(invalid map[string]bool, name string) template.HTMLAttr {
	if !invalid[name] {
		return ""
	}
	return `aria-invalid="true" aria-describedby="form-error" class="invalid"`
}

// fieldRule maps words of a problem to the form fields it is about.
type fieldRule struct {
	words  []string
	fields []string
}

// fieldsOf returns the fields named by problems (Chinese sentences joined by
// "；"): the first rule whose word a problem contains wins.
func fieldsOf(problems string, rules []fieldRule) map[string]bool {
	out := map[string]bool{}
	for _, p := range strings.Split(problems, "；") {
	rules:
		for _, r := range rules {
			for _, w := range r.words {
				if strings.Contains(p, w) {
					for _, f := range r.fields {
						out[f] = true
					}
					break rules
				}
			}
		}
	}
	return out
}

// eventFields are the event form's fields, by the words of models.Event.Validate
// and eventForm.apply.
var eventFields = []fieldRule{
	{[]string{"活动名称"}, []string{"title"}},
	{[]string{"活动类别"}, []string{"category"}},
	{[]string{"取消截止"}, []string{"cancel_by"}}, // before 开始时间: "取消截止时间不能晚于开始时间"
	{[]string{"结束时间"}, []string{"end"}},
	{[]string{"开始时间"}, []string{"start"}},
	{[]string{"候补名额"}, []string{"waitlist"}},
	{[]string{"名额"}, []string{"capacity"}},
	{[]string{"只有亲子"}, []string{"for_child"}},
	{[]string{"最大月龄"}, []string{"age_max_years", "age_max_months"}},
	{[]string{"儿童年龄", "月龄"}, []string{"age_min_years", "age_min_months", "age_max_years", "age_max_months"}},
	{[]string{"适合对象"}, []string{"audience"}},
	{[]string{"携带物品"}, []string{"bring"}},
	{[]string{"地点"}, []string{"place"}},
	{[]string{"活动介绍"}, []string{"description"}},
}

// kbEntryFields are the knowledge entry form's fields, by the words of kbForm.entry.
var kbEntryFields = []fieldRule{
	{[]string{"追问回答"}, nil}, // one of several facet fields: the list says which
	{[]string{"类别"}, []string{"category"}},
	{[]string{"标题"}, []string{"title"}},
	{[]string{"编号"}, []string{"slug"}},
	{[]string{"问法"}, []string{"questions"}},
	{[]string{"关键词"}, []string{"keywords"}},
	{[]string{"反例"}, []string{"counter_examples"}},
	{[]string{"就医提示"}, []string{"see_doctor"}},
	{[]string{"回答"}, []string{"answer"}},
	{[]string{"依据"}, []string{"source"}},
	{[]string{"失效日期"}, []string{"expires_at"}}, // before 生效日期: "失效日期须晚于生效日期"
	{[]string{"生效日期"}, []string{"effective_from"}},
	{[]string{"复核日期"}, []string{"review_by"}},
}

// kbRuleFields are the keyword-rule form's fields, by the words of kbRuleForm.rule.
var kbRuleFields = []fieldRule{
	{[]string{"规则名称"}, []string{"name"}},
	{[]string{"规则类型"}, []string{"kind"}},
	{[]string{"关键词"}, []string{"keywords"}},
	{[]string{"匹配方式"}, []string{"match"}},
	{[]string{"优先级"}, []string{"priority"}},
	{[]string{"回复内容"}, []string{"reply"}},
}

// staffFields are the staff form's fields, by the words of models.Staff.Validate.
var staffFields = []fieldRule{
	{[]string{"UserID"}, []string{"user_id"}},
	{[]string{"角色"}, []string{"role"}},
	{[]string{"小组"}, []string{"team"}},
	{[]string{"姓名"}, []string{"name"}},
}
