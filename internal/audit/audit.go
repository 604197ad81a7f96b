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
	DefaultSyncWait  = 30 * time.Second
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
	// Context and Server name the cluster in the reports; Version returns the API server's
	// version at each audit.
	Context, Server string
	Version         func(ctx context.Context) (string, error)
	// Resync is the interval of full audits; Debounce how long the audit waits after the
	// last change of the cluster before it runs (at most 4 × Debounce after the first one,
	// so that a cluster that never stops changing is still audited).
	Resync, Debounce time.Duration
	// Retention is how long audits are kept.
	Retention time.Duration
	// SyncWait bounds how long the first audit waits for the cache to sync; the kinds still
	// missing then leave their items not evaluated.
	SyncWait time.Duration
	// Events, when set, publishes the findings each audit saw first as Kubernetes Events.
	Events *Events
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

	mu sync.Mutex
	// latest is served and exported while the database cannot be written or read.
	latest *report.Report
}

// New returns an auditor.
func New(opts Options) (*Auditor, error) {
	if opts.Cluster == nil || opts.Store == nil {
		return nil, errors.New("audit: a cluster cache and a history store are required")
	}
	if opts.Resync <= 0 {
		opts.Resync = DefaultResync
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
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
	a := &Auditor{opts: opts, log: log, changes: make(chan struct{}, 1)}
	a.metrics = newMetrics(a, opts.Cluster)
	return a, nil
}

// Changed tells the auditor the cluster changed (a live.Cache OnChange handler). It never
// blocks.
func (a *Auditor) Changed(kind string) {
	a.metrics.changes.WithLabelValues(kind).Inc()
	select {
	case a.changes <- struct{}{}:
	default:
	}
}

// Run audits until ctx ends: once the cache has synced (or SyncWait has passed), then every
// Resync and Debounce after changes.
func (a *Auditor) Run(ctx context.Context) error {
	if err := a.waitSynced(ctx); err != nil {
		return nil //nolint:nilerr // the context ended: a normal stop
	}
	// Changes seen while the cache filled are in the first audit.
	select {
	case <-a.changes:
	default:
	}
	a.runOnce(ctx, "start")
	resync := time.NewTicker(a.opts.Resync)
	defer resync.Stop()
	var debounce <-chan time.Time
	var first time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-resync.C:
			debounce = nil
			a.runOnce(ctx, "resync")
		case <-a.changes:
			now := time.Now()
			if debounce == nil {
				first = now
			}
			wait := a.opts.Debounce
			if limit := first.Add(4 * a.opts.Debounce).Sub(now); limit < wait {
				wait = max(limit, 0)
			}
			debounce = time.After(wait)
		case <-debounce:
			debounce = nil
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
	if _, err := a.Audit(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("audit failed", "trigger", why, "error", err.Error())
	}
}

// Audit judges the cluster once and stores the report. The report is kept in memory (and
// in the metrics) even when the database fails, which is the error returned.
func (a *Auditor) Audit(ctx context.Context) (*report.Report, error) {
	started := a.opts.Now()
	version := ""
	var verr error
	if a.opts.Version != nil {
		version, verr = a.opts.Version(ctx)
	}
	s := a.opts.Cluster.ClusterScan(a.opts.Context, a.opts.Server, version)
	if verr != nil {
		s.Errors = append(s.Errors, subject.LoadError{Source: a.opts.Context, Message: verr.Error()})
	}
	rep, err := evaluate(ctx, a.opts.Scan, s)
	finished := a.opts.Now()
	if err != nil {
		a.metrics.errors.WithLabelValues("evaluate").Inc()
		return nil, err
	}
	a.mu.Lock()
	a.latest = rep
	a.mu.Unlock()
	a.metrics.duration.Set(finished.Sub(started).Seconds())
	a.metrics.audits.Inc()
	attrs := []any{"objects", len(s.Objects), "findings", len(rep.Findings), "errors", len(rep.Errors),
		"duration", finished.Sub(started).String()}
	if rep.Summary.Score != nil {
		attrs = append(attrs, "score", *rep.Summary.Score)
	}
	id, err := a.opts.Store.Record(ctx, started, finished, rep)
	if err != nil {
		a.metrics.errors.WithLabelValues("store").Inc()
		return rep, err
	}
	a.log.Info("audit stored", append(attrs, "audit", id)...)
	if a.opts.Events != nil {
		// After Record: the history says which findings this audit saw first.
		a.opts.Events.publish(ctx, a.log, a.opts.Store, started, a.opts.Now())
	}
	if n, err := a.opts.Store.Prune(ctx, started.Add(-a.opts.Retention)); err != nil {
		a.metrics.errors.WithLabelValues("prune").Inc()
		a.log.Warn("pruning the history failed", "error", err.Error())
	} else if n > 0 {
		a.log.Info("history pruned", "audits", n, "before", started.Add(-a.opts.Retention).UTC().Format(time.RFC3339))
	}
	if err := a.opts.Store.Checkpoint(ctx); err != nil {
		// Readers holding the log keep it for the next audit: not worth an error.
		a.log.Debug("checkpointing the history", "error", err.Error())
	}
	return rep, nil
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
