package arm

import (
	"sort"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// base fills the identity of a resource.
func (r res) base(typ, name string, input subject.InputKind) subject.AzureResource {
	return subject.AzureResource{
		ID:         r.n.get("id").strOr(),
		Name:       name,
		Type:       typ,
		APIVersion: r.n.get("apiVersion").strOr(),
		Source:     r.loc(r.n.line),
		Input:      input,
		Form:       r.form,
	}
}

func (r res) name() string { return r.n.get("name").strOr() }

func (r res) typ() string { return r.n.get("type").strOr() }

// cluster maps a managed cluster (az aks show, REST GET, template resource).
func (r res) cluster(input subject.InputKind) *subject.Cluster {
	c := &subject.Cluster{AzureResource: r.base(orDefault(r.typ(), "Microsoft.ContainerService/managedClusters"), r.name(), input)}
	c.Location = r.str("location")
	c.Tags = r.tags("tags")
	c.SKUTier = r.str("sku", "tier")
	c.IdentityType = r.str("identity", "type")
	sp := r.str("servicePrincipalProfile", "clientId")
	if sp.IsKnown() && strings.EqualFold(sp.V, "msi") {
		sp = subject.String{Attr: subject.Attr{Loc: sp.Loc}}
	}
	c.ServicePrincipal = sp
	c.KubernetesVersion = r.str("kubernetesVersion")
	c.CurrentKubernetesVersion = r.str("currentKubernetesVersion")
	c.SupportPlan = r.str("supportPlan")
	c.EnableRBAC = r.boolean("enableRBAC")
	c.DisableLocalAccounts = r.boolean("disableLocalAccounts")
	c.AADManaged = r.boolean("aadProfile", "managed")
	c.AADLegacyServerApp = r.str("aadProfile", "serverAppID")
	c.AADAzureRBAC = r.boolean("aadProfile", "enableAzureRBAC")
	c.AADAdminGroups = r.list("aadProfile", "adminGroupObjectIDs")
	c.AuthorizedIPRanges = r.list("apiServerAccessProfile", "authorizedIPRanges")
	c.PrivateCluster = r.boolean("apiServerAccessProfile", "enablePrivateCluster")
	c.PrivateClusterPublicFQDN = r.boolean("apiServerAccessProfile", "enablePrivateClusterPublicFQDN")
	c.PublicNetworkAccess = r.str("publicNetworkAccess")
	c.UpgradeChannel = r.str("autoUpgradeProfile", "upgradeChannel")
	c.NodeOSUpgradeChannel = r.str("autoUpgradeProfile", "nodeOSUpgradeChannel")
	c.DefenderMonitoring = r.boolean("securityProfile", "defender", "securityMonitoring", "enabled")
	c.DefenderWorkspace = r.str("securityProfile", "defender", "logAnalyticsWorkspaceResourceId")
	c.KMSEnabled = r.boolean("securityProfile", "azureKeyVaultKms", "enabled")
	c.KMSKeyID = r.str("securityProfile", "azureKeyVaultKms", "keyId")
	c.KMSNetworkAccess = r.str("securityProfile", "azureKeyVaultKms", "keyVaultNetworkAccess")
	c.WorkloadIdentity = r.boolean("securityProfile", "workloadIdentity", "enabled")
	c.OIDCIssuer = r.boolean("oidcIssuerProfile", "enabled")
	c.PodIdentity = r.boolean("podIdentityProfile", "enabled")
	c.NetworkPlugin = r.str("networkProfile", "networkPlugin")
	c.NetworkPluginMode = r.str("networkProfile", "networkPluginMode")
	c.NetworkPolicy = r.str("networkProfile", "networkPolicy")
	c.NetworkDataplane = r.str("networkProfile", "networkDataplane")
	c.OutboundType = r.str("networkProfile", "outboundType")
	c.LoadBalancerSKU = r.str("networkProfile", "loadBalancerSku")
	c.PodCIDRs = r.cidrs("podCidr", "podCidrs")
	c.ServiceCIDRs = r.cidrs("serviceCidr", "serviceCidrs")
	c.DockerBridgeCIDR = r.str("networkProfile", "dockerBridgeCidr")
	c.NodeProvisioningMode = r.str("nodeProvisioningProfile", "mode")
	c.DiskEncryptionSetID = r.str("diskEncryptionSetID")
	c.ManagedPrometheus = r.boolean("azureMonitorProfile", "metrics", "enabled")
	c.KEDA = r.boolean("workloadAutoScalerProfile", "keda", "enabled")
	c.AppMonitoringAutoInstrumentation = r.boolean("azureMonitorProfile", "appMonitoring", "autoInstrumentation", "enabled")
	c.GMSAEnabled = r.boolean("windowsProfile", "gmsaProfile", "enabled")

	c.Addons = map[string]*subject.Addon{}
	c.AddonsAt = r.locAt(r.blockLine("addonProfiles"), "addonProfiles")
	switch ap := r.prop("addonProfiles"); {
	case ap == nil || ap.kind == kNull:
	case ap.kind == kObj:
		for i, k := range ap.keys {
			at := c.AddonsAt.Path + "." + k
			a := r.sub(ap.vals[i], at)
			addon := &subject.Addon{Key: k, Enabled: a.boolean("enabled"), Config: map[string]subject.String{}, Loc: r.loc(ap.vals[i].line)}
			addon.Loc.Path = at
			if cfg := a.n.get("config"); cfg != nil && cfg.kind == kObj {
				ca := a.sub(cfg, a.pathOf("config"))
				for j, ck := range cfg.keys {
					addon.Config[strings.ToLower(ck)] = ca.scalar(cfg.keys[j])
				}
			}
			c.Addons[normKey(k)] = addon
		}
	default:
		// addonProfiles is an unresolved expression: every add-on is unknown.
		c.Addons = nil
	}

	poolsAt := r.pathOf("agentPoolProfiles")
	c.SystemPoolAt = subject.Location{File: r.file, Line: r.n.line, Path: poolsAt}
	c.UserPoolAt = c.SystemPoolAt
	pools := r.prop("agentPoolProfiles")
	if pools != nil && pools.kind != kArr {
		// An object or a string: read as an unresolved expression is, no profiles.
		r.wrongType(pools, poolsAt, "an array")
	}
	if pools != nil && pools.kind == kArr {
		for i, p := range pools.arr {
			name := lastSeg(p.get("name").strOr())
			if name == "" {
				name = strconv.Itoa(i)
			}
			pool := r.sub(p, poolsAt+"["+name+"]").pool(input)
			c.Pools = append(c.Pools, pool)
		}
	}
	c.MaintenanceAt = map[string]subject.Location{}
	for _, name := range []string{"default", "aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"} {
		c.MaintenanceAt[strings.ToLower(name)] = subject.Location{File: r.file, Line: r.n.line, Path: "maintenanceConfigurations/" + name}
	}
	c.DiagnosticsAt = subject.Location{File: r.file, Line: r.n.line, Path: "providers/Microsoft.Insights/diagnosticSettings"}
	return c
}

// pool maps an agent pool profile or an agentPools resource.
func (r res) pool(input subject.InputKind) *subject.NodePool {
	p := &subject.NodePool{AzureResource: r.base("Microsoft.ContainerService/managedClusters/agentPools", lastSeg(r.name()), input)}
	p.Mode = r.str("mode")
	p.Type = r.str("type")
	if p.Type.IsKnown() && strings.Contains(p.Type.V, "/") {
		// The CLI prints an agentPools resource flattened: "type" is then its ARM type and
		// the pool type (properties.type) is renamed typePropertiesType.
		p.Type = r.str("typePropertiesType")
	}
	p.OSType = r.str("osType")
	p.OSSKU = r.str("osSKU")
	p.VMSize = r.str("vmSize")
	p.Count = r.integer("count")
	p.MinCount = r.integer("minCount")
	p.MaxCount = r.integer("maxCount")
	p.EnableAutoScaling = r.boolean("enableAutoScaling")
	p.Zones = r.list("availabilityZones")
	p.Taints = r.list("nodeTaints")
	p.MaxPods = r.integer("maxPods")
	p.EnableNodePublicIP = r.boolean("enableNodePublicIP")
	p.EnableFIPS = r.boolean("enableFIPS")
	p.EnableEncryptionAtHost = r.boolean("enableEncryptionAtHost")
	p.OSDiskType = r.str("osDiskType")
	p.ProximityPlacementGroup = r.str("proximityPlacementGroupID")
	p.MaxSurge = r.str("upgradeSettings", "maxSurge")
	p.DrainTimeoutInMinutes = r.integer("upgradeSettings", "drainTimeoutInMinutes")
	p.NodeSoakDurationInMinutes = r.integer("upgradeSettings", "nodeSoakDurationInMinutes")
	p.VnetSubnetID = r.str("vnetSubnetID")
	p.PodSubnetID = r.str("podSubnetID")
	p.OrchestratorVersion = r.str("orchestratorVersion")
	p.CurrentOrchestratorVersion = r.str("currentOrchestratorVersion")
	p.NodeImageVersion = r.str("nodeImageVersion")
	p.AllowedUnsafeSysctls = r.list("kubeletConfig", "allowedUnsafeSysctls")
	p.FailSwapOn = r.boolean("kubeletConfig", "failSwapOn")
	p.CPUCfsQuota = r.boolean("kubeletConfig", "cpuCfsQuota")
	p.Tags = r.tags("tags")
	return p
}

func (r res) maintenance(input subject.InputKind) *subject.MaintenanceConfig {
	m := &subject.MaintenanceConfig{AzureResource: r.base(r.typ(), lastSeg(r.name()), input)}
	m.ClusterID = parentKey(m.ID, typeCluster)
	win := r.prop("maintenanceWindow")
	tiw := r.prop("timeInWeek")
	switch {
	case win != nil && win.kind == kObj:
		m.HasWindow = subject.KnownBool(true, r.locAt(win.line, "maintenanceWindow"))
	case tiw != nil && tiw.kind == kArr && len(tiw.arr) > 0:
		m.HasWindow = subject.KnownBool(true, r.locAt(tiw.line, "timeInWeek"))
	case win != nil && win.kind == kUnknown:
		m.HasWindow = subject.Bool{Attr: subject.Attr{State: subject.Unknown, Loc: r.locAt(r.n.line, "maintenanceWindow")}}
	case tiw != nil && tiw.kind == kUnknown:
		m.HasWindow = subject.Bool{Attr: subject.Attr{State: subject.Unknown, Loc: r.locAt(r.n.line, "timeInWeek")}}
	default:
		m.HasWindow = subject.KnownBool(false, r.locAt(r.n.line, "maintenanceWindow"))
	}
	return m
}

func (r res) diagnostic(input subject.InputKind) *subject.DiagnosticSetting {
	d := &subject.DiagnosticSetting{AzureResource: r.base(r.typ(), r.name(), input), Logs: map[string]subject.Location{}}
	if i := strings.Index(strings.ToLower(d.ID), "/providers/microsoft.insights/diagnosticsettings/"); i > 0 {
		d.TargetID = strings.ToLower(d.ID[:i])
	}
	d.LogsAt = subject.Location{File: r.file, Line: r.n.line, Path: r.pathOf("logs")}
	if logs := r.prop("logs"); logs != nil {
		if logs.kind != kArr {
			d.UnknownLogs = true
		} else {
			for i, l := range logs.arr {
				lr := r.sub(l, d.LogsAt.Path+"["+strconv.Itoa(i)+"]")
				en := lr.boolean("enabled")
				if en.IsUnknown() {
					d.UnknownLogs = true
					continue
				}
				if en.IsKnown() && !en.V {
					continue
				}
				cat, group := lr.str("category"), lr.str("categoryGroup")
				switch {
				case cat.IsUnknown() || group.IsUnknown():
					d.UnknownLogs = true
				case cat.IsKnown() && cat.V != "":
					d.Logs[strings.ToLower(cat.V)] = r.loc(l.line)
				case group.IsKnown() && group.V != "":
					d.Logs["group:"+strings.ToLower(group.V)] = r.loc(l.line)
				}
			}
		}
	}
	dest := subject.Bool{Attr: subject.Attr{State: subject.Known, Loc: r.locAt(r.n.line, "workspaceId")}}
	for _, k := range []string{"workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"} {
		v := r.str(k)
		switch {
		case v.IsKnown() && v.V != "":
			dest = subject.KnownBool(true, v.Loc)
		case v.IsUnknown() && !dest.V:
			dest.State = subject.Unknown
		}
	}
	d.HasDestination = dest
	return d
}

func (r res) upgradeProfile(input subject.InputKind) *subject.UpgradeProfile {
	u := &subject.UpgradeProfile{AzureResource: r.base(r.typ(), r.name(), input)}
	u.ClusterID = parentKey(u.ID, typeCluster)
	u.KubernetesVersion = r.prop("controlPlaneProfile", "kubernetesVersion").strOr()
	if ups := r.prop("controlPlaneProfile", "upgrades"); ups != nil && ups.kind == kArr {
		for _, x := range ups.arr {
			if v := x.get("kubernetesVersion").strOr(); v != "" {
				u.Upgrades = append(u.Upgrades, v)
			}
		}
	}
	return u
}

// cidrs reads a networkProfile CIDR written singly (podCidr) and as a list (podCidrs, which
// dual-stack clusters use): the list when it is written, else the single one.
func (r res) cidrs(one, many string) subject.List {
	l := r.list("networkProfile", many)
	if l.IsKnown() && len(l.V) > 0 || l.IsUnknown() {
		return l
	}
	s := r.str("networkProfile", one)
	if s.IsKnown() && s.V != "" {
		return subject.List{Attr: s.Attr, V: []string{s.V}}
	}
	return subject.List{Attr: s.Attr}
}

// subnet maps a virtual network's subnet: its prefixes and the addresses in use.
func (r res) subnet(input subject.InputKind) *subject.Subnet {
	sn := &subject.Subnet{AzureResource: r.base(orDefault(r.typ(), "Microsoft.Network/virtualNetworks/subnets"), r.name(), input)}
	sn.AddressPrefixes = r.list("addressPrefixes")
	if one := r.str("addressPrefix"); one.IsKnown() && one.V != "" {
		sn.AddressPrefixes = subject.List{Attr: one.Attr, V: append([]string{one.V}, sn.AddressPrefixes.V...)}
	}
	if ips := r.prop("ipConfigurations"); ips != nil && ips.kind == kArr {
		sn.IPConfigurations = subject.Int{Attr: subject.Attr{State: subject.Known, Loc: r.locAt(ips.line, "ipConfigurations")}, V: int64(len(ips.arr))}
	}
	return sn
}

// vnetSubnets maps the subnets a virtual network declares inline (properties.subnets, as az
// network vnet show prints them and templates write them). A subnet without an ID (a
// template's) gets the scope-less ID resourceId() gives it, so that a pool's
// vnetSubnetID of the same template finds it.
func (r res) vnetSubnets(vnetName string, input subject.InputKind) []*subject.Subnet {
	list := r.prop("subnets")
	if list == nil || list.kind != kArr {
		return nil
	}
	var out []*subject.Subnet
	for i, x := range list.arr {
		if x == nil || x.kind != kObj {
			continue
		}
		sn := r.sub(x, r.pathOf("subnets")+"["+strconv.Itoa(i)+"]").subnet(input)
		if sn.ID == "" && vnetName != "" && sn.Name != "" {
			sn.ID = "/providers/Microsoft.Network/virtualNetworks/" + vnetName + "/subnets/" + sn.Name
		}
		out = append(out, sn)
	}
	return out
}

// wafPolicy maps an Application Gateway or Front Door WAF policy: its mode and state.
func (r res) wafPolicy(t string, input subject.InputKind) *subject.WAFPolicy {
	w := &subject.WAFPolicy{AzureResource: r.base(orDefault(r.typ(), t), r.name(), input)}
	w.Mode = r.str("policySettings", "mode")
	state := r.str("policySettings", "state")
	w.Service = "Application Gateway"
	if t == typeWAFFD {
		w.Service = "Front Door"
		state = r.str("policySettings", "enabledState")
	}
	w.Enabled = subject.Bool{Attr: state.Attr, V: state.Is("Enabled")}
	if state.IsAbsent() {
		// Both default to enabled.
		w.Enabled = subject.KnownBool(true, state.Loc)
	}
	return w
}

func (r res) pricing(input subject.InputKind) *subject.DefenderPricing {
	p := &subject.DefenderPricing{AzureResource: r.base(r.typ(), r.name(), input)}
	p.Plan = lastSeg(r.name())
	p.Tier = r.str("pricingTier")
	return p
}

func (r res) extension(input subject.InputKind) *subject.ClusterExtension {
	e := &subject.ClusterExtension{AzureResource: r.base(r.typ(), lastSeg(r.name()), input)}
	e.ExtensionType = r.str("extensionType")
	e.ReleaseTrain = r.str("releaseTrain")
	e.AutoUpgradeMinorVersion = r.boolean("autoUpgradeMinorVersion")
	e.Version = r.str("version")
	e.ClusterID = parentKey(e.ID, typeCluster)
	return e
}

// fluxConfig maps a Flux configuration (az k8s-configuration flux show, REST, template).
func (r res) fluxConfig(input subject.InputKind) *subject.FluxConfig {
	f := &subject.FluxConfig{AzureResource: r.base(r.typ(), lastSeg(r.name()), input)}
	f.Suspend = r.boolean("suspend")
	f.ClusterID = parentKey(f.ID, typeCluster)
	return f
}

// backupInstance maps an AKS Backup instance (az dataprotection backup-instance show,
// REST, template); instances of other data sources (disks, blobs) give nil.
func (r res) backupInstance(input subject.InputKind) *subject.BackupInstance {
	b := &subject.BackupInstance{AzureResource: r.base(r.typ(), lastSeg(r.name()), input)}
	target := r.str("dataSourceInfo", "resourceID")
	kind := r.str("dataSourceInfo", "datasourceType")
	if kind.IsKnown() && !strings.EqualFold(kind.V, "Microsoft.ContainerService/managedClusters") {
		return nil
	}
	if target.IsKnown() {
		b.ClusterID = parentKey(target.V, typeCluster)
	}
	b.PolicyID = r.str("policyInfo", "policyId")
	return b
}

func (r res) registry(input subject.InputKind) *subject.Registry {
	g := &subject.Registry{AzureResource: r.base(orDefault(r.typ(), "Microsoft.ContainerRegistry/registries"), r.name(), input)}
	g.Location = r.str("location")
	g.Tags = r.tags("tags")
	g.SKU = r.str("sku", "name")
	g.AdminUserEnabled = r.boolean("adminUserEnabled")
	g.AnonymousPull = r.boolean("anonymousPullEnabled")
	g.PublicNetworkAccess = r.str("publicNetworkAccess")
	g.NetworkDefaultAction = r.str("networkRuleSet", "defaultAction")
	pe := r.prop("privateEndpointConnections")
	g.PrivateEndpoints = subject.Int{Attr: subject.Attr{State: subject.Known, Loc: r.locAt(r.blockLine("privateEndpointConnections"), "privateEndpointConnections")}}
	switch {
	case pe == nil || pe.kind == kNull:
	case pe.kind == kArr:
		for i, x := range pe.arr {
			st := r.sub(x, g.PrivateEndpoints.Loc.Path+"["+strconv.Itoa(i)+"]").str("privateLinkServiceConnectionState", "status")
			switch {
			case st.Is("Approved"):
				g.PrivateEndpoints.V++
			case st.IsUnknown() || x.kind == kUnknown:
				g.PrivateEndpoints.State = subject.Unknown
			}
		}
	default:
		g.PrivateEndpoints.State = subject.Unknown
	}
	q := r.str("policies", "quarantinePolicy", "status")
	g.QuarantinePolicy = subject.Bool{Attr: q.Attr, V: q.Is("enabled")}
	g.ReplicationsAt = g.Location.Loc
	return g
}

func (r res) replication(input subject.InputKind) *subject.Replication {
	return &subject.Replication{AzureResource: r.base(r.typ(), lastSeg(r.name()), input), Location: r.str("location")}
}

func (r res) task(input subject.InputKind) *subject.RegistryTask {
	t := &subject.RegistryTask{AzureResource: r.base(r.typ(), lastSeg(r.name()), input)}
	st := r.str("trigger", "baseImageTrigger", "status")
	t.BaseImageTrigger = subject.Bool{Attr: st.Attr, V: st.Is("Enabled")}
	return t
}

// versions maps az aks get-versions / the kubernetesVersions REST list.
func versionsFrom(n *node, file string, input subject.InputKind) *subject.KubernetesVersions {
	kv := &subject.KubernetesVersions{AzureResource: subject.AzureResource{
		Name: "kubernetesVersions", Type: "Microsoft.ContainerService/locations/kubernetesVersions",
		Source: subject.Location{File: file, Line: n.line}, Input: input,
	}}
	vals := n.get("values")
	if vals == nil || vals.kind != kArr {
		return kv
	}
	for _, v := range vals.arr {
		m := subject.KubernetesMinor{Version: v.get("version").strOr()}
		if p := v.get("isPreview"); p != nil && p.kind == kBool {
			m.IsPreview = p.b
		}
		if sp := v.get("capabilities", "supportPlan"); sp != nil && sp.kind == kArr {
			for _, x := range sp.arr {
				m.SupportPlans = append(m.SupportPlans, x.strOr())
			}
		}
		if pv := v.get("patchVersions"); pv != nil && pv.kind == kObj {
			m.Patches = append(m.Patches, pv.keys...)
			sort.Strings(m.Patches)
		}
		if m.Version != "" {
			kv.Minors = append(kv.Minors, m)
		}
	}
	return kv
}

func orDefault(s, def string) string {
	if s == "" || isExpression(s) {
		return def
	}
	return s
}
