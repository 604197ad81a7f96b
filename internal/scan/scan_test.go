package scan

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// The AKS resource of a kube context is found by its API server's FQDN, and the registries
// read are those the cluster's images come from.
func TestReadAKSFromContext(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	az, err := azure.New(azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
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
	scan := readAKS(t.Context(), az, "", liveScan)
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
	if s := readAKS(t.Context(), az, "", other); len(s.Errors) != 1 || s.Errors[0].Source != "kind" || !strings.Contains(s.Errors[0].Message, "--aks-resource-id") {
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
