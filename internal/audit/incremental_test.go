package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
)

const otherNamespace = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: other}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: nginx:1.27}]
`

// TestIncrementalAudit: a change in one namespace is audited incrementally (the metrics say
// how many subjects), with the report of a full audit; a change to a cluster-scoped kind, or
// one whose object is unknown, makes the next audit a full one.
func TestIncrementalAudit(t *testing.T) {
	a, _, dir := fileAuditor(t, Options{})
	if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte(otherNamespace), 0o600); err != nil {
		t.Fatal(err)
	}
	m := a.metrics
	if _, err := a.audit(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	subjects := testutil.ToFloat64(m.subjects)
	if subjects == 0 || testutil.ToFloat64(m.evaluated) != subjects || testutil.ToFloat64(m.incremental) != 0 {
		t.Fatalf("first audit: %v of %v subjects evaluated, %v incremental: want a full audit", testutil.ToFloat64(m.evaluated), subjects, testutil.ToFloat64(m.incremental))
	}

	write(t, dir, true)
	a.Changed(live.Change{Kind: "Deployment", Namespace: "shop", Name: "web", Known: true})
	inc, err := a.audit(t.Context(), true)
	if err != nil {
		t.Fatal(err)
	}
	if !hasFinding(inc.Findings, "privileged-container") {
		t.Fatal("the incremental audit does not see the Deployment made privileged")
	}
	if ev := testutil.ToFloat64(m.evaluated); ev == 0 || ev >= testutil.ToFloat64(m.subjects) || testutil.ToFloat64(m.incremental) != 1 {
		t.Fatalf("after a change in one namespace: %v of %v subjects evaluated, %v incremental audits: want an incremental audit",
			ev, testutil.ToFloat64(m.subjects), testutil.ToFloat64(m.incremental))
	}
	full, err := a.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	inc.GeneratedAt, full.GeneratedAt = "", ""
	if got, want := canonicalJSON(t, inc), canonicalJSON(t, full); got != want {
		t.Fatalf("the incremental report differs from the full one:\n%s\n%s", got, want)
	}

	for _, ch := range []live.Change{{Kind: "ClusterRoleBinding", Name: "admins", Known: true}, {Kind: "Deployment"}, {Kind: "RoleBinding", Namespace: "shop", Name: "x", Known: true}} {
		a.Changed(ch)
		if _, err := a.audit(t.Context(), true); err != nil {
			t.Fatal(err)
		}
		if ev := testutil.ToFloat64(m.evaluated); ev != testutil.ToFloat64(m.subjects) || testutil.ToFloat64(m.incremental) != 1 {
			t.Fatalf("after a change to %+v: %v of %v subjects evaluated: want a full audit", ch, ev, testutil.ToFloat64(m.subjects))
		}
	}
}

// TestChangeWait: changes bounded to namespaces are audited IncrementalDebounce after the
// latest, no sooner than Debounce after the previous audit and no later than Debounce after
// the first; others Debounce after the latest, no later than 4 × Debounce after the first.
func TestChangeWait(t *testing.T) {
	a := &Auditor{opts: Options{Debounce: 30 * time.Second, IncrementalDebounce: 2 * time.Second}}
	t0 := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, tc := range []struct {
		now, first, last int
		bounded          bool
		want             time.Duration
	}{
		{now: 100, first: 100, last: 0, bounded: true, want: 2 * time.Second},
		{now: 10, first: 10, last: 0, bounded: true, want: 20 * time.Second},
		{now: 100, first: 75, last: 0, bounded: true, want: 2 * time.Second},
		{now: 104, first: 75, last: 0, bounded: true, want: time.Second},
		{now: 110, first: 75, last: 0, bounded: true, want: 0},
		{now: 100, first: 100, last: 0, bounded: false, want: 30 * time.Second},
		{now: 200, first: 100, last: 0, bounded: false, want: 20 * time.Second},
	} {
		if got := a.changeWait(at(tc.now), at(tc.first), at(tc.last), tc.bounded); got != tc.want {
			t.Errorf("changeWait(now %d, first %d, last %d, bounded %v) = %s, want %s", tc.now, tc.first, tc.last, tc.bounded, got, tc.want)
		}
	}
}

func canonicalJSON(t *testing.T, r *report.Report) string {
	t.Helper()
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestUnchangedIncrementalAuditNotRecorded: an incremental audit that finds what the latest
// recorded audit found is served (Latest) but not recorded; one that finds something else is,
// and a full audit always is.
func TestUnchangedIncrementalAuditNotRecorded(t *testing.T) {
	a, store, dir := fileAuditor(t, Options{})
	recorded := func() int {
		t.Helper()
		points, err := store.History(t.Context(), time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(points)
	}
	steps := []struct {
		what        string
		privileged  bool
		incremental bool
		want        int
	}{
		{"the first audit", false, true, 1},
		{"an incremental audit of an unchanged verdict", false, true, 1},
		{"an incremental audit of a new finding", true, true, 2},
		{"an incremental audit of the same finding", true, true, 2},
		{"a full audit", true, false, 3},
	}
	for _, st := range steps {
		write(t, dir, st.privileged)
		a.Changed(live.Change{Kind: "Deployment", Namespace: "shop", Name: "web", Known: true})
		rep, err := a.audit(t.Context(), st.incremental)
		if err != nil {
			t.Fatal(err)
		}
		if a.Latest() != rep {
			t.Errorf("%s: not served as the latest", st.what)
		}
		if got := recorded(); got != st.want {
			t.Errorf("%s: %d audits recorded, want %d", st.what, got, st.want)
		}
	}
}

// TestReportRetention: past ReportRetention, the audit thins the history's reports to the
// last of each UTC day; the audits themselves stay.
func TestReportRetention(t *testing.T) {
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, store, _ := fileAuditor(t, Options{ReportRetention: time.Hour, Now: func() time.Time { return clock }})
	// Three audits on the first day, one the next.
	for _, at := range []time.Duration{0, 6 * time.Hour, 12 * time.Hour, 30 * time.Hour} {
		clock = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Add(at)
		if _, err := a.Audit(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	reports, _, err := store.ReportsSince(t.Context(), time.Time{}, 100)
	if err != nil || len(reports) != 2 {
		t.Errorf("%d reports kept (%v), want 2: the first day's last and the latest", len(reports), err)
	}
	points, err := store.History(t.Context(), time.Time{}, 100)
	if err != nil || len(points) != 4 {
		t.Errorf("%d audits kept (%v), want 4", len(points), err)
	}
}

// fileAuditor returns an auditor of the files of a temporary directory (written by write, not
// privileged), with opts' settings, recording into a temporary SQLite history.
func fileAuditor(t *testing.T, opts Options) (*Auditor, *history.Store, string) {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, false)
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts.Scan = scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"}
	opts.Cluster, opts.Store, opts.Context = &fileCluster{t: t, dir: dir}, store, "test"
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a, store, dir
}
