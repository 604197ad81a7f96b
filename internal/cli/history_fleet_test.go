package cli

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/report"
)

// fleetDB records the audits of three clusters into one history, each through its own
// Store: prod (two findings, one critical), staging (one) and a cluster whose configured
// name is hostile to terminals and tables (none). It returns the file and prod's Store.
func fleetDB(t *testing.T) (string, *history.Store) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "fleet.db")
	now := testNow()
	crit := historyFinding("db", "runs as root")
	crit.Severity = check.Critical
	var prod *history.Store
	for _, c := range []struct {
		name     string
		findings []report.Finding
	}{
		{"prod", []report.Finding{historyFinding("a", "privileged"), crit}},
		{"staging", []report.Finding{historyFinding("a", "privileged")}},
		{"dev | \x1b[31mred", nil},
	} {
		s, err := history.Open(t.Context(), file, history.WithCluster(c.name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if c.name == "prod" {
			prod = s
		}
		for i := range 2 {
			started := now.Add(time.Duration(i-2) * time.Hour)
			if _, err := s.Record(t.Context(), started, started.Add(time.Second), historyReport(started, c.findings...)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return file, prod
}

// TestHistoryFleetGolden prints the fleet of a shared history in every format, from the
// database and, the same, through the audit's API.
func TestHistoryFleetGolden(t *testing.T) {
	t.Parallel()
	file, prod := fleetDB(t)
	auditor, err := audit.New(audit.Options{Cluster: fakeCluster{}, Store: prod})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auditor.Handler())
	defer srv.Close()
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		code, out, errOut := run(t, "", "history", "--database", file, "--fleet", "-o", format)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		matchGolden(t, filepath.Join("testdata", "history-fleet."+format+".golden"), out)
		code, got, errOut := run(t, "", "history", "--server", srv.URL, "--fleet", "-o", format)
		if code != ExitOK || got != out {
			t.Errorf("%s through the API: exit %d (%s)\n%s\nwant the database's\n%s", format, code, errOut, got, out)
		}
	}
	if strings.Contains(func() string { _, out, _ := run(t, "", "history", "--database", file, "--fleet"); return out }(), "\x1b") {
		t.Error("a cluster's name reached the terminal unescaped")
	}
}

// TestHistoryCluster: a history of several clusters prints one with --cluster, from the
// database or the server, and the server's own without it; without --cluster a database of
// several clusters is refused with their names.
func TestHistoryCluster(t *testing.T) {
	t.Parallel()
	file, prod := fleetDB(t)
	auditor, err := audit.New(audit.Options{Cluster: fakeCluster{}, Store: prod})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(auditor.Handler())
	defer srv.Close()
	code, fromDB, errOut := run(t, "", "history", "--database", file, "--cluster", "staging", "--since", "3h", "-o", "json")
	if code != ExitOK || !strings.Contains(fromDB, `"name": "a"`) || strings.Contains(fromDB, `"name": "db"`) {
		t.Fatalf("staging from the database: exit %d (%s)\n%s", code, errOut, fromDB)
	}
	code, fromAPI, errOut := run(t, "", "history", "--server", srv.URL, "--cluster", "staging", "--since", "3h", "-o", "json")
	if code != ExitOK || fromAPI != fromDB {
		t.Errorf("staging through the API: exit %d (%s)\n%s\nwant\n%s", code, errOut, fromAPI, fromDB)
	}
	_, own, _ := run(t, "", "history", "--server", srv.URL, "--since", "3h", "-o", "json")
	_, prodDB, _ := run(t, "", "history", "--database", file, "--cluster", "prod", "--since", "3h", "-o", "json")
	if own != prodDB || !strings.Contains(own, `"name": "db"`) {
		t.Errorf("the server's own cluster:\n%s\nwant prod's\n%s", own, prodDB)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--database", file}, `holds 3 clusters ("dev | \x1b[31mred", "prod", "staging"): give --cluster, or --fleet`},
		{[]string{"--database", file, "--cluster", "nope"}, `no cluster "nope"`},
		{[]string{"--server", srv.URL, "--cluster", "nope"}, `404 Not Found to /api/v1/reports: no cluster "nope"`},
		{[]string{"--database", file, "--fleet", "--cluster", "prod"}, "leave out --cluster"},
		{[]string{"--database", file, "--fleet", "--since", "1h"}, "leave out --since"},
		{[]string{"--database", file, "--cluster", "a\nb"}, "--cluster: cluster name"},
	} {
		code, out, errOut := run(t, "", append([]string{"history"}, tt.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestAuditClusterName(t *testing.T) {
	t.Parallel()
	const id = "/subscriptions/0000/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/Prod"
	for _, tt := range []struct{ given, arm, context, want, err string }{
		{"prod-weu", id, "ctx", "prod-weu", ""},
		{"", id, "ctx", strings.ToLower(id), ""},
		{"", "", "ctx", "ctx", ""},
		{"", "", "in-cluster", "in-cluster", ""},
		{"a\x1bb", "", "ctx", "", "--cluster-name: cluster name"},
		{"", "", "", "", "give --cluster-name"},
	} {
		got, err := auditClusterName(tt.given, tt.arm, tt.context)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("auditClusterName(%q, %q, %q) = %q, %v; want %q, %q", tt.given, tt.arm, tt.context, got, err, tt.want, tt.err)
		}
	}
}
