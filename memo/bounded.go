package memo

import "sync"

// Bounded is a map for remembering computed values, safe for concurrent use,
// that holds at most Max of them: when full it starts over, which is cheaper
// than tracking recency and keeps memory bounded. The zero value is ready
// (Max 0 means 4096).
type Bounded[K comparable, V any] struct {
	Max int

	mu sync.Mutex
	m  map[K]V
}

// Get returns the value remembered for key.
func (b *Bounded[K, V]) Get(key K) (V, bool) {
	b.mu.Lock()
	v, ok := b.m[key]
	b.mu.Unlock()
	return v, ok
}

// Put remembers value for key.
func (b *Bounded[K, V]) Put(key K, value V) {
	b.Update(key, func(V, bool) (V, bool) { return value, true })
}

// Update sets key to what fn returns for the current value (and whether there
// is one); fn returning false leaves it as it is.
func (b *Bounded[K, V]) Update(key K, fn func(old V, ok bool) (V, bool)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	max := b.Max
	if max <= 0 {
		max = 4096
	}
	if b.m == nil || len(b.m) >= max {
		b.m = make(map[K]V, min(max, 256))
	}
	old, ok := b.m[key]
	if v, set := fn(old, ok); set {
		b.m[key] = v
	}
}
