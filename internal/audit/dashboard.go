package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/render/dashboard"
	"github.com/akscheck/akscheck/internal/report"
)

// Limits of the dashboard: the audits it charts and the findings each of its lists shows.
const (
	DashboardAudits   = 500
	DashboardFindings = MaxLimit
	// DefaultSince is the dashboard's "changes since" when the query gives none.
	DefaultSince = "24h"
)

// DashboardQuery is a decoded query of the dashboard.
type DashboardQuery struct {
	// Since is as given (DefaultSince when absent); SinceTime is the time it stands for.
	Since     string
	SinceTime time.Time
	// Namespace ("-": cluster-scoped objects) and Check filter the findings ("" for all).
	Namespace, Check string
	// Cluster, when given, is the cluster of the fleet to show instead of the server's own.
	Cluster string
}

// DecodeDashboardQuery decodes the dashboard's query string: since (a duration back from
// now, such as 24h or 7d, or an RFC 3339 time), namespace (a namespace name, or - for
// cluster-scoped objects), check (a check ID of checks) and cluster (a cluster of the
// fleet); known parameters only, each once. An empty value is the same as none (the form
// sends "all" so).
func DecodeDashboardQuery(raw string, now time.Time, checks []string) (DashboardQuery, error) {
	q := DashboardQuery{Since: DefaultSince}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return q, fmt.Errorf("the query string is not valid: %w", err)
	}
	for name, vs := range values {
		if !slices.Contains([]string{"since", "namespace", "check", "cluster"}, name) {
			return q, fmt.Errorf("unknown parameter %q: the dashboard takes since, namespace, check and cluster", name)
		}
		if len(vs) != 1 {
			return q, fmt.Errorf("parameter %q given %d times: give it once", name, len(vs))
		}
		v := strings.TrimSpace(vs[0])
		switch {
		case v == "":
		case name == "since":
			q.Since = v
		case name == "namespace":
			if v != dashboard.NoNamespace {
				if errs := validation.IsDNS1123Label(v); len(errs) > 0 {
					return q, fmt.Errorf("namespace %q is not a namespace name (%s); use - for cluster-scoped objects", v, strings.Join(errs, "; "))
				}
			}
			q.Namespace = v
		case name == "check":
			if !slices.Contains(checks, v) {
				return q, fmt.Errorf("check %q: no check has this ID (see akscheck checks)", v)
			}
			q.Check = v
		case name == "cluster":
			if err := ValidateClusterName(v); err != nil {
				return q, err
			}
			q.Cluster = v
		}
	}
	if q.SinceTime, err = ParseSince(q.Since, now); err != nil {
		return q, err
	}
	return q, nil
}

// ParseSince reads a duration back from now (Go's, with d for days) or an RFC 3339 time, not
// in the future: the dashboard's since and akscheck history's --since.
func ParseSince(v string, now time.Time) (time.Time, error) {
	bad := fmt.Errorf("since %q: want a duration back from now such as 24h, 90m or 7d, or an RFC 3339 time such as 2026-12-01T00:00:00Z", v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		if t.After(now) {
			return time.Time{}, fmt.Errorf("since %q is in the future", v)
		}
		return t, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 36500 {
			return time.Time{}, bad
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d <= 0 {
			return time.Time{}, bad
		}
	}
	return now.Add(-d), nil
}

func (a *Auditor) serveDashboard(w http.ResponseWriter, r *http.Request) {
	ids := make([]string, 0, len(a.opts.Scan.Checks))
	for _, c := range a.opts.Scan.Checks {
		ids = append(ids, c.ID)
	}
	q, err := DecodeDashboardQuery(r.URL.RawQuery, a.opts.Now(), ids)
	if err != nil {
		dashboardError(w, http.StatusBadRequest, "Bad request", err.Error())
		return
	}
	ctx := r.Context()
	if q.Cluster != "" {
		store, other, err := a.clusterStore(ctx, q.Cluster)
		var unknown *errUnknownCluster
		switch {
		case errors.As(err, &unknown):
			dashboardError(w, http.StatusNotFound, "Unknown cluster", err.Error())
			return
		case err != nil:
			a.dashboardStoreError(w, err)
			return
		case other:
			// Another cluster of the fleet: everything from the history, nothing from memory.
			a.serveHistoryDashboard(w, r, store, nil, q, true)
			return
		}
	}
	store, err := a.db()
	if err != nil {
		a.serveFromMemory(w, q, err)
		return
	}
	a.serveHistoryDashboard(w, r, store, a.Latest(), q, false)
}

// serveFromMemory serves the server's own dashboard when its history cannot be read (not
// opened yet, or a server gone away since it opened): the latest audit is in memory whatever
// the database does, so show it and say what is missing, as /api/v1/reports/latest does.
func (a *Auditor) serveFromMemory(w http.ResponseWriter, q DashboardQuery, err error) {
	if rep := a.Latest(); rep != nil {
		a.renderDashboard(w, dashboard.Data{Report: rep, Since: q.Since, SinceTime: q.SinceTime, Namespace: q.Namespace,
			Check: q.Check, Catalog: a.opts.Scan.Catalog, Checks: a.opts.Scan.Checks, Unavailable: err.Error(), Cluster: q.Cluster})
		return
	}
	a.dashboardStoreError(w, err)
}

// serveHistoryDashboard serves the dashboard of store's cluster: rep is its latest report
// (nil: read from the history), other says the cluster is not the server's.
func (a *Auditor) serveHistoryDashboard(w http.ResponseWriter, r *http.Request, store *history.Store, rep *report.Report,
	q DashboardQuery, other bool) {
	ctx := r.Context()
	// The server's own history failing after it opened: its latest audit from memory.
	unavailable := func(err error) {
		if other {
			a.dashboardStoreError(w, err)
			return
		}
		a.serveFromMemory(w, q, err)
	}
	if rep == nil {
		_, body, err := store.Latest(ctx)
		switch {
		case errors.Is(err, history.ErrNoAudit):
			dashboardError(w, http.StatusServiceUnavailable, "No audit yet", "No audit has completed yet: the first one runs once the cluster cache has synced. Reload in a minute.")
			return
		case err != nil:
			a.dashboardStoreError(w, err)
			return
		}
		rep = &report.Report{}
		if err := json.Unmarshal(body, rep); err != nil {
			a.dashboardStoreError(w, fmt.Errorf("decoding the latest report: %w", err))
			return
		}
	}
	points, err := store.History(ctx, time.Time{}, DashboardAudits)
	if err != nil {
		unavailable(err)
		return
	}
	fresh, err := store.FindingsNewSince(ctx, q.SinceTime, DashboardFindings)
	if err != nil {
		unavailable(err)
		return
	}
	fixed, err := store.FindingsFixedSince(ctx, q.SinceTime, DashboardFindings)
	if err != nil {
		unavailable(err)
		return
	}
	d := dashboard.Data{Report: rep, History: points, Since: q.Since, SinceTime: q.SinceTime,
		NewTruncated: len(fresh) == DashboardFindings, FixedTruncated: len(fixed) == DashboardFindings,
		Namespace: q.Namespace, Check: q.Check, Catalog: a.opts.Scan.Catalog, Checks: a.opts.Scan.Checks,
		Cluster: store.Cluster(), Other: other}
	d.Namespaces, d.CheckIDs = dashboard.Options(rep, fresh, fixed)
	d.New, d.Fixed = filterFindings(fresh, q), filterFindings(fixed, q)
	a.renderDashboard(w, d)
}

func (a *Auditor) renderDashboard(w http.ResponseWriter, d dashboard.Data) {
	if d.Namespaces == nil && d.CheckIDs == nil {
		d.Namespaces, d.CheckIDs = dashboard.Options(d.Report, nil, nil)
	}
	var buf bytes.Buffer
	if err := dashboard.Render(&buf, d); err != nil {
		dashboardError(w, http.StatusInternalServerError, "Internal error", err.Error())
		return
	}
	dashboardHeaders(w)
	_, _ = w.Write(buf.Bytes())
}

func filterFindings(fs []history.Finding, q DashboardQuery) []history.Finding {
	return slices.DeleteFunc(slices.Clone(fs), func(f history.Finding) bool {
		return !dashboard.Matches(q.Namespace, q.Check, f.Object.Namespace, f.Check)
	})
}

func (a *Auditor) dashboardStoreError(w http.ResponseWriter, err error) {
	a.log.Error("reading the history failed", "error", err.Error())
	dashboardError(w, http.StatusServiceUnavailable, "History unavailable", err.Error())
}

// dashboardHeaders sets the dashboard's headers: its CSP (with frame-ancestors, which a meta
// element cannot carry), no MIME sniffing, no referrer, no caching of the cluster's state.
func dashboardHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", dashboard.CSP()+"; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

func dashboardError(w http.ResponseWriter, code int, title, msg string) {
	var buf bytes.Buffer
	if err := dashboard.RenderError(&buf, title, msg); err != nil {
		http.Error(w, msg, code)
		return
	}
	dashboardHeaders(w)
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}
