package remedy

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

const clusterID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-good"

func TestParamsFile(t *testing.T) {
	t.Parallel()
	p := AzParams()
	has := func(cmd, param string) bool { _, ok := p[cmd][param]; return ok }
	for _, cmd := range []string{"aks create", "aks update", "aks nodepool add", "aks nodepool update", "aks enable-addons", "aks disable-addons", "acr update"} {
		if !has(cmd, "--resource-group") || !has(cmd, "--name") {
			t.Errorf("%s: no --resource-group or --name", cmd)
		}
	}
	if !has("aks nodepool update", "--cluster-name") || !has("aks update", "-g") {
		t.Error("aliases or the node pool's cluster name are missing")
	}
	if !slices.Contains(p["aks disable-addons"]["-a"], "kube-dashboard") {
		t.Error("an alias does not take its parameter's values")
	}
	for _, bad := range []string{"--x\n", "[aks update]\nmax-surge\n", "[aks update]\n[aks update]\n", "[]\n", "[aks update]\n--tier = \n"} {
		if _, err := ParseParams(bad); err == nil {
			t.Errorf("%q parses", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	p := AzParams()
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"aks", "update", "--enable-azure-rbac"}, true},
		{[]string{"aks", "nodepool", "update", "--max-surge", "33%"}, true},
		{[]string{"aks", "update", "--api-server-authorized-ip-ranges=10.0.0.0/8"}, true},
		{[]string{"aks", "update", "--enable-private-cluster"}, false},
		{[]string{"aks", "create", "--enable-private-cluster"}, true},
		{[]string{"aks", "nodepool", "update", "--node-osdisk-type", "Ephemeral"}, false},
		{[]string{"aks", "frobnicate"}, false},
		{[]string{"acr", "update", "--admin-enabled", "false"}, true},
		{[]string{"aks", "nodepool", "update", "--min-count", "-1"}, true},
		{[]string{"aks", "enable-addons", "--addons", "azure-policy,monitoring"}, true},
		{[]string{"aks", "enable-addons", "--addons", "azure-polcy"}, false},
		{[]string{"aks", "update", "--tier=standard"}, true},
		{[]string{"aks", "update", "--tier", "gold"}, false},
		{[]string{"aks", "update", "--tier"}, false},
	} {
		if err := p.Validate(tc.args); (err == nil) != tc.ok {
			t.Errorf("%v: %v", tc.args, err)
		}
	}
}

func TestCommand(t *testing.T) {
	t.Parallel()
	cluster := &subject.AzureResource{ID: clusterID, Name: "aks-good", Form: subject.FormDeployed}
	pool := &subject.AzureResource{Name: "apps", Form: subject.FormDeployed}
	registry := &subject.AzureResource{ID: "/subscriptions/0/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/shopacr", Name: "shopacr"}
	for _, tc := range []struct {
		fix  check.Fix
		want string
	}{
		{check.Fix{Az: []string{"aks", "update", "--tier", "standard"}, Resource: cluster},
			"az aks update --resource-group rg-shop --name aks-good --tier standard"},
		{check.Fix{Az: []string{"aks", "nodepool", "update", "--node-taints", "a=b:NoSchedule,CriticalAddonsOnly=true:NoSchedule"}, Resource: pool, Cluster: cluster},
			"az aks nodepool update --resource-group rg-shop --cluster-name aks-good --name apps --node-taints a=b:NoSchedule,CriticalAddonsOnly=true:NoSchedule"},
		{check.Fix{Az: []string{"acr", "update", "--tags", "owner=platform team"}, Resource: registry},
			"az acr update --resource-group rg-acr --name shopacr --tags 'owner=platform team'"},
		// A pool of nodepool list output names its cluster in its own ID.
		{check.Fix{Az: []string{"aks", "nodepool", "update", "--max-surge", "33%"}, Resource: &subject.AzureResource{ID: clusterID + "/agentPools/apps", Name: "apps"}},
			"az aks nodepool update --resource-group rg-shop --cluster-name aks-good --name apps --max-surge 33%"},
		// No ID (a cluster known by its Nodes): no command.
		{check.Fix{Az: []string{"aks", "update", "--tier", "standard"}, Resource: &subject.AzureResource{Name: "prod"}}, ""},
		// An undocumented parameter is never printed.
		{check.Fix{Az: []string{"aks", "update", "--enable-magic"}, Resource: cluster}, ""},
	} {
		got := ""
		if args := Command(&tc.fix); args != nil {
			got = shellJoin(args)
		}
		if got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.fix.Az, got, tc.want)
		}
	}
}

func TestShape(t *testing.T) {
	t.Parallel()
	loc := subject.Location{File: "main.tf", Line: 12, Path: "public_network_access_enabled"}
	edit := []check.Edit{{Op: check.EditSet, Value: "Disabled"}}
	az := []string{"acr", "update", "--public-network-enabled", "false"}
	registry := func(form subject.Form, provider, path string) check.Finding {
		l := loc
		l.Path = path
		return check.Finding{Location: l, Fix: &check.Fix{Edits: edit, Az: az, Input: subject.InputACR,
			Resource: &subject.AzureResource{ID: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r", Form: form, Provider: provider}}}
	}
	for _, tc := range []struct {
		name string
		f    check.Finding
		want *report.Fix
	}{
		{"deployed", registry(subject.FormDeployed, "", "publicNetworkAccess"),
			&report.Fix{Input: "acr", Command: "az acr update --resource-group rg --name r --public-network-enabled false"}},
		{"template", registry(subject.FormTemplate, "", "properties.publicNetworkAccess"),
			&report.Fix{Input: "acr", File: "main.tf", Line: 12, Edits: []report.Edit{{Op: "set", Path: "properties.publicNetworkAccess", Value: "Disabled"}}}},
		{"bicep", registry(subject.FormBicep, "", "properties.publicNetworkAccess"),
			&report.Fix{Input: "acr", File: "main.tf", Line: 12, Note: "The template is compiled Bicep: make the change in the .bicep source, at the same property path.",
				Edits: []report.Edit{{Op: "set", Path: "properties.publicNetworkAccess", Value: "Disabled"}}}},
		{"module", registry(subject.FormModule, subject.AzurermV3, "public_network_access_enabled"),
			&report.Fix{Input: "acr", File: "main.tf", Line: 12, Provider: "azurerm v3", Edits: []report.Edit{{Op: "set", Path: "public_network_access_enabled", Value: false}}}},
		{"plan", registry(subject.FormPlan, subject.AzurermV4, "network_rule_set[0].public_network_access_enabled"),
			&report.Fix{Input: "acr", Provider: "azurerm v4", Note: "Change the module the plan was made from.",
				Edits: []report.Edit{{Op: "set", Path: "network_rule_set.public_network_access_enabled", Value: false}}}},
		{"manifest", check.Finding{Location: subject.Location{File: "d.yaml", Line: 3, Path: "spec.x"}, Fix: &check.Fix{Edits: []check.Edit{{Op: check.EditSet, Value: true}}, Input: subject.InputManifest}},
			&report.Fix{Input: "manifest", File: "d.yaml", Line: 3, Edits: []report.Edit{{Op: "set", Path: "spec.x", Value: true}}}},
	} {
		if got := Shape(tc.f); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	// A .bicep file akscheck compiled: the fix is at its line, the edits in ARM terms.
	src := registry(subject.FormBicep, "", "properties.publicNetworkAccess")
	src.Location.File, src.Location.Line = "infra/main.bicep", 40
	if got := Shape(src); got.File != "infra/main.bicep" || got.Line != 40 || got.Edits[0].Path != "properties.publicNetworkAccess" ||
		!strings.Contains(got.Note, "The line is in the .bicep source") {
		t.Errorf("bicep source: %+v", got)
	}
	// A setting chosen at creation: the flag in the note, never an update command.
	create := check.Finding{Fix: &check.Fix{Az: []string{"aks", "create", "--enable-private-cluster"}, Note: "At creation only.",
		Resource: &subject.AzureResource{ID: clusterID, Form: subject.FormDeployed}}}
	if got := Shape(create); got.Command != "" || !strings.Contains(got.Note, "az aks create --enable-private-cluster") {
		t.Errorf("creation: %+v", got)
	}
}

func TestSpell(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		form     subject.Form
		provider string
		op       check.EditOp
		path     string
		v, out   any
		outOp    check.EditOp
	}{
		{subject.FormModule, subject.AzurermV4, check.EditSet, "monitor_metrics", true, map[string]any{}, check.EditBlock},
		{subject.FormModule, subject.AzurermV4, check.EditSet, "windows_profile.gmsa", true, map[string]any{"dns_server": "", "root_domain": ""}, check.EditBlock},
		{subject.FormModule, subject.AzurermV4, check.EditAppend, "default_node_pool.only_critical_addons_enabled", "CriticalAddonsOnly=true:NoSchedule", true, check.EditSet},
		{subject.FormTemplate, "", check.EditSet, "properties.policies.quarantinePolicy.status", true, "enabled", check.EditSet},
		{subject.FormDeployed, "", check.EditSet, "publicNetworkAccess", "Disabled", "Disabled", check.EditSet},
		{subject.FormModule, subject.AzurermV4, check.EditSet, "key_vault_secrets_provider.secret_rotation_enabled", "true", true, check.EditSet},
		{subject.FormPlan, subject.AzurermV4, check.EditSet, "azure_policy_enabled", true, true, check.EditSet},
		{subject.FormModule, subject.AzurermV4, check.EditSet, "azure_active_directory_role_based_access_control", true, map[string]any{}, check.EditBlock},
		{subject.FormModule, subject.AzurermV3, check.EditSet, "azure_active_directory_role_based_access_control", true, map[string]any{"managed": true}, check.EditBlock},
	} {
		op, out := spell(tc.form, tc.provider, tc.op, tc.path, tc.v)
		if op != tc.outOp || !reflect.DeepEqual(out, tc.out) {
			t.Errorf("%s %s %v: got %s %v", tc.form, tc.path, tc.v, op, out)
		}
	}
}
