package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// sharedCatalog is the project's shared catalog, beside the repository in development and CI.
const sharedCatalog = "../../../shared/checklist.yaml"

// evidenceCorrections are the items whose evidence kinds the embedded catalog corrects ahead of
// the shared one, by ID: the shared catalog's evidence and why it is wrong. The shared catalog
// is not the repository's to edit; once it carries the correction, the entry goes.
var evidenceCorrections = map[string]struct {
	shared []Evidence
	why    string
}{
	"windows.secure-traffic": {[]Evidence{Manual}, "Windows pods' NetworkPolicies (manifests) and the cluster's " +
		"networkProfile.networkPolicy (ARM, Terraform) prove it: windows-network-policy and windows-policy-engine read them"},
	"cluster.extensions": {[]Evidence{Manual}, "the extension resources (Microsoft.KubernetesConfiguration/extensions, " +
		"azurerm_kubernetes_cluster_extension) and the controllers running in the cluster prove it: extension-auto-upgrade, " +
		"extension-for-installed-tools and live-hand-installed-tools read them; which extensions a team needs stays a person's call"},
	"ops.gitops": {[]Evidence{Cluster, Manual}, "the Flux extension and its fluxConfigurations are ARM and Terraform " +
		"resources: gitops-flux-configuration reads them"},
	"storage.backup": {[]Evidence{Cluster, Manual}, "the backup extension and AKS Backup instances are ARM and Terraform " +
		"resources: aks-backup reads them"},
	"ops.tracing": {[]Evidence{Manual}, "workloads' OTLP and Application Insights variables (names), OpenTelemetry " +
		"collectors and Instrumentations in manifests prove it: workload-tracing reads them"},
	"ops.cluster-checks": {[]Evidence{Manual}, "a scheduled checker (akscheck, kube-bench, Polaris, Kubescape, " +
		"trivy-operator) is a CronJob or Deployment in manifests and, live, its last run: cluster-checker-scheduled " +
		"and live-cluster-checker read them"},
	"cluster.physical-isolation": {[]Evidence{Manual}, "the scan's clusters (az JSON, ARM, Terraform, --subscription) " +
		"carry their node counts and owner/app tags: small-cluster-sprawl finds many small clusters of one owner; " +
		"whether a dedicated cluster is required stays a person's call"},
	"dr.multiregion": {[]Evidence{Manual}, "the scan's clusters (az JSON, ARM, Terraform, --subscription) carry their " +
		"region and app tags: dr-multiregion groups them by application and judges the regions; the DR plan stays a " +
		"person's call"},
	"cluster.traffic-management": {[]Evidence{Manual}, "the clusters' locations and app tags and the Traffic Manager " +
		"and Front Door profiles with their endpoints and origins are ARM and Terraform resources: " +
		"multi-region-traffic-routing reads them; the routing design itself stays a person's call"},
	"dr.traffic-manager": {[]Evidence{Manual}, "the same evidence as cluster.traffic-management (clusters' locations " +
		"and app tags, Traffic Manager and Front Door profiles): dr-traffic-failover reads it"},
	"container.distroless": {[]Evidence{Dockerfile, Manifest}, "the seed asks for distroless bases \"when building a " +
		"docker image\": the base is the Dockerfile's final FROM (dockerfile-distroless-base reads it). A manifest names " +
		"the image a container runs, which says nothing of its base: myacr.azurecr.io/shop/web:1.4 may be built on " +
		"distroless or on Ubuntu, and only a handful of images are named after their base; the checklist map lists " +
		"Dockerfiles and image reports, not manifests"},
	"dev.image-compliance": {[]Evidence{Dockerfile, Manifest}, "the item is the compliance of an image on build (seed: " +
		"an image running as root, or opening port 80 or 22, found before it is deployed): the final USER and the EXPOSEd ports are in the Dockerfile " +
		"(dockerfile-root-user, dockerfile-expose-ssh read them). A manifest shows how an image runs, not how it was " +
		"built: runAsNonRoot and the container ports are dev.security-context's and the network items' evidence, and " +
		"an image digest or registry proves neither its user nor its ports; the checklist map lists Dockerfiles and " +
		"image reports, not manifests"},
	"dr.whitespace-deployment": {[]Evidence{Manual, Terraform}, "the running cluster is ARM evidence (az aks show output, " +
		"--azure) and its declaration may be an ARM template as well as Terraform: iac-drift compares the two"},
	"dr.storage-migration": {[]Evidence{Manual}, "the cluster's region and AKS Backup instances (ARM, Terraform, " +
		"live) with the Velero Schedules and BackupStorageLocations scanned alongside show whether volumes are copied to " +
		"another region: backup-other-region reads them; the migration plan itself stays a person's call"},
}

func TestEmbeddedCatalogShape(t *testing.T) {
	t.Parallel()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 103 {
		t.Fatalf("catalog has %d items, want 103", len(c.Items))
	}
	want := map[string]int{"cluster": 22, "container": 7, "dev": 21, "dr": 7, "network": 11, "ops": 17, "resources": 5, "storage": 5, "windows": 8}
	got := map[string]int{}
	for _, it := range c.Items {
		got[it.Section()]++
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items per section = %v, want %v", got, want)
	}
}

func TestEmbeddedCatalogMatchesShared(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.FromSlash(sharedCatalog))
	if os.IsNotExist(err) {
		t.Skipf("%s not present: the embedded copy is checked by TestEmbeddedCatalogShape only", sharedCatalog)
	}
	if err != nil {
		t.Fatal(err)
	}
	shared, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(shared.Sections, embedded.Sections) {
		t.Errorf("sections differ:\nshared   %v\nembedded %v", shared.Sections, embedded.Sections)
	}
	for i, it := range shared.Items {
		if i >= len(embedded.Items) {
			t.Errorf("item %s missing from the embedded catalog", it.ID)
			continue
		}
		if fix, ok := evidenceCorrections[it.ID]; ok && i < len(embedded.Items) {
			if !reflect.DeepEqual(it.Evidence, fix.shared) {
				t.Errorf("item %s: the shared catalog's evidence is now %v: drop its entry of evidenceCorrections", it.ID, it.Evidence)
			}
			it.Evidence = embedded.Items[i].Evidence
		}
		if !reflect.DeepEqual(it, embedded.Items[i]) {
			t.Errorf("item %d differs:\nshared   %+v\nembedded %+v", i, it, embedded.Items[i])
		}
	}
	if len(embedded.Items) != len(shared.Items) {
		t.Errorf("embedded catalog has %d items, shared has %d", len(embedded.Items), len(shared.Items))
	}
}

func TestParseRejectsBadCatalogs(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"duplicate":       "sections: [{id: a, title: A}]\nitems: [{id: a.x, title: X, evidence: [manual]}, {id: a.x, title: Y, evidence: [manual]}]",
		"unknown section": "sections: [{id: a, title: A}]\nitems: [{id: b.x, title: X, evidence: [manual]}]",
		"no evidence":     "sections: [{id: a, title: A}]\nitems: [{id: a.x, title: X}]",
		"unknown field":   "sections: [{id: a, title: A, extra: 1}]\nitems: []",
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: Parse accepted a bad catalog", name)
		}
	}
}
