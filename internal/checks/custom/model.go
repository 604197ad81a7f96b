package custom

import (
	"maps"
	"slices"
	"strings"

	"github.com/google/cel-go/common/types"

	"github.com/akscheck/akscheck/internal/subject"
)

// The Azure targets' CEL values are built from the subject model, never from the input, so
// that a check gives one verdict whichever loader described the resource (az JSON, REST, ARM
// templates, Bicep, Terraform, the live Azure API). Field names mirror the ARM properties of
// the resource where it has them, in camelCase; docs/config.md lists them.
//
// A setting's three states map onto CEL as follows:
//   - absent (not written; the service default applies): the key is missing, so has() is
//     false and `.?` gives none; an object all of whose settings are absent is missing too;
//   - unknown (written, but unresolved: a Terraform variable without a value, a template
//     expression): a CEL unknown value (types.Unknown) carrying the field's path, which the
//     interpreter propagates through every operator and function, so that an expression whose
//     result depends on it evaluates to unknown, and one that does not (x || true) does not;
//   - known: its value (string, bool, int, list of strings, map of strings).
//
// Unknown values are placed in the activation rather than declared with attribute patterns
// (cel.PartialVars): a pattern makes every attribute that is a prefix of it unknown, so one
// unresolved pool setting would make the whole agentPoolProfiles list unknown, and a
// comprehension over the pools undecided even when the known pools decide it.

// unknowns records, by the ID of each unknown value of an evaluation, the field it stands for.
type unknowns struct {
	fields map[int64]unknownField
	// schema, when set, collects every field the builders could set, whatever its state
	// (Fields).
	schema *[]Field
}

// Field is a field of a target's CEL variable.
type Field struct {
	// Path names it as an expression does: cluster.sku.tier.
	Path string
	// Type is its CEL type: string, bool, int, list(string), map(string, string)...
	Type string
}

// Fields lists the fields of the variables of a target (cluster, pool, registry) in the
// order the model gives them, for the docs.
func Fields(target string) []Field {
	var out []Field
	u := &unknowns{schema: &out}
	switch target {
	case TargetCluster:
		u.clusterValue(&subject.Cluster{Addons: map[string]*subject.Addon{"<key>": {
			Config: map[string]subject.String{"<setting>": {}}}}})
	case TargetNodePool:
		u.poolValue(&subject.Cluster{}, &subject.NodePool{}, "pool")
	case TargetRegistry:
		u.registryValue(&subject.Registry{Replications: []*subject.Replication{{}}})
	}
	return out
}

func (u *unknowns) describe(path, typ string) {
	if u.schema != nil {
		*u.schema = append(*u.schema, Field{Path: path, Type: typ})
	}
}

type unknownField struct {
	// path is the field as the expression names it: cluster.networkProfile.networkPlugin.
	path string
	// owner names the resource it belongs to: "cluster aks-prod", "node pool np1 of cluster aks-prod".
	owner string
	attr  subject.Attr
	input subject.InputKind
}

// value returns the CEL unknown that stands for a field.
func (u *unknowns) value(f unknownField) *types.Unknown {
	if u.fields == nil {
		u.fields = map[int64]unknownField{}
	}
	// Negative IDs never collide with those of the expression's nodes.
	id := -int64(len(u.fields) + 1)
	u.fields[id] = f
	segs := strings.Split(f.path, ".")
	trail := types.NewAttributeTrail(segs[0])
	for _, s := range segs[1:] {
		types.QualifyAttribute[string](trail, s)
	}
	return types.NewUnknown(id, trail)
}

// object builds one CEL map value of a resource, recording its unknown settings.
type object struct {
	u     *unknowns
	path  string
	owner string
	input subject.InputKind
	m     map[string]any
}

func (u *unknowns) object(path, owner string, input subject.InputKind) *object {
	return &object{u: u, path: path, owner: owner, input: input, m: map[string]any{}}
}

// child starts a nested object, set on o under key by done when it holds anything.
func (o *object) child(key string) *object {
	return &object{u: o.u, path: o.path + "." + key, owner: o.owner, input: o.input, m: map[string]any{}}
}

// set puts a setting of a CEL type under key by its state: nothing when absent, an
// unknown, or v.
func (o *object) set(key, typ string, a subject.Attr, v any) *object {
	o.u.describe(o.path+"."+key, typ)
	switch a.State {
	case subject.Unknown:
		o.m[key] = o.u.value(unknownField{path: o.path + "." + key, owner: o.owner, attr: a, input: o.input})
	case subject.Known:
		o.m[key] = v
	}
	return o
}

func (o *object) str(key string, s subject.String) *object { return o.set(key, "string", s.Attr, s.V) }
func (o *object) bool(key string, b subject.Bool) *object  { return o.set(key, "bool", b.Attr, b.V) }
func (o *object) int(key string, i subject.Int) *object    { return o.set(key, "int", i.Attr, i.V) }

func (o *object) list(key string, l subject.List) *object {
	return o.set(key, "list(string)", l.Attr, append([]string{}, l.V...))
}

// plain puts a string the model always knows; "" is absent.
func (o *object) plain(key, v string) *object {
	o.u.describe(o.path+"."+key, "string")
	if v != "" {
		o.m[key] = v
	}
	return o
}

// tags puts a resource's tags: a map whose values each have their own state.
func (o *object) tags(t subject.Tags) {
	if t.State != subject.Known {
		o.set("tags", "map(string, string)", t.Attr, nil)
		return
	}
	o.u.describe(o.path+".tags", "map(string, string)")
	c := o.child("tags")
	for _, k := range slices.Sorted(maps.Keys(t.V)) {
		c.str(k, t.V[k])
	}
	o.m["tags"] = c.m
}

// put sets a child object under key when it holds anything.
func (o *object) put(key string, c *object) {
	if len(c.m) > 0 {
		o.m[key] = c.m
	}
}

// clusterValue is the cluster as the `cluster` variable holds it.
func (u *unknowns) clusterValue(c *subject.Cluster) map[string]any {
	o := u.object("cluster", "cluster "+c.Name, c.Input)
	o.plain("id", c.ID)
	if c.ResourceName.IsAbsent() {
		o.plain("name", c.Name)
	} else {
		o.str("name", c.ResourceName)
	}
	if c.ResourceGroup.IsAbsent() {
		o.plain("resourceGroup", subject.ResourceGroupOf(c.ID))
	} else {
		o.str("resourceGroup", c.ResourceGroup)
	}
	o.str("location", c.Location)
	o.tags(c.Tags)
	o.put("sku", o.child("sku").str("tier", c.SKUTier))
	o.put("identity", o.child("identity").str("type", c.IdentityType))
	o.put("servicePrincipalProfile", o.child("servicePrincipalProfile").str("clientId", c.ServicePrincipal))
	o.str("kubernetesVersion", c.KubernetesVersion).str("currentKubernetesVersion", c.CurrentKubernetesVersion).
		str("supportPlan", c.SupportPlan).bool("enableRBAC", c.EnableRBAC).bool("disableLocalAccounts", c.DisableLocalAccounts)
	o.put("aadProfile", o.child("aadProfile").bool("managed", c.AADManaged).bool("enableAzureRBAC", c.AADAzureRBAC).
		list("adminGroupObjectIDs", c.AADAdminGroups).str("serverAppID", c.AADLegacyServerApp))
	o.put("apiServerAccessProfile", o.child("apiServerAccessProfile").list("authorizedIPRanges", c.AuthorizedIPRanges).
		bool("enablePrivateCluster", c.PrivateCluster).bool("enablePrivateClusterPublicFQDN", c.PrivateClusterPublicFQDN))
	o.str("publicNetworkAccess", c.PublicNetworkAccess)
	o.put("autoUpgradeProfile", o.child("autoUpgradeProfile").str("upgradeChannel", c.UpgradeChannel).
		str("nodeOSUpgradeChannel", c.NodeOSUpgradeChannel))
	sec := o.child("securityProfile")
	def := sec.child("defender").str("logAnalyticsWorkspaceResourceId", c.DefenderWorkspace)
	def.put("securityMonitoring", def.child("securityMonitoring").bool("enabled", c.DefenderMonitoring))
	sec.put("defender", def)
	sec.put("azureKeyVaultKms", sec.child("azureKeyVaultKms").bool("enabled", c.KMSEnabled).str("keyId", c.KMSKeyID).
		str("keyVaultNetworkAccess", c.KMSNetworkAccess))
	sec.put("workloadIdentity", sec.child("workloadIdentity").bool("enabled", c.WorkloadIdentity))
	o.put("securityProfile", sec)
	o.put("oidcIssuerProfile", o.child("oidcIssuerProfile").bool("enabled", c.OIDCIssuer))
	o.put("podIdentityProfile", o.child("podIdentityProfile").bool("enabled", c.PodIdentity))
	o.addons(c)
	o.put("networkProfile", o.child("networkProfile").str("networkPlugin", c.NetworkPlugin).
		str("networkPluginMode", c.NetworkPluginMode).str("networkPolicy", c.NetworkPolicy).
		str("networkDataplane", c.NetworkDataplane).str("outboundType", c.OutboundType).
		str("loadBalancerSku", c.LoadBalancerSKU).list("podCidrs", c.PodCIDRs).list("serviceCidrs", c.ServiceCIDRs).
		str("dockerBridgeCidr", c.DockerBridgeCIDR))
	o.put("nodeProvisioningProfile", o.child("nodeProvisioningProfile").str("mode", c.NodeProvisioningMode))
	o.str("diskEncryptionSetID", c.DiskEncryptionSetID)
	mon := o.child("azureMonitorProfile")
	mon.put("metrics", mon.child("metrics").bool("enabled", c.ManagedPrometheus))
	app := mon.child("appMonitoring")
	app.put("autoInstrumentation", app.child("autoInstrumentation").bool("enabled", c.AppMonitoringAutoInstrumentation))
	mon.put("appMonitoring", app)
	o.put("azureMonitorProfile", mon)
	win := o.child("windowsProfile")
	win.put("gmsaProfile", win.child("gmsaProfile").bool("enabled", c.GMSAEnabled))
	o.put("windowsProfile", win)
	ws := o.child("workloadAutoScalerProfile")
	ws.put("keda", ws.child("keda").bool("enabled", c.KEDA))
	o.put("workloadAutoScalerProfile", ws)
	u.describe("cluster.agentPoolProfiles", "list(pool): the node pools, each with the fields of pool")
	pools := make([]any, 0, len(c.Pools))
	for _, p := range c.Pools {
		pools = append(pools, u.poolValue(c, p, "cluster.agentPoolProfiles["+poolName(p)+"]"))
	}
	o.m["agentPoolProfiles"] = pools
	return o.m
}

// addons puts addonProfiles, by lower-cased key (Azure rewrites their casing; Terraform
// names them otherwise): unknown when the model does not know the cluster's add-ons.
func (o *object) addons(c *subject.Cluster) {
	if c.Addons == nil {
		o.set("addonProfiles", "map(string, addon)", subject.Attr{State: subject.Unknown, Loc: c.AddonsAt}, nil)
		return
	}
	o.u.describe(o.path+".addonProfiles", "map(string, addon): by lower-cased add-on key (omsagent, azurepolicy, azurekeyvaultsecretsprovider...)")
	all := o.child("addonProfiles")
	for _, key := range slices.Sorted(maps.Keys(c.Addons)) {
		a := c.Addons[key]
		one := all.child(key).bool("enabled", a.Enabled)
		cfg := one.child("config")
		for _, k := range slices.Sorted(maps.Keys(a.Config)) {
			cfg.str(k, a.Config[k])
		}
		one.put("config", cfg)
		all.m[key] = one.m
	}
	o.m["addonProfiles"] = all.m
}

// poolValue is a node pool as the `pool` variable (and cluster.agentPoolProfiles) holds it.
func (u *unknowns) poolValue(c *subject.Cluster, p *subject.NodePool, path string) map[string]any {
	o := u.object(path, "node pool "+poolName(p)+" of cluster "+c.Name, p.Input)
	if p.PoolName.IsAbsent() {
		o.plain("name", p.Name)
	} else {
		o.str("name", p.PoolName)
	}
	o.plain("id", p.ID)
	o.str("mode", p.Mode).str("type", p.Type).str("osType", p.OSType).str("osSKU", p.OSSKU).str("vmSize", p.VMSize).
		int("count", p.Count).int("minCount", p.MinCount).int("maxCount", p.MaxCount).
		bool("enableAutoScaling", p.EnableAutoScaling).list("availabilityZones", p.Zones).list("nodeTaints", p.Taints).
		int("maxPods", p.MaxPods).bool("enableNodePublicIP", p.EnableNodePublicIP).bool("enableFIPS", p.EnableFIPS).
		bool("enableEncryptionAtHost", p.EnableEncryptionAtHost).str("osDiskType", p.OSDiskType).
		str("proximityPlacementGroupID", p.ProximityPlacementGroup)
	o.put("upgradeSettings", o.child("upgradeSettings").str("maxSurge", p.MaxSurge).
		int("drainTimeoutInMinutes", p.DrainTimeoutInMinutes).int("nodeSoakDurationInMinutes", p.NodeSoakDurationInMinutes))
	o.str("vnetSubnetID", p.VnetSubnetID).str("podSubnetID", p.PodSubnetID).
		str("orchestratorVersion", p.OrchestratorVersion).str("currentOrchestratorVersion", p.CurrentOrchestratorVersion).
		str("nodeImageVersion", p.NodeImageVersion).str("latestNodeImageVersion", p.LatestNodeImageVersion)
	o.put("kubeletConfig", o.child("kubeletConfig").list("allowedUnsafeSysctls", p.AllowedUnsafeSysctls).
		bool("failSwapOn", p.FailSwapOn).bool("cpuCfsQuota", p.CPUCfsQuota))
	o.tags(p.Tags)
	return o.m
}

// registryValue is a container registry as the `registry` variable holds it.
func (u *unknowns) registryValue(r *subject.Registry) map[string]any {
	o := u.object("registry", "registry "+r.Name, r.Input)
	o.plain("id", r.ID).plain("name", r.Name).str("location", r.Location)
	o.tags(r.Tags)
	o.put("sku", o.child("sku").str("name", r.SKU))
	o.bool("adminUserEnabled", r.AdminUserEnabled).bool("anonymousPullEnabled", r.AnonymousPull).
		str("publicNetworkAccess", r.PublicNetworkAccess).
		set("privateEndpoints", "int: the approved private endpoint connections", r.PrivateEndpoints.Attr, r.PrivateEndpoints.V)
	o.put("networkRuleSet", o.child("networkRuleSet").str("defaultAction", r.NetworkDefaultAction))
	pol := o.child("policies")
	q := pol.child("quarantinePolicy")
	status := "disabled"
	if r.QuarantinePolicy.V {
		status = "enabled"
	}
	q.set("status", "string: enabled or disabled", r.QuarantinePolicy.Attr, status)
	pol.put("quarantinePolicy", q)
	o.put("policies", pol)
	u.describe("registry.replications", "list(replication): the geo-replications")
	reps := make([]any, 0, len(r.Replications))
	for _, rep := range r.Replications {
		path := "registry.replications[" + rep.Name + "]"
		if u.schema != nil {
			path = "registry.replications[]"
		}
		ro := u.object(path, "registry "+r.Name, r.Input)
		ro.plain("name", rep.Name).str("location", rep.Location)
		reps = append(reps, ro.m)
	}
	o.m["replications"] = reps
	return o.m
}

// poolName is the pool's Azure name when the model knows it, else its name in the input.
func poolName(p *subject.NodePool) string {
	if p.PoolName.IsKnown() {
		return p.PoolName.V
	}
	return p.Name
}
