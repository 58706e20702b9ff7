package store_test

import (
	"context"
	"testing"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// Rows written before masking knew every format are masked at start-up, once,
// and new rows are masked as they are stored.
func TestMessageLogMasked(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		old := []models.Message{
			{OpenID: "o1", Kind: "text", Text: "我的电话139－1234－5608", Route: models.RouteFallback},
			{OpenID: "o1", Kind: "text", Text: "一三九 一二三四 五六七八 找我", Route: models.RouteFallback},
			{OpenID: "o2", Kind: "text", Text: "6月1日 09:30 的活动还有名额吗", Route: models.RouteFAQ},
		}
		// As an older version stored them: straight into the table.
		if err := s.DB.Create(&old).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB.Where("1 = 1").Delete(&models.DataMigration{}).Error; err != nil {
			t.Fatal(err)
		}
		for range 2 { // a restart runs it again: nothing changes
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
		}
		if err := s.InsertMessages(ctx, []models.Message{{OpenID: "o3", Kind: "text", Text: "座机(0571)12345678", Route: models.RouteFallback}}); err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := s.DB.Model(&models.Message{}).Order("id").Pluck("text", &got).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"我的电话139－****－5608", "一三九 **** 五六七八 找我", "6月1日 09:30 的活动还有名额吗", "座机(0571)****5678"}
		if len(got) != len(want) {
			t.Fatalf("rows = %q", got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d = %q, want %q", i, got[i], want[i])
			}
		}
	})
}
