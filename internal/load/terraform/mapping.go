package terraform

import (
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/load/jsonvalue"
	"github.com/akscheck/akscheck/internal/subject"
)

// Resource types read here; other azurerm resources (resource groups, workspaces…) are
// left alone: a module is more than its clusters.
const (
	tfCluster    = "azurerm_kubernetes_cluster"
	tfNodePool   = "azurerm_kubernetes_cluster_node_pool"
	tfRegistry   = "azurerm_container_registry"
	tfDiagnostic = "azurerm_monitor_diagnostic_setting"
	tfExtension  = "azurerm_kubernetes_cluster_extension"
	tfPricing    = "azurerm_security_center_subscription_pricing"
	tfEndpoint   = "azurerm_private_endpoint"
	tfSubnet     = "azurerm_subnet"
	tfVNet       = "azurerm_virtual_network"
	tfWAFAppGw   = "azurerm_web_application_firewall_policy"
	tfWAFFD      = "azurerm_cdn_frontdoor_firewall_policy"
	tfWAFFDOld   = "azurerm_frontdoor_firewall_policy"
	tfFlux       = "azurerm_kubernetes_flux_configuration"
	tfBackup     = "azurerm_data_protection_backup_instance_kubernetes_cluster"
)

func base(b *tblock, input subject.InputKind) subject.AzureResource {
	form, provider := formOf(b)
	return subject.AzureResource{Name: b.address(), Type: b.labels[0], Source: b.loc, Input: input, Form: form, Provider: provider}
}

// formOf is the form of the input a block comes from (a module or a plan) and the azurerm
// version whose names it uses (setPaths has set both).
func formOf(b *tblock) (subject.Form, string) {
	form, provider := subject.FormModule, subject.AzurermV4
	if b.plan {
		form = subject.FormPlan
	}
	if b.v3 {
		provider = subject.AzurermV3
	}
	return form, provider
}

// known returns a known string set at the block (a provider default).
func knownAt(v string, b *tblock) subject.String { return subject.KnownString(v, b.at()) }

// present is a boolean that is true when a block is written (oms_agent {}, say); b comes
// from nested.
func present(b *tblock) subject.Bool {
	if b.absent {
		return subject.Bool{Attr: subject.Attr{State: subject.Absent, Loc: b.at()}}
	}
	return subject.KnownBool(true, b.at())
}

// at is a location with a path.
func at(loc subject.Location, path string) subject.Location {
	loc.Path = path
	return loc
}

// v3Names are attributes that only azurerm v3 has: a module that writes one is a v3 module.
var v3Names = map[string]bool{
	"automatic_channel_upgrade": true, "node_os_channel_upgrade": true, "api_server_authorized_ip_ranges": true,
	"enable_auto_scaling": true, "enable_node_public_ip": true, "enable_host_encryption": true,
	"ebpf_data_plane": true, "enable_pod_security_policy": true, "client_app_id": true, "server_app_id": true,
}

// writtenForV3 reports whether blocks use an attribute only azurerm v3 has.
func writtenForV3(blocks []*tblock, depth int) bool {
	if depth > 16 {
		return false
	}
	for _, b := range blocks {
		for name := range b.attrs {
			if v3Names[name] {
				return true
			}
		}
		for _, nbs := range b.blocks {
			if writtenForV3(nbs, depth+1) {
				return true
			}
		}
	}
	return false
}

// withDefault applies a provider default to an absent setting.
func withDefault(s subject.String, def string) subject.String {
	if s.IsAbsent() {
		s.State, s.V = subject.Known, def
	}
	return s
}

func boolToEnabled(b subject.Bool) subject.String {
	out := subject.String{Attr: b.Attr}
	if b.IsKnown() {
		out.V = "Disabled"
		if b.V {
			out.V = "Enabled"
		}
	}
	return out
}

// assemble maps azurerm resources into clusters and registries and ties them together.
func assemble(resources []*tblock, input subject.InputKind) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	v3 := writtenForV3(resources, 0)
	for _, r := range resources {
		v3 = v3 || r.v3
	}
	for _, r := range resources {
		r.setPaths("", r.plan, v3, 0)
	}
	clusters := map[string]*subject.Cluster{}
	var clusterList []*subject.Cluster
	registries := map[string]*subject.Registry{}
	var registryList []*subject.Registry
	subnets := subnetsOf(resources, input)
	for _, r := range resources {
		switch r.labels[0] {
		case tfCluster:
			c := cluster(r, input)
			if dp := r.block("default_node_pool"); dp != nil && len(c.Pools) > 0 {
				c.Pools[0].Subnet = subnets.of(dp.attr("vnet_subnet_id"))
			}
			clusters[r.address()] = c
			clusterList = append(clusterList, c)
		case tfRegistry:
			g := registry(r, input)
			registries[r.address()] = g
			registryList = append(registryList, g)
		}
	}
	clusterOf := func(a *tval) *subject.Cluster {
		for _, ref := range a.refs {
			if c, ok := clusters[ref]; ok {
				return c
			}
		}
		if len(clusterList) == 1 {
			return clusterList[0]
		}
		return nil
	}
	for _, r := range resources {
		switch r.labels[0] {
		case tfCluster, tfRegistry:
		case tfNodePool:
			if c := clusterOf(r.attr("kubernetes_cluster_id")); c != nil {
				p := pool(r, r, input, false)
				p.AzureResource = base(r, input)
				p.PoolName = r.attr("name").str()
				p.Subnet = subnets.of(r.attr("vnet_subnet_id"))
				c.Pools = append(c.Pools, p)
			}
		case tfDiagnostic:
			if c := clusterOf(r.attr("target_resource_id")); c != nil {
				c.Diagnostics = append(c.Diagnostics, diagnostic(r, input))
			}
		case tfExtension:
			if c := clusterOf(r.attr("cluster_id")); c != nil {
				c.Extensions = append(c.Extensions, extension(r, input))
			}
		case tfFlux:
			if c := clusterOf(r.attr("cluster_id")); c != nil {
				c.FluxConfigs = append(c.FluxConfigs, &subject.FluxConfig{AzureResource: base(r, input),
					Suspend: r.attr("suspended").boolean()})
			}
		case tfBackup:
			if c := clusterOf(r.attr("kubernetes_cluster_id")); c != nil {
				c.Backups = append(c.Backups, &subject.BackupInstance{AzureResource: base(r, input),
					PolicyID: r.attr("backup_policy_id").str()})
			}
		case tfPricing:
			// resource_type defaults to VirtualMachines.
			rt := withDefault(r.attr("resource_type").str(), "VirtualMachines")
			if !rt.Is("Containers") {
				continue
			}
			p := &subject.DefenderPricing{AzureResource: base(r, input), Plan: "Containers", Tier: r.attr("tier").str()}
			for _, c := range clusterList {
				c.Pricing = p
			}
		case tfWAFAppGw, tfWAFFD, tfWAFFDOld:
			scan.Others = append(scan.Others, wafPolicy(r, input))
		case tfEndpoint:
			for _, psc := range r.blocks["private_service_connection"] {
				target := psc.attr("private_connection_resource_id")
				var to *subject.Registry
				for _, ref := range target.refs {
					if g, ok := registries[ref]; ok {
						to = g
					}
				}
				if s, ok := target.v.(string); ok && target.state == subject.Known {
					for _, g := range registryList {
						if g.ID != "" && strings.EqualFold(s, g.ID) {
							to = g
						}
					}
				}
				if to != nil {
					to.PrivateEndpoints.V++
				}
			}
		}
	}
	for _, c := range clusterList {
		scan.Others = append(scan.Others, c)
		scan.Evidence[catalog.Terraform] = true
	}
	for _, g := range registryList {
		scan.Others = append(scan.Others, g)
		scan.Evidence[catalog.ACR] = true
	}
	for _, sn := range subnets.list {
		scan.Others = append(scan.Others, sn)
	}
	scan.Others = append(scan.Others, trafficSubjects(resources, input)...)
	assignments, errs := policyAssignments(resources, input)
	scan.Others = append(scan.Others, assignments...)
	scan.Errors = append(scan.Errors, errs...)
	return scan
}

// wafPolicy maps a WAF policy: policy_settings { mode, enabled } for Application Gateway
// (both optional: Prevention and true), mode and enabled for Front Door (mode required,
// enabled true by default).
func wafPolicy(r *tblock, input subject.InputKind) *subject.WAFPolicy {
	w := &subject.WAFPolicy{AzureResource: base(r, input), Service: "Front Door"}
	settings := r
	if r.labels[0] == tfWAFAppGw {
		w.Service = "Application Gateway"
		settings = r.nested("policy_settings")
		w.Mode = withDefault(settings.attr("mode").str(), "Prevention")
	} else {
		w.Mode = settings.attr("mode").str()
	}
	w.Enabled = settings.attr("enabled").boolean()
	if w.Enabled.IsAbsent() {
		w.Enabled = subject.KnownBool(true, w.Enabled.Loc)
	}
	return w
}

// tfSubnets are the subnets of a module: azurerm_subnet resources by address, and the subnet
// blocks azurerm_virtual_network declares inline, by the network's address.
type tfSubnets struct {
	byAddress map[string]*subject.Subnet
	inline    map[string][]*subject.Subnet
	list      []*subject.Subnet
}

func subnetsOf(resources []*tblock, input subject.InputKind) *tfSubnets {
	out := &tfSubnets{byAddress: map[string]*subject.Subnet{}, inline: map[string][]*subject.Subnet{}}
	for _, r := range resources {
		switch r.labels[0] {
		case tfSubnet:
			sn := tfSubnetOf(r, r.address(), input)
			sn.ID = stringOf(r.attr("id"))
			out.byAddress[r.address()] = sn
			out.list = append(out.list, sn)
		case tfVNet:
			for _, b := range r.blocks["subnet"] {
				sn := tfSubnetOf(b, r.address()+".subnet["+stringOf(b.attr("name"))+"]", input)
				sn.ID = stringOf(b.attr("id"))
				out.inline[r.address()] = append(out.inline[r.address()], sn)
				out.list = append(out.list, sn)
			}
		}
	}
	return out
}

// tfSubnetOf maps a subnet's address prefixes (address_prefixes; address_prefix before
// azurerm v3). Terraform does not know the addresses in use.
func tfSubnetOf(b *tblock, name string, input subject.InputKind) *subject.Subnet {
	sn := &subject.Subnet{AzureResource: subject.AzureResource{Name: name, Type: tfSubnet, Source: b.loc, Input: input}}
	sn.AddressPrefixes = b.attr("address_prefixes").list()
	if one := b.attr("address_prefix").str(); one.IsKnown() && one.V != "" {
		sn.AddressPrefixes = subject.List{Attr: one.Attr, V: []string{one.V}}
	}
	sn.IPConfigurations = subject.Int{Attr: subject.Attr{Loc: b.loc}}
	return sn
}

// of returns the subnet a vnet_subnet_id names: the azurerm_subnet it references, the one
// subnet of a referenced azurerm_virtual_network, or the subnet of that literal ID; nil when
// none of the module's.
func (s *tfSubnets) of(a *tval) *subject.Subnet {
	for _, ref := range a.refs {
		if sn, ok := s.byAddress[ref]; ok {
			return sn
		}
		if in := s.inline[ref]; len(in) == 1 {
			return in[0]
		}
	}
	if id := stringOf(a); id != "" {
		for _, sn := range s.list {
			if sn.HasID(id) {
				return sn
			}
		}
	}
	return nil
}

func cluster(r *tblock, input subject.InputKind) *subject.Cluster {
	c := &subject.Cluster{AzureResource: base(r, input)}
	c.ID = stringOf(r.attr("id"))
	c.ResourceName = r.attr("name").str()
	c.ResourceGroup = r.attr("resource_group_name").str()
	c.Location = r.attr("location").str()
	c.Tags = r.attr("tags").tags()
	c.SKUTier = withDefault(r.attr("sku_tier").str(), "Free")
	c.IdentityType = r.nested("identity").attr("type").str()
	if sp := r.nested("service_principal"); !sp.absent {
		c.ServicePrincipal = sp.attr("client_id").str()
		if c.ServicePrincipal.IsAbsent() {
			c.ServicePrincipal = subject.KnownString("service principal", sp.at())
		}
	} else {
		c.ServicePrincipal = subject.String{Attr: subject.Attr{Loc: sp.at()}}
	}
	c.KubernetesVersion = r.attr("kubernetes_version").str()
	c.CurrentKubernetesVersion = r.attr("current_kubernetes_version").str()
	c.SupportPlan = withDefault(r.attr("support_plan").str(), "KubernetesOfficial")
	c.EnableRBAC = r.attr("role_based_access_control_enabled").boolean()
	if c.EnableRBAC.IsAbsent() {
		c.EnableRBAC = subject.KnownBool(true, c.EnableRBAC.Loc)
	}
	c.DisableLocalAccounts = r.attr("local_account_disabled").boolean()

	aad := r.nested("azure_active_directory_role_based_access_control")
	if aad.absent {
		c.AADManaged = subject.Bool{Attr: subject.Attr{Loc: aad.at()}}
		c.AADAzureRBAC = aad.attr("azure_rbac_enabled").boolean()
		c.AADAdminGroups = aad.attr("admin_group_object_ids").list()
	} else {
		// azurerm v4: the block means AKS-managed Entra ID. v3: managed = true, or the
		// legacy integration with client_app_id / server_app_id.
		c.AADManaged = aad.attr("managed").boolean()
		c.AADLegacyServerApp = aad.attr("server_app_id").str()
		if c.AADManaged.IsAbsent() {
			c.AADManaged = subject.KnownBool(c.AADLegacyServerApp.IsAbsent() && aad.attr("client_app_id").state == subject.Absent, aad.at())
		}
		c.AADAzureRBAC = aad.attr("azure_rbac_enabled").boolean()
		c.AADAdminGroups = aad.attr("admin_group_object_ids").list()
	}
	ap := r.nested("api_server_access_profile")
	switch v3 := r.attr("api_server_authorized_ip_ranges"); {
	case ap.attr("authorized_ip_ranges").state != subject.Absent:
		c.AuthorizedIPRanges = ap.attr("authorized_ip_ranges").list()
	case v3.state != subject.Absent || (r.v3 && ap.absent):
		c.AuthorizedIPRanges = v3.list()
	default:
		c.AuthorizedIPRanges = ap.attr("authorized_ip_ranges").list()
	}
	c.PrivateCluster = r.attr("private_cluster_enabled").boolean()
	c.PrivateClusterPublicFQDN = r.attr("private_cluster_public_fqdn_enabled").boolean()
	c.PublicNetworkAccess = boolToEnabled(r.attr("public_network_access_enabled").boolean())
	c.UpgradeChannel = r.attr("automatic_upgrade_channel", "automatic_channel_upgrade").str()
	c.NodeOSUpgradeChannel = withDefault(r.attr("node_os_upgrade_channel", "node_os_channel_upgrade").str(), "NodeImage")

	def := r.nested("microsoft_defender")
	c.DefenderMonitoring = present(def)
	c.DefenderWorkspace = def.attr("log_analytics_workspace_id").str()
	kms := r.nested("key_management_service")
	c.KMSEnabled = present(kms)
	c.KMSKeyID = kms.attr("key_vault_key_id").str()
	c.KMSNetworkAccess = kms.attr("key_vault_network_access").str()
	if !kms.absent {
		c.KMSNetworkAccess = withDefault(c.KMSNetworkAccess, "Public")
	}
	c.WorkloadIdentity = r.attr("workload_identity_enabled").boolean()
	c.OIDCIssuer = r.attr("oidc_issuer_enabled").boolean()
	c.PodIdentity = subject.Bool{Attr: subject.Attr{Loc: r.loc}}

	c.AddonsAt = r.loc
	c.Addons = map[string]*subject.Addon{}
	c.AddonPaths = map[string]string{}
	addBool := func(key, attr string) {
		a := r.attr(attr)
		c.AddonPaths[strings.ToLower(key)] = a.loc.Path
		if a.state != subject.Absent {
			c.Addons[strings.ToLower(key)] = &subject.Addon{Key: key, Enabled: a.boolean(), Config: map[string]subject.String{}, Loc: a.loc}
		}
	}
	addBlock := func(key, block string, config map[string]string) {
		b := r.nested(block)
		c.AddonPaths[strings.ToLower(key)] = b.path
		if b.absent {
			return
		}
		a := &subject.Addon{Key: key, Enabled: subject.KnownBool(true, b.at()), Config: map[string]subject.String{}, Loc: b.at()}
		for cfg, attr := range config {
			a.Config[strings.ToLower(cfg)] = b.attr(attr).str()
		}
		c.Addons[strings.ToLower(key)] = a
	}
	addBool("azurepolicy", "azure_policy_enabled")
	addBool("httpApplicationRouting", "http_application_routing_enabled")
	addBool("openServiceMesh", "open_service_mesh_enabled")
	addBlock("omsagent", "oms_agent", map[string]string{"logAnalyticsWorkspaceResourceID": "log_analytics_workspace_id"})
	addBlock("azureKeyvaultSecretsProvider", "key_vault_secrets_provider", map[string]string{
		"enableSecretRotation": "secret_rotation_enabled", "rotationPollInterval": "secret_rotation_interval"})
	addBlock("ingressApplicationGateway", "ingress_application_gateway", map[string]string{"applicationGatewayId": "gateway_id"})
	if kv := c.Addons["azurekeyvaultsecretsprovider"]; kv != nil {
		// secret_rotation_enabled defaults to false.
		rot := kv.Config["enablesecretrotation"]
		if rot.IsAbsent() {
			kv.Config["enablesecretrotation"] = subject.KnownString("false", rot.Loc)
		}
	}

	np := r.nested("network_profile")
	c.NetworkPlugin = np.attr("network_plugin").str()
	c.NetworkPluginMode = np.attr("network_plugin_mode").str()
	c.NetworkPolicy = np.attr("network_policy").str()
	c.NetworkDataplane = np.attr("network_data_plane").str()
	if c.NetworkDataplane.IsAbsent() {
		if e := np.attr("ebpf_data_plane").str(); !e.IsAbsent() {
			c.NetworkDataplane = e
		}
	}
	c.OutboundType = np.attr("outbound_type").str()
	c.LoadBalancerSKU = np.attr("load_balancer_sku").str()
	c.PodCIDRs = tfCIDRs(np, "pod_cidr", "pod_cidrs")
	c.ServiceCIDRs = tfCIDRs(np, "service_cidr", "service_cidrs")
	c.DockerBridgeCIDR = np.attr("docker_bridge_cidr").str()
	if !np.absent {
		c.OutboundType = withDefault(c.OutboundType, "loadBalancer")
		c.LoadBalancerSKU = withDefault(c.LoadBalancerSKU, "standard")
	}
	c.DiskEncryptionSetID = r.attr("disk_encryption_set_id").str()
	c.ManagedPrometheus = present(r.nested("monitor_metrics"))
	c.KEDA = r.nested("workload_autoscaler_profile").attr("keda_enabled").boolean()
	// azurerm has no argument for application monitoring (a preview setting): whatever
	// sets it (azapi, the portal) is outside this resource.
	c.AppMonitoringAutoInstrumentation = subject.Bool{Attr: subject.Attr{State: subject.Unknown, Loc: r.loc}}
	c.GMSAEnabled = present(r.nested("windows_profile").nested("gmsa"))
	c.NodeProvisioningMode = subject.String{Attr: subject.Attr{Loc: r.loc}}
	c.SystemPoolAt = at(r.loc, "default_node_pool")
	c.UserPoolAt = at(r.loc, tfNodePool)
	c.DiagnosticsAt = at(r.loc, tfDiagnostic)

	if dp := r.block("default_node_pool"); dp != nil {
		p := pool(dp, r, input, true)
		c.Pools = append(c.Pools, p)
	}
	c.MaintenanceKnown, c.DiagnosticsKnown = true, true
	// A module declares every extension, Flux configuration and backup instance it deploys.
	c.ExtensionsKnown, c.FluxConfigsKnown, c.BackupsKnown = true, true, true
	c.MaintenanceAt = map[string]subject.Location{}
	for name, block := range map[string]string{
		"default": "maintenance_window", "aksManagedAutoUpgradeSchedule": "maintenance_window_auto_upgrade",
		"aksManagedNodeOSUpgradeSchedule": "maintenance_window_node_os",
	} {
		b := r.nested(block)
		c.MaintenanceAt[strings.ToLower(name)] = at(r.loc, b.path)
		if !b.absent {
			c.Maintenance = append(c.Maintenance, &subject.MaintenanceConfig{
				AzureResource: subject.AzureResource{Name: name, Type: block, Source: b.loc, Input: input},
				HasWindow:     subject.KnownBool(true, b.at()),
			})
		}
	}
	return c
}

// extension maps an azurerm_kubernetes_cluster_extension. azurerm has no auto-upgrade
// argument: it turns autoUpgradeMinorVersion off when version pins one, on otherwise.
func extension(r *tblock, input subject.InputKind) *subject.ClusterExtension {
	e := &subject.ClusterExtension{AzureResource: base(r, input),
		ExtensionType: r.attr("extension_type").str(), ReleaseTrain: r.attr("release_train").str()}
	e.Version = r.attr("version").str()
	e.AutoUpgradeMinorVersion = subject.Bool{Attr: e.Version.Attr, V: e.Version.IsAbsent() || e.Version.V == ""}
	if e.Version.IsAbsent() {
		e.AutoUpgradeMinorVersion.State = subject.Known
	}
	return e
}

// pool maps default_node_pool (def) or an azurerm_kubernetes_cluster_node_pool.
func pool(b, res *tblock, input subject.InputKind, def bool) *subject.NodePool {
	form, provider := formOf(b)
	p := &subject.NodePool{AzureResource: subject.AzureResource{
		Name: stringOf(b.attr("name")), Type: "azurerm_kubernetes_cluster_node_pool", Source: b.loc, Input: input,
		Form: form, Provider: provider,
	}}
	if def {
		p.Name = res.address() + ".default_node_pool"
		if n := stringOf(b.attr("name")); n != "" {
			p.Name = n
		}
		p.Mode = knownAt("System", b)
		p.OSType = knownAt("Linux", b)
		p.Type = withDefault(b.attr("type").str(), "VirtualMachineScaleSets")
	} else {
		p.Mode = withDefault(b.attr("mode").str(), "User")
		p.OSType = withDefault(b.attr("os_type").str(), "Linux")
		p.Type = knownAt("VirtualMachineScaleSets", b)
	}
	p.OSSKU = b.attr("os_sku").str()
	p.VMSize = b.attr("vm_size").str()
	p.Count = b.attr("node_count").integer()
	p.MinCount = b.attr("min_count").integer()
	p.MaxCount = b.attr("max_count").integer()
	p.EnableAutoScaling = b.attr("auto_scaling_enabled", "enable_auto_scaling").boolean()
	p.Zones = b.attr("zones").list()
	p.Taints = b.attr("node_taints").list()
	if def {
		// only_critical_addons_enabled taints the default pool CriticalAddonsOnly=true:NoSchedule.
		oc := b.attr("only_critical_addons_enabled").boolean()
		switch {
		case oc.True():
			p.Taints = subject.List{Attr: oc.Attr, V: append(append([]string{}, p.Taints.V...), "CriticalAddonsOnly=true:NoSchedule")}
		case oc.IsUnknown():
			p.Taints = subject.List{Attr: oc.Attr}
		case p.Taints.IsAbsent():
			// The default pool is tainted CriticalAddonsOnly by only_critical_addons_enabled.
			p.Taints.Loc = oc.Loc
		}
	}
	p.MaxPods = b.attr("max_pods").integer()
	p.EnableNodePublicIP = b.attr("node_public_ip_enabled", "enable_node_public_ip").boolean()
	p.EnableFIPS = b.attr("fips_enabled").boolean()
	p.EnableEncryptionAtHost = b.attr("host_encryption_enabled", "enable_host_encryption").boolean()
	p.OSDiskType = b.attr("os_disk_type").str()
	p.ProximityPlacementGroup = b.attr("proximity_placement_group_id").str()
	p.MaxSurge = b.nested("upgrade_settings").attr("max_surge").str()
	p.DrainTimeoutInMinutes = b.nested("upgrade_settings").attr("drain_timeout_in_minutes").integer()
	p.NodeSoakDurationInMinutes = b.nested("upgrade_settings").attr("node_soak_duration_in_minutes").integer()
	p.VnetSubnetID = b.attr("vnet_subnet_id").str()
	p.PodSubnetID = b.attr("pod_subnet_id").str()
	p.OrchestratorVersion = b.attr("orchestrator_version").str()
	p.CurrentOrchestratorVersion = subject.String{Attr: subject.Attr{Loc: b.loc}}
	p.NodeImageVersion = subject.String{Attr: subject.Attr{Loc: b.loc}}
	p.LatestNodeImageVersion = subject.String{Attr: subject.Attr{Loc: b.loc}}
	kc := b.nested("kubelet_config")
	p.AllowedUnsafeSysctls = kc.attr("allowed_unsafe_sysctls").list()
	p.CPUCfsQuota = kc.attr("cpu_cfs_quota_enabled").boolean()
	p.FailSwapOn = subject.Bool{Attr: subject.Attr{Loc: kc.attr("fail_swap_on").loc}}
	p.Tags = b.attr("tags").tags()
	return p
}

func diagnostic(r *tblock, input subject.InputKind) *subject.DiagnosticSetting {
	d := &subject.DiagnosticSetting{AzureResource: base(r, input), Logs: map[string]subject.Location{}}
	d.LogsAt = at(r.loc, "enabled_log")
	if len(r.blocks["log"]) > 0 && len(r.blocks["enabled_log"]) == 0 {
		d.LogsAt.Path = "log"
	}
	if r.dynamic["enabled_log"] || r.dynamic["log"] {
		d.UnknownLogs = true
	}
	for _, kind := range []string{"enabled_log", "log"} {
		for _, l := range r.blocks[kind] {
			if kind == "log" {
				en := l.attr("enabled").boolean()
				if en.IsUnknown() {
					d.UnknownLogs = true
					continue
				}
				if en.IsKnown() && !en.V {
					continue
				}
			}
			cat, group := l.attr("category").str(), l.attr("category_group").str()
			switch {
			case cat.IsUnknown() || group.IsUnknown():
				d.UnknownLogs = true
			case cat.IsKnown() && cat.V != "":
				d.Logs[strings.ToLower(cat.V)] = l.loc
			case group.IsKnown() && group.V != "":
				d.Logs["group:"+strings.ToLower(group.V)] = l.loc
			}
		}
	}
	dest := subject.Bool{Attr: subject.Attr{State: subject.Known, Loc: r.attr("log_analytics_workspace_id").loc}}
	for _, k := range []string{"log_analytics_workspace_id", "storage_account_id", "eventhub_authorization_rule_id", "partner_solution_id"} {
		a := r.attr(k)
		switch a.state {
		case subject.Known, subject.Unknown:
			// A reference to another resource is unknown here but is a destination all the same.
			dest = subject.KnownBool(true, a.loc)
		}
	}
	d.HasDestination = dest
	return d
}

func registry(r *tblock, input subject.InputKind) *subject.Registry {
	g := &subject.Registry{AzureResource: base(r, input)}
	g.ID = stringOf(r.attr("id"))
	g.Location = r.attr("location").str()
	g.Tags = r.attr("tags").tags()
	g.SKU = r.attr("sku").str()
	g.AdminUserEnabled = r.attr("admin_enabled").boolean()
	g.AnonymousPull = r.attr("anonymous_pull_enabled").boolean()
	g.PublicNetworkAccess = boolToEnabled(r.attr("public_network_access_enabled").boolean())
	nrs := r.nested("network_rule_set")
	g.NetworkDefaultAction = nrs.attr("default_action").str()
	if !nrs.absent {
		g.NetworkDefaultAction = withDefault(g.NetworkDefaultAction, "Allow")
	}
	// Private endpoints are resources of their own that target the registry.
	g.PrivateEndpoints = subject.Int{Attr: subject.Attr{State: subject.Known, Loc: at(r.loc, tfEndpoint)}}
	g.ReplicationsAt = at(g.Location.Loc, "georeplications")
	g.QuarantinePolicy = r.attr("quarantine_policy_enabled").boolean()
	for _, geo := range r.blocks["georeplications"] {
		g.Replications = append(g.Replications, &subject.Replication{
			AzureResource: subject.AzureResource{Name: stringOf(geo.attr("location")), Type: "georeplications", Source: geo.loc, Input: input},
			Location:      geo.attr("location").str(),
		})
	}
	if r.dynamic["georeplications"] {
		g.Replications = append(g.Replications, &subject.Replication{
			AzureResource: subject.AzureResource{Name: "dynamic", Type: "georeplications", Source: r.loc, Input: input},
			Location:      subject.String{Attr: subject.Attr{State: subject.Unknown, Loc: at(r.loc, "georeplications")}},
		})
	}
	return g
}

// tfCIDRs reads a network_profile CIDR written singly (pod_cidr) or as a list (pod_cidrs).
func tfCIDRs(np *tblock, one, many string) subject.List {
	if l := np.attr(many).list(); !l.IsAbsent() {
		return l
	}
	s := np.attr(one).str()
	if s.IsKnown() && s.V != "" {
		return subject.List{Attr: s.Attr, V: []string{s.V}}
	}
	return subject.List{Attr: s.Attr}
}

func stringOf(a *tval) string {
	if a.state != subject.Known {
		return ""
	}
	s, _ := jsonvalue.Scalar(a.v)
	return s
}
