package store_test

import (
	"context"
	"testing"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"

	"github.com/google/go-cmp/cmp"
)

// A wish's page lists exactly its own notices: "wishreply:1:" must not pick up
// wish 12's, and LIKE's wildcards in a prefix are taken literally.
func TestListOutboxByKeyPrefix(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, k := range []string{"wishreply:1:1", "wishreply:12:1", "wishstatus:1:accepted", "wish:new:1", "a_b:1", "axb:1"} {
			if err := s.Enqueue(ctx, &models.OutboxMessage{DedupKey: k, Channel: models.ChannelCustomer, To: "o"}); err != nil {
				t.Fatal(err)
			}
		}
		keys := func(prefixes ...string) []string {
			list, err := s.ListOutboxByKeyPrefix(ctx, prefixes, 10)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range list {
				out = append(out, m.DedupKey)
			}
			return out
		}
		if d := cmp.Diff([]string{"wishreply:1:1", "wishstatus:1:accepted"}, keys("wishreply:1:", "wishstatus:1:")); d != "" {
			t.Errorf("wish 1's notices (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"a_b:1"}, keys("a_b")); d != "" {
			t.Errorf("underscore taken as a wildcard (-want +got):\n%s", d)
		}
	})
}
