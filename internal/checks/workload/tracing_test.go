package workload_test

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/checks/workload"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestTracingClusterFixtures runs the fixtures of workload-tracing that pair manifests with
// the AKS cluster (folders named *_cluster): application monitoring's Instrumentation works
// only when the cluster has it on.
func TestTracingClusterFixtures(t *testing.T) {
	t.Parallel()
	skip := map[string]bool{}
	for _, c := range workload.Checks() {
		skip[c.ID] = c.ID != workload.Tracing.ID
	}
	checktest.Suite{Checks: workload.Checks(), Pattern: "*_cluster", Load: checktest.Files(load.Options{}), Skip: skip}.Run(t)
}

// TestTracingMissingInstrumentation: an annotation naming an Instrumentation the scan does
// not hold is undecided in manifests (the platform's repository may hold it) and a finding
// on a live cluster, whose Instrumentations are all listed.
func TestTracingMissingInstrumentation(t *testing.T) {
	t.Parallel()
	const doc = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {instrumentation.opentelemetry.io/inject-python: observability/python}
    spec: {containers: [{name: web, image: contoso.azurecr.io/web:1.0.0}]}
`
	for _, live := range []bool{false, true} {
		r := runTracing(t, doc, live)
		switch {
		case live && (len(r.Findings()) != 1 || !strings.Contains(r.Findings()[0].Message, "Instrumentation observability/python")):
			t.Errorf("live: findings %+v, want one naming the Instrumentation", r.Findings())
		case !live && (len(r.Findings()) != 0 || len(r.Missing()) != 1 || !strings.HasPrefix(r.Missing()[0], "Instrumentation observability/python")):
			t.Errorf("manifests: findings %+v, missing %q; want undecided on the Instrumentation", r.Findings(), r.Missing())
		}
	}
}

// TestTracingAppMonitoringOffUnknownEnvFrom: on a live cluster whose application monitoring
// is off, a Deployment left to the namespace's default Instrumentation fails, unless it loads
// a Secret with envFrom: a live scan reads Secrets' metadata only, and that Secret may hold the
// Application Insights connection string, so the workload is undecided on it.
func TestTracingAppMonitoringOffUnknownEnvFrom(t *testing.T) {
	t.Parallel()
	const docs = `apiVersion: monitor.azure.com/v1
kind: Instrumentation
metadata: {name: default, namespace: shop}
spec: {settings: {autoInstrumentationPlatforms: [Java]}}
---
apiVersion: v1
kind: Secret
metadata: {name: orders-settings, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  template:
    metadata: {labels: {app: orders}}
    spec:
      containers:
        - name: orders
          image: contoso.azurecr.io/orders:2.3.1
`
	cluster := &subject.Cluster{AzureResource: subject.AzureResource{Name: "aks-prod"},
		AppMonitoringAutoInstrumentation: subject.KnownBool(false, subject.Location{File: "aks.json", Line: 1})}
	for _, envFrom := range []bool{false, true} {
		doc := docs
		if envFrom {
			doc += "          envFrom: [{secretRef: {name: orders-settings}}]\n"
		}
		r := runTracing(t, doc, true, cluster)
		switch {
		case !envFrom && (len(r.Findings()) != 1 || !strings.Contains(r.Findings()[0].Message, "autoInstrumentation off")):
			t.Errorf("without envFrom: findings %+v, want one on the cluster's application monitoring", r.Findings())
		case envFrom && (len(r.Findings()) != 0 || len(r.Missing()) != 1 || !strings.Contains(r.Missing()[0], "Secret shop/orders-settings")):
			t.Errorf("with envFrom: findings %+v, missing %q; want undecided on the Secret's keys", r.Findings(), r.Missing())
		}
	}
}

// runTracing judges the one workload of the manifests in doc, as read from a running cluster
// when live, with the other subjects given (an AKS cluster).
func runTracing(t *testing.T, doc string, live bool, others ...subject.Subject) *check.Result {
	t.Helper()
	scan := manifest.LoadBytes("shop.yaml", []byte(doc), manifest.Options{})
	if len(scan.Errors) > 0 {
		t.Fatal(scan.Errors)
	}
	if live {
		for _, o := range scan.Objects {
			o.Input = subject.InputCluster
		}
	}
	scan.Others = append(scan.Others, others...)
	env := &check.Env{Index: subject.NewIndexOf(scan)}
	ws := env.Index.Workloads()
	if len(ws) != 1 {
		t.Fatalf("%d workloads", len(ws))
	}
	r := check.NewResult(&workload.Tracing.Meta, ws[0])
	workload.Tracing.Run(t.Context(), env, ws[0], r)
	return r
}
