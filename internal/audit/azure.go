package audit

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

// The Azure pass: every AzureOptions.Interval (and at start) the audit reads the Azure side of
// the cluster (the AKS resource, its pools and their upgrade profiles, maintenance
// configurations, diagnostic settings, the Defender plan, the registries its images come
// from) with the code akscheck scan --cluster --azure runs (scan.ReadAKS), keeps the latest
// good read in memory, and joins it into each audit's scan of the cache (scan.JoinAzure: the
// ARM description wins, the Nodes fill the rest).

// DefaultAzureInterval is the default interval of the Azure pass: the AKS resource changes
// rarely, and each pass is about a dozen ARM requests.
const DefaultAzureInterval = time.Hour

// azureStale is how many intervals the latest good Azure read is judged for while later
// passes fail: past that its items are not evaluated rather than judged on an old read.
const azureStale = 2

// AzureKind is the kind the Azure pass hands Changed when it has read the Azure side again:
// a change of the cluster-level subjects (the AKS cluster, its node pools, the registries),
// through the path the informers' changes take. It names no namespace: the audit after it
// is a full one (the read may also bring evidence that makes more checks run).
const AzureKind = "Azure"

// azureChange is the change the Azure pass reports.
var azureChange = live.Change{Kind: AzureKind, Known: true}

// azureSource names the audit's Azure pass in error entries.
const azureSource = "azure"

// AzureOptions turn on the audit's Azure pass.
type AzureOptions struct {
	// Client reads Azure Resource Manager (azure.New: DefaultAzureCredential, which in a pod
	// with workload identity exchanges the projected service account token).
	Client *azure.Client
	// ResourceID is the ARM ID of the AKS cluster; "" finds it as scan.ReadAKS does (by the
	// API server's host name, else by the node resource group the Nodes name).
	ResourceID string
	// Interval is the time between passes (DefaultAzureInterval); a pass may take at most
	// that long.
	Interval time.Duration
}

// azureState is what the Azure pass read: the latest good read and the latest failure.
type azureState struct {
	opts AzureOptions

	mu sync.Mutex
	// id is the cluster's ARM ID once a pass read it (found once, not at every pass).
	id string
	// good is the latest read that holds the AKS cluster, read at goodAt.
	good   *subject.Scan
	goodAt time.Time
	// failure holds the error entries of the latest pass when it could not read the AKS
	// cluster (nil when it could), which ended at failedAt.
	failure  []subject.LoadError
	failedAt time.Time
	// ended says whether a pass has ended.
	ended bool

	lastPass prometheus.Gauge
	success  prometheus.Gauge
	errors   prometheus.Counter
}

func newAzureState(opts *AzureOptions) *azureState {
	if opts == nil {
		return nil
	}
	st := &azureState{opts: *opts, id: opts.ResourceID,
		lastPass: prometheus.NewGauge(prometheus.GaugeOpts{Name: "akscheck_azure_pass_timestamp_seconds",
			Help: "When the audit's latest Azure pass (reading the AKS resource through Azure Resource Manager) ended, as a Unix time."}),
		success: prometheus.NewGauge(prometheus.GaugeOpts{Name: "akscheck_azure_pass_success",
			Help: "1 when the audit's latest Azure pass read the AKS resource, 0 when it could not (the previous read is judged for 2 intervals, then its items are not evaluated)."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "akscheck_azure_read_errors_total",
			Help: "Azure resources the audit's Azure passes could not read (the AKS cluster, a pool, the diagnostic settings, the Defender plan, a registry...), each an error entry of the reports."}),
	}
	if st.opts.Interval <= 0 {
		st.opts.Interval = DefaultAzureInterval
	}
	return st
}

func (st *azureState) collectors() []prometheus.Collector {
	if st == nil {
		return nil
	}
	return []prometheus.Collector{st.lastPass, st.success, st.errors}
}

// startAzure starts the Azure pass (when configured) and waits for its first read, at most
// SyncWait: a first audit that does not wait for it is followed by another once it ends.
// The returned func waits for the pass to stop after ctx ended.
func (a *Auditor) startAzure(ctx context.Context) (wait func()) {
	st := a.azure
	if st == nil {
		return func() {}
	}
	done, first := make(chan struct{}), make(chan struct{})
	// 0: the first audit waits for the first pass; 1: the pass ended in time; 2: the
	// first audit ran without it.
	var state atomic.Int32
	go func() {
		defer close(done)
		a.azurePass(ctx)
		close(first)
		if !state.CompareAndSwap(0, 1) {
			a.Changed(azureChange)
		}
		tick := time.NewTicker(st.opts.Interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				a.azurePass(ctx)
				a.Changed(azureChange)
			}
		}
	}()
	timeout := time.NewTimer(a.opts.SyncWait)
	defer timeout.Stop()
	select {
	case <-first:
	case <-ctx.Done():
	case <-timeout.C:
		if state.CompareAndSwap(0, 2) {
			a.log.Warn("the first Azure pass has not ended: the first audit does not judge the AKS resource; the next one will", "waited", a.opts.SyncWait.String())
		}
	}
	return func() { <-done }
}

// azurePass reads the Azure side once (see RefreshAzure).
func (a *Auditor) azurePass(ctx context.Context) {
	if err := a.RefreshAzure(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("Azure pass failed: the items that read the AKS resource keep the previous read, or are not evaluated", "error", err.Error())
	}
}

// RefreshAzure reads the Azure side of the cluster now (the Azure pass calls it every
// interval) and keeps what it read for the audits that follow; it returns why the AKS
// cluster could not be read, if it could not (the previous read is kept, and judged for at
// most 2 intervals after it was read). It does nothing without AzureOptions. Resources other
// than the cluster that could not be read are error entries of the audits, as in a scan.
func (a *Auditor) RefreshAzure(ctx context.Context) error {
	st := a.azure
	if st == nil {
		return nil
	}
	started := a.opts.Now()
	st.mu.Lock()
	id := st.id
	st.mu.Unlock()
	// The registries read are those the cluster's workloads pull from; without an ID, the
	// cluster is found by the cache's API server and Nodes.
	live := a.opts.Cluster.ClusterScan(a.opts.Context, a.opts.Server, "")
	pctx, cancel := context.WithTimeout(ctx, st.opts.Interval)
	read := scan.ReadAKS(pctx, st.opts.Client, id, live)
	cancel()
	ended := a.opts.Now()
	var cluster *subject.Cluster
	for _, o := range read.Others {
		if c, ok := o.(*subject.Cluster); ok && c.ID != "" {
			cluster = c
		}
	}
	st.lastPass.Set(float64(ended.UnixNano()) / 1e9)
	st.errors.Add(float64(len(read.Errors)))
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ended = true
	if cluster == nil {
		failure := read.Errors
		if len(failure) == 0 {
			failure = []subject.LoadError{{Source: cmp.Or(id, azureSource), Message: "the AKS resource was not read: Azure answered no cluster"}}
		}
		st.failure, st.failedAt = failure, ended
		st.success.Set(0)
		return fmt.Errorf("reading the AKS resource: %s", failure[0].Message)
	}
	st.id = cluster.ID
	st.good, st.goodAt = read, ended
	st.failure = nil
	st.success.Set(1)
	a.log.Info("Azure pass", "cluster", cluster.ID, "resources", len(read.Others), "errors", len(read.Errors),
		"duration", ended.Sub(started).String())
	return nil
}

// azureVerdict is what an audit's scan holds of the Azure side: note is why the items that
// read the AKS resource are not evaluated ("" when the scan holds a read), and entry, when
// set, the error entry that names them.
type azureVerdict struct {
	note, entry string
}

// Reasons of the items that need the AKS resource when the audit has no read of it.
const (
	azureNotConfigured = "Azure access is not configured for the audit (akscheck serve --azure, docs/audit.md): its checks read the AKS resource through Azure Resource Manager"
	azureNotRead       = "the audit's Azure pass could not read the AKS resource (see errors): its checks read it through Azure Resource Manager"
	azureNotYet        = "the audit's Azure pass has not read the AKS resource yet: its checks read it through Azure Resource Manager"
)

// addAzure joins the latest good Azure read into an audit's scan of the cache while it is
// at most 2 intervals old, with the error entries of a pass that failed since; without one
// it says why.
func (a *Auditor) addAzure(s *subject.Scan) azureVerdict {
	st := a.azure
	if st == nil {
		return azureVerdict{note: azureNotConfigured}
	}
	now := a.opts.Now()
	st.mu.Lock()
	good, goodAt, failure, failedAt, ended := st.good, st.goodAt, st.failure, st.failedAt, st.ended
	st.mu.Unlock()
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	limit := azureStale * st.opts.Interval
	if good != nil && now.Sub(goodAt) <= limit {
		scan.JoinAzure(s, good)
		if failure != nil {
			s.Errors = append(s.Errors, failure...)
			s.Errors = append(s.Errors, subject.LoadError{Source: azureSource, Message: fmt.Sprintf(
				"the Azure pass of %s could not read the AKS resource: the audit judges it as read at %s, until %s",
				stamp(failedAt), stamp(goodAt), stamp(goodAt.Add(limit)))})
		}
		return azureVerdict{}
	}
	if !ended {
		return azureVerdict{note: azureNotYet, entry: "the audit's Azure pass has not read the AKS resource yet"}
	}
	s.Errors = append(s.Errors, failure...)
	var entry string
	switch {
	case failure == nil:
		// No pass has ended since the good read (a pass runs at most one interval).
		entry = fmt.Sprintf("the AKS resource as the Azure pass read it at %s is older than %d intervals (%s), and no pass has read it since", stamp(goodAt), azureStale, limit)
	case good != nil:
		entry = fmt.Sprintf("the Azure pass of %s could not read the AKS resource, and its read of %s is older than %d intervals (%s)", stamp(failedAt), stamp(goodAt), azureStale, limit)
	default:
		entry = fmt.Sprintf("the Azure pass of %s could not read the AKS resource", stamp(failedAt))
	}
	return azureVerdict{note: azureNotRead, entry: entry}
}

// explainAzure adds v.entry as an error entry naming the items not evaluated for want of the
// AKS resource: those whose reason the engine gave from the scan's Absent (absentAzure).
func explainAzure(rep *report.Report, v azureVerdict) {
	if v.entry == "" {
		return
	}
	var ids []string
	for _, it := range rep.Items {
		if it.Status == report.StatusNotEvaluated && strings.Contains(it.Reason, v.note) {
			ids = append(ids, it.ID)
		}
	}
	rep.Errors = append(rep.Errors, report.Error{Source: azureSource,
		Message: fmt.Sprintf("%s: %d items are not evaluated (%s)", v.entry, len(ids), strings.Join(ids, ", "))})
}

// absentAzure tells the engine why the scan has no AKS resource nor registries (v.note), so
// that the items needing them say so instead of asking for az output.
func absentAzure(s *subject.Scan, v azureVerdict) {
	if v.note == "" {
		return
	}
	if s.Absent == nil {
		s.Absent = map[catalog.Evidence]string{}
	}
	s.Absent[catalog.ARM], s.Absent[catalog.ACR] = v.note, v.note
}
