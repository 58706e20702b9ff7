package wechat

import "time"

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
