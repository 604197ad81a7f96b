package load

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/load/terraform"
	"github.com/akscheck/akscheck/internal/subject"
)

const azCluster = `{
  "id": "/subscriptions/1/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
  "name": "aks",
  "type": "Microsoft.ContainerService/ManagedClusters",
  "location": "westeurope",
  "enableRbac": true
}`

const azPools = `[{
  "id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/agentPools/sys",
  "name": "sys", "type": "Microsoft.ContainerService/managedClusters/agentPools", "mode": "System", "count": 3
}]`

// TestAzureInputs: JSON is told apart by content, .tf files of a directory are one module,
// and resources of several files are tied together.
func TestAzureInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "aks.json", azCluster)
	write(t, dir, "pools.json", azPools)
	write(t, dir, "pod.json", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}`)
	write(t, dir, "other.json", `{"hello": "world"}`)
	write(t, dir, "params.json", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {}}`)
	write(t, dir, "infra/main.tf", "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  sku_tier = var.tier\n}\n")
	write(t, dir, "infra/variables.tf", "variable \"tier\" {}\n")
	write(t, dir, "infra/prod.tfvars", "tier = \"Premium\"\n")
	write(t, dir, "infra/bad/main.tf", "resource \"azurerm_container_registry\" \"r\" {\n  admin_enabled = \n}\n")

	scan := Load(t.Context(), []string{dir}, Options{})
	if len(scan.Objects) != 1 {
		t.Errorf("want the Pod as the only Kubernetes object, got %d", len(scan.Objects))
	}
	if scan.Skipped != 1 {
		t.Errorf("unknown JSON is a manifest document that is skipped: skipped %d", scan.Skipped)
	}
	var az, tf *subject.Cluster
	for _, o := range scan.Others {
		c, ok := o.(*subject.Cluster)
		if !ok {
			continue
		}
		switch c.Input {
		case subject.InputARM:
			az = c
		case subject.InputTerraform:
			tf = c
		}
	}
	if az == nil || len(az.Pools) != 1 || !az.EnableRBAC.True() {
		t.Fatalf("az cluster with its pool list: %+v", az)
	}
	if tf == nil || !tf.SKUTier.Is("Premium") || !strings.HasSuffix(tf.Source.File, filepath.Join("infra", "main.tf")) {
		t.Fatalf("Terraform module with its .tfvars: %+v", tf)
	}
	if !scan.Evidence[catalog.ARM] || !scan.Evidence[catalog.Terraform] || !scan.Evidence[catalog.Manifest] {
		t.Errorf("evidence %v", scan.Evidence)
	}
	kinds := map[subject.InputKind]int{}
	for _, in := range scan.Inputs {
		kinds[in.Kind]++
	}
	if kinds[subject.InputARM] != 2 || kinds[subject.InputTerraform] != 2 {
		t.Errorf("inputs %+v", scan.Inputs)
	}
	if len(scan.Errors) != 1 || !strings.HasSuffix(scan.Errors[0].Source, filepath.Join("bad", "main.tf")) || scan.Errors[0].Line != 2 {
		t.Errorf("want the bad module's error at line 2, got %+v", scan.Errors)
	}
}

func TestSniffJSON(t *testing.T) {
	t.Parallel()
	tests := map[string]FileKind{
		azCluster: KindARM,
		azPools:   KindARM,
		`{"value": [{"id": "/subscriptions/1/providers/Microsoft.Security/pricings/Containers", "type": "Microsoft.Security/pricings", "pricingTier": "Standard"}]}`: KindARM,
		`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": []}`:               KindARM,
		`{"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {}}`:                                                                              KindTerraformPlan,
		`{"apiVersion": "v1", "kind": "List", "items": []}`:                                                                                                          KindManifest,
		`[1, 2]`: KindManifest,
	}
	for doc, want := range tests {
		if got := sniffJSON([]byte(doc)); got != want {
			t.Errorf("sniffJSON(%.60s) = %d, want %d", doc, got, want)
		}
	}
}

// TestAzureOptions: --arm-parameters and --tf-var-file reach the loaders.
func TestAzureOptions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tmpl := write(t, dir, "aks.json", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
 "contentVersion": "1.0.0.0", "parameters": {"tier": {"type": "string"}},
 "resources": [{"type": "Microsoft.ContainerService/managedClusters", "name": "aks", "sku": {"name": "Base", "tier": "[parameters('tier')]"}, "properties": {}}]}`)
	params := write(t, t.TempDir(), "p.json", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {"tier": {"value": "Standard"}}}`)
	tf := write(t, dir, "main.tf", "variable \"tier\" {}\nresource \"azurerm_kubernetes_cluster\" \"a\" {\n  sku_tier = var.tier\n}\n")
	vars := write(t, t.TempDir(), "x.tfvars", "tier = \"Premium\"\n")
	scan := Load(t.Context(), []string{tmpl, tf}, Options{ARM: arm.Options{ParameterFiles: []string{params}}, Terraform: terraform.Options{VarFiles: []string{vars}}})
	got := map[subject.InputKind]string{}
	for _, o := range scan.Others {
		if c, ok := o.(*subject.Cluster); ok {
			got[c.Input] = c.SKUTier.V
		}
	}
	if got[subject.InputARM] != "Standard" || got[subject.InputTerraform] != "Premium" {
		t.Errorf("tiers %v (errors %+v)", got, scan.Errors)
	}
}

// TestPolicyInputs: az policy assignment list and az policy state list output are told apart
// by content as Azure resources (a state has no type, only its policy fields), and a
// module's policy assignments are read with it.
func TestPolicyInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "aks.json", azCluster)
	write(t, dir, "assignments.json", `[{"id": "/subscriptions/1/providers/Microsoft.Authorization/policyAssignments/psb", "name": "psb",
  "type": "Microsoft.Authorization/policyAssignments", "scope": "/subscriptions/1", "enforcementMode": "Default",
  "policyDefinitionId": "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
  "parameters": {"effect": {"value": "Deny"}}}]`)
	write(t, dir, "states.json", `[{"resourceId": "/subscriptions/1/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
  "policyAssignmentId": "/subscriptions/1/providers/Microsoft.Authorization/policyAssignments/psb", "complianceState": "NonCompliant"}]`)
	write(t, dir, "infra/main.tf", "resource \"azurerm_subscription_policy_assignment\" \"p\" {\n  subscription_id = \"/subscriptions/1\"\n  parameters = jsonencode({ effect = { value = \"Audit\" } })\n}\n")
	scan := Load(t.Context(), []string{dir}, Options{})
	if len(scan.Errors) > 0 || scan.Skipped != 0 || len(scan.Objects) != 0 {
		t.Fatalf("errors %+v, skipped %d, objects %d", scan.Errors, scan.Skipped, len(scan.Objects))
	}
	kinds := map[string]int{}
	var cluster *subject.Cluster
	for _, o := range scan.Others {
		switch x := o.(type) {
		case *subject.PolicyAssignment:
			kinds[string(x.Input)+" assignment "+x.Effect.V]++
		case *subject.PolicyState:
			kinds["state"]++
		case *subject.Cluster:
			cluster = x
		}
	}
	if kinds["arm assignment Deny"] != 1 || kinds["terraform assignment Audit"] != 1 || kinds["state"] != 1 {
		t.Errorf("policy subjects %v", kinds)
	}
	if v := subject.ClusterPolicy(scan.Others, cluster); !v.Evidence || len(v.Assignments) != 1 || !v.StatesRead || len(v.States) != 1 {
		t.Errorf("the az cluster's policy: %+v", v)
	}
}
