package terraform

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

func loadDir(t *testing.T, dir string, opts Options, names ...string) *subject.Scan {
	t.Helper()
	var files []File
	for _, n := range names {
		p := filepath.Join(dir, n)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Path: p, Data: data})
	}
	return LoadModule(files, opts)
}

func parts(t *testing.T, s *subject.Scan) (*subject.Cluster, *subject.Registry) {
	t.Helper()
	var c *subject.Cluster
	var g *subject.Registry
	for _, o := range s.Others {
		switch x := o.(type) {
		case *subject.Cluster:
			if c != nil {
				t.Fatal("two clusters")
			}
			c = x
		case *subject.Registry:
			g = x
		}
	}
	if c == nil {
		t.Fatalf("no cluster (errors %+v)", s.Errors)
	}
	return c, g
}

// checkHardened asserts the hardened estate, whichever azurerm version wrote it.
func checkHardened(t *testing.T, c *subject.Cluster, g *subject.Registry) {
	t.Helper()
	if c.Name != "azurerm_kubernetes_cluster.good" || c.Type != "azurerm_kubernetes_cluster" || c.Input != subject.InputTerraform {
		t.Errorf("identity %+v", c.AzureResource)
	}
	if !c.UpgradeChannel.Is("stable") || !c.NodeOSUpgradeChannel.Is("NodeImage") || !c.SKUTier.Is("Standard") || c.KubernetesVersion.V != "1.36.2" {
		t.Errorf("channels %+v %+v tier %+v version %+v", c.UpgradeChannel, c.NodeOSUpgradeChannel, c.SKUTier, c.KubernetesVersion)
	}
	if !c.AADManaged.True() || !c.AADAzureRBAC.True() || !c.DisableLocalAccounts.True() || !c.EnableRBAC.True() || !c.IdentityType.Is("SystemAssigned") {
		t.Errorf("identity settings: aad %+v", c.AADManaged)
	}
	if len(c.Pools) != 2 || !c.Pools[0].IsSystem() || !c.Pools[0].EnableAutoScaling.True() || !c.Pools[0].EnableEncryptionAtHost.True() ||
		!c.Pools[0].Taints.Contains("CriticalAddonsOnly=true:NoSchedule") || c.Pools[1].Mode.V != "User" || !c.Pools[1].EnableAutoScaling.True() {
		t.Errorf("pools %+v %+v", c.Pools[0], c.Pools[1])
	}
	if !c.AddonEnabled("azurepolicy").True() || !c.AddonEnabled("omsagent").True() || !c.Addon("omsagent").Config["loganalyticsworkspaceresourceid"].IsUnknown() {
		t.Errorf("add-ons %+v", c.Addons)
	}
	if !c.AppMonitoringAutoInstrumentation.IsUnknown() {
		// azurerm has no argument for it: not absent (off), unknown.
		t.Errorf("app monitoring %+v, want unknown", c.AppMonitoringAutoInstrumentation)
	}
	if !c.DefenderMonitoring.True() || !c.KMSEnabled.True() || !c.ManagedPrometheus.True() || !c.NetworkDataplane.Is("cilium") {
		t.Errorf("blocks: defender %+v kms %+v prometheus %+v dataplane %+v", c.DefenderMonitoring, c.KMSEnabled, c.ManagedPrometheus, c.NetworkDataplane)
	}
	if len(c.Diagnostics) != 1 || len(c.Diagnostics[0].Logs) != 6 || !c.Diagnostics[0].HasDestination.True() {
		t.Errorf("diagnostics %+v", c.Diagnostics)
	}
	if len(c.Maintenance) != 2 || c.MaintenanceNamed("aksManagedAutoUpgradeSchedule") == nil || c.Pricing == nil || !c.Pricing.Tier.Is("Standard") {
		t.Errorf("maintenance %+v pricing %+v", c.Maintenance, c.Pricing)
	}
	if g == nil || !g.SKU.Is("Premium") || g.AdminUserEnabled.True() || !g.PublicNetworkAccess.Is("Disabled") || g.PrivateEndpoints.V != 1 || !g.QuarantinePolicy.True() {
		t.Errorf("registry %+v", g)
	}
}

func TestModuleV4(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "v4")
	s := loadDir(t, dir, Options{}, "main.tf", "variables.tf", "terraform.tfvars")
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c, g := parts(t, s)
	checkHardened(t, c, g)
	if !c.Location.Is("westeurope") {
		t.Errorf("terraform.tfvars not applied: %+v", c.Location)
	}
	if c.PrivateCluster.Loc.File != filepath.Join(dir, "main.tf") || c.PrivateCluster.Loc.Line != 15 {
		t.Errorf("attribute location %+v", c.PrivateCluster.Loc)
	}
	if c.Source.Line != 8 || c.Pools[1].Source.Line != 103 {
		t.Errorf("block locations: cluster %d, node pool %d", c.Source.Line, c.Pools[1].Source.Line)
	}
	if !s.Evidence[catalog.Terraform] || !s.Evidence[catalog.ACR] || s.Evidence[catalog.ARM] || s.Skipped != 0 {
		t.Errorf("evidence %v skipped %d", s.Evidence, s.Skipped)
	}
	if len(s.Inputs) != 2 || s.Inputs[0].Kind != subject.InputTerraform || s.Inputs[0].Objects != 2 {
		t.Errorf("inputs %+v", s.Inputs)
	}
}

func TestModuleV3(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "v3")
	s := loadDir(t, dir, Options{}, "main.tf")
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c, g := parts(t, s)
	checkHardened(t, c, g)
	if !c.PrivateCluster.IsUnknown() || !c.Location.IsUnknown() || !c.AuthorizedIPRanges.Contains("203.0.113.0/24") || !c.PublicNetworkAccess.Is("Enabled") {
		t.Errorf("variables without values must be unknown: private %+v location %+v; ranges %+v", c.PrivateCluster, c.Location, c.AuthorizedIPRanges)
	}
	s = loadDir(t, dir, Options{VarFiles: []string{filepath.Join(dir, "prod.tfvars")}}, "main.tf")
	c, _ = parts(t, s)
	if !c.PrivateCluster.True() || !c.Location.Is("westeurope") {
		t.Errorf("--tf-var-file not applied: %+v", c.PrivateCluster)
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	f := filepath.Join("testdata", "plan", "plan.json")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if !IsPlan(data) {
		t.Fatal("not recognized as a plan")
	}
	s := LoadPlan(f, data)
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c, g := parts(t, s)
	checkHardened(t, c, g)
	if c.Source.File != f || c.Source.Line == 0 {
		t.Errorf("location %+v", c.Source)
	}
}

func TestPreferPlans(t *testing.T) {
	t.Parallel()
	tf := &subject.Cluster{AzureResource: subject.AzureResource{Name: "azurerm_kubernetes_cluster.good", Input: subject.InputTerraform, Source: subject.Location{File: "infra/main.tf"}}}
	plan := &subject.Cluster{AzureResource: subject.AzureResource{Name: "azurerm_kubernetes_cluster.good", Input: subject.InputTerraform, Source: subject.Location{File: "infra/plan.json"}}}
	other := &subject.Cluster{AzureResource: subject.AzureResource{Name: "azurerm_kubernetes_cluster.good", Input: subject.InputTerraform, Source: subject.Location{File: "other/main.tf"}}}
	out := PreferPlans([]subject.Subject{tf, plan, other})
	if len(out) != 2 || out[0] != plan || out[1] != other {
		t.Errorf("got %+v", out)
	}
}

func TestBadHCL(t *testing.T) {
	t.Parallel()
	s := LoadModule([]File{
		{Path: "bad.tf", Data: []byte("resource \"azurerm_kubernetes_cluster\" \"a\" {\n  name = \"a\"\n  sku_tier = \n}\n")},
		{Path: "good.tf", Data: []byte("resource \"azurerm_container_registry\" \"r\" {\n  admin_enabled = true\n}\n")},
	}, Options{})
	if len(s.Errors) == 0 || s.Errors[0].Source != "bad.tf" || s.Errors[0].Line != 3 {
		t.Fatalf("want an error at bad.tf:3, got %+v", s.Errors)
	}
	if len(s.Others) != 1 {
		t.Errorf("the rest of the module must still load: %+v", s.Others)
	}
	s = LoadPlan("p.json", []byte(`{"format_version": "1.2", "planned_values": 7}`))
	if len(s.Errors) != 1 {
		t.Errorf("bad plan: %+v", s.Errors)
	}
}

func TestExpressionsAndMeta(t *testing.T) {
	t.Parallel()
	src := `
variable "env" {
  default = "prod"
}
variable "zones" {}
variable "categories" {}
locals {
  name = "aks-${var.env}"
  tier = local.env_tier
  env_tier = upper(var.env) == "PROD" ? "Standard" : "Free"
}
resource "azurerm_kubernetes_cluster" "a" {
  name     = local.name
  sku_tier = local.tier
  tags     = merge({ env = var.env }, { team = data.azuread_group.g.display_name })
  default_node_pool {
    name  = "sys"
    zones = var.zones
  }
}
resource "azurerm_kubernetes_cluster" "skipped" {
  count = 0
}
resource "azurerm_monitor_diagnostic_setting" "d" {
  target_resource_id = azurerm_kubernetes_cluster.a.id
  log_analytics_workspace_id = "x"
  dynamic "enabled_log" {
    for_each = var.categories
    content {
      category = enabled_log.value
    }
  }
}
`
	s := LoadModule([]File{{Path: "m.tf", Data: []byte(src)}}, Options{})
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c, _ := parts(t, s)
	if !c.SKUTier.Is("Standard") {
		t.Errorf("locals referring to locals: %+v", c.SKUTier)
	}
	if c.Tags.V["env"].V != "prod" || !c.Tags.V["team"].IsUnknown() && !c.Tags.IsUnknown() {
		t.Errorf("tags %+v", c.Tags)
	}
	if !c.Pools[0].Zones.IsUnknown() {
		t.Errorf("undeclared variable must be unknown: %+v", c.Pools[0].Zones)
	}
	if len(c.Diagnostics) != 1 || !c.Diagnostics[0].UnknownLogs {
		t.Errorf("dynamic blocks are unknown: %+v", c.Diagnostics)
	}
	if !strings.HasSuffix(c.Name, ".a") {
		t.Errorf("name %s", c.Name)
	}
}

// TestPaths: every setting carries its azurerm attribute path (in a plan, its path in the
// resource's values), as written; an absent one the path it would have, by its v3 name in
// a v3 module and its v4 name otherwise.
func TestPaths(t *testing.T) {
	t.Parallel()
	v4, _ := parts(t, loadDir(t, filepath.Join("testdata", "v4"), Options{}, "main.tf", "variables.tf", "terraform.tfvars"))
	v3, _ := parts(t, loadDir(t, filepath.Join("testdata", "v3"), Options{}, "main.tf"))
	f := filepath.Join("testdata", "plan", "plan.json")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := parts(t, LoadPlan(f, data))
	// A module that says nothing of its azurerm version and writes no v3 name.
	bare := LoadModule([]File{{Path: "bare.tf", Data: []byte(`resource "azurerm_kubernetes_cluster" "c" {
  name = "c"
  default_node_pool {
    name = "system"
  }
}
`)}}, Options{})
	b, _ := parts(t, bare)
	// A module that requires azurerm v3 but writes no v3 name.
	pinned := LoadModule([]File{{Path: "pinned.tf", Data: []byte(`terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.117"
    }
  }
}

resource "azurerm_kubernetes_cluster" "c" {
  name = "c"
  default_node_pool {
    name = "system"
  }
}
`)}}, Options{})
	p3, _ := parts(t, pinned)
	tests := []struct {
		name string
		got  subject.Location
		want string
	}{
		{"v4, written", v4.PrivateCluster.Loc, "private_cluster_enabled"},
		{"v4, v4 name", v4.UpgradeChannel.Loc, "automatic_upgrade_channel"},
		{"v4, default pool", v4.Pools[0].MaxSurge.Loc, "default_node_pool.upgrade_settings.max_surge"},
		{"v4, node pool resource", v4.Pools[1].VMSize.Loc, "vm_size"},
		{"v4, absent", v4.Pools[0].CPUCfsQuota.Loc, "default_node_pool.kubelet_config.cpu_cfs_quota_enabled"},
		{"v4, block", v4.KMSEnabled.Loc, "key_management_service"},
		{"v4, add-on config", v4.Addon("azureKeyvaultSecretsProvider").Setting("enableSecretRotation").Loc, "key_vault_secrets_provider.secret_rotation_enabled"},
		{"v4, missing maintenance", v4.MaintenanceMissingAt("default"), "maintenance_window"},
		{"v3, v3 name", v3.UpgradeChannel.Loc, "automatic_channel_upgrade"},
		{"v3, pool v3 name", v3.Pools[0].EnableAutoScaling.Loc, "default_node_pool.enable_auto_scaling"},
		{"v3, absent v3 name", v3.Pools[0].EnableNodePublicIP.Loc, "default_node_pool.enable_node_public_ip"},
		{"v3, authorized ranges", v3.AuthorizedIPRanges.Loc, "api_server_authorized_ip_ranges"},
		{"no version, absent", b.Pools[0].EnableNodePublicIP.Loc, "default_node_pool.node_public_ip_enabled"},
		{"no version, absent block", b.OutboundType.Loc, "network_profile.outbound_type"},
		{"no version, absent add-on", b.AddonEnabled("omsagent").Loc, "oms_agent"},
		{"required v3, absent", p3.Pools[0].EnableNodePublicIP.Loc, "default_node_pool.enable_node_public_ip"},
		{"required v3, absent cluster setting", p3.NodeOSUpgradeChannel.Loc, "node_os_channel_upgrade"},
		{"plan, written", plan.PrivateCluster.Loc, "private_cluster_enabled"},
		{"plan, nested", plan.Pools[0].MaxSurge.Loc, "default_node_pool[0].upgrade_settings[0].max_surge"},
		{"plan, absent", plan.Pools[0].CPUCfsQuota.Loc, "default_node_pool[0].kubelet_config[0].cpu_cfs_quota_enabled"},
	}
	for _, tt := range tests {
		if tt.got.Path != tt.want {
			t.Errorf("%s: path %q, want %q", tt.name, tt.got.Path, tt.want)
		}
		if tt.got.File == "" || tt.got.Line == 0 {
			t.Errorf("%s: no file and line: %+v", tt.name, tt.got)
		}
	}
}

// TestUndeclaredAndCountForEach: what Terraform rejects is an error entry at its line
// (issue 19), and the rest still loads.
func TestUndeclaredAndCountForEach(t *testing.T) {
	t.Parallel()
	src := `variable "env" {}
locals {
  tier = var.tier
}
resource "azurerm_kubernetes_cluster" "a" {
  count    = 1
  for_each = toset(["x"])
  sku_tier = local.tier
  name     = "${local.prefix}-${var.env}"
  default_node_pool {
    name  = "sys"
    zones = var.zones
  }
}
`
	s := LoadModule([]File{{Path: "m.tf", Data: []byte(src)}}, Options{})
	want := []subject.LoadError{
		{Source: "m.tf", Line: 3, Message: `reference to an undeclared variable: var.tier (no variable "tier" block); its value is unknown`},
		{Source: "m.tf", Line: 5, Message: `resource "azurerm_kubernetes_cluster" "a" has both count and for_each (Terraform rejects the combination): read as one instance`},
		{Source: "m.tf", Line: 9, Message: "reference to an undeclared local value: local.prefix (no locals block sets it); its value is unknown"},
		{Source: "m.tf", Line: 12, Message: `reference to an undeclared variable: var.zones (no variable "zones" block); its value is unknown`},
	}
	if !reflect.DeepEqual(s.Errors, want) {
		t.Errorf("errors:\n got %+v\nwant %+v", s.Errors, want)
	}
	c, _ := parts(t, s)
	if !c.SKUTier.IsUnknown() || !c.Pools[0].Zones.IsUnknown() {
		t.Errorf("sku_tier %+v, zones %+v: want unknown", c.SKUTier, c.Pools[0].Zones)
	}

	// A file that does not parse may hold the declarations: no guesses then.
	s = LoadModule([]File{{Path: "m.tf", Data: []byte(src)}, {Path: "vars.tf", Data: []byte("variable \"tier\" {\n")}}, Options{})
	var both bool
	for _, e := range s.Errors {
		if strings.Contains(e.Message, "undeclared") {
			t.Errorf("undeclared reported beside a parse error: %+v", e)
		}
		both = both || strings.Contains(e.Message, "count and for_each")
	}
	if !both {
		t.Errorf("errors %+v: want count and for_each reported still", s.Errors)
	}
}

// TestOtherResourcesArguments: an expression that reads an argument another resource
// writes (the usual location = azurerm_resource_group.main.location) takes its value, through
// chains of resources; what no resource writes (an ID), and every argument of a resource with
// count or for_each, stays unknown.
func TestOtherResourcesArguments(t *testing.T) {
	t.Parallel()
	src := `
variable "location" {
  default = "westeurope"
}
variable "tier" {}
resource "azurerm_resource_group" "main" {
  name     = "rg-shop"
  location = var.location
}
resource "azurerm_resource_group" "copy" {
  name     = "rg-copy"
  location = azurerm_resource_group.main.location
  tags     = { tier = var.tier }
}
resource "azurerm_resource_group" "many" {
  count    = 2
  name     = "rg-${count.index}"
  location = "northeurope"
}
resource "azurerm_kubernetes_cluster" "a" {
  name                = "aks"
  location            = azurerm_resource_group.copy.location
  resource_group_name = azurerm_resource_group.main.name
  sku_tier            = azurerm_resource_group.copy.tags.tier
  kubernetes_version  = azurerm_resource_group.many[0].location
  disk_encryption_set_id = azurerm_resource_group.main.id
  default_node_pool {
    name = "sys"
  }
}
`
	s := LoadModule([]File{{Path: "m.tf", Data: []byte(src)}}, Options{})
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c, _ := parts(t, s)
	if !c.Location.Is("westeurope") {
		t.Errorf("location through two resources: %+v", c.Location)
	}
	for name, v := range map[string]subject.String{"a map with an unknown value": c.SKUTier, "a resource with count": c.KubernetesVersion,
		"an ID no resource writes": c.DiskEncryptionSetID} {
		if !v.IsUnknown() {
			t.Errorf("%s must stay unknown: %+v", name, v)
		}
	}
}

// checkExtensions asserts the extensions, Flux configuration and backup instance of the
// hardened module (v4 and its plan).
func checkExtensions(t *testing.T, c *subject.Cluster) {
	t.Helper()
	if !c.ExtensionsKnown || !c.FluxConfigsKnown || !c.BackupsKnown {
		t.Errorf("a module describes every extension: %v %v %v", c.ExtensionsKnown, c.FluxConfigsKnown, c.BackupsKnown)
	}
	if len(c.Extensions) != 2 || len(c.ExtensionOfType("microsoft.flux")) != 1 || len(c.ExtensionOfType("microsoft.dataprotection.kubernetes")) != 1 {
		t.Errorf("extensions %+v", c.Extensions)
	}
	for _, e := range c.Extensions {
		if !e.AutoUpgradeMinorVersion.True() {
			t.Errorf("extension %s without version must auto-upgrade: %+v", e.Name, e.AutoUpgradeMinorVersion)
		}
	}
	if len(c.FluxConfigs) != 1 || c.FluxConfigs[0].Suspend.True() || len(c.Backups) != 1 || !c.Backups[0].PolicyID.IsKnown() {
		t.Errorf("flux %+v backups %+v", c.FluxConfigs, c.Backups)
	}
}

func TestExtensionsV4AndPlan(t *testing.T) {
	t.Parallel()
	c, _ := parts(t, loadDir(t, filepath.Join("testdata", "v4"), Options{}, "main.tf", "variables.tf", "terraform.tfvars"))
	checkExtensions(t, c)
	f := filepath.Join("testdata", "plan", "plan.json")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = parts(t, LoadPlan(f, data))
	checkExtensions(t, c)
}

// TestExtensionVersionPins: azurerm turns autoUpgradeMinorVersion off when version is set,
// and a version from a variable without a value leaves it unknown.
func TestExtensionVersionPins(t *testing.T) {
	t.Parallel()
	src := `
variable "dapr_version" {}
resource "azurerm_kubernetes_cluster" "a" {
  name = "aks"
  default_node_pool {
    name = "sys"
  }
}
resource "azurerm_kubernetes_cluster_extension" "dapr" {
  name           = "dapr"
  cluster_id     = azurerm_kubernetes_cluster.a.id
  extension_type = "microsoft.dapr"
  version        = "1.14.4"
  release_train  = "Preview"
}
resource "azurerm_kubernetes_cluster_extension" "flux" {
  name           = "flux"
  cluster_id     = azurerm_kubernetes_cluster.a.id
  extension_type = "microsoft.flux"
  version        = var.dapr_version
}
`
	s := LoadModule([]File{{Path: "m.tf", Data: []byte(src)}}, Options{})
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c, _ := parts(t, s)
	if len(c.Extensions) != 2 {
		t.Fatalf("extensions %+v", c.Extensions)
	}
	dapr, flux := c.Extensions[0], c.Extensions[1]
	if !dapr.AutoUpgradeMinorVersion.IsKnown() || dapr.AutoUpgradeMinorVersion.V || !dapr.Version.Is("1.14.4") || !dapr.ReleaseTrain.Is("Preview") {
		t.Errorf("pinned extension %+v", dapr)
	}
	if dapr.AutoUpgradeMinorVersion.Loc.Line != 13 {
		t.Errorf("the pin is reported at version: %+v", dapr.AutoUpgradeMinorVersion.Loc)
	}
	if !flux.AutoUpgradeMinorVersion.IsUnknown() {
		t.Errorf("a version from a variable leaves auto-upgrade unknown: %+v", flux.AutoUpgradeMinorVersion)
	}
}
