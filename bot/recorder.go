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
// goroutine writes batches. When the queue is full (the database is down or slow)
// records are dropped and counted rather than delaying residents' replies.
type BatchRecorder struct {
	sink    MessageSink
	log     *slog.Logger
	ch      chan models.Message
	flushes chan chan struct{}
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	dropped int64
}

// NewBatchRecorder starts the writer goroutine.
func NewBatchRecorder(sink MessageSink, log *slog.Logger) *BatchRecorder {
	r := &BatchRecorder{sink: sink, log: log, ch: make(chan models.Message, 4096), flushes: make(chan chan struct{}), done: make(chan struct{})}
	go r.loop()
	return r
}

// Record queues m without blocking.
func (r *BatchRecorder) Record(m models.Message) {
	select {
	case r.ch <- m:
	default:
		r.mu.Lock()
		r.dropped++
		r.mu.Unlock()
	}
}

// Dropped returns how many records were dropped because the queue was full.
func (r *BatchRecorder) Dropped() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Flush writes everything queued so far and waits for it (tests, the CLI).
func (r *BatchRecorder) Flush() {
	ack := make(chan struct{})
	select {
	case r.flushes <- ack:
		<-ack
	case <-r.done:
	}
}

// Close writes what is queued and stops.
func (r *BatchRecorder) Close() {
	r.once.Do(func() {
		close(r.ch)
		<-r.done
	})
}

func (r *BatchRecorder) loop() {
	defer close(r.done)
	batch := make([]models.Message, 0, batchSize)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := r.sink.InsertMessages(ctx, batch); err != nil && r.log != nil {
			r.log.Warn("message log write failed", "count", len(batch), "err", err)
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
		cancel()
		batch = batch[:0]
	}
	for {
		select {
		case m, ok := <-r.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, m)
			if len(batch) >= batchSize {
				flush()
			}
		case <-tick.C:
			flush()
		case ack := <-r.flushes:
			for drained := false; !drained; {
				select {
				case m, ok := <-r.ch:
					if !ok {
						drained = true
						break
					}
					batch = append(batch, m)
				default:
					drained = true
				}
			}
			flush()
			close(ack)
		}
	}
}
