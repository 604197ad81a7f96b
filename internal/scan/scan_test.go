package scan

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// replayClient is an Azure client of a loopback server that replays ARM, closed with the test.
func replayClient(t *testing.T) *azure.Client {
	t.Helper()
	srv := azuretest.NewServer()
	t.Cleanup(srv.Close)
	az, err := azure.New(azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	return az
}

// The AKS resource of a kube context is found by its API server's FQDN, and the registries
// read are those the cluster's images come from.
func TestReadAKSFromContext(t *testing.T) {
	t.Parallel()
	az := replayClient(t)
	liveScan := manifest.LoadBytes("live", []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: web, image: shopacr.azurecr.io/shop/web:1.0.0}, {name: proxy, image: mcr.microsoft.com/oss/envoy:1.30}]
`), manifest.Options{Input: subject.InputCluster})
	liveScan.Others = append(liveScan.Others, &subject.LiveCluster{Context: "prod", Server: "https://" + azuretest.FQDN + ":443"})
	if hosts := acrHosts(liveScan); len(hosts) != 1 || hosts[0] != azuretest.RegistryHost {
		t.Errorf("registry hosts = %v", hosts)
	}
	scan := ReadAKS(t.Context(), az, "", liveScan)
	if len(scan.Errors) > 0 {
		t.Fatalf("errors: %+v", scan.Errors)
	}
	var cluster, registry bool
	for _, s := range scan.Others {
		switch s.(type) {
		case *subject.Cluster:
			cluster = true
		case *subject.Registry:
			registry = true
		}
	}
	if !cluster || !registry {
		t.Errorf("cluster %v, registry %v: want both", cluster, registry)
	}
	// A context whose API server is no AKS cluster the credential sees: an error entry.
	other := &subject.Scan{Others: []subject.Subject{&subject.LiveCluster{Context: "kind", Server: "https://127.0.0.1:6443"}}}
	if s := ReadAKS(t.Context(), az, "", other); len(s.Errors) != 1 || s.Errors[0].Source != "kind" || !strings.Contains(s.Errors[0].Message, "--aks-resource-id") {
		t.Errorf("errors = %+v", s.Errors)
	}
}

func request(paths ...string) Request {
	return Request{Paths: paths, Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test", Now: testutil.Now}
}

// TestRunIsTheEngine: a scan of files is one report, the engine's over what the loaders read,
// and Evaluate gives the same verdict on subjects a front-end holds itself.
func TestRunIsTheEngine(t *testing.T) {
	t.Parallel()
	req := request("../../examples/k8s")
	res, err := Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fleet || len(res.Reports) != 1 || res.Reports[0].Name != "" {
		t.Fatalf("result %+v", res)
	}
	got := res.Reports[0]
	s := load.Load(t.Context(), req.Paths, req.Load)
	want := Evaluate(t.Context(), req, s)
	if got.Read != len(s.Objects)+len(s.Others) || got.Read == 0 {
		t.Errorf("read %d subjects, the loaders %d", got.Read, len(s.Objects)+len(s.Others))
	}
	a, _ := json.Marshal(got.Report)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Error("Run and Evaluate over the same subjects differ")
	}
}

// TestBaselineIsApplied: the request's baseline suppresses what it recorded, in the report
// Run returns.
func TestBaselineIsApplied(t *testing.T) {
	t.Parallel()
	req := request("../../examples/k8s")
	first, err := Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	rep := first.Reports[0].Report
	req.Baseline, req.BaselineSource = baseline.New(rep, req.Catalog), "b.json"
	second, err := Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if r := second.Reports[0].Report; len(r.Findings) != 0 || r.Baseline == nil || r.Baseline.Suppressed != len(rep.Findings) {
		t.Errorf("%d findings left; baseline %+v", len(r.Findings), r.Baseline)
	}
}

// TestRequestErrors: requests that cannot be carried out scan nothing and say why.
func TestRequestErrors(t *testing.T) {
	t.Parallel()
	kubeconfig := filepath.Join(t.TempDir(), "missing")
	for name, mutate := range map[string]func(*Request){
		"no catalog":            func(r *Request) { r.Catalog = nil },
		"baseline for a fleet":  func(r *Request) { r.Kube = &KubeSource{AllContexts: true}; r.Baseline = &baseline.File{} },
		"unreadable kubeconfig": func(r *Request) { r.Kube = &KubeSource{Kubeconfig: kubeconfig} },
	} {
		req := request("../../examples/k8s")
		mutate(&req)
		res, err := Run(t.Context(), req)
		if !IsRequestError(err) || res != nil {
			t.Errorf("%s: result %v, error %v; want a RequestError", name, res, err)
		}
	}
}

func TestClusterName(t *testing.T) {
	t.Parallel()
	id := "/subscriptions/s/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop"
	if got := ClusterName(id); got != "rg-shop/aks-shop" {
		t.Errorf("ClusterName = %q", got)
	}
	if got := ClusterName("odd"); got != "odd" {
		t.Errorf("ClusterName(odd) = %q", got)
	}
}

// --cluster --azure: the AKS resource and the cluster the live scan observed are one cluster,
// judged once: ARM's settings stay, the nodes fill what ARM leaves out, and a cluster of the
// scan's files is left alone.
func TestJoinObserved(t *testing.T) {
	t.Parallel()
	az := replayClient(t)
	node := func(name, pool, zone, image string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			subject.LabelAgentPool: pool, subject.LabelZone: zone, subject.LabelNodeImageVersion: image}},
			Status: corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.35.3"}}}
	}
	observed := live.ClusterOf("aks-shop", "v1.35.3", []*corev1.Node{
		node("aks-system-0", "system", "westeurope-1", "AKSAzureLinux-V2gen2-202611.10.0"),
		node("aks-apps-0", "apps", "westeurope-2", "AKSAzureLinux-V2gen2-202611.10.0"),
	})
	fromFile := &subject.Cluster{AzureResource: subject.AzureResource{Name: "aks-other", Input: subject.InputARM}}
	s := &subject.Scan{Others: []subject.Subject{
		&subject.LiveCluster{Context: "aks-shop", Server: "https://" + azuretest.FQDN + ":443"}, observed, fromFile}}
	azScan := joinObserved(s, []*subject.Cluster{observed}, ReadAKS(t.Context(), az, "", s))
	s.Merge(azScan)

	var clusters []*subject.Cluster
	for _, o := range s.Others {
		if c, ok := o.(*subject.Cluster); ok {
			clusters = append(clusters, c)
		}
	}
	if len(clusters) != 2 || clusters[0] != fromFile || clusters[1].Input != subject.InputARM {
		t.Fatalf("clusters = %+v: want the file's and the ARM one, not the observed one", clusters)
	}
	arm := clusters[1]
	var system, apps *subject.NodePool
	for _, p := range arm.Pools {
		switch p.Name {
		case "system":
			system = p
		case "apps":
			apps = p
		}
	}
	if system == nil || apps == nil {
		t.Fatalf("pools = %+v", arm.Pools)
	}
	// ARM wins where it knows: the pool's zones and node image as ARM describes them.
	if len(system.Zones.V) != 3 || system.Zones.Loc.Kind != "" || system.NodeImageVersion.V != "AKSAzureLinux-V2gen2-202605.04.0" {
		t.Errorf("system pool: zones %+v, image %+v: ARM's values must stay", system.Zones, system.NodeImageVersion)
	}
	// ARM writes no zones for apps: the nodes show where it runs.
	if !apps.Zones.IsKnown() || len(apps.Zones.V) != 1 || apps.Zones.V[0] != "2" || apps.Zones.Loc.Kind != "Node" || apps.Zones.Loc.Name != "aks-apps-0" {
		t.Errorf("apps zones = %+v, want zone 2 observed on Node aks-apps-0", apps.Zones)
	}
	if !arm.PrivateCluster.IsKnown() && !arm.PrivateCluster.IsAbsent() {
		t.Errorf("private cluster = %+v: the observation must not make ARM's setting unknown", arm.PrivateCluster)
	}
}

// A subscription's clusters are read through the fleet reader: one Resource Graph query for
// the clusters and their pools, no ARM Get of a cluster, one report each in ID order; a
// subscription without clusters, or a query Resource Graph keeps throttling, is a request
// error.
func TestRunSubscriptionFleet(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	ids, err := srv.AddClusters(12, 7)
	if err != nil {
		t.Fatal(err)
	}
	srv.PageSize = 0
	req := Request{Catalog: catalog.MustLoad(), Checks: checks.All(),
		Azure: &AzureSource{Options: azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()},
			Subscriptions: []string{azuretest.Subscription2}}}
	res, err := Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, id := range ids {
		if strings.Contains(id, azuretest.Subscription2) {
			want = append(want, ClusterName(id))
		}
	}
	var got []string
	for _, cr := range res.Reports {
		got = append(got, cr.Name)
		if len(cr.Report.Errors) > 0 || cr.Read == 0 {
			t.Errorf("%s: read %d, errors %+v", cr.Name, cr.Read, cr.Report.Errors)
		}
	}
	if !res.Fleet || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fleet %v, reports %v, want %v", res.Fleet, got, want)
	}
	graph := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r, "/providers/Microsoft.ResourceGraph/resources") {
			graph++
		}
		for _, id := range ids {
			if strings.EqualFold(r, "GET "+id) {
				t.Errorf("%s: the fleet read the cluster through ARM, Resource Graph's row holds it", r)
			}
		}
	}
	// The clusters; then, once for the fleet, Defender for Cloud's recommendations and image
	// assessments, the AKS backup instances, and the routing profiles and WAF policies of its
	// one subscription.
	if graph != 6 {
		t.Errorf("%d Resource Graph queries, want 6", graph)
	}

	req.Azure.Subscriptions = []string{"00000000-0000-0000-0000-0000000000ff"}
	if _, err := Run(t.Context(), req); !IsRequestError(err) || !strings.Contains(err.Error(), "no AKS cluster in") {
		t.Errorf("an empty subscription: %v", err)
	}
	srv.ThrottleQueryPage("", 10)
	if _, err := Run(t.Context(), req); !IsRequestError(err) || !strings.Contains(err.Error(), "throttled") {
		t.Errorf("a throttled query: %v", err)
	}
}

// In a pod the API server is kubernetes.default.svc (or 10.0.0.1): the AKS resource is found
// by the resource group and subscription its Nodes name.
func TestReadAKSInCluster(t *testing.T) {
	t.Parallel()
	az := replayClient(t)
	byLabel := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "aks-system-0", Labels: map[string]string{labelCluster: azuretest.NodeResourceGroup}},
		Spec: corev1.NodeSpec{ProviderID: "azure:///subscriptions/" + azuretest.Subscription + "/resourceGroups/mc_rg-shop_aks-shop_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-system-0-vmss/virtualMachines/0"}}
	byProviderID := byLabel.DeepCopy()
	byProviderID.Labels = nil
	for name, tc := range map[string]struct {
		server string
		nodes  []*corev1.Node
		want   string
	}{
		"service name, label":   {"https://kubernetes.default.svc:443", []*corev1.Node{byLabel}, ""},
		"cluster IP, label":     {"https://10.0.0.1:443", []*corev1.Node{byLabel}, ""},
		"cluster IP, provider":  {"https://10.0.0.1:443", []*corev1.Node{byProviderID}, ""},
		"unknown FQDN, nodes":   {"https://private.example.internal:443", []*corev1.Node{byLabel}, ""},
		"in-cluster, no nodes":  {"https://kubernetes.default.svc", nil, "no Node names the cluster's node resource group"},
		"unknown FQDN, no node": {"https://other.hcp.westeurope.azmk8s.io", nil, "has the API server other.hcp.westeurope.azmk8s.io"},
	} {
		lc := &subject.LiveCluster{Context: "in-cluster", Server: tc.server, Nodes: tc.nodes}
		s := ReadAKS(t.Context(), az, "", &subject.Scan{Others: []subject.Subject{lc}})
		if tc.want == "" {
			if len(s.Errors) > 0 || len(clustersOf(s)) != 1 || clustersOf(s)[0].ID != azuretest.ClusterID {
				t.Errorf("%s: errors %+v, clusters %d", name, s.Errors, len(clustersOf(s)))
			}
			continue
		}
		if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, tc.want) || !strings.Contains(s.Errors[0].Message, "--aks-resource-id") {
			t.Errorf("%s: errors = %+v, want %q and --aks-resource-id", name, s.Errors, tc.want)
		}
	}
}

// JoinAzure joins one Azure read into several live scans (the audit's, one per audit) and
// leaves the read as it was: what one audit's Nodes showed is not in the next one's cluster.
func TestJoinAzureKeepsTheRead(t *testing.T) {
	t.Parallel()
	az := replayClient(t)
	read := ReadAKS(t.Context(), az, azuretest.ClusterID, &subject.Scan{})
	if len(clustersOf(read)) != 1 {
		t.Fatalf("read %+v", read.Errors)
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "aks-apps-0", Labels: map[string]string{
		subject.LabelAgentPool: "apps", subject.LabelZone: "westeurope-2"}}}
	for range 2 {
		observed := live.ClusterOf("aks-shop", "v1.35.3", []*corev1.Node{node})
		s := &subject.Scan{Others: []subject.Subject{observed}}
		JoinAzure(s, read)
		joined := clustersOf(s)
		if len(joined) != 1 || joined[0] == clustersOf(read)[0] || joined[0].ID != azuretest.ClusterID {
			t.Fatalf("joined clusters %+v: want one copy of the ARM cluster", joined)
		}
		for _, p := range joined[0].Pools {
			if p.Name == "apps" && (!p.Zones.IsKnown() || p.Zones.Loc.Name != "aks-apps-0") {
				t.Errorf("apps zones = %+v: want the Node's observation", p.Zones)
			}
		}
	}
	for _, p := range clustersOf(read)[0].Pools {
		if p.Zones.Loc.Kind == "Node" {
			t.Errorf("the Azure read was changed by a join: pool %s zones at %+v", p.Name, p.Zones.Loc)
		}
	}
}

// probedScan scans the examples with the probe as its only check, keeping its subjects or
// not, and returns what the probe saw.
func probedScan(t *testing.T, probe *testutil.RuntimeProbe, keep bool) []int64 {
	t.Helper()
	probe.Seen = nil
	req := request("../../examples/k8s")
	req.Checks, req.KeepSubjects = []*check.Check{probe.Check}, keep
	if _, err := Run(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if len(probe.Seen) == 0 {
		t.Fatal("the probe judged no workload")
	}
	return probe.Seen
}

// TestCollectorPercentOfScans: a scan whose report is all it gives (the CLI's) runs its
// checks with the collector at checksCollectorPercent; one that keeps its subjects, or run
// with GOGC set (the user's choice), leaves the percent as it is. Not parallel: the percent
// is the process's.
func TestCollectorPercentOfScans(t *testing.T) {
	before := testutil.CollectorPercent()
	if before >= 0 && before <= checksCollectorPercent {
		t.Skipf("GOGC=%d is already at most %d", before, checksCollectorPercent)
	}
	probe := testutil.NewCollectorProbe()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // the probe records on one core
	for _, run := range []struct {
		name string
		keep bool
		gogc string
		want int
	}{{"scan", false, "", checksCollectorPercent}, {"kept subjects", true, "", before}, {"GOGC set", false, "400", before}} {
		t.Run(run.name, func(t *testing.T) {
			t.Setenv("GOGC", run.gogc)
			for _, p := range probedScan(t, probe, run.keep) {
				if p != int64(run.want) {
					t.Fatalf("the checks ran at percent %d, want %d", p, run.want)
				}
			}
			if after := testutil.CollectorPercent(); after != before {
				t.Fatalf("percent %d after the scan, %d before it", after, before)
			}
		})
	}
}

// TestMemoryBudgetOfScans: a scan whose report is all it gives runs under the memory budget
// (memlimit.Hold; the examples leave the limit at the budget or, in a test binary holding
// more, a little above it) and puts back the limit it found; a scan that keeps its subjects,
// or with GOMEMLIMIT or GOGC set, leaves the limit alone.
func TestMemoryBudgetOfScans(t *testing.T) {
	before := testutil.MemoryLimit()
	if before <= scanMemoryBudget {
		t.Skipf("the memory limit, %d, is already at most the budget", before)
	}
	probe := testutil.NewRuntimeProbe(testutil.MemoryLimit)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // the probe records on one core
	for _, run := range []struct {
		name       string
		keep       bool
		gomemlimit string
		gogc       string
		budgeted   bool
	}{{"scan", false, "", "", true}, {"kept subjects", true, "", "", false},
		{"GOMEMLIMIT set", false, "1GiB", "", false}, {"GOGC set", false, "", "200", false}} {
		t.Run(run.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", run.gomemlimit)
			t.Setenv("GOGC", run.gogc)
			for _, limit := range probedScan(t, probe, run.keep) {
				if budgeted := limit >= scanMemoryBudget && limit < before; budgeted != run.budgeted || !budgeted && limit != before {
					t.Fatalf("the checks ran under a limit of %d (budget %d, found %d): budgeted %v, want %v",
						limit, scanMemoryBudget, before, budgeted, run.budgeted)
				}
			}
			if after := testutil.MemoryLimit(); after != before {
				t.Fatalf("limit %d after the scan, %d before it", after, before)
			}
		})
	}
}
