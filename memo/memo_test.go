package memo

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRecent(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	r := Recent[int, string]{TTL: 2 * time.Second, Now: func() time.Time { return now }}
	loads := 0
	load := func(v string) func() (string, error) {
		return func() (string, error) { loads++; return v, nil }
	}
	if v, _ := r.Get(6, load("a")); v != "a" {
		t.Fatal(v)
	}
	if v, _ := r.Get(6, load("b")); v != "a" || loads != 1 {
		t.Fatalf("within TTL: %q after %d loads", v, loads)
	}
	if v, _ := r.Get(4, load("c")); v != "c" {
		t.Fatalf("another key: %q", v)
	}
	now = now.Add(2 * time.Second)
	if v, _ := r.Get(6, load("d")); v != "d" {
		t.Fatalf("after TTL: %q", v)
	}
	r.Forget()
	if v, _ := r.Get(6, load("e")); v != "e" {
		t.Fatalf("after Forget: %q", v)
	}
	// A change made while a value was loading: the loaded value is not kept.
	r.Forget()
	r.Get(6, func() (string, error) { r.Forget(); return "stale", nil })
	if v, _ := r.Get(6, load("fresh")); v != "fresh" {
		t.Fatalf("a value loaded across a change was kept: %q", v)
	}
	// Errors are not remembered.
	if _, err := r.Get(9, func() (string, error) { return "", errors.New("down") }); err == nil {
		t.Fatal("no error")
	}
	if v, _ := r.Get(9, load("up")); v != "up" {
		t.Fatalf("error remembered: %q", v)
	}
	// A zero TTL remembers nothing.
	var z Recent[int, string]
	z.Get(1, load("x"))
	if v, _ := z.Get(1, load("y")); v != "y" {
		t.Fatalf("zero TTL remembered %q", v)
	}
}

// Many readers and writers at once (run with -race): every value read is one
// that was loaded, and after the last Forget the next read loads afresh.
func TestRecentConcurrent(t *testing.T) {
	r := Recent[int, int]{TTL: time.Hour}
	var loads atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if g%4 == 0 && i%50 == 0 {
					r.Forget()
				}
				v, _ := r.Get(i%3, func() (int, error) { loads.Add(1); return i % 3, nil })
				if v != i%3 {
					t.Errorf("key %d gave %d", i%3, v)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if loads.Load() >= 16*500 {
		t.Fatalf("%d loads for %d reads: nothing was remembered", loads.Load(), 16*500)
	}
}

func TestBounded(t *testing.T) {
	b := Bounded[string, int]{Max: 3}
	if _, ok := b.Get("a"); ok {
		t.Fatal("empty map found a value")
	}
	b.Put("a", 1)
	b.Put("b", 2)
	b.Put("c", 3)
	if v, ok := b.Get("a"); !ok || v != 1 {
		t.Fatalf("a = %d %v", v, ok)
	}
	b.Put("d", 4) // full: starts over
	if _, ok := b.Get("a"); ok {
		t.Error("more than Max values kept")
	}
	if v, _ := b.Get("d"); v != 4 {
		t.Errorf("d = %d", v)
	}
	b.Update("d", func(old int, ok bool) (int, bool) { return old + 1, ok })
	b.Update("e", func(old int, ok bool) (int, bool) { return 9, ok }) // absent: left alone
	if v, _ := b.Get("d"); v != 5 {
		t.Errorf("updated d = %d", v)
	}
	if _, ok := b.Get("e"); ok {
		t.Error("Update set a key fn declined")
	}
}
