package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"familybot/models"
)

// MessageSink stores message records in batches, and the FAQ hit counts they imply.
type MessageSink interface {
	InsertMessages(ctx context.Context, msgs []models.Message) error
	AddKBHits(ctx context.Context, hits map[uint]int) error
}

// batchSize is how many records are written in one statement at most.
const batchSize = 250

// BatchRecorder records messages off the reply path: Record only queues; a
// goroutine writes batches. When the database fails, records are kept and the
// write retried (backing off) until it answers, so a short outage loses
// nothing; only when limit records wait are newer ones dropped and counted
// (familybot_message_log_dropped_total), never delaying residents' replies.
type BatchRecorder struct {
	sink    MessageSink
	log     *slog.Logger
	ch      chan models.Message
	flushes chan chan struct{}
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	dropped int64
	// retry is the first wait after a failed write (it doubles up to a
	// minute); limit is how many records may wait for the database.
	retry time.Duration
	limit int
}

// NewBatchRecorder starts the writer goroutine.
func NewBatchRecorder(sink MessageSink, log *slog.Logger) *BatchRecorder {
	return newBatchRecorder(sink, log, 500*time.Millisecond, 20000)
}

func newBatchRecorder(sink MessageSink, log *slog.Logger, retry time.Duration, limit int) *BatchRecorder {
	r := &BatchRecorder{sink: sink, log: log, ch: make(chan models.Message, 4096), flushes: make(chan chan struct{}),
		done: make(chan struct{}), retry: retry, limit: limit}
	go r.loop()
	return r
}

// Record queues m without blocking.
func (r *BatchRecorder) Record(m models.Message) {
	select {
	case r.ch <- m:
	default:
		r.drop(1)
	}
}

func (r *BatchRecorder) drop(n int) {
	r.mu.Lock()
	r.dropped += int64(n)
	r.mu.Unlock()
}

// Dropped returns how many records were dropped because too many waited for the database.
func (r *BatchRecorder) Dropped() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Flush writes everything queued so far and waits for it (tests, the CLI).
// While the database fails the records stay queued.
func (r *BatchRecorder) Flush() {
	ack := make(chan struct{})
	select {
	case r.flushes <- ack:
		<-ack
	case <-r.done:
	}
}

// Close writes what is queued, retrying for a few seconds while the database
// fails, and stops.
func (r *BatchRecorder) Close() {
	r.once.Do(func() {
		close(r.ch)
		<-r.done
	})
}

// closeWait bounds the retries of the last write on Close (shutdown).
const closeWait = 5 * time.Second

func (r *BatchRecorder) loop() {
	defer close(r.done)
	var pending []models.Message
	var retryAt time.Time
	wait := r.retry
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	add := func(m models.Message) {
		if len(pending) >= r.limit {
			r.drop(1)
			return
		}
		pending = append(pending, m)
	}
	// write stores pending in batches; on a failure it keeps the rest and
	// reports false.
	write := func() bool {
		for len(pending) > 0 {
			batch := pending[:min(batchSize, len(pending))]
			if err := r.writeBatch(batch); err != nil {
				if wait == r.retry && r.log != nil { // once per outage
					r.log.Warn("message log write failed; keeping the records and retrying", "waiting", len(pending), "err", err)
				}
				retryAt = time.Now().Add(wait)
				wait = min(2*wait, time.Minute)
				return false
			}
			pending = pending[len(batch):]
			wait = r.retry
		}
		pending = nil
		return true
	}
	for {
		select {
		case m, ok := <-r.ch:
			if !ok {
				for end := time.Now().Add(closeWait); !write() && time.Now().Before(end); {
					time.Sleep(min(wait, time.Until(end)))
				}
				if len(pending) > 0 {
					r.drop(len(pending))
					if r.log != nil {
						r.log.Error("message log records lost at shutdown: the database did not answer", "count", len(pending))
					}
				}
				return
			}
			add(m)
			if len(pending) >= batchSize && !time.Now().Before(retryAt) {
				write()
			}
		case <-tick.C:
			if !time.Now().Before(retryAt) {
				write()
			}
		case ack := <-r.flushes:
			for drained := false; !drained; {
				select {
				case m, ok := <-r.ch:
					if !ok {
						drained = true
						break
					}
					add(m)
				default:
					drained = true
				}
			}
			write()
			close(ack)
		}
	}
}

// writeBatch stores one batch and the FAQ hit counts it implies.
func (r *BatchRecorder) writeBatch(batch []models.Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.sink.InsertMessages(ctx, batch); err != nil {
		return err
	}
	hits := map[uint]int{}
	for _, m := range batch {
		if m.EntryID != 0 && m.Route == models.RouteFAQ {
			hits[m.EntryID]++
		}
	}
	if err := r.sink.AddKBHits(ctx, hits); err != nil && r.log != nil {
		r.log.Warn("answer counts write failed", "err", err)
	}
	return nil
}
