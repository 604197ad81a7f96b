package audit

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/akscheck/akscheck/internal/report"
)

// metrics are the audit's Prometheus metrics: those of the latest audit are read from it at
// each scrape (so that an item or a finding gone from the cluster is gone from the metrics),
// the counters are kept.
type metrics struct {
	auditor  *Auditor
	cluster  Cluster
	duration prometheus.Gauge
	audits   prometheus.Counter
	errors   *prometheus.CounterVec
	changes  *prometheus.CounterVec
	// available, pending and dropped say whether the history database can be written and
	// what waits for it.
	available, pending prometheus.Gauge
	dropped            prometheus.Counter

	itemStatus, findings, score, synced *prometheus.Desc
}

func newMetrics(a *Auditor, c Cluster) *metrics {
	m := &metrics{
		auditor: a, cluster: c,
		duration: prometheus.NewGauge(prometheus.GaugeOpts{Name: "akscheck_audit_duration_seconds",
			Help: "Time the latest audit took, from reading the cache to the report (storing it excluded)."}),
		audits: prometheus.NewCounter(prometheus.CounterOpts{Name: "akscheck_audits_total",
			Help: "Audits completed (evaluated; storing them may have failed, see akscheck_audit_errors_total)."}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "akscheck_audit_errors_total",
			Help: "Audit failures by stage: evaluate (no report), store (the report is not in the history), prune."}, []string{"stage"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "akscheck_audit_cluster_changes_total",
			Help: "Changes of the cluster's objects seen by the audit's informers, by kind."}, []string{"kind"}),
		available: prometheus.NewGauge(prometheus.GaugeOpts{Name: "akscheck_history_available",
			Help: "1 while the history database is open and the latest write to it succeeded, 0 while it is unavailable (the latest audit is served from memory)."}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "akscheck_audits_pending",
			Help: "Completed audits kept in memory until the history database can store them."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "akscheck_audits_dropped_total",
			Help: "Completed audits never stored: the history database was unavailable for longer than the pending audits kept in memory."}),
		itemStatus: prometheus.NewDesc("akscheck_item_status",
			"1 for the status of each checklist item in the latest audit, 0 for its other statuses.", []string{"item", "section", "status"}, nil),
		findings: prometheus.NewDesc("akscheck_findings",
			"Findings of the latest audit by check, severity and namespace (\"\" for cluster-scoped objects).", []string{"check", "severity", "namespace"}, nil),
		score: prometheus.NewDesc("akscheck_score",
			"The checklist score (0-100) of the latest audit; absent while no item was evaluated.", nil, nil),
		synced: prometheus.NewDesc("akscheck_informer_synced",
			"1 when the audit's informer of a kind has synced, 0 while it has not (or cannot list it: its items are not evaluated).", []string{"kind"}, nil),
	}
	// Every stage's series exists from the start, so that rate() and increase() see the first
	// error.
	for _, stage := range []string{"evaluate", "store", "prune"} {
		m.errors.WithLabelValues(stage)
	}
	return m
}

// Collectors returns the collectors to register in the server's registry.
func (a *Auditor) Collectors() []prometheus.Collector {
	m := a.metrics
	return append([]prometheus.Collector{m.duration, m.audits, m.errors, m.changes, m.available, m.pending, m.dropped, m},
		a.azure.collectors()...)
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.itemStatus
	ch <- m.findings
	ch <- m.score
	ch <- m.synced
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	for kind, ok := range m.cluster.Synced() {
		ch <- prometheus.MustNewConstMetric(m.synced, prometheus.GaugeValue, b2f(ok), kind)
	}
	rep := m.auditor.Latest()
	if rep == nil {
		return
	}
	for _, it := range rep.Items {
		for _, st := range report.Statuses {
			ch <- prometheus.MustNewConstMetric(m.itemStatus, prometheus.GaugeValue, b2f(it.Status == st), it.ID, it.Section, st)
		}
	}
	type key struct{ check, severity, namespace string }
	count := map[key]int{}
	for _, f := range rep.Findings {
		count[key{f.Check, f.Severity.String(), f.Object.Namespace}]++
	}
	for k, n := range count {
		ch <- prometheus.MustNewConstMetric(m.findings, prometheus.GaugeValue, float64(n), k.check, k.severity, k.namespace)
	}
	if rep.Summary.Score != nil {
		ch <- prometheus.MustNewConstMetric(m.score, prometheus.GaugeValue, *rep.Summary.Score)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
