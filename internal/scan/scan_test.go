package scan

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
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
