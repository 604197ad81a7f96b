// Package audit is akscheck serve --audit: a thin front-end that judges the whole cluster,
// as the informer cache of internal/load/live holds it, with scan.Evaluate (the engine every
// front-end calls) every resync interval and shortly after the cluster changes, and stores
// each report in the history database. It serves the reports and the findings across audits
// as JSON (api.go) and the latest audit as Prometheus metrics (metrics.go).
package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

// Defaults of the options.
const (
	DefaultResync    = 10 * time.Minute
	DefaultDebounce  = 30 * time.Second
	DefaultRetention = 30 * 24 * time.Hour
	// DefaultReportRetention keeps every audit's report for a day, then one a day: a large
	// cluster's report is megabytes, the rest of an audit a few rows.
	DefaultReportRetention = 24 * time.Hour
	DefaultSyncWait        = 30 * time.Second
	// DefaultMaxPending audits of 16 reports are a few MiB of memory at most, and at the
	// default resync more than 2 h of a database outage.
	DefaultMaxPending = 16
	DefaultBackoff    = time.Second
	DefaultMaxBackoff = time.Minute
)

// Cluster is what the audit reads of the cluster: live.Cache.
type Cluster interface {
	Synced() map[string]bool
	ClusterScan(contextName, server, version string) *subject.Scan
}

// Options configure an Auditor.
type Options struct {
	// Scan holds the catalog, checks, settings and policy, as akscheck scan resolves them.
	Scan scan.Request
	// Cluster is the cache of the cluster's objects; Store keeps the history.
	Cluster Cluster
	Store   *history.Store
	// Open, when Store is nil, opens the history database: at the start and again after it
	// failed, with backoff, so that a database unavailable at the start or gone away does not
	// stop the audit (the server serves the latest audit from memory meanwhile).
	Open func(ctx context.Context) (*history.Store, error)
	// MaxPending bounds the completed audits kept in memory while the database cannot store
	// them (DefaultMaxPending); they are written in order when it can again, the oldest
	// dropped past the bound.
	MaxPending int
	// Backoff is the first wait before retrying the database, doubled up to MaxBackoff (DefaultBackoff, DefaultMaxBackoff).
	Backoff, MaxBackoff time.Duration
	// Context and Server name the cluster in the reports; Version returns the API server's
	// version at each audit.
	Context, Server string
	Version         func(ctx context.Context) (string, error)
	// Resync is the interval of full audits; Debounce how long the audit waits after the
	// last change of the cluster before it runs (at most 4 × Debounce after the first one,
	// so that a cluster that never stops changing is still audited). Changes bounded to
	// namespaces are audited incrementally, IncrementalDebounce after the last one (see
	// changeWait).
	Resync, Debounce, IncrementalDebounce time.Duration
	// Retention is how long audits are kept; ReportRetention how long each audit's whole report
	// is (DefaultReportRetention), after which only the last report of each UTC day stays
	// (the audits' scores, items and findings stay for Retention).
	Retention, ReportRetention time.Duration
	// SyncWait bounds how long the first audit waits for the cache to sync; the kinds still
	// missing then leave their items not evaluated.
	SyncWait time.Duration
	// Events, when set, publishes the findings each audit saw first as Kubernetes Events.
	Events *Events
	// Azure, when set, reads the Azure side of the cluster every Azure.Interval (azure.go);
	// without it the items that need it are not evaluated.
	Azure *AzureOptions
	// Log receives the structured logs; nil discards them.
	Log *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Auditor runs audits and keeps the latest in memory.
type Auditor struct {
	opts    Options
	log     *slog.Logger
	changes chan struct{}
	metrics *metrics
	inc     incremental
	// azure is the Azure pass's latest read (nil without Options.Azure).
	azure *azureState

	mu sync.Mutex
	// latest is served and exported while the database cannot be written or read.
	latest *report.Report

	// storeMu serializes the writes to the history (and the opening of the store): the
	// pending audits are written in order by whichever of an audit and a retry comes first.
	storeMu sync.Mutex
	// store is nil until it opens; storeErr is why the history is unavailable (nil: it is
	// available); pending are the completed audits not yet stored, oldest first. store and
	// storeErr are read under mu too (by the API and readiness), written under both.
	store    *history.Store
	storeErr error
	pending  []pendingAudit
	// unpublished is the start of the oldest audit stored since the Events were last
	// published (zero: none), under storeMu: the Events of a catch-up's audits too.
	unpublished time.Time
}

// pendingAudit is a completed audit waiting for the database.
type pendingAudit struct {
	started, finished time.Time
	rep               *report.Report
}

// errNotOpened is the history's state before the first attempt to open it.
var errNotOpened = errors.New("history database not opened yet")

// New returns an auditor.
func New(opts Options) (*Auditor, error) {
	if opts.Cluster == nil || (opts.Store == nil && opts.Open == nil) {
		return nil, errors.New("audit: a cluster cache and a history store (or a way to open one) are required")
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = DefaultMaxPending
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.MaxBackoff < opts.Backoff {
		opts.MaxBackoff = max(DefaultMaxBackoff, opts.Backoff)
	}
	if opts.Resync <= 0 {
		opts.Resync = DefaultResync
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.IncrementalDebounce <= 0 {
		opts.IncrementalDebounce = min(DefaultIncrementalDebounce, opts.Debounce)
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.ReportRetention <= 0 {
		opts.ReportRetention = DefaultReportRetention
	}
	if opts.SyncWait <= 0 {
		opts.SyncWait = DefaultSyncWait
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Scan.Now == nil {
		// Reports of the audit are dated (a scan's are only when asked).
		opts.Scan.Now = opts.Now
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Auditor{opts: opts, log: log, changes: make(chan struct{}, 1), store: opts.Store, azure: newAzureState(opts.Azure)}
	a.inc.memo = &engine.Memo{}
	a.metrics = newMetrics(a, opts.Cluster)
	if a.store == nil {
		a.storeErr = errNotOpened
	} else {
		a.metrics.available.Set(1)
	}
	return a, nil
}

// Run audits until ctx ends: once the cache has synced (or SyncWait has passed), then every
// Resync and Debounce after changes.
func (a *Auditor) Run(ctx context.Context) error {
	// Open the database now, not at the first audit: /readyz and the metrics say at once
	// whether it is available.
	if err := a.flush(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("history database unavailable; retrying", "error", err.Error())
	}
	if err := a.waitSynced(ctx); err != nil {
		return nil //nolint:nilerr // the context ended: a normal stop
	}
	defer a.startAzure(ctx)()
	// Changes seen while the cache filled are in the first audit.
	select {
	case <-a.changes:
	default:
	}
	last := time.Now()
	a.runOnce(ctx, "start")
	resync := time.NewTicker(a.opts.Resync)
	defer resync.Stop()
	var debounce <-chan time.Time
	var first time.Time
	backoff := a.opts.Backoff
	for {
		// While the history is unavailable, retry it with backoff: the pending audits land
		// when it is back, not only at the next audit.
		var retry <-chan time.Time
		if a.StoreErr() != nil {
			retry = time.After(backoff)
		} else {
			backoff = a.opts.Backoff
		}
		select {
		case <-ctx.Done():
			return nil
		case <-retry:
			err := a.flush(ctx)
			switch {
			case err == nil:
				// The audits kept in memory are stored: their findings' Events.
				a.publishEvents(ctx)
			case ctx.Err() == nil:
				backoff = min(2*backoff, a.opts.MaxBackoff)
				a.log.Warn("history database still unavailable", "error", err.Error(), "pending", a.Pending(), "retry", backoff.String())
			}
		case <-resync.C:
			debounce = nil
			last = time.Now()
			a.runOnce(ctx, "resync")
		case <-a.changes:
			now := time.Now()
			if debounce == nil {
				first = now
			}
			debounce = time.After(a.changeWait(now, first, last, a.changesBounded()))
		case <-debounce:
			debounce = nil
			last = time.Now()
			a.runOnce(ctx, "change")
		}
	}
}

func (a *Auditor) waitSynced(ctx context.Context) error {
	deadline := time.Now().Add(a.opts.SyncWait)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		var pending []string
		for kind, ok := range a.opts.Cluster.Synced() {
			if !ok {
				pending = append(pending, kind)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			a.log.Warn("auditing before the cache synced: the items that need these kinds are not evaluated", "kinds", pending)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (a *Auditor) runOnce(ctx context.Context, why string) {
	// The start and the resyncs judge the whole cluster (and renew the memo); changes only
	// what they may have changed.
	if _, err := a.audit(ctx, why == "change"); err != nil && ctx.Err() == nil {
		a.log.Error("audit failed", "trigger", why, "error", err.Error())
	}
}

// Audit judges the whole cluster once and stores the report. The report is kept in memory
// (and in the metrics) even when the database fails, which is the error returned.
func (a *Auditor) Audit(ctx context.Context) (*report.Report, error) { return a.audit(ctx, false) }

// audit judges the cluster and stores the report: incrementally when useChanges is set and
// the changes seen since the previous audit are bounded to namespaces (the subjects they
// cannot affect keep the previous audit's outcomes), else whole.
func (a *Auditor) audit(ctx context.Context, useChanges bool) (*report.Report, error) {
	started := a.opts.Now()
	version := ""
	var verr error
	if a.opts.Version != nil {
		version, verr = a.opts.Version(ctx)
	}
	a.inc.evalMu.Lock()
	// Taken before the cache is read: a change seen from now on is in the next audit too.
	changes := a.takeChanges()
	s := a.opts.Cluster.ClusterScan(a.opts.Context, a.opts.Server, version)
	if verr != nil {
		s.Errors = append(s.Errors, subject.LoadError{Source: a.opts.Context, Message: verr.Error()})
	}
	// The AKS resource and registries are subjects of no namespace: every audit judges them.
	az := a.addAzure(s)
	absentAzure(s, az)
	req := a.opts.Scan
	req.Memo = a.inc.memo
	if useChanges && changes.Bounded() {
		req.Dirty = changes.Dirty
	}
	rep, err := evaluate(ctx, req, s)
	stats := a.inc.memo.Stats()
	var unchanged bool
	if err != nil {
		// The memo may be half written: the next audit is a full one.
		a.inc.memo = &engine.Memo{}
	} else if verdict, derr := verdictOf(rep); derr == nil {
		// An incremental audit that finds what the latest recorded one found (a Pod's churn,
		// an object rewritten as it was) is served and exported, not recorded: on a busy
		// cluster, incremental audits come every 30 s, and each record is the whole report
		// (megabytes and seconds at 30,000 objects). Full audits are always recorded, so
		// that the findings' last-seen times advance every resync.
		unchanged = stats.Incremental && verdict == a.inc.recorded
		a.inc.recorded = verdict
	}
	a.inc.evalMu.Unlock()
	finished := a.opts.Now()
	if err != nil {
		a.metrics.errors.WithLabelValues("evaluate").Inc()
		return nil, err
	}
	explainAzure(rep, az)
	a.mu.Lock()
	a.latest = rep
	a.mu.Unlock()
	a.metrics.duration.Set(finished.Sub(started).Seconds())
	a.metrics.audits.Inc()
	a.metrics.observe(stats)
	attrs := []any{"objects", len(s.Objects), "findings", len(rep.Findings), "errors", len(rep.Errors),
		"duration", finished.Sub(started).String(), "incremental", stats.Incremental, "evaluated", stats.Evaluated,
		"subjects", stats.Subjects, "changes", changes.Len()}
	if rep.Summary.Score != nil {
		attrs = append(attrs, "score", *rep.Summary.Score)
	}
	if unchanged {
		a.log.Info("audit unchanged since the latest recorded: not recorded", attrs...)
		return rep, nil
	}
	a.storeMu.Lock()
	a.enqueue(pendingAudit{started: started, finished: finished, rep: rep})
	a.storeMu.Unlock()
	if err := a.flush(ctx); err != nil {
		a.log.Warn("audit kept in memory until the history database is available", append(attrs, "pending", a.Pending(), "error", err.Error())...)
		return rep, err
	}
	a.log.Info("audit stored", attrs...)
	// After Record: the history says which findings this audit, and those a catch-up stored
	// before it, saw first.
	a.publishEvents(ctx)
	store := a.history()
	if n, err := store.Prune(ctx, started.Add(-a.opts.Retention)); err != nil {
		a.metrics.errors.WithLabelValues("prune").Inc()
		a.log.Warn("pruning the history failed", "error", err.Error())
	} else if n > 0 {
		a.log.Info("history pruned", "audits", n, "before", started.Add(-a.opts.Retention).UTC().Format(time.RFC3339))
	}
	if a.opts.ReportRetention < a.opts.Retention {
		cutoff := started.Add(-a.opts.ReportRetention)
		if n, err := store.PruneReports(ctx, cutoff); err != nil {
			a.metrics.errors.WithLabelValues("prune").Inc()
			a.log.Warn("thinning the history's reports failed", "error", err.Error())
		} else if n > 0 {
			a.log.Info("history's reports thinned to one a day", "reports", n, "before", cutoff.UTC().Format(time.RFC3339))
		}
	}
	if err := store.Checkpoint(ctx); err != nil {
		// Readers holding the log keep it for the next audit: not worth an error.
		a.log.Debug("checkpointing the history", "error", err.Error())
	}
	return rep, nil
}

// enqueue adds a completed audit to those waiting for the database (under storeMu),
// dropping the oldest past MaxPending.
func (a *Auditor) enqueue(p pendingAudit) {
	a.pending = append(a.pending, p)
	for len(a.pending) > a.opts.MaxPending {
		a.log.Error("history database unavailable too long: an audit is dropped from the history",
			"started", a.pending[0].started.UTC().Format(time.RFC3339), "pending", a.opts.MaxPending)
		a.pending = a.pending[1:]
		a.metrics.dropped.Inc()
	}
	a.metrics.pending.Set(float64(len(a.pending)))
}

// flush opens the store if it is not open and writes the pending audits to it, oldest
// first, each in its own transaction (Store.Record); it stops at the first failure, which
// it returns, keeping that audit and those after it.
func (a *Auditor) flush(ctx context.Context) error {
	a.storeMu.Lock()
	defer a.storeMu.Unlock()
	store := a.history()
	if store == nil {
		s, err := a.opts.Open(ctx)
		if err != nil {
			a.setStore(nil, fmt.Errorf("opening the history database: %w", err))
			return a.StoreErr()
		}
		a.log.Info("history database opened", "database", s.File())
		store = s
	}
	for len(a.pending) > 0 {
		p := a.pending[0]
		id, err := store.Record(ctx, p.started, p.finished, p.rep)
		if err != nil {
			a.metrics.errors.WithLabelValues("store").Inc()
			a.setStore(store, err)
			return err
		}
		if a.unpublished.IsZero() {
			a.unpublished = p.started
		}
		a.pending = a.pending[1:]
		a.metrics.pending.Set(float64(len(a.pending)))
		a.log.Debug("audit recorded", "audit", id, "started", p.started.UTC().Format(time.RFC3339Nano))
	}
	a.setStore(store, nil)
	return nil
}

func (a *Auditor) setStore(s *history.Store, err error) {
	a.mu.Lock()
	a.store, a.storeErr = s, err
	a.mu.Unlock()
	if err == nil {
		a.metrics.available.Set(1)
	} else {
		a.metrics.available.Set(0)
	}
}

// history returns the store, nil while it has not opened.
func (a *Auditor) history() *history.Store {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.store
}

// StoreErr says why the history database is unavailable (nil: it is available): the
// server's /readyz reports it as degraded.
func (a *Auditor) StoreErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.storeErr
}

// Pending returns how many completed audits wait for the database.
func (a *Auditor) Pending() int {
	a.storeMu.Lock()
	defer a.storeMu.Unlock()
	return len(a.pending)
}

// Close closes the store the auditor opened (Options.Open); call it after Run returned.
func (a *Auditor) Close() error {
	if s := a.history(); s != nil && a.opts.Store == nil {
		return s.Close()
	}
	return nil
}

// evaluate runs the engine, turning a panic past its per-check recovery into an error: one
// bad audit must not end the server.
func evaluate(ctx context.Context, req scan.Request, s *subject.Scan) (rep *report.Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("evaluating the cluster: internal error: %v", p)
		}
	}()
	return scan.Evaluate(ctx, req, s), nil
}

// Latest returns the latest report in memory (nil before the first audit).
func (a *Auditor) Latest() *report.Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.latest
}

var (
	objectType      = reflect.TypeFor[*subject.Object]()
	liveClusterType = reflect.TypeFor[*subject.LiveCluster]()
)

// Kinds returns the kinds the checks read from a cluster, the cache's kinds: those of their
// subjects (Meta.Kinds, or the kinds of their subject type) and those they read besides
// (Requires), and Namespace. A check of any object, or of the live cluster (built from all
// of them), reads every kind; add-on kinds included (the cache watches those the API server
// serves).
func Kinds(checks []*check.Check) []live.Kind {
	want := map[string]bool{"Namespace": true}
	all := false
	for _, c := range checks {
		switch {
		case c.SubjectType() == liveClusterType:
			all = true
		case len(c.Kinds) > 0:
			for _, k := range c.Kinds {
				want[k] = true
			}
		case c.SubjectType() == objectType:
			all = true
		default:
			for _, k := range subject.KindsOf(c.SubjectType()) {
				want[k] = true
			}
		}
		for _, k := range c.Requires {
			want[k] = true
		}
	}
	var out []live.Kind
	for _, k := range live.Kinds() {
		if all || want[k.Kind] {
			out = append(out, k)
		}
	}
	return out
}
