package signup_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"familybot/models"
	"familybot/signup"
	"familybot/store"
	"familybot/store/storetest"
)

// runs is how many times each concurrency scenario repeats: FAMILYBOT_TEST_RUNS,
// else 5 on MySQL (where the races are real) and 2 on SQLite (which serialises writes).
func runs(st *store.Store) int {
	if n, err := strconv.Atoi(os.Getenv("FAMILYBOT_TEST_RUNS")); err == nil && n > 0 {
		return n
	}
	if st.Driver == "mysql" {
		return 5
	}
	return 2
}

// together starts n goroutines at the same moment and waits for them.
func together(n int, fn func(i int)) {
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			fn(i)
		})
	}
	close(gate)
	wg.Wait()
}

func phone(i int) string { return fmt.Sprintf("139%08d", i) }

// name gives each goroutine a distinct valid Chinese name.
func name(i int) string { return "家长" + string(rune('一'+i/100)) + string(rune('甲'+i%100)) }

func TestConcurrentSignupsNeverOverbook(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, _ := newService(t, st)
		ctx := context.Background()
		const parents, capacity, waitlist = 200, 20, 10
		for run := range runs(st) {
			ev := mustEvent(t, s, capacity, waitlist)
			var confirmed, waiting, full, other atomic.Int64
			together(parents, func(i int) {
				res, err := s.Join(ctx, adult(ev.ID, fmt.Sprint("o", i), name(i), phone(i)))
				switch {
				case errors.Is(err, signup.ErrFull):
					full.Add(1)
				case err != nil:
					other.Add(1)
					t.Errorf("join %d: %v", i, err)
				case res.Confirmed():
					confirmed.Add(1)
				default:
					waiting.Add(1)
				}
			})
			v, err := s.Event(ctx, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("run %d on %s: %d goroutines → confirmed %d, waitlisted %d, full %d, errors %d, overbooked %d",
				run+1, st.Driver, parents, v.Confirmed, v.Waitlisted, full.Load(), other.Load(), max(v.Confirmed-capacity, 0))
			if v.Confirmed != capacity || v.Waitlisted != waitlist || confirmed.Load() != capacity || waiting.Load() != waitlist || full.Load() != parents-capacity-waitlist {
				t.Fatalf("run %d: replies %d/%d/%d, database %d confirmed %d waitlisted; want %d/%d/%d",
					run+1, confirmed.Load(), waiting.Load(), full.Load(), v.Confirmed, v.Waitlisted, capacity, waitlist, parents-capacity-waitlist)
			}
			// Waitlist positions are 1..10 with no gaps or repeats.
			rows, _ := s.Roster(ctx, ev.ID, false)
			seen := map[int]bool{}
			for _, r := range rows {
				if r.Status == models.SignupWaitlisted {
					seen[r.Position] = true
				}
			}
			if len(seen) != waitlist || !seen[1] || !seen[waitlist] {
				t.Fatalf("waitlist positions %v", seen)
			}
		}
	})
}

func TestConcurrentDuplicatesOneRow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, _ := newService(t, st)
		ctx := context.Background()
		const copies = 50
		for run := range runs(st) {
			ev := mustEvent(t, s, 20, 10, childEvent(0, 36))
			var fresh, dups atomic.Int64
			together(copies, func(i int) {
				res, err := s.Join(ctx, signup.Request{EventID: ev.ID, OpenID: "o-same", Name: "张三", Phone: "13800138000",
					ChildName: "豆豆", ChildAgeMonths: 18, Consent: true})
				switch {
				case err != nil:
					t.Errorf("join: %v", err)
				case res.Duplicate:
					dups.Add(1)
				default:
					fresh.Add(1)
				}
			})
			rows, _ := st.ListSignups(ctx, ev.ID)
			t.Logf("run %d on %s: %d identical sign-ups → %d row(s), %d told 已报名", run+1, st.Driver, copies, len(rows), dups.Load())
			if len(rows) != 1 || fresh.Load() != 1 || dups.Load() != copies-1 {
				t.Fatalf("rows %d, new %d, duplicates %d", len(rows), fresh.Load(), dups.Load())
			}
		}
	})
}

// Cancellations and new sign-ups at the same moment: the invariants
// confirmed ≤ capacity and (waitlist ≠ ∅ ⇒ confirmed = capacity) hold at every
// sample taken while they run and at the end, and every promotion has its message.
func TestConcurrentCancelAndJoinKeepInvariants(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		s, _ := newService(t, st)
		ctx := context.Background()
		const capacity, first, cancels, joins = 10, 40, 20, 20
		for run := range runs(st) {
			ev := mustEvent(t, s, capacity, 35)
			var ids []uint64
			for i := range first {
				ids = append(ids, mustJoin(t, s, adult(ev.ID, fmt.Sprint("o", i), name(i), phone(i))).Signup.ID)
			}
			rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			check := func(when string) {
				n, err := st.CountSignups(ctx, []uint{ev.ID})
				if err != nil {
					t.Error(err)
					return
				}
				c := n[ev.ID]
				if c.Confirmed > capacity || (c.Waitlisted > 0 && c.Confirmed != capacity) {
					t.Errorf("run %d %s: confirmed %d, waitlisted %d breaks the invariants", run+1, when, c.Confirmed, c.Waitlisted)
				}
			}
			var accepted atomic.Int64
			stop := make(chan struct{})
			var samples atomic.Int64
			var mon sync.WaitGroup
			mon.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						check("during")
						samples.Add(1)
					}
				}
			})
			together(cancels+joins, func(i int) {
				if i < cancels {
					if _, err := s.Cancel(ctx, ownerOf(t, st, ids[i]), ids[i]); err != nil {
						t.Errorf("cancel: %v", err)
					}
					return
				}
				j := first + i
				_, err := s.Join(ctx, adult(ev.ID, fmt.Sprint("o", j), name(j), phone(j)))
				switch {
				case errors.Is(err, signup.ErrFull): // the waitlist may fill before the cancels free it
				case err != nil:
					t.Errorf("join: %v", err)
				default:
					accepted.Add(1)
				}
			})
			close(stop)
			mon.Wait()
			check("after")
			rows, _ := st.ListSignups(ctx, ev.ID)
			promoted, msgs := 0, outboxByKey(t, st)
			for _, r := range rows {
				if r.PromotedAt != nil {
					promoted++
					if _, ok := msgs[fmt.Sprintf("promote:signup:%d", r.ID)]; !ok {
						t.Errorf("promoted sign-up %d has no message", r.ID)
					}
				}
			}
			v, _ := s.Event(ctx, ev.ID)
			t.Logf("run %d on %s: %d cancels + %d joins at once (%d accepted) → confirmed %d/%d, waitlisted %d, promoted %d, %d invariant samples, overbooked %d",
				run+1, st.Driver, cancels, joins, accepted.Load(), v.Confirmed, capacity, v.Waitlisted, promoted, samples.Load(), max(v.Confirmed-capacity, 0))
			if want := first - cancels + int(accepted.Load()); v.Confirmed+v.Waitlisted != want || v.Waitlisted > 35 {
				t.Fatalf("active sign-ups %d (waitlisted %d), want %d", v.Confirmed+v.Waitlisted, v.Waitlisted, want)
			}
		}
	})
}

// ownerOf finds who made a sign-up (a cancel must come from its owner).
func ownerOf(t *testing.T, st *store.Store, id uint64) string {
	su, err := st.GetSignup(context.Background(), id)
	if err != nil {
		t.Error(err)
	}
	return su.OpenID
}
