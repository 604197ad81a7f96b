package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

func historyFinding(name, msg string) report.Finding {
	return report.Finding{Check: "privileged", Item: "workload.security-context", Severity: check.High, Message: msg,
		Object: report.Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: name}}
}

// historyReport is an audit's report with two sections: the cluster's item passes, the
// workload's fails with the findings.
func historyReport(at time.Time, findings ...report.Finding) *report.Report {
	r := &report.Report{SchemaVersion: "1", Tool: report.Tool{Name: "akscheck", Version: "test"},
		GeneratedAt: at.UTC().Format(time.RFC3339),
		Inputs:      []report.Input{{Kind: "cluster", Source: "test", Objects: 3}}, Findings: findings,
		Items: []report.Item{
			{ID: "cluster.upgrades", Section: "cluster", Title: "c", Status: report.StatusPass},
			{ID: "workload.security-context", Section: "workload", Title: "t", Status: report.StatusFail,
				Checks: []string{"privileged"}, Findings: len(findings)}}}
	if len(findings) == 0 {
		r.Items[1].Status = report.StatusPass
	}
	r.Summarize()
	return r
}

// historyDB records three audits, an hour apart, ending an hour before testNow: a and b;
// none (both fixed); a again and c (c new, its message hostile to terminals and tables).
func historyDB(t *testing.T) (string, *history.Store) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "history.db")
	store, err := history.Open(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := testNow()
	a, b := historyFinding("a", "privileged"), historyFinding("b", "privileged")
	c := historyFinding("c", "bad | \x1b[31mred\nline")
	for i, fs := range [][]report.Finding{{a, b}, nil, {a, c}} {
		started := now.Add(time.Duration(i-3) * time.Hour)
		if _, err := store.Record(t.Context(), started, started.Add(time.Second), historyReport(started, fs...)); err != nil {
			t.Fatal(err)
		}
	}
	return file, store
}

func TestHistoryGolden(t *testing.T) {
	t.Parallel()
	file, _ := historyDB(t)
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		code, out, errOut := run(t, "", "history", "--database", file, "--since", "150m", "-o", format)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		matchGolden(t, filepath.Join("testdata", "history."+format+".golden"), out)
	}
}

// fakeCluster is enough of a cluster for the audit's API, which reads only the store.
type fakeCluster struct{}

func (fakeCluster) Synced() map[string]bool                  { return nil }
func (fakeCluster) ClusterScan(_, _, _ string) *subject.Scan { return nil }

// TestHistoryServer: through the audit's real API, the output is the database's.
func TestHistoryServer(t *testing.T) {
	t.Parallel()
	file, store := historyDB(t)
	auditor, err := audit.New(audit.Options{Cluster: fakeCluster{}, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auditor.Handler())
	defer srv.Close()
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		_, want, _ := run(t, "", "history", "--database", file, "--since", "150m", "-o", format)
		code, got, errOut := run(t, "", "history", "--server", srv.URL+"/", "--since", "150m", "-o", format)
		if code != ExitOK || got != want {
			t.Errorf("%s: exit %d (%s), output\n%s\nwant the database's\n%s", format, code, errOut, got, want)
		}
	}
}

func TestHistoryErrors(t *testing.T) {
	t.Parallel()
	file, _ := historyDB(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"limit \"0\": want a number from 1 to 1000"}`))
	}))
	defer bad.Close()
	// A server that accepts and never answers: --timeout ends the wait.
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	missing := filepath.Join(t.TempDir(), "missing.db")
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no source", nil, "give exactly one of"},
		{"two sources", []string{"--database", file, "--server", "http://localhost:1"}, "give exactly one of"},
		{"bad since", []string{"--database", file, "--since", "yesterday"}, `since "yesterday"`},
		{"future since", []string{"--database", file, "--since", "2999-01-01T00:00:00Z"}, "in the future"},
		{"bad output", []string{"--database", file, "-o", "yaml"}, `--output "yaml"`},
		{"bad server", []string{"--server", "localhost:8090"}, "--server"},
		{"server with a password", []string{"--server", "http://u:hunter2@localhost:8090"}, "no user or password"},
		{"bad server with a password", []string{"--server", "http://u:hunter2@localhost:x"}, "no user or password"},
		{"missing file", []string{"--database", missing}, "does not exist"},
		{"not a history", []string{"--database", empty}, "holds no akscheck history"},
		{"bad url", []string{"--database-url", "mysql://u:hunter2@h/db"}, "want postgres://"},
		{"dead server", []string{"--server", deadURL}, "could not be reached"},
		{"hanging server", []string{"--server", hang.URL, "--timeout", "100ms"}, "did not answer within --timeout"},
		{"bad timeout", []string{"--database", file, "--timeout", "0s"}, "--timeout 0s"},
		{"400", []string{"--server", bad.URL}, "400 Bad Request to /api/v1/reports: limit"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", append([]string{"history"}, tt.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, "hunter2") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.name, code, out, errOut, tt.want)
		}
	}
	// A read never creates the file it was given.
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the missing database was created: %v", err)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("the empty file was written to: %v, %v", fi, err)
	}
}
