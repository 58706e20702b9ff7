package wechat

import (
	"context"
	"time"
)

// runner runs the bot detached from the request on goroutines that are kept
// for a while after their work: a fresh goroutine per message would grow its
// stack from scratch every time (the engine's calls go deep), a measurable
// cost at thousands of messages a second. When every kept goroutine is busy
// a new one is started, so a slow database never queues messages behind it.
type runner struct {
	jobs chan func()
	idle time.Duration
}

func newRunner() *runner { return &runner{jobs: make(chan func()), idle: 30 * time.Second} }

// run starts fn now, on an idle goroutine or a new one.
func (r *runner) run(fn func()) {
	select {
	case r.jobs <- fn:
	default:
		go r.work(fn)
	}
}

// work runs fn, then waits for more work until it has been idle too long.
func (r *runner) work(fn func()) {
	fn()
	t := time.NewTimer(r.idle)
	defer t.Stop()
	for {
		select {
		case fn := <-r.jobs:
			fn()
			t.Reset(r.idle)
		case <-t.C:
			return
		}
	}
}

// background runs fn on the runner and counts it as in-flight work, which
// Drain waits for.
func (w *Webhook) background(fn func()) {
	w.runnerOnce.Do(func() { w.runner = newRunner() })
	w.mu.Lock()
	w.busy++
	w.mu.Unlock()
	w.runner.run(func() {
		defer w.finished()
		fn()
	})
}

func (w *Webhook) finished() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy--; w.busy == 0 && w.idle != nil {
		close(w.idle)
		w.idle = nil
	}
}

// Drain waits until every answer still being worked out has been queued, or
// until ctx ends (shutdown). What is left then stays in the inbox.
func (w *Webhook) Drain(ctx context.Context) error {
	w.mu.Lock()
	if w.busy == 0 {
		w.mu.Unlock()
		return nil
	}
	if w.idle == nil {
		w.idle = make(chan struct{})
	}
	idle := w.idle
	w.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
