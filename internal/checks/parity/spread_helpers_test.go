package parity

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// spreadScan runs every built-in check over one YAML document stream, read as a manifest
// file, or as the live API answers when input is subject.InputCluster.
func spreadScan(t *testing.T, input subject.InputKind, doc string) *report.Report {
	t.Helper()
	scan := manifest.LoadBytes("parity.yaml", []byte(doc), manifest.Options{Input: input})
	if len(scan.Errors) > 0 {
		t.Fatalf("the case does not load: %+v", scan.Errors)
	}
	ev := catalog.Manifest
	if input == subject.InputCluster {
		ev = catalog.Cluster
	}
	scan.Evidence = map[catalog.Evidence]bool{ev: true}
	return engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{Now: testutil.Now})
}

// spreadFindings returns the findings of one check.
func spreadFindings(rep *report.Report, checkID string) []report.Finding {
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.Check == checkID {
			out = append(out, f)
		}
	}
	return out
}

// spreadWant asserts that a check finds exactly one thing, at path, saying message (a
// substring), and returns the finding.
func spreadWant(t *testing.T, rep *report.Report, checkID, path, message string) report.Finding {
	t.Helper()
	fs := spreadFindings(rep, checkID)
	if len(fs) != 1 {
		t.Fatalf("%s: want 1 finding, got %d: %+v", checkID, len(fs), fs)
	}
	f := fs[0]
	if f.Location.Path != path {
		t.Errorf("%s: path %q, want %q", checkID, f.Location.Path, path)
	}
	if !strings.Contains(f.Message, message) {
		t.Errorf("%s: message %q does not say %q", checkID, f.Message, message)
	}
	if f.Location.Line == 0 {
		t.Errorf("%s: finding has no line", checkID)
	}
	return f
}

// spreadNone asserts that a check finds nothing.
func spreadNone(t *testing.T, rep *report.Report, checkID string) {
	t.Helper()
	for _, f := range spreadFindings(rep, checkID) {
		t.Errorf("%s: want no finding, got %q at %s", checkID, f.Message, f.Location.Path)
	}
}

// spreadDeployment is a Deployment web of 3 replicas in namespace shop whose pod spec holds
// the YAML spec (indented for the pod spec's fields).
func spreadDeployment(spec string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
` + spec + `
      containers:
        - name: web
          image: contoso.azurecr.io/shop/web:1.4.2
`
}
