package audit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

// fileCluster stands for the cache: each audit reads the manifests in dir.
type fileCluster struct {
	t   *testing.T
	dir string
	mu  sync.Mutex
}

func (c *fileCluster) Synced() map[string]bool { return map[string]bool{"Deployment": true} }

func (c *fileCluster) ClusterScan(_, _, _ string) *subject.Scan {
	c.mu.Lock()
	defer c.mu.Unlock()
	return load.Load(c.t.Context(), []string{c.dir}, load.Options{})
}

const privileged = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        securityContext: {privileged: PRIV}
`

func write(t *testing.T, dir string, priv bool) {
	t.Helper()
	v := "false"
	if priv {
		v = "true"
	}
	if err := os.WriteFile(filepath.Join(dir, "web.yaml"), []byte(strings.Replace(privileged, "PRIV", v, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, h http.Handler, url string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, url, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestAuditStoresAndServes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, true)
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"},
		Cluster: &fileCluster{t: t, dir: dir}, Store: store, Context: "test",
		Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler()
	if code, body := get(t, h, "/api/v1/reports/latest"); code != http.StatusServiceUnavailable {
		t.Fatalf("before any audit: %d %s", code, body)
	}
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	code, body := get(t, h, "/api/v1/reports/latest")
	var rep report.Report
	if code != http.StatusOK || json.Unmarshal([]byte(body), &rep) != nil {
		t.Fatalf("latest: %d %s", code, body)
	}
	if !hasFinding(rep.Findings, "privileged-container") {
		t.Fatalf("the privileged Deployment has no finding in %v", rep.Findings)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(a.Collectors()...)
	if n, err := testutil.GatherAndCount(reg, "akscheck_score", "akscheck_item_status", "akscheck_findings", "akscheck_audit_duration_seconds"); err != nil || n < 4 {
		t.Fatalf("metrics: %d series (%v)", n, err)
	}

	write(t, dir, false)
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	code, body = get(t, h, "/api/v1/findings?fixed-since=2026-12-01T00:00:00Z")
	var fixed []history.Finding
	if code != http.StatusOK || json.Unmarshal([]byte(body), &fixed) != nil {
		t.Fatalf("fixed: %d %s", code, body)
	}
	found := false
	for _, f := range fixed {
		if f.Check == "privileged-container" {
			found = true
			if f.FixedAt == nil || !f.FirstSeen.Before(*f.FixedAt) {
				t.Errorf("fixed finding %+v", f)
			}
		}
	}
	if !found {
		t.Fatalf("the privileged finding is not reported fixed: %s", body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/api/v1/reports?since=2026-12-01T00:00:00Z&limit=1", nil))
	var reports []report.Report
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &reports) != nil || len(reports) != 1 {
		t.Fatalf("reports, limit 1: %d %.200s", rec.Code, rec.Body.String())
	}
	next := rec.Header().Get(NextSinceHeader)
	if next == "" {
		t.Fatal("no next since after a limit that left an audit out")
	}
	code, body = get(t, h, "/api/v1/reports?since="+url.QueryEscape(next))
	if code != http.StatusOK || json.Unmarshal([]byte(body), &reports) != nil || len(reports) != 1 {
		t.Fatalf("reports from the next since: %d %.200s", code, body)
	}
	for _, bad := range []string{"/api/v1/reports?since=yesterday", "/api/v1/reports?limit=0", "/api/v1/findings",
		"/api/v1/findings?new-since=2026-12-01T00:00:00Z&fixed-since=2026-12-01T00:00:00Z", "/api/v1/reports?x=1",
		"/api/v1/reports/latest?since=2026-12-01T00:00:00Z"} {
		if code, body := get(t, h, bad); code != http.StatusBadRequest || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s, want 400 with an error", bad, code, body)
		}
	}
}

// TestStoreDownServesMemory: a database that goes away fails the audit's storing, counts an
// error, and the latest report is still served from memory.
func TestStoreDownServesMemory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, true)
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All()},
		Cluster: &fileCluster{t: t, dir: dir}, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	if _, err := a.Audit(t.Context()); err == nil || !strings.Contains(err.Error(), "history database") {
		t.Fatalf("audit into a closed database: %v", err)
	}
	if got := testutil.ToFloat64(a.metrics.errors.WithLabelValues("store")); got != 1 {
		t.Errorf("store errors: %v", got)
	}
	if code, body := get(t, a.Handler(), "/api/v1/reports/latest"); code != http.StatusOK || !strings.Contains(body, "privileged") {
		t.Fatalf("latest from memory: %d %.200s", code, body)
	}
}

func TestKinds(t *testing.T) {
	t.Parallel()
	all := Kinds(checks.All())
	names := map[string]bool{}
	for _, k := range all {
		names[k.Kind] = true
	}
	for _, want := range []string{"Namespace", "Deployment", "Pod", "Secret", "NetworkPolicy", "Node"} {
		if !names[want] {
			t.Errorf("the audit does not watch %s", want)
		}
	}
	for _, k := range all {
		if k.Kind == "Secret" && !k.MetadataOnly {
			t.Error("Secrets must be watched as metadata only")
		}
	}
}

func hasFinding(fs []report.Finding, checkID string) bool {
	for _, f := range fs {
		if f.Check == checkID {
			return true
		}
	}
	return false
}

var querySeeds = []string{"", "since=2026-12-01T00:00:00Z", "since=2026-12-01T00:00:00Z&limit=5", "limit=1000",
	"limit=0", "limit=-1", "limit=99999999999999999999", "since=yesterday", "since=a&since=b", "new-since=2026-12-01T00:00:00Z",
	"fixed-since=2026-12-01T00:00:00%2B02:00", "new-since=x&fixed-since=y", "%zz", "a=1;b=2", "limit=1e3", "cluster=prod", "cluster=a%0Ab", "cluster=%FF&since=2026-12-01T00:00:00Z"}

func TestDecodeQuery(t *testing.T) {
	t.Parallel()
	q, err := DecodeQuery(reportsPath, "since=2026-12-01T00:00:00Z&limit=5")
	if err != nil || q.Limit != 5 || q.Since.Year() != 2026 {
		t.Fatalf("%+v %v", q, err)
	}
	if q, err := DecodeQuery(findingsPath, "fixed-since=0001-01-01T00:00:00Z"); err != nil || !q.Fixed || q.Limit != DefaultLimit {
		t.Fatalf("%+v %v", q, err)
	}
	for _, bad := range []string{"since=yesterday", "limit=0", "limit=1001", "since=a&since=b", "new-since=2026-12-01T00:00:00Z", "%zz"} {
		if _, err := DecodeQuery(reportsPath, bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// FuzzReportsQuery: the decoder never panics, and what it accepts is within bounds.
func FuzzReportsQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, findings bool) {
		path := reportsPath
		if findings {
			path = findingsPath
		}
		q, err := DecodeQuery(path, raw)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		if q.Limit < 1 || q.Limit > MaxLimit {
			t.Fatalf("%q: limit %d accepted", raw, q.Limit)
		}
		if findings && q.Fixed == q.FixedSince.IsZero() && !q.FixedSince.IsZero() {
			t.Fatalf("%q: fixed-since decoded as %+v", raw, q)
		}
		if q.Cluster != "" && ValidateClusterName(q.Cluster) != nil {
			t.Fatalf("%q: cluster %q accepted", raw, q.Cluster)
		}
	})
}

// TestStoreUnavailableAtStart: a database whose directory does not exist yet does not stop
// the auditor; its audits are served from memory, kept (the oldest dropped past MaxPending)
// and stored in order once the directory appears.
func TestStoreUnavailableAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, true)
	dbDir := filepath.Join(t.TempDir(), "later")
	file := filepath.Join(dbDir, "h.db")
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All()},
		Cluster: &fileCluster{t: t, dir: dir}, MaxPending: 3,
		Open: func(ctx context.Context) (*history.Store, error) { return history.Open(ctx, file) },
		Now:  func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(a.Collectors()...)
	h := a.Handler()
	var started []string
	for i := range 4 {
		write(t, dir, i%2 == 0)
		rep, err := a.Audit(t.Context())
		if err == nil || !strings.Contains(err.Error(), "directory must exist") {
			t.Fatalf("audit %d into a missing directory: %v", i, err)
		}
		started = append(started, rep.GeneratedAt)
		code, body := get(t, h, "/api/v1/reports/latest")
		var latest report.Report
		if code != http.StatusOK || json.Unmarshal([]byte(body), &latest) != nil ||
			latest.GeneratedAt != rep.GeneratedAt || hasFinding(latest.Findings, "privileged-container") != (i%2 == 0) {
			t.Fatalf("latest from memory after audit %d: %d %.200s", i, code, body)
		}
	}
	if a.StoreErr() == nil || a.Pending() != 3 || testutil.ToFloat64(a.metrics.available) != 0 ||
		testutil.ToFloat64(a.metrics.dropped) != 1 || testutil.ToFloat64(a.metrics.pending) != 3 {
		t.Fatalf("unavailable: err %v, pending %d, available %v, dropped %v", a.StoreErr(), a.Pending(),
			testutil.ToFloat64(a.metrics.available), testutil.ToFloat64(a.metrics.dropped))
	}
	if code, body := get(t, h, "/api/v1/reports?since=2026-12-01T00:00:00Z"); code != http.StatusServiceUnavailable {
		t.Errorf("history while unavailable: %d %s", code, body)
	}
	// The dashboard shows the latest audit from memory, and says the history is missing.
	if code, body := get(t, h, "/"); code != http.StatusOK || !strings.Contains(body, `id="history-unavailable"`) ||
		!strings.Contains(body, "directory must exist") || !strings.Contains(body, `id="h-scorecard"`) ||
		!strings.Contains(body, `id="findings"`) || strings.Contains(body, `id="h-trend"`) {
		t.Errorf("dashboard while the history is unavailable: %d %.300s", code, body)
	}

	if err := os.Mkdir(dbDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := a.flush(t.Context()); err != nil {
		t.Fatalf("catching up: %v", err)
	}
	if a.StoreErr() != nil || a.Pending() != 0 || testutil.ToFloat64(a.metrics.available) != 1 {
		t.Fatalf("caught up: err %v, pending %d", a.StoreErr(), a.Pending())
	}
	code, body := get(t, h, "/api/v1/reports?since=2026-12-01T00:00:00Z")
	var reports []report.Report
	if code != http.StatusOK || json.Unmarshal([]byte(body), &reports) != nil {
		t.Fatalf("history: %d %.200s", code, body)
	}
	var got []string
	for _, r := range reports {
		got = append(got, r.GeneratedAt)
	}
	// The first audit was dropped; the three others are stored in order.
	if !slices.Equal(got, started[1:]) {
		t.Fatalf("stored audits %v, want %v", got, started[1:])
	}
	// The next audit goes straight to the history.
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestRunRetriesTheStore: Run retries a database unavailable at the start with backoff and
// stores the audit kept in memory once it is there.
func TestRunRetriesTheStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, true)
	dbDir := filepath.Join(t.TempDir(), "later")
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All()},
		Cluster: &fileCluster{t: t, dir: dir}, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Open: func(ctx context.Context) (*history.Store, error) {
			return history.Open(ctx, filepath.Join(dbDir, "h.db"))
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; a.Close() }()
	waitFor(t, "the first audit", func() bool { return a.Pending() == 1 })
	if err := os.Mkdir(dbDir, 0o700); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the history", func() bool { return a.StoreErr() == nil && a.Pending() == 0 })
	if code, body := get(t, a.Handler(), "/api/v1/reports?since=2000-01-01T00:00:00Z"); code != http.StatusOK || !strings.HasPrefix(body, "[{") {
		t.Fatalf("history: %d %.200s", code, body)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
