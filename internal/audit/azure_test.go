package audit

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

// aksNodes are an AKS cluster's Nodes as a pod's cache holds them: the node resource group in
// their kubernetes.azure.com/cluster label and their providerID, and a workload pulling from
// the cluster's registry.
const aksNodes = `apiVersion: v1
kind: Node
metadata:
  name: aks-system-12345678-vmss000000
  labels:
    kubernetes.azure.com/agentpool: system
    kubernetes.azure.com/mode: system
    kubernetes.azure.com/cluster: ` + azuretest.NodeResourceGroup + `
    kubernetes.azure.com/node-image-version: AKSAzureLinux-V2gen2-202605.04.0
    kubernetes.io/os: linux
    topology.kubernetes.io/zone: westeurope-1
spec:
  providerID: azure:///subscriptions/` + azuretest.Subscription + `/resourceGroups/mc_rg-shop_aks-shop_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-system-12345678-vmss/virtualMachines/0
status:
  nodeInfo: {kubeletVersion: v1.35.3, operatingSystem: linux}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: ` + azuretest.RegistryHost + `/shop/web:1.0.0}]
`

// aksCluster stands for the cache of an AKS cluster seen from a pod: its API server is the
// in-cluster address, and its Nodes are AKS nodes.
type aksCluster struct{ t *testing.T }

func (aksCluster) Synced() map[string]bool { return map[string]bool{"Node": true, "Deployment": true} }

func (c aksCluster) ClusterScan(contextName, server, version string) *subject.Scan {
	s := manifest.LoadBytes(contextName, []byte(aksNodes), manifest.Options{Input: subject.InputCluster})
	s.Evidence = map[catalog.Evidence]bool{catalog.Cluster: true}
	lc := subject.NewLiveCluster(contextName, server, version, s.Objects)
	s.Others = append(s.Others, lc)
	var nodes []*corev1.Node
	for _, o := range s.Objects {
		if n, ok := o.Typed.(*corev1.Node); ok {
			nodes = append(nodes, n)
		}
	}
	if cl := live.ClusterOf(contextName, version, nodes); cl != nil {
		s.Others = append(s.Others, cl)
	}
	return s
}

// clock is a test clock that tests move on.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// azureAuditor is an auditor of aksCluster with, when srv is set, the Azure pass reading the
// replay server through the real SDK.
func azureAuditor(t *testing.T, srv *azuretest.Server, resourceID string, c *clock) *Auditor {
	t.Helper()
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var az *AzureOptions
	if srv != nil {
		client, err := azure.New(azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()})
		if err != nil {
			t.Fatal(err)
		}
		az = &AzureOptions{Client: client, ResourceID: resourceID, Interval: time.Hour}
	}
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"},
		Cluster: aksCluster{t: t}, Store: store, Context: "in-cluster", Server: "https://10.0.0.1:443",
		Version: func(context.Context) (string, error) { return "v1.35.3", nil },
		Now:     c.now, Azure: az, SyncWait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func item(t *testing.T, rep *report.Report, id string) report.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no item %s", id)
	return report.Item{}
}

func errorsOf(rep *report.Report) string {
	var b strings.Builder
	for _, e := range rep.Errors {
		b.WriteString(e.Source + ": " + e.Message + "\n")
	}
	return b.String()
}

func gauge(t *testing.T, a *Auditor, name string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(a.Collectors()...)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestAzurePassInTheAudit: the audit finds the AKS resource from its Nodes (the API server is
// the in-cluster address), reads it through the SDK before its first audit, and judges the
// ARM description joined with what the Nodes show.
func TestAzurePassInTheAudit(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	a := azureAuditor(t, srv, "", &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for a.Latest() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	rep := a.Latest()
	if rep == nil {
		t.Fatal("no audit")
	}
	if errs := errorsOf(rep); errs != "" {
		t.Errorf("errors:\n%s", errs)
	}
	// From ARM: the cluster's API server is public; the registry's settings are read.
	if !hasFinding(rep.Findings, "private-cluster") {
		t.Errorf("no private-cluster finding from the AKS resource: %v", rep.Findings)
	}
	for _, id := range []string{"cluster.private-cluster", "container.registry-rbac", "ops.security-center"} {
		if it := item(t, rep, id); it.Status == report.StatusNotEvaluated {
			t.Errorf("%s not evaluated with the Azure pass: %s", id, it.Reason)
		}
	}
	var graph, registry bool
	for _, r := range srv.Requests() {
		graph = graph || strings.Contains(r, "/providers/Microsoft.ResourceGraph/resources")
		registry = registry || strings.EqualFold(strings.TrimPrefix(r, "GET "), azuretest.RegistryID)
	}
	if !graph || !registry {
		t.Errorf("requests %v: want the cluster found through Resource Graph and the registry read", srv.Requests())
	}
	t.Logf("the first Azure pass made %d requests (the cluster found through Resource Graph)", len(srv.Requests()))
	if gauge(t, a, "akscheck_azure_pass_success") != 1 || gauge(t, a, "akscheck_azure_pass_timestamp_seconds") < 1.7e9 {
		t.Error("the Azure pass metrics do not say it succeeded")
	}
}

// TestAzurePassFails: a failing Azure (500, then 403) never stops the audit: the previous
// read is judged for 2 intervals with an error entry, then its items are not evaluated,
// named in an error entry; when Azure answers again they are judged again.
func TestAzurePassFails(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	c := &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	a := azureAuditor(t, srv, azuretest.ClusterID, c)
	audit := func() *report.Report {
		t.Helper()
		rep, err := a.Audit(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if err := a.RefreshAzure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rep := audit(); !hasFinding(rep.Findings, "private-cluster") || len(rep.Errors) > 0 {
		t.Fatalf("good read: findings %v, errors %s", rep.Findings, errorsOf(rep))
	}

	srv.Fail(azuretest.ClusterID, http.StatusInternalServerError)
	c.advance(time.Hour)
	if err := a.RefreshAzure(t.Context()); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("refresh against a 500: %v", err)
	}
	rep := audit()
	if !hasFinding(rep.Findings, "private-cluster") {
		t.Error("within 2 intervals the previous read must still be judged")
	}
	if errs := errorsOf(rep); !strings.Contains(errs, "reading the AKS cluster: 500") || !strings.Contains(errs, "the audit judges it as read at 2026-12-01T00:00") {
		t.Errorf("errors:\n%s", errs)
	}

	srv.Fail(azuretest.ClusterID, http.StatusForbidden)
	c.advance(time.Hour)
	if err := a.RefreshAzure(t.Context()); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("refresh against a 403: %v", err)
	}
	rep = audit()
	if hasFinding(rep.Findings, "private-cluster") {
		t.Error("a read older than 2 intervals is still judged")
	}
	it := item(t, rep, "cluster.private-cluster")
	if it.Status != report.StatusNotEvaluated || it.Reason != azureNotRead {
		t.Errorf("cluster.private-cluster: %s (%s)", it.Status, it.Reason)
	}
	errs := errorsOf(rep)
	if !strings.Contains(errs, "reading the AKS cluster: forbidden (Forbidden)") {
		t.Errorf("errors lack the 403:\n%s", errs)
	}
	if !strings.Contains(errs, "older than 2 intervals") || !strings.Contains(errs, "items are not evaluated (") || !strings.Contains(errs, "cluster.private-cluster") {
		t.Errorf("errors do not name the items not evaluated:\n%s", errs)
	}
	if gauge(t, a, "akscheck_azure_pass_success") != 0 || gauge(t, a, "akscheck_azure_read_errors_total") < 2 {
		t.Error("the Azure pass metrics do not count the failures")
	}
	// The audit itself never stopped: the workloads are judged all along.
	if it := item(t, rep, "dev.security-context"); it.Status == report.StatusNotEvaluated {
		t.Errorf("dev.security-context not evaluated: %s", it.Reason)
	}

	srv.Fail(azuretest.ClusterID, 0)
	if err := a.RefreshAzure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rep := audit(); !hasFinding(rep.Findings, "private-cluster") || len(rep.Errors) > 0 {
		t.Errorf("after Azure answers again: errors %s", errorsOf(rep))
	}
}

// TestAzurePassCannotFindTheCluster: nodes that name no AKS resource the credential sees
// leave an error entry that says to give --aks-resource-id.
func TestAzurePassCannotFindTheCluster(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.Fail("/providers/Microsoft.ResourceGraph/resources", http.StatusForbidden)
	a := azureAuditor(t, srv, "", &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err := a.RefreshAzure(t.Context()); err == nil {
		t.Fatal("no error")
	}
	rep, err := a.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if errs := errorsOf(rep); !strings.Contains(errs, "the AKS resource was not read") || !strings.Contains(errs, "items are not evaluated") {
		t.Errorf("errors:\n%s", errs)
	}
	if hasFinding(rep.Findings, "private-cluster") {
		t.Error("private-cluster found without the AKS resource")
	}
}

// TestAuditWithoutAzure: without the Azure pass the items that need the AKS resource are not
// evaluated, and say that Azure access is not configured; no Azure metric is exported.
func TestAuditWithoutAzure(t *testing.T) {
	t.Parallel()
	a := azureAuditor(t, nil, "", &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	rep, err := a.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"cluster.private-cluster", "container.registry-rbac", "ops.security-center"} {
		if it := item(t, rep, id); it.Status != report.StatusNotEvaluated || it.Reason != azureNotConfigured {
			t.Errorf("%s: %s (%s)", id, it.Status, it.Reason)
		}
	}
	// An item the Nodes decide is still judged from them.
	if it := item(t, rep, "dr.availability-zones"); it.Status == report.StatusNotEvaluated {
		t.Errorf("dr.availability-zones: %s", it.Reason)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors without Azure configured: %s", errorsOf(rep))
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(a.Collectors()...)
	if n, err := testutil.GatherAndCount(reg, "akscheck_azure_pass_success", "akscheck_azure_read_errors_total"); err != nil || n != 0 {
		t.Errorf("%d Azure series without Azure (%v)", n, err)
	}
}
