// Package memo remembers recently computed values for a short time: lists
// every resident sees alike (upcoming events, the 回音壁), which are asked for
// far more often than they change.
package memo

import (
	"sync"
	"time"
)

// Recent keeps one value per key for TTL. Forget drops everything and must be
// called after every change made through the same process; other processes'
// changes show within TTL. A zero TTL remembers nothing.
type Recent[K comparable, V any] struct {
	TTL time.Duration
	Now func() time.Time

	mu  sync.Mutex
	m   map[K]entry[V]
	gen uint64
}

type entry[V any] struct {
	v   V
	exp time.Time
}

func (r *Recent[K, V]) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Get returns the remembered value for key, or loads, remembers and returns it.
// Errors are not remembered.
func (r *Recent[K, V]) Get(key K, load func() (V, error)) (V, error) {
	if r.TTL <= 0 {
		return load()
	}
	now := r.now()
	r.mu.Lock()
	if e, ok := r.m[key]; ok && now.Before(e.exp) {
		r.mu.Unlock()
		return e.v, nil
	}
	gen := r.gen
	r.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	r.mu.Lock()
	if r.gen == gen { // nothing changed while loading
		if r.m == nil || len(r.m) > 64 {
			r.m = map[K]entry[V]{}
		}
		r.m[key] = entry[V]{v: v, exp: now.Add(r.TTL)}
	}
	r.mu.Unlock()
	return v, nil
}

// Forget drops every remembered value, and any value being loaded now.
func (r *Recent[K, V]) Forget() {
	r.mu.Lock()
	r.m = nil
	r.gen++
	r.mu.Unlock()
}
