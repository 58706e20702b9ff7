package handlers

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"familybot/models"
	"familybot/privacy"
	"familybot/signup"
	"familybot/wishwall"

	"github.com/gin-gonic/gin"
)

// wishesCSV exports the inbox as filtered, masked. It changes nothing but is
// audit-logged, with the filter.
func (s *Server) wishesCSV(c *gin.Context) error {
	svc, err := s.wishes()
	if err != nil {
		return err
	}
	me, _ := staffOf(c)
	status, cat := validStatusFilter(c.Query("status")), validCategory(c.Query("category"))
	items, err := svc.Inbox(c.Request.Context(), me, wishwall.Query{Status: status, Category: cat, Limit: 5000})
	if err != nil {
		return err
	}
	names := s.staffNames(c.Request.Context())
	s.audit(c, "wish.export", "wishes", fmt.Sprintf("status=%s category=%s rows=%d", status, cat, len(items)))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="wishes-%s.csv"`, s.now().In(models.Beijing).Format("20060102")))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	c.Writer.WriteString("\ufeff") // so Excel reads UTF-8
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"编号", "状态", "类别", "小组", "经办人", "提交时间", "心愿内容", "联系方式", "同意展示", "回复次数", "评价", "逾期"})
	for _, d := range items {
		public, rating := "否", ""
		if d.Public {
			public = "是"
		}
		if d.Rating > 0 {
			rating = strconv.Itoa(d.Rating)
		}
		row := []string{strconv.FormatUint(d.ID, 10), models.WishStatusLabel(d.Status), models.WishCategoryLabel(d.Category),
			models.WishCategoryLabel(d.Team), names[d.AssignedTo], d.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"),
			privacy.Mask(d.Text), privacy.Mask(d.Contact), public, strconv.Itoa(d.ReplyCount), rating, d.Overdue}
		for i := range row {
			row[i] = signup.CSVSafe(row[i])
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}
