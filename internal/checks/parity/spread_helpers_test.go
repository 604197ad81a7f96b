package parity

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/report"
)

// spreadWant asserts that a check finds exactly one thing, at path, saying message (a
// substring), and returns the finding.
func spreadWant(t *testing.T, rep *report.Report, checkID, path, message string) report.Finding {
	t.Helper()
	fs := findingsOf(rep, checkID)
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
	for _, f := range findingsOf(rep, checkID) {
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
