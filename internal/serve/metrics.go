package serve

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/akscheck/akscheck/internal/admit"
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	decisions *prometheus.CounterVec
	indexes   *prometheus.CounterVec
	latency   prometheus.Histogram
}

func newMetrics(cache CacheState) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "akscheck_admission_requests_total",
			Help: "Admission requests by operation and result (allowed, denied, skipped, error, invalid)."}, []string{"operation", "result"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "akscheck_admission_decisions_total",
			Help: "Findings at admission by check, action (deny, warn, not-evaluated) and namespace; dry runs are not counted."},
			[]string{"check", "action", "namespace"}),
		indexes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "akscheck_admission_index_total",
			Help: "Reviews by how the object was judged beside the cluster's objects: kept (beside the index kept of its namespace) or built (its namespace indexed for the review)."},
			[]string{"index"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "akscheck_admission_request_duration_seconds",
			Help:    "Time to answer an admission request, from reading it to writing the answer.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
	}
	m.registry.MustRegister(m.requests, m.decisions, m.indexes, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cache != nil {
		m.registry.MustRegister(&cacheCollector{cache: cache, desc: prometheus.NewDesc("akscheck_admission_cache_synced",
			"1 when the cluster cache of a kind has synced, 0 while it has not (its checks are not evaluated).", []string{"kind"}, nil)})
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// decided counts a decision's findings.
func (m *metrics) decided(namespace string, d admit.Decision) {
	for _, v := range d.Denied {
		m.decisions.WithLabelValues(v.Check, "deny", namespace).Inc()
	}
	for _, v := range d.Warned {
		m.decisions.WithLabelValues(v.Check, "warn", namespace).Inc()
	}
	for _, n := range d.NotEvaluated {
		m.decisions.WithLabelValues(n.Check, "not-evaluated", namespace).Inc()
	}
}

// cacheCollector reports the cache's sync state at each scrape.
type cacheCollector struct {
	cache CacheState
	desc  *prometheus.Desc
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for kind, ok := range c.cache.Synced() {
		v := 0.0
		if ok {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, kind)
	}
}
