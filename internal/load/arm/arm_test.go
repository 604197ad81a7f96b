package arm

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

func load(t *testing.T, opts Options, files ...string) *subject.Scan {
	t.Helper()
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scan.Merge(LoadBytes(f, data, opts))
	}
	scan.Others = Link(scan.Others)
	return scan
}

func clusters(s *subject.Scan) []*subject.Cluster {
	var out []*subject.Cluster
	for _, o := range s.Others {
		if c, ok := o.(*subject.Cluster); ok {
			out = append(out, c)
		}
	}
	return out
}

func only(t *testing.T, s *subject.Scan) *subject.Cluster {
	t.Helper()
	cs := clusters(s)
	if len(cs) != 1 {
		t.Fatalf("want one cluster, got %d (errors %+v)", len(cs), s.Errors)
	}
	return cs[0]
}

func TestAzShowClusters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		check func(t *testing.T, c *subject.Cluster)
	}{
		{"aks-hardened.json", func(t *testing.T, c *subject.Cluster) {
			if !c.PrivateCluster.True() || !c.AADManaged.True() || !c.DisableLocalAccounts.True() || !c.EnableRBAC.True() {
				t.Errorf("hardened cluster: private %v, aad %v, local accounts off %v, rbac %v", c.PrivateCluster, c.AADManaged, c.DisableLocalAccounts, c.EnableRBAC)
			}
			if !c.NodeOSUpgradeChannel.Is("NodeImage") || !c.UpgradeChannel.Is("stable") || !c.SKUTier.Is("Standard") {
				t.Errorf("channels %q %q, tier %q", c.UpgradeChannel.V, c.NodeOSUpgradeChannel.V, c.SKUTier.V)
			}
			if len(c.Pools) != 2 || !c.Pools[0].IsSystem() || len(c.Pools[0].Zones.V) != 3 || !c.Pools[0].Taints.Contains("CriticalAddonsOnly=true:NoSchedule") {
				t.Errorf("pools: %+v", c.Pools)
			}
			if !c.AddonEnabled("azurepolicy").True() || !c.AddonEnabled("omsAgent").True() {
				t.Errorf("add-ons: %+v", c.Addons)
			}
			if c.Addon("azureKeyvaultSecretsProvider").Config["enablesecretrotation"].V != "true" {
				t.Errorf("rotation config: %+v", c.Addon("azureKeyvaultSecretsProvider").Config)
			}
			if !c.KMSEnabled.True() || !c.KMSNetworkAccess.Is("private") || !c.DefenderMonitoring.True() || !c.WorkloadIdentity.True() || !c.OIDCIssuer.True() {
				t.Errorf("security profile not read")
			}
			if !c.NetworkPlugin.Is("azure") || !c.NetworkDataplane.Is("cilium") || !c.OutboundType.Is("userDefinedRouting") {
				t.Errorf("network profile: %v %v %v", c.NetworkPlugin, c.NetworkDataplane, c.OutboundType)
			}
			if c.Pools[1].MaxSurge.V != "33%" || c.Pools[0].MaxSurge.Loc.Line == 0 {
				t.Errorf("max surge %+v", c.Pools[1].MaxSurge)
			}
		}},
		{"aks-default-public.json", func(t *testing.T, c *subject.Cluster) {
			if c.PrivateCluster.True() || !c.PrivateCluster.IsAbsent() || !c.AuthorizedIPRanges.IsAbsent() {
				t.Errorf("default cluster: private %+v, ranges %+v", c.PrivateCluster, c.AuthorizedIPRanges)
			}
			if !c.SKUTier.Is("Free") || c.DisableLocalAccounts.True() || c.AADManaged.True() || !c.UpgradeChannel.Empty() {
				t.Errorf("tier %v local accounts %v aad %v channel %v", c.SKUTier, c.DisableLocalAccounts, c.AADManaged, c.UpgradeChannel)
			}
			if c.Addons == nil || len(c.Addons) != 0 || c.AddonEnabled("azurepolicy").True() {
				t.Errorf("add-ons %+v", c.Addons)
			}
			if p := c.Pools[0]; p.EnableAutoScaling.True() || p.Count.V != 3 || p.Zones.IsKnown() {
				t.Errorf("pool %+v", p)
			}
		}},
		{"aks-windows-kubenet.json", func(t *testing.T, c *subject.Cluster) {
			if !c.NetworkPlugin.Is("kubenet") || len(c.Pools) != 3 || !c.Pools[2].IsWindows() || !c.Pools[2].EnableNodePublicIP.True() {
				t.Errorf("plugin %v, pools %d", c.NetworkPlugin, len(c.Pools))
			}
			if !c.NodeOSUpgradeChannel.Is("unmanaged") || c.Pools[2].OrchestratorVersion.V != "1.33.5" {
				t.Errorf("node OS channel %v", c.NodeOSUpgradeChannel)
			}
		}},
		{"aks-old-api-paid.json", func(t *testing.T, c *subject.Cluster) {
			if !c.SKUTier.Is("Paid") || c.ServicePrincipal.V != "77777777-7777-7777-7777-777777777777" || !c.IdentityType.IsAbsent() {
				t.Errorf("tier %v sp %v identity %v", c.SKUTier, c.ServicePrincipal, c.IdentityType)
			}
			if !c.AddonEnabled("omsagent").True() || !c.AddonEnabled("KUBEDASHBOARD").True() || c.AddonEnabled("azurepolicy").True() || c.AddonEnabled("azurepolicy").IsAbsent() {
				t.Errorf("camel-cased add-on keys not matched: %+v", c.Addons)
			}
			if c.AADManaged.True() || c.AADLegacyServerApp.Empty() || !c.PodIdentity.True() || !c.AuthorizedIPRanges.Contains("0.0.0.0/0") {
				t.Errorf("legacy settings not read")
			}
			if !c.LoadBalancerSKU.Is("basic") {
				t.Errorf("load balancer %v", c.LoadBalancerSKU)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f := filepath.Join("testdata", "az", tt.file)
			s := load(t, Options{}, f)
			c := only(t, s)
			if c.Input != subject.InputARM || c.Source.File != f || c.Source.Line != 1 {
				t.Errorf("identity %+v", c.AzureResource)
			}
			if !s.Evidence[catalog.ARM] || s.Evidence[catalog.ACR] || len(s.Inputs) != 1 || s.Inputs[0].Kind != subject.InputARM {
				t.Errorf("evidence %v inputs %+v", s.Evidence, s.Inputs)
			}
			tt.check(t, c)
		})
	}
}

// TestLinkAcrossFiles ties az outputs of one cluster together by ARM ID.
func TestLinkAcrossFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "az")
	s := load(t, Options{}, filepath.Join(dir, "nodepool-list.json"), filepath.Join(dir, "diagnostic-settings-list.json"),
		filepath.Join(dir, "aks-hardened.json"), filepath.Join(dir, "maintenanceconfiguration-list.json"),
		filepath.Join(dir, "get-upgrades.json"), filepath.Join(dir, "nodepool-get-upgrades-apps.json"),
		filepath.Join(dir, "security-pricing-containers.json"), filepath.Join(dir, "get-versions.json"),
		filepath.Join(dir, "acr-show.json"), filepath.Join(dir, "acr-replication-list.json"), filepath.Join(dir, "acr-task-list.json"),
		filepath.Join(dir, "k8s-extension-list.json"), filepath.Join(dir, "k8s-configuration-flux-list.json"),
		filepath.Join(dir, "dataprotection-backup-instance-list.json"))
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c := only(t, s)
	if !c.ExtensionsKnown || len(c.Extensions) != 2 || len(c.ExtensionOfType("Microsoft.Flux")) != 1 ||
		!c.Extensions[0].AutoUpgradeMinorVersion.True() || !c.Extensions[0].ReleaseTrain.Is("Stable") {
		t.Errorf("extensions: %+v", c.Extensions)
	}
	if !c.FluxConfigsKnown || len(c.FluxConfigs) != 1 || c.FluxConfigs[0].Name != "shop-apps" || !c.FluxConfigs[0].Suspend.IsKnown() || c.FluxConfigs[0].Suspend.V {
		t.Errorf("flux configurations: %+v", c.FluxConfigs)
	}
	if !c.BackupsKnown || len(c.Backups) != 1 || !strings.HasSuffix(c.Backups[0].PolicyID.V, "/backupPolicies/aks-daily") {
		t.Errorf("backup instances: %+v", c.Backups)
	}
	if len(c.Pools) != 2 || c.Pools[1].MaxCount.V != 12 || c.Pools[1].Type.V != "VirtualMachineScaleSets" {
		t.Errorf("the node pool list did not replace the profiles: %+v", c.Pools[1])
	}
	if c.Pools[1].LatestNodeImageVersion.V != "AKSAzureLinux-V2gen2-202612.01.0" {
		t.Errorf("pool upgrade profile not tied: %+v", c.Pools[1].LatestNodeImageVersion)
	}
	if !c.DiagnosticsKnown || len(c.Diagnostics) != 1 || len(c.Diagnostics[0].Logs) != 6 || !c.Diagnostics[0].HasDestination.True() {
		t.Errorf("diagnostics: %+v", c.Diagnostics)
	}
	if !c.MaintenanceKnown || c.MaintenanceNamed("aksManagedNodeOSUpgradeSchedule") == nil {
		t.Errorf("maintenance: %+v", c.Maintenance)
	}
	if c.Upgrades == nil || len(c.Upgrades.Upgrades) != 2 || c.Pricing == nil || !c.Pricing.Tier.Is("Standard") {
		t.Errorf("upgrades %+v pricing %+v", c.Upgrades, c.Pricing)
	}
	if c.Versions == nil || len(c.Versions.Minors) != 5 {
		t.Errorf("versions %+v", c.Versions)
	}
	var reg *subject.Registry
	for _, o := range s.Others {
		if g, ok := o.(*subject.Registry); ok {
			reg = g
		}
	}
	if reg == nil || len(reg.Replications) != 1 || len(reg.Tasks) != 1 || !reg.Tasks[0].BaseImageTrigger.True() ||
		reg.PrivateEndpoints.V != 1 || !reg.QuarantinePolicy.True() || !reg.PublicNetworkAccess.Is("disabled") {
		t.Errorf("registry %+v", reg)
	}
	if !reg.RegistryReplicatedTo("North Europe") || reg.RegistryReplicatedTo("eastus") {
		t.Errorf("replication regions")
	}
	if !s.Evidence[catalog.ARM] || !s.Evidence[catalog.ACR] {
		t.Errorf("evidence %v", s.Evidence)
	}
}

// TestPartsWithoutCluster: a node pool list alone gives a cluster whose own settings are
// unknown.
func TestPartsWithoutCluster(t *testing.T) {
	t.Parallel()
	s := load(t, Options{}, filepath.Join("testdata", "az", "nodepool-list.json"))
	c := only(t, s)
	if len(c.Pools) != 2 || !c.PrivateCluster.IsUnknown() || !c.SKUTier.IsUnknown() || !c.AddonEnabled("azurepolicy").IsUnknown() {
		t.Errorf("cluster of parts: %+v", c)
	}
	if c.Name != "aks-good" {
		t.Errorf("name %q", c.Name)
	}
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	f := filepath.Join("testdata", "templates", "aks.json")
	s := load(t, Options{}, f)
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c := only(t, s)
	if c.Name != "aks-good" || !c.PrivateCluster.True() || c.KubernetesVersion.V != "1.36.2" || len(c.AADAdminGroups.V) != 1 {
		t.Errorf("defaults not resolved: %s private %+v version %+v groups %+v", c.Name, c.PrivateCluster, c.KubernetesVersion, c.AADAdminGroups)
	}
	if c.Tags.V["env"].V != "prod" || len(c.Pools) != 2 || c.Pools[1].Name != "apps" || c.Pools[1].Tags.V["owner"].V != "platform" {
		t.Errorf("variables or child pools: tags %+v pools %d", c.Tags, len(c.Pools))
	}
	if len(c.Maintenance) != 2 || len(c.Diagnostics) != 1 || len(c.Diagnostics[0].Logs) != 6 || c.Pricing == nil {
		t.Errorf("nested children: maintenance %d diagnostics %+v pricing %v", len(c.Maintenance), c.Diagnostics, c.Pricing)
	}
	if !c.AADManaged.True() || !c.DefenderWorkspace.IsKnown() {
		t.Errorf("resourceId() not resolved: %+v", c.DefenderWorkspace)
	}
	// subscription().tenantId is unknown: never a value.
	if c.PrivateCluster.Loc.Line == 0 || c.PrivateCluster.Loc.File != f {
		t.Errorf("location of a resolved expression: %+v", c.PrivateCluster.Loc)
	}
	for _, o := range s.Others {
		if g, ok := o.(*subject.Registry); ok && g.PrivateEndpoints.V != 1 {
			t.Errorf("private endpoint of the template not tied to the registry: %+v", g.PrivateEndpoints)
		}
	}

	params := filepath.Join("testdata", "templates", "aks.parameters.json")
	s = load(t, Options{ParameterFiles: []string{params}}, f)
	c = only(t, s)
	if c.Name != "aks-prod" || c.PrivateCluster.True() || !c.PrivateCluster.IsKnown() || c.KubernetesVersion.V != "1.35.6" || len(c.Diagnostics) != 1 {
		t.Errorf("parameters file not applied: %s %+v %+v", c.Name, c.PrivateCluster, c.KubernetesVersion)
	}
	// Extensions, Flux configurations and backup instances of the renamed cluster, the
	// backup instance tied by the resourceId() of its data source.
	if !c.ExtensionsKnown || len(c.Extensions) != 2 || len(c.FluxConfigs) != 1 || len(c.Backups) != 1 || c.FluxConfigs[0].Name != "shop-apps" {
		t.Errorf("extensions %+v flux %+v backups %+v", c.Extensions, c.FluxConfigs, c.Backups)
	}
}

func TestBicepCompiled(t *testing.T) {
	t.Parallel()
	s := load(t, Options{}, filepath.Join("testdata", "bicep", "main.json"))
	c := only(t, s)
	if len(c.Pools) != 2 || len(c.Maintenance) != 2 || len(c.Diagnostics) != 1 {
		t.Errorf("pools %d maintenance %d diagnostics %d", len(c.Pools), len(c.Maintenance), len(c.Diagnostics))
	}
	var reg *subject.Registry
	for _, o := range s.Others {
		if g, ok := o.(*subject.Registry); ok {
			reg = g
		}
	}
	if reg == nil || reg.Name != "shopacr" || !reg.Location.Is("westeurope") || reg.PrivateEndpoints.V != 1 || reg.Tags.V["env"].V != "prod" {
		t.Fatalf("module's registry: %+v", reg)
	}
}

func TestUnknownValues(t *testing.T) {
	t.Parallel()
	tmpl := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"private": {"type": "bool"}, "ranges": {"type": "array"}},
  "resources": [{
    "type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2025-10-01", "name": "[parameters('name')]",
    "location": "[resourceGroup().location]",
    "properties": {
      "apiServerAccessProfile": {"enablePrivateCluster": "[parameters('private')]", "authorizedIPRanges": "[parameters('ranges')]"},
      "addonProfiles": "[variables('addons')]",
      "agentPoolProfiles": [{"name": "sys", "mode": "System", "count": "[parameters('count')]", "availabilityZones": "[if(parameters('zoned'), createArray('1','2'), createArray())]"}]
    }}]}`
	s := LoadBytes("t.json", []byte(tmpl), Options{})
	s.Others = Link(s.Others)
	c := only(t, s)
	if !c.PrivateCluster.IsUnknown() || !c.AuthorizedIPRanges.IsUnknown() || !c.Location.IsUnknown() || !c.AddonEnabled("azurepolicy").IsUnknown() {
		t.Errorf("unresolved expressions must be unknown: %+v %+v %+v", c.PrivateCluster, c.AuthorizedIPRanges, c.Location)
	}
	if p := c.Pools[0]; !p.Count.IsUnknown() || !p.Zones.IsUnknown() || !p.Mode.Is("System") {
		t.Errorf("pool %+v", p)
	}
	if c.Name != "{name}" {
		t.Errorf("an unresolved name keeps a placeholder: %q", c.Name)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	s := LoadBytes("bad.json", []byte("{\n  \"type\": \"Microsoft.ContainerService/managedClusters\",\n  \"properties\": {\n    \"enableRBAC\": tru\n  }\n}\n"), Options{})
	if len(s.Errors) != 1 || s.Errors[0].Line != 4 || s.Errors[0].Source != "bad.json" {
		t.Fatalf("want one error at line 4, got %+v", s.Errors)
	}
	s = LoadBytes("eof.json", []byte("[{\"type\": \"Microsoft.ContainerService/managedClusters\",\n"), Options{})
	if len(s.Errors) != 1 || s.Errors[0].Line == 0 {
		t.Fatalf("truncated JSON: %+v", s.Errors)
	}
	s = LoadBytes("other.json", []byte(`[{"type": "Microsoft.Network/publicIPAddresses", "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/v"},
 {"type": "Microsoft.ContainerRegistry/registries", "name": "r", "location": "westeurope"}]`), Options{})
	if s.Skipped != 1 || len(s.Others) != 1 || !s.Evidence[catalog.ACR] || s.Evidence[catalog.ARM] || s.Inputs[0].Kind != subject.InputACR {
		t.Errorf("unknown type: skipped %d others %d evidence %v inputs %+v", s.Skipped, len(s.Others), s.Evidence, s.Inputs)
	}
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	if s := LoadBytes("deep.json", []byte(deep), Options{}); len(s.Errors) != 1 {
		t.Errorf("deep nesting: %+v", s.Errors)
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := map[string]Kind{
		`{"apiVersion": "v1", "kind": "Pod"}`: NotAzure,
		`{"hello": 1}`:                        NotAzure,
		`{"value": [{"type": "Microsoft.Insights/diagnosticSettings"}]}`:                                        Resources,
		`{"values": [{"version": "1.33", "patchVersions": {}}]}`:                                                Resources,
		`{"$schema": "https://x/deploymentTemplate.json#", "resources": []}`:                                    Template,
		`{"$schema": "https://x/deploymentParameters.json#", "parameters": {}}`:                                 Parameters,
		`[{"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/a"}]`: Resources,
	}
	for doc, want := range tests {
		if got := Sniff([]byte(doc)); got != want {
			t.Errorf("Sniff(%s) = %d, want %d", doc, got, want)
		}
	}
}

func TestExpressions(t *testing.T) {
	t.Parallel()
	defs, _ := parseJSON([]byte(`{"a": {"type": "string", "defaultValue": "x"}, "n": {"type": "int", "defaultValue": 3}, "o": {"type": "object", "defaultValue": {"k": ["v0", "v1"]}}}`))
	vars, _ := parseJSON([]byte(`{"v": "[concat(parameters('a'), '-', string(parameters('n')))]"}`))
	sc := &scope{defs: defs, vars: vars, params: map[string]any{}, syms: newSymbols()}
	tests := map[string]any{
		"[parameters('a')]":                               "x",
		"[variables('v')]":                                "x-3",
		"[format('{0}/{1}', parameters('a'), 'b')]":       "x/b",
		"[toLower('AbC')]":                                "abc",
		"[parameters('o').k[1]]":                          "v1",
		"[if(equals(parameters('a'), 'x'), 'yes', 'no')]": "yes",
		"[[literal]":                                      "[literal]",
		"[resourceId('Microsoft.Web/sites', 'w')]":        "/providers/Microsoft.Web/sites/w",
		"[not(true())]":                                   false,
	}
	for expr, want := range tests {
		if got := sc.evalString(expr); got != want {
			t.Errorf("%s = %#v, want %#v", expr, got, want)
		}
	}
	for _, expr := range []string{"[reference('x').outputs]", "[uniqueString(resourceGroup().id)]", "[parameters('missing')]", "[concat('a']"} {
		if got := sc.evalString(expr); !isUnknown(got) {
			t.Errorf("%s = %#v, want unknown", expr, got)
		}
	}
}

// TestPaths: every setting carries its path as the input spells it: az keys as the CLI
// prints them, REST and template settings under "properties", and for a setting that is
// not written the path it would have.
func TestPaths(t *testing.T) {
	t.Parallel()
	az := `{
  "id": "/subscriptions/0000/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
  "name": "aks", "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope",
  "enableRbac": true,
  "apiServerAccessProfile": {"enablePrivateCluster": false},
  "addonProfiles": {"omsagent": {"enabled": true, "config": {}}},
  "agentPoolProfiles": [{"name": "system", "mode": "System", "upgradeSettings": {"maxSurge": "33%"}}]
}`
	rest := `{
  "id": "/subscriptions/0000/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
  "name": "aks", "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope",
  "sku": {"tier": "Standard"},
  "properties": {
    "enableRBAC": true,
    "apiServerAccessProfile": {"enablePrivateCluster": false},
    "agentPoolProfiles": [{"name": "system", "mode": "System"}]
  }
}`
	fromString := func(src string) *subject.Cluster {
		s := LoadBytes("c.json", []byte(src), Options{})
		s.Others = Link(s.Others)
		return only(t, s)
	}
	tmpl := filepath.Join("testdata", "templates", "aks.json")
	tc := only(t, load(t, Options{}, tmpl))
	a, r := fromString(az), fromString(rest)
	tests := []struct {
		name string
		got  subject.Location
		want string
	}{
		{"az, written", a.PrivateCluster.Loc, "apiServerAccessProfile.enablePrivateCluster"},
		{"az, spelled as the CLI prints it", a.EnableRBAC.Loc, "enableRbac"},
		{"az, absent", a.NodeOSUpgradeChannel.Loc, "autoUpgradeProfile.nodeOsUpgradeChannel"},
		{"az, absent in a block that is written", a.AuthorizedIPRanges.Loc, "apiServerAccessProfile.authorizedIpRanges"},
		{"az, absent, spelled as the CLI does", a.AADAdminGroups.Loc, "aadProfile.adminGroupObjectIDs"},
		{"az, pool", a.Pools[0].MaxSurge.Loc, "agentPoolProfiles[system].upgradeSettings.maxSurge"},
		{"az, absent pool setting", a.Pools[0].OSDiskType.Loc, "agentPoolProfiles[system].osDiskType"},
		{"az, add-on config", a.Addon("omsagent").Setting("logAnalyticsWorkspaceResourceID").Loc, "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID"},
		{"az, absent add-on", a.AddonEnabled("azurepolicy").Loc, "addonProfiles.azurepolicy.enabled"},
		{"REST, written", r.PrivateCluster.Loc, "properties.apiServerAccessProfile.enablePrivateCluster"},
		{"REST, top-level", r.SKUTier.Loc, "sku.tier"},
		{"REST, absent", r.NodeOSUpgradeChannel.Loc, "properties.autoUpgradeProfile.nodeOSUpgradeChannel"},
		{"REST, absent top-level", r.IdentityType.Loc, "identity.type"},
		{"REST, absent pool setting", r.Pools[0].MaxSurge.Loc, "properties.agentPoolProfiles[system].upgradeSettings.maxSurge"},
		{"REST, absent add-on", r.AddonEnabled("azurepolicy").Loc, "properties.addonProfiles.azurepolicy.enabled"},
		{"template, expression", tc.PrivateCluster.Loc, "properties.apiServerAccessProfile.enablePrivateCluster"},
		{"template, written", tc.DisableLocalAccounts.Loc, "properties.disableLocalAccounts"},
		{"template, profile pool", tc.Pools[0].MaxSurge.Loc, "properties.agentPoolProfiles[system].upgradeSettings.maxSurge"},
		{"template, agentPools resource", tc.Pools[1].MaxSurge.Loc, "properties.upgradeSettings.maxSurge"},
		{"template, absent", tc.Pools[1].EnableFIPS.Loc, "properties.enableFIPS"},
		{"template, missing maintenance", tc.MaintenanceMissingAt("default"), "maintenanceConfigurations/default"},
	}
	for _, tt := range tests {
		if tt.got.Path != tt.want {
			t.Errorf("%s: path %q, want %q", tt.name, tt.got.Path, tt.want)
		}
		if tt.got.File == "" || tt.got.Line == 0 {
			t.Errorf("%s: no file and line: %+v", tt.name, tt.got)
		}
	}
	pools := load(t, Options{}, filepath.Join("testdata", "az", "nodepool-list.json"))
	for _, c := range clusters(pools) {
		for _, p := range c.Pools {
			if p.VMSize.Loc.Path != "vmSize" {
				t.Errorf("az nodepool list: pool %s vmSize at %q, want the pool's own key", p.Name, p.VMSize.Loc.Path)
			}
		}
	}
}

// TestWrongTypes: settings of a type Azure rejects are error entries naming the file, the
// line and the setting, and read as unknown (issue 19), in az output and in REST JSON.
func TestWrongTypes(t *testing.T) {
	t.Parallel()
	az := `{
  "type": "Microsoft.ContainerService/ManagedClusters",
  "name": "aks",
  "enableRbac": "yes",
  "kubernetesVersion": 1.29,
  "agentPoolProfiles": {},
  "disableLocalAccounts": "true",
  "addonProfiles": {"azureKeyvaultSecretsProvider": {"enabled": true, "config": {"enableSecretRotation": true}}}
}
`
	s := LoadBytes("show.json", []byte(az), Options{})
	want := []subject.LoadError{
		{Source: "show.json", Line: 5, Message: "kubernetesVersion: a number is not valid here (want a string); the setting is read as unknown"},
		{Source: "show.json", Line: 4, Message: `enableRbac: the string "yes" is not valid here (want a boolean); the setting is read as unknown`},
		{Source: "show.json", Line: 6, Message: "agentPoolProfiles: an object is not valid here (want an array); the setting is read as unknown"},
	}
	if !reflect.DeepEqual(s.Errors, want) {
		t.Errorf("errors:\n got %+v\nwant %+v", s.Errors, want)
	}
	c := s.Others[0].(*subject.Cluster)
	if !c.EnableRBAC.IsUnknown() || !c.KubernetesVersion.IsUnknown() || len(c.Pools) != 0 {
		t.Errorf("enableRbac %+v, kubernetesVersion %+v, pools %d: want both unknown, no pools", c.EnableRBAC, c.KubernetesVersion, len(c.Pools))
	}
	if !c.DisableLocalAccounts.True() {
		t.Errorf("disableLocalAccounts %+v: \"true\" is a boolean Azure accepts", c.DisableLocalAccounts)
	}
	if v := c.Addons["azurekeyvaultsecretsprovider"].Config["enablesecretrotation"]; !v.IsKnown() || v.V != "true" {
		t.Errorf("add-on config %+v: a boolean in a string map is read as its string", v)
	}

	rest := `{"type": "Microsoft.ContainerService/managedClusters", "name": "aks",
  "properties": {
    "enableRBAC": 1,
    "agentPoolProfiles": [{"name": "sys", "count": "three", "enableAutoScaling": []}]
  }
}`
	s = LoadBytes("rest.json", []byte(rest), Options{})
	msgs := map[string]bool{}
	for _, e := range s.Errors {
		if e.Source != "rest.json" || e.Line == 0 {
			t.Errorf("error without its place: %+v", e)
		}
		msgs[e.Message] = true
	}
	for _, m := range []string{
		"properties.enableRBAC: a number is not valid here (want a boolean); the setting is read as unknown",
		`properties.agentPoolProfiles[sys].count: the string "three" is not valid here (want a number); the setting is read as unknown`,
		"properties.agentPoolProfiles[sys].enableAutoScaling: an array is not valid here (want a boolean); the setting is read as unknown",
	} {
		if !msgs[m] {
			t.Errorf("errors %+v: want %q", s.Errors, m)
		}
	}
}
