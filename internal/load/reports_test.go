package load

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

const trivyReport = `{"SchemaVersion":2,"CreatedAt":"2026-11-23T10:00:00Z","ArtifactName":"contosoacr.azurecr.io/shop/web:1.0","Results":[]}`

func kinds(s *subject.Scan) map[subject.InputKind]int {
	out := map[subject.InputKind]int{}
	for _, in := range s.Inputs {
		out[in.Kind]++
	}
	return out
}

// TestDockerfilesAndScanReports checks that Dockerfiles are found by name among the scanned
// paths, and that scan reports are read from --scan-reports only.
func TestDockerfilesAndScanReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "app/Dockerfile", "FROM alpine:3.20\n")
	write(t, dir, "app/api.Dockerfile", "FROM alpine:3.20\n")
	write(t, dir, "app/Containerfile.prod", "FROM alpine:3.20\n")
	write(t, dir, "app/Dockerfile.dockerignore", "*\n")
	write(t, dir, "app/deploy.yaml", cm("a"))
	write(t, dir, "reports/web.trivy.json", trivyReport)
	write(t, dir, "reports/notes.txt", "not read")

	s := Load(t.Context(), []string{dir}, Options{})
	if len(s.Errors) > 0 {
		t.Fatalf("errors: %+v", s.Errors)
	}
	if k := kinds(s); k[subject.InputDockerfile] != 3 || k[subject.InputScan] != 0 || s.Skipped != 0 || !s.Evidence["dockerfile"] || s.Evidence["scan"] {
		t.Errorf("inputs %v, skipped %d, evidence %v: want 3 Dockerfiles, the report left alone", k, s.Skipped, s.Evidence)
	}

	s = Load(t.Context(), []string{dir}, Options{ScanReports: []string{filepath.Join(dir, "reports")}})
	if k := kinds(s); k[subject.InputScan] != 1 || !s.Evidence["scan"] || len(s.Errors) > 0 {
		t.Errorf("with --scan-reports: inputs %v, errors %+v", k, s.Errors)
	}
}

func TestScanReportErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "bad/configmap.json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}`)
	good := write(t, dir, "bad/web.json", trivyReport)
	write(t, dir, "empty/README.md", "no reports here")
	explicit := write(t, dir, "report.txt", trivyReport)

	s := Load(t.Context(), nil, Options{ScanReports: []string{filepath.Join(dir, "bad"), filepath.Join(dir, "empty"),
		filepath.Join(dir, "missing"), explicit}})
	var msgs []string
	for _, e := range s.Errors {
		msgs = append(msgs, filepath.Base(e.Source)+": "+e.Message)
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{"configmap.json: not a Trivy (schema v2", "empty: --scan-reports: no .json file", "missing: --scan-reports: cannot read"} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
	if len(s.Errors) != 3 || len(s.Others) != 2 {
		t.Errorf("%d errors and %d reports, want 3 and 2 (%s and the explicit %s)", len(s.Errors), len(s.Others), good, explicit)
	}
}
