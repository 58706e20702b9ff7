package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"familybot/models"
	"familybot/store"
	"familybot/store/storetest"
)

// A message a copy stopped holding is taken over once, by one copy, and only
// after its lease ran out; keeping it twice changes nothing.
func TestInboxClaimedOnceAfterTheLease(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, p := range []struct {
			key   string
			lease time.Duration
		}{{"m:1", -time.Second}, {"m:2", -time.Second}, {"m:3", time.Hour}, {"m:1", time.Hour}} {
			if err := s.PutInboxMessage(ctx, p.key, "copy-0", `{"OpenID":"u"}`, p.lease); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		taken := map[string][]string{}
		var wg sync.WaitGroup
		for _, owner := range []string{"copy-1", "copy-2", "copy-3", "copy-4"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := s.ClaimInboxMessages(ctx, owner, time.Minute, 10)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, m := range got {
					taken[m.MsgKey] = append(taken[m.MsgKey], owner)
				}
			}()
		}
		wg.Wait()
		if len(taken) != 2 || len(taken["m:1"]) != 1 || len(taken["m:2"]) != 1 {
			t.Fatalf("taken %v: want m:1 and m:2 once each, m:3 still leased", taken)
		}
		if again, _ := s.ClaimInboxMessages(ctx, "copy-5", time.Minute, 10); len(again) != 0 {
			t.Fatalf("taken again while leased: %+v", again)
		}
		if err := s.DeleteInboxMessage(ctx, "m:1"); err != nil {
			t.Fatal(err)
		}
		var left []models.InboxMessage
		s.DB.Order("msg_key").Find(&left)
		if len(left) != 2 || left[0].MsgKey != "m:2" || left[0].Attempts != 1 || left[1].MsgKey != "m:3" {
			t.Fatalf("left %+v", left)
		}
	})
}

// While Redis is down, a message key is claimed once in the database and the
// retry gets the first reply.
func TestProcessedMessageClaimedOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ok, _, err := s.ClaimProcessedMessage(ctx, "m:42")
		if err != nil || !ok {
			t.Fatalf("first claim: %v %v", ok, err)
		}
		if ok, prev, err := s.ClaimProcessedMessage(ctx, "m:42"); err != nil || ok || prev.Done {
			t.Fatalf("claim while running: %v %+v %v", ok, prev, err)
		}
		if err := s.FinishProcessedMessage(ctx, "m:42", "已收到您的心愿", false); err != nil {
			t.Fatal(err)
		}
		ok, prev, err := s.ClaimProcessedMessage(ctx, "m:42")
		if err != nil || ok || !prev.Done || prev.Reply != "已收到您的心愿" {
			t.Fatalf("retry: %v %+v %v", ok, prev, err)
		}
	})
}

// The cost an inbox row would add to every message if it were written on
// receipt rather than only past the deadline (put, then delete):
//
//	go test ./store -run '^$' -bench InboxRow -benchtime 2000x
func BenchmarkInboxRow(b *testing.B) {
	for _, eng := range storetest.Engines() {
		b.Run(eng, func(b *testing.B) {
			s := storetest.New(b, eng)
			ctx := context.Background()
			payload := `{"OpenID":"oAbCdEfGhIjKlMnOpQrStUvWxYz","Kind":"text","Text":"报名 3 赵大爷 13700001111"}`
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				key := "m:" + strconv.Itoa(i)
				if err := s.PutInboxMessage(ctx, key, "copy-1", payload, time.Minute); err != nil {
					b.Fatal(err)
				}
				if err := s.DeleteInboxMessage(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
