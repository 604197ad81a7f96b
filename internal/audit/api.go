package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/render/jsonout"
)

// Limits of the API's lists.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Query is a decoded query of the API.
type Query struct {
	// Since is the reports' since; NewSince and FixedSince the findings' (exactly one).
	Since, NewSince, FixedSince time.Time
	// Fixed says the findings query is fixed-since (else new-since).
	Fixed bool
	Limit int
	// Cluster, when given, is the cluster of the fleet to read instead of the server's own.
	Cluster string
}

// DecodeQuery decodes the query string of path (one of /api/v1/reports and
// /api/v1/findings): known parameters only, each once, times in RFC 3339, limit 1-1000.
func DecodeQuery(path, raw string) (Query, error) {
	q := Query{Limit: DefaultLimit}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return q, fmt.Errorf("the query string is not valid: %w", err)
	}
	allowed := []string{"cluster", "limit", "since"}
	switch path {
	case findingsPath:
		allowed = []string{"cluster", "limit", "new-since", "fixed-since"}
	case latestPath:
		allowed = []string{"cluster"}
	case fleetItemsPath, fleetFindingsPath:
		allowed = []string{"limit"}
	case fleetPath:
		allowed = nil
	}
	for name, vs := range values {
		if !slices.Contains(allowed, name) {
			if len(allowed) == 0 {
				return q, fmt.Errorf("unknown parameter %q: %s takes no parameters", name, path)
			}
			return q, fmt.Errorf("unknown parameter %q: %s takes %s", name, path, strings.Join(allowed, ", "))
		}
		if len(vs) != 1 {
			return q, fmt.Errorf("parameter %q given %d times: give it once", name, len(vs))
		}
		v := vs[0]
		switch name {
		case "cluster":
			if err := ValidateClusterName(v); err != nil {
				return q, err
			}
			q.Cluster = v
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxLimit {
				return q, fmt.Errorf("limit %q: want a number from 1 to %d", v, MaxLimit)
			}
			q.Limit = n
		default:
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return q, fmt.Errorf("%s %q: want an RFC 3339 time such as 2026-12-01T00:00:00Z", name, v)
			}
			switch name {
			case "since":
				q.Since = t
			case "new-since":
				q.NewSince = t
			case "fixed-since":
				q.FixedSince, q.Fixed = t, true
			}
		}
	}
	if path == findingsPath && values.Has("new-since") == values.Has("fixed-since") {
		return q, errors.New("give one of new-since and fixed-since (an RFC 3339 time)")
	}
	return q, nil
}

// NextSinceHeader is set on an answer of /api/v1/reports that left audits out (limit, or
// history.MaxReportsBytes) to the since of the next request.
const NextSinceHeader = "Akscheck-Next-Since"

const (
	latestPath        = "/api/v1/reports/latest"
	reportsPath       = "/api/v1/reports"
	findingsPath      = "/api/v1/findings"
	fleetPath         = "/api/v1/fleet"
	fleetItemsPath    = "/api/v1/fleet/items"
	fleetFindingsPath = "/api/v1/fleet/findings"
)

// Handler serves the API: GET /api/v1/reports/latest (the latest report, the JSON contract),
// /api/v1/reports?since=T&limit=N (a JSON array of reports, oldest first) and
// /api/v1/findings?new-since=T or ?fixed-since=T (findings across audits), each of the
// server's cluster or, with cluster=NAME, of another cluster sharing the history; the fleet,
// /api/v1/fleet, /api/v1/fleet/items and /api/v1/fleet/findings (fleet.go); and the
// dashboard, GET /?since=24h&namespace=N&check=C&cluster=NAME (dashboard.go) and /fleet.
func (a *Auditor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.serveDashboard)
	mux.HandleFunc("GET "+latestPath, a.serveLatest)
	mux.HandleFunc("GET "+reportsPath, a.serveReports)
	mux.HandleFunc("GET "+findingsPath, a.serveFindings)
	mux.HandleFunc("GET /fleet", a.serveFleetPage)
	mux.HandleFunc("GET "+fleetPath, a.serveFleet)
	mux.HandleFunc("GET "+fleetItemsPath, a.serveFleetItems)
	mux.HandleFunc("GET "+fleetFindingsPath, a.serveFleetFindings)
	return mux
}

func (a *Auditor) serveLatest(w http.ResponseWriter, r *http.Request) {
	q, err := DecodeQuery(latestPath, r.URL.RawQuery)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	if q.Cluster != "" {
		if store, other, err := a.clusterStore(r.Context(), q.Cluster); err != nil {
			a.clusterError(w, err)
			return
		} else if other {
			a.serveStoredLatest(w, r, store)
			return
		}
	}
	// The latest audit in memory first: it is the truth even while the database cannot
	// store it (the audits pending there are older or the same).
	if rep := a.Latest(); rep != nil {
		var buf bytes.Buffer
		if err := jsonout.Render(&buf, rep); err != nil {
			apiError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, buf.Bytes())
		return
	}
	// Before the first audit of this process: the latest one in the history.
	store, err := a.db()
	if err != nil {
		a.storeError(w, err)
		return
	}
	a.serveStoredLatest(w, r, store)
}

func (a *Auditor) serveStoredLatest(w http.ResponseWriter, r *http.Request, store *history.Store) {
	_, body, err := store.Latest(r.Context())
	if err == nil {
		writeJSON(w, body)
		return
	}
	if errors.Is(err, history.ErrNoAudit) {
		apiError(w, http.StatusServiceUnavailable, "no audit has completed yet")
		return
	}
	a.storeError(w, err)
}

func (a *Auditor) serveReports(w http.ResponseWriter, r *http.Request) {
	q, err := DecodeQuery(reportsPath, r.URL.RawQuery)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	store, _, err := a.clusterStore(r.Context(), q.Cluster)
	if err != nil {
		a.clusterError(w, err)
		return
	}
	reports, next, err := store.ReportsSince(r.Context(), q.Since, q.Limit)
	if err != nil {
		a.storeError(w, err)
		return
	}
	if !next.IsZero() {
		// More audits than one answer holds: the client asks again from here.
		w.Header().Set(NextSinceHeader, next.Format(time.RFC3339Nano))
	}
	var buf bytes.Buffer
	buf.WriteString("[")
	for i, rep := range reports {
		if i > 0 {
			buf.WriteString(",\n")
		}
		buf.Write(bytes.TrimRight(rep, "\n"))
	}
	buf.WriteString("]\n")
	writeJSON(w, buf.Bytes())
}

func (a *Auditor) serveFindings(w http.ResponseWriter, r *http.Request) {
	q, err := DecodeQuery(findingsPath, r.URL.RawQuery)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	store, _, err := a.clusterStore(r.Context(), q.Cluster)
	if err != nil {
		a.clusterError(w, err)
		return
	}
	var fs []history.Finding
	if q.Fixed {
		fs, err = store.FindingsFixedSince(r.Context(), q.FixedSince, q.Limit)
	} else {
		fs, err = store.FindingsNewSince(r.Context(), q.NewSince, q.Limit)
	}
	if err != nil {
		a.storeError(w, err)
		return
	}
	body, err := json.Marshal(fs)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, append(body, '\n'))
}

// db returns the store to read, or why it is unavailable (not opened yet).
func (a *Auditor) db() (*history.Store, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.store == nil {
		return nil, a.storeErr
	}
	return a.store, nil
}

func (a *Auditor) storeError(w http.ResponseWriter, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	a.log.Error("reading the history failed", "error", err.Error())
	apiError(w, http.StatusServiceUnavailable, err.Error())
}

func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func apiError(w http.ResponseWriter, code int, msg string) {
	body, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}
