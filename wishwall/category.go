package wishwall

import (
	"strings"

	"familybot/models"
)

// categoryWords infer a wish's category from its text, checked in order: an
// activity for teenagers is 活动 before 青春期, a class for parents of babies
// is 活动 before 育儿.
var categoryWords = []struct {
	code  string
	words []string
}{
	{models.WishCatActivity, []string{"活动", "课堂", "讲座", "课程", "开课", "办几次", "多办", "组织", "亲子小屋", "义诊", "培训", "兴趣班", "比赛"}},
	{models.WishCatAdolescent, []string{"青春期", "初中", "高中", "中学", "中考", "高考", "早恋", "叛逆", "青少年", "学生", "厌学"}},
	{models.WishCatParenting, []string{"宝宝", "婴儿", "幼儿", "托育", "托儿", "带娃", "孩子", "育儿", "母婴", "哺乳", "喂奶", "早教", "幼儿园", "辅食", "疫苗"}},
	{models.WishCatElderly, []string{"老人", "老年", "养老", "爷爷", "奶奶", "老伴", "独居", "助餐", "助浴", "护理", "失能", "失智", "陪护", "敬老"}},
	{models.WishCatService, []string{"服务", "办事", "办理", "补贴", "扶助", "保险", "政策", "证明", "登记", "工作人员", "电话打不通", "态度", "公众号", "小助手"}},
}

// InferCategory reads a wish's category from its text; WishCatOther when
// nothing says.
func InferCategory(text string) string {
	for _, c := range categoryWords {
		for _, w := range c.words {
			if strings.Contains(text, w) {
				return c.code
			}
		}
	}
	return models.WishCatOther
}
