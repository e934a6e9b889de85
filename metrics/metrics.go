// Package metrics is Loa's Prometheus instrumentation: delivery counters
// and latency histograms, the schedule lag and the asynq queues, in a
// registry of its own (never the global default one).
//
// Counters live in the process that counts: `loa worker` counts the
// deliveries it makes and `loa api` exposes only its own (queue gauges, Go
// runtime); `loa serve` runs both in one process, so its /metrics has all.
// With separate processes, scrape each one.
package metrics

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/loa-vn/loa/storage"
)

// Metrics holds the registry and Loa's collectors.
type Metrics struct {
	registry   *prometheus.Registry
	deliveries *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	lag        *prometheus.HistogramVec
}

// New builds a registry with Loa's delivery metrics and the Go runtime
// and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "loa_deliveries_total",
			Help: "Delivery attempts finished by this process, by channel kind and recorded outcome (delivered, retry, failed, unconfirmed).",
		}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "loa_delivery_duration_seconds",
			Help:    "Time one delivery attempt took, by channel kind and outcome.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"kind", "outcome"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "loa_schedule_lag_seconds",
			Help:    "Delivered time minus scheduled time of delivered items, by channel kind.",
			Buckets: []float64{0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
		}, []string{"kind"}),
	}
	m.registry.MustRegister(m.deliveries, m.duration, m.lag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Delivered records one finished attempt: took is its duration; lag, for
// a delivered item, is how late it went out (a negative lag counts as 0).
// It is the worker's Observer.
func (m *Metrics) Delivered(kind, outcome string, took, lag time.Duration) {
	m.deliveries.WithLabelValues(kind, outcome).Inc()
	m.duration.WithLabelValues(kind, outcome).Observe(took.Seconds())
	if outcome == storage.OutcomeDelivered {
		m.lag.WithLabelValues(kind).Observe(max(lag, 0).Seconds())
	}
}

// WatchQueues adds the asynq queues' gauges, read through inspector at
// each scrape.
func (m *Metrics) WatchQueues(inspector *asynq.Inspector, log *slog.Logger) {
	m.registry.MustRegister(&queueCollector{inspector: inspector, log: log})
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry, Timeout: 10 * time.Second})
}

// Registry is the registry, for tests and further collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// queueCollector reports asynq's queue state at each scrape, after the
// names of asynq's own x/metrics collector (a module that is not
// maintained, so not a dependency).
type queueCollector struct {
	inspector *asynq.Inspector
	log       *slog.Logger
}

var (
	queueSize = prometheus.NewDesc("asynq_queue_size", "Tasks in a queue, by state.",
		[]string{"queue", "state"}, nil)
	queueLatency = prometheus.NewDesc("asynq_queue_latency_seconds", "Age of the oldest pending task of a queue.",
		[]string{"queue"}, nil)
	queueMemory = prometheus.NewDesc("asynq_queue_memory_usage_approx_bytes", "Approximate Redis memory of a queue.",
		[]string{"queue"}, nil)
	queueProcessed = prometheus.NewDesc("asynq_tasks_processed_total", "Tasks processed by a queue (succeeded and failed).",
		[]string{"queue"}, nil)
	queueFailed = prometheus.NewDesc("asynq_tasks_failed_total", "Tasks of a queue whose handler failed.",
		[]string{"queue"}, nil)
	queuePaused = prometheus.NewDesc("asynq_queue_paused_total", "1 when a queue is paused.",
		[]string{"queue"}, nil)
	queueUp = prometheus.NewDesc("asynq_up", "1 when the queue state could be read from Redis.", nil, nil)
)

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queueSize, queueLatency, queueMemory, queueProcessed, queueFailed, queuePaused, queueUp} {
		ch <- d
	}
}

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	infos, err := q.read()
	if err != nil {
		q.log.Warn("metrics: cannot read asynq queues", "err", err)
		ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 1)
	for _, in := range infos {
		for state, n := range map[string]int{"pending": in.Pending, "active": in.Active, "scheduled": in.Scheduled,
			"retry": in.Retry, "archived": in.Archived, "completed": in.Completed, "aggregating": in.Aggregating} {
			ch <- prometheus.MustNewConstMetric(queueSize, prometheus.GaugeValue, float64(n), in.Queue, state)
		}
		ch <- prometheus.MustNewConstMetric(queueLatency, prometheus.GaugeValue, in.Latency.Seconds(), in.Queue)
		ch <- prometheus.MustNewConstMetric(queueMemory, prometheus.GaugeValue, float64(in.MemoryUsage), in.Queue)
		ch <- prometheus.MustNewConstMetric(queueProcessed, prometheus.CounterValue, float64(in.ProcessedTotal), in.Queue)
		ch <- prometheus.MustNewConstMetric(queueFailed, prometheus.CounterValue, float64(in.FailedTotal), in.Queue)
		paused := 0.0
		if in.Paused {
			paused = 1
		}
		ch <- prometheus.MustNewConstMetric(queuePaused, prometheus.GaugeValue, paused, in.Queue)
	}
}

func (q *queueCollector) read() ([]*asynq.QueueInfo, error) {
	names, err := q.inspector.Queues()
	if err != nil {
		return nil, err
	}
	infos := make([]*asynq.QueueInfo, 0, len(names))
	for _, name := range names {
		in, err := q.inspector.GetQueueInfo(name)
		if err != nil {
			return nil, err
		}
		infos = append(infos, in)
	}
	return infos, nil
}
