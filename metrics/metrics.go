// Package metrics exposes familybot's Prometheus metrics: messages by route,
// webhook latency, outbox deliveries, depth and failures, and the unanswered rate.
package metrics

import (
	"context"
	"familybot/models"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// OutboxCounter reports outbox rows by status (store.Store).
type OutboxCounter interface {
	OutboxStats(ctx context.Context) (map[string]int64, error)
}

// Metrics holds the collectors on a private registry.
type Metrics struct {
	Registry   *prometheus.Registry
	messages   *prometheus.CounterVec
	latency    prometheus.Histogram
	deliveries *prometheus.CounterVec
}

// New registers every collector. outbox may be nil.
func New(outbox OutboxCounter) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.messages = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "familybot_messages_total", Help: "Inbound messages by the route that answered them.",
	}, []string{"route"})
	m.latency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "familybot_reply_seconds", Help: "Time from receiving a message to having its reply.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2, 4, 8},
	})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "familybot_outbox_deliveries_total", Help: "Outbox delivery attempts by channel and outcome (sent, retry, failed, fallback_template).",
	}, []string{"channel", "outcome"})
	m.Registry.MustRegister(m.messages, m.latency, m.deliveries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if outbox != nil {
		m.Registry.MustRegister(&outboxCollector{src: outbox,
			depth: prometheus.NewDesc("familybot_outbox_messages", "Outbox messages by status (pending is the depth, failed need staff attention).", []string{"status"}, nil)})
	}
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "familybot_unanswered_ratio", Help: "Share of resident questions (faq, clarify, fallback routes) that ended in the fallback since start.",
	}, m.unansweredRatio))
	return m
}

// ObserveMessage counts one answered message (webhook.Observe).
func (m *Metrics) ObserveMessage(route models.Route, d time.Duration) {
	m.messages.WithLabelValues(string(route)).Inc()
	m.latency.Observe(d.Seconds())
}

// ObserveDelivery counts one outbox attempt (outbox.Worker.OnResult).
func (m *Metrics) ObserveDelivery(channel, outcome string) {
	m.deliveries.WithLabelValues(channel, outcome).Inc()
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

func (m *Metrics) unansweredRatio() float64 {
	get := func(route models.Route) float64 {
		c, err := m.messages.GetMetricWithLabelValues(string(route))
		if err != nil {
			return 0
		}
		var out = &dto{}
		_ = out.read(c)
		return out.v
	}
	miss := get(models.RouteFallback)
	total := miss + get(models.RouteFAQ) + get(models.RouteClarify)
	if total == 0 {
		return 0
	}
	return miss / total
}

type outboxCollector struct {
	src   OutboxCounter
	depth *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.src.OutboxStats(ctx)
	if err != nil {
		return
	}
	for _, s := range []string{"pending", "sent", "failed"} {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(stats[s]), s)
	}
}
