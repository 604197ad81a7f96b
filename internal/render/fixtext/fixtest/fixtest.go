// Package fixtest builds, for the renderers' tests, a report whose findings carry fixes of
// every shape: manifest edits (set and append), an ARM template's property, Terraform
// attributes with azurerm v3 and v4 names, an az command for az output and for a running
// cluster, notes, and hostile values (control, bidi and invisible characters, markup, Markdown
// fences, a credential-looking value) in every field a fix carries.
package fixtest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

// Hostile carries what a value from the input must never smuggle to a reader: an ANSI colour,
// a bell, NUL, a carriage return, a newline, bidi overrides, a zero-width space, markup that
// runs script, a Markdown fence and a table cell break.
const Hostile = "a\x1b[31mred\x07\x00x\ry\nz\u202eevil\u2066iso\u200b<script>window.pwned=9</script>```~~~|end"

// Secret is a credential-looking value (a storage connection string with a key) that no
// format may print.
const Secret = "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net"

// Report returns the report of fixes of every shape, with one finding without a fix, and the
// catalog. Its findings use real check IDs and items, so that the catalog places them in
// sections; every item of the catalog is in the report, failed by its findings or passed.
func Report() (*report.Report, *catalog.Catalog) {
	cat := catalog.MustLoad()
	fs := []report.Finding{
		{Check: "privilege-escalation", Item: "dev.security-context", Severity: check.High,
			Message: "container web can gain more privileges than its process", Remediation: "Set allowPrivilegeEscalation to false.",
			Object: report.Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}, Container: "web",
			Location: report.Location{File: "k8s/web.yaml", Line: 21, Path: "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"},
			Fix: &report.Fix{Input: "manifest", File: "k8s/web.yaml", Line: 21, Edits: []report.Edit{
				{Op: "set", Path: "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", Value: false},
				{Op: "append", Path: "spec.template.spec.containers[0].securityContext.capabilities.drop", Value: "ALL"},
			}}},
		{Check: "private-cluster", Item: "cluster.private-cluster", Severity: check.High,
			Message: "the API server of aks-prod has a public endpoint", Remediation: "Create the cluster with a private API server.",
			Object:   report.Object{Kind: "Microsoft.ContainerService/managedClusters", Name: "aks-prod"},
			Location: report.Location{File: "arm/aks.json", Line: 40, Path: "properties.apiServerAccessProfile.enablePrivateCluster"},
			Fix: &report.Fix{Input: "arm", File: "arm/aks.json", Line: 40, Edits: []report.Edit{
				{Op: "set", Path: "properties.apiServerAccessProfile.enablePrivateCluster", Value: true},
			}, Note: "A private API server is chosen only when the cluster is created: redeploy the template into a new cluster."}},
		{Check: "azure-policy-addon", Item: "ops.azure-policy", Severity: check.Medium,
			Message: "azurerm_kubernetes_cluster.main does not run the Azure Policy add-on", Remediation: "Enable the Azure Policy add-on.",
			Object:   report.Object{Kind: "azurerm_kubernetes_cluster", Name: "azurerm_kubernetes_cluster.main"},
			Location: report.Location{File: "terraform/main.tf", Line: 12, Path: "azure_policy_enabled"},
			Fix: &report.Fix{Input: "terraform", File: "terraform/main.tf", Line: 12, Provider: "azurerm v3", Edits: []report.Edit{
				{Op: "set", Path: "azure_policy_enabled", Value: true},
			}}},
		{Check: "node-pool-max-surge", Item: "cluster.upgrade-channel", Severity: check.Low,
			Message: "node pool default of azurerm_kubernetes_cluster.v4 upgrades one node at a time", Remediation: "Set a max surge.",
			Object:   report.Object{Kind: "azurerm_kubernetes_cluster", Name: "azurerm_kubernetes_cluster.v4"},
			Location: report.Location{File: "terraform/v4.tf", Line: 30, Path: "default_node_pool.upgrade_settings.max_surge"},
			Fix: &report.Fix{Input: "terraform", File: "terraform/v4.tf", Line: 30, Provider: "azurerm v4", Edits: []report.Edit{
				{Op: "set", Path: "default_node_pool.upgrade_settings.max_surge", Value: "33%"},
				{Op: "set", Path: "api_server_access_profile.authorized_ip_ranges", Value: []any{"10.0.0.0/8", "192.168.0.0/16"}},
				{Op: "set", Path: "default_node_pool.node_labels", Value: map[string]any{"tier": "system", "kubernetes.azure.com/mode": "system", "count": int64(3)}},
				{Op: "set", Path: "tags.template", Value: "${var.env}-%{if true}x%{endif}"},
			}}},
		{Check: "kubernetes-rbac-entra", Item: "cluster.k8s-rbac-aad", Severity: check.High,
			Message: "aks-prod does not authorize with Azure RBAC", Remediation: "Enable Azure RBAC for Kubernetes authorization.",
			Object:   report.Object{Kind: "Microsoft.ContainerService/managedClusters", Name: "aks-prod"},
			Location: report.Location{File: "cluster/aks-prod.json", Line: 3, Path: "aadProfile.enableAzureRbac"},
			Fix: &report.Fix{Input: "arm", File: "cluster/aks-prod.json", Line: 3,
				Command: "az aks update --resource-group rg-prod --name aks-prod --enable-azure-rbac"}},
		{Check: "cluster-autoscaler", Item: "cluster.cluster-autoscaling", Severity: check.Medium,
			Message: "node pool user of aks-live does not scale", Remediation: "Enable the cluster autoscaler on the pool.",
			Object:   report.Object{Kind: "Microsoft.ContainerService/managedClusters", Name: "aks-live"},
			Location: report.Location{File: "aks-live", Path: "agentPoolProfiles[1].enableAutoScaling"},
			Fix: &report.Fix{Input: "cluster",
				Command: "az aks nodepool update --resource-group rg-live --cluster-name aks-live --name user --enable-cluster-autoscaler --min-count 2 --max-count 5",
				Note:    "Choose the bounds for the pool's load before running it."}},
		{Check: "run-as-root", Item: "dev.security-context", Severity: check.Medium,
			Message: "container api may run as root", Object: report.Object{Kind: "Deployment", Namespace: "shop", Name: "api"}, Container: "api",
			Location: report.Location{File: "k8s/api.yaml", Line: 9}},
		{Check: "automount-service-account-token", Item: "dev.security-context", Severity: check.Medium,
			Message: "pod of " + Hostile + " mounts a token", Object: report.Object{Kind: "Deployment", Namespace: "ns" + Hostile, Name: "x" + Hostile},
			Location: report.Location{File: "k8s/" + Hostile + ".yaml", Line: 7, Path: "spec.template.spec.automountServiceAccountToken"},
			Fix: &report.Fix{Input: "manifest", File: "k8s/" + Hostile + ".yaml", Line: 7, Edits: []report.Edit{
				{Op: "set", Path: "spec.template.metadata.annotations." + Hostile, Value: Hostile},
				{Op: "set", Path: "spec.template.spec.automountServiceAccountToken", Value: map[string]any{"k" + Hostile: []any{Hostile, int64(1)}}},
				{Op: "set", Path: "spec.template.spec.containers[0].env[0].value", Value: Secret},
			}, Command: "az aks update --name " + Hostile, Note: "note " + Hostile}},
		{Check: "azure-required-tags", Item: "dev.tags", Severity: check.Low,
			Message: "tags of " + Hostile, Object: report.Object{Kind: "azurerm_kubernetes_cluster", Name: "azurerm_kubernetes_cluster.h"},
			Location: report.Location{File: "terraform/h.tf", Line: 5, Path: "tags"},
			Fix: &report.Fix{Input: "terraform", File: "terraform/h.tf", Line: 5, Provider: "azurerm v4", Edits: []report.Edit{
				{Op: "set", Path: "tags.owner", Value: Hostile},
				{Op: "set", Path: "tags.secret", Value: Secret},
			}, Command: "az resource tag --client-secret " + "s3cr3tV4lu3xyz" + " --ids x"}},
	}
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion, Tool: report.Tool{Name: "akscheck", Version: "test"},
		Inputs: []report.Input{{Kind: "manifest", Source: "k8s", Objects: 3}, {Kind: "terraform", Source: "terraform", Objects: 3},
			{Kind: "arm", Source: "arm/aks.json", Objects: 1}, {Kind: "arm", Source: "cluster/aks-prod.json", Objects: 1}, {Kind: "cluster", Source: "aks-live", Objects: 1}},
		Findings: fs,
	}
	for _, it := range cat.Items {
		ri := report.Item{ID: it.ID, Section: it.Section(), Title: it.Title, Status: report.StatusPass, Checks: []string{}}
		for _, f := range fs {
			if f.Item == it.ID {
				ri.Status = report.StatusFail
				ri.Findings++
				if !slices.Contains(ri.Checks, f.Check) {
					ri.Checks = append(ri.Checks, f.Check)
				}
			}
		}
		rep.Items = append(rep.Items, ri)
	}
	rep.Summarize()
	return rep, cat
}

// Golden compares got with the golden file, or rewrites the file when update is set (the
// test package's -update flag); review the rewritten files in the diff.
func Golden(t testing.TB, file string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run the test with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the output differs from %s; run the test with -update and review the diff.\ngot:\n%s", file, got)
	}
}
