package subject

import "strings"

// Input kinds of Azure sources.
const (
	InputARM       InputKind = "arm"
	InputTerraform InputKind = "terraform"
	InputACR       InputKind = "acr"
)

// AzureResource names an Azure resource however it was described: its ARM ID and name (az,
// REST, ARM templates) or its Terraform address.
type AzureResource struct {
	// ID is the ARM resource ID when known ("" for templates and Terraform).
	ID string
	// Name is the resource name (for Terraform, the address: azurerm_kubernetes_cluster.main).
	Name string
	// Type is the ARM type (Microsoft.ContainerService/managedClusters) or the Terraform type.
	Type string
	// APIVersion is the ARM API version when the input gives one.
	APIVersion string
	// Source is where the resource starts.
	Source Location
	// Input is the kind of input it came from.
	Input InputKind
	// Form is the form of the input's description of the resource, which decides the form
	// of its remedies: the resource as Azure returns it (changed with the az CLI), a
	// template, a Terraform module or plan. "" when unknown (a cluster known by its Nodes).
	Form Form
	// Provider names the Terraform provider version whose attribute names the input uses
	// ("azurerm v3", "azurerm v4"); "" for other forms.
	Provider string
}

// Form is the form in which an input describes an Azure resource.
type Form string

// Forms of Azure inputs.
const (
	// FormDeployed is the resource as Azure returns it: az CLI output, a REST response,
	// the live Azure Resource Manager API. It is changed on the running resource.
	FormDeployed Form = "deployed"
	// FormTemplate is an ARM deployment template.
	FormTemplate Form = "template"
	// FormBicep is a template compiled from Bicep (az bicep build): the source to change is
	// the .bicep file, whose resources have the same property paths.
	FormBicep Form = "bicep"
	// FormModule is a Terraform configuration (.tf files).
	FormModule Form = "module"
	// FormPlan is terraform show -json output (a plan or a state) of a module.
	FormPlan Form = "plan"
)

// Terraform provider versions, as Provider names them.
const (
	AzurermV3 = "azurerm v3"
	AzurermV4 = "azurerm v4"
)

// Identity implements Subject for the embedding resource types.
func (r *AzureResource) Identity() Identity {
	return Identity{APIVersion: r.APIVersion, Kind: r.Type, Name: r.Name, Source: r.Source, Input: r.Input}
}

// Subscription returns the subscription ID of the resource's ARM ID, lower-cased, or "".
func (r *AzureResource) Subscription() string { return SubscriptionOf(r.ID) }

// SubscriptionOf returns the subscription segment of an ARM ID, lower-cased, or "".
func SubscriptionOf(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		return strings.ToLower(parts[1])
	}
	return ""
}

// Cluster is an AKS managed cluster with what belongs to it: node pools, maintenance
// configurations, upgrade profile, diagnostic settings and the Defender plan of its
// subscription. Every loader of Azure inputs (az JSON, REST, ARM templates, Bicep, Terraform,
// the live Azure API) fills this one model; checks never know which did.
type Cluster struct {
	AzureResource
	// ResourceName and ResourceGroup are the cluster's Azure name and resource group as a
	// Terraform module or plan writes them (name, resource_group_name), whose Name is the
	// resource's address; absent for the other inputs, whose Name and ID say them.
	ResourceName  String
	ResourceGroup String
	Location      String
	Tags          Tags

	// SKUTier is sku.tier: Free, Standard, Premium (Paid on API versions before 2023-02-01).
	SKUTier String
	// IdentityType is identity.type: SystemAssigned, UserAssigned or None.
	IdentityType String
	// ServicePrincipal is set when the cluster runs as a service principal
	// (servicePrincipalProfile.clientId other than "msi"; Terraform service_principal block).
	ServicePrincipal String

	KubernetesVersion        String
	CurrentKubernetesVersion String
	// SupportPlan is KubernetesOfficial or AKSLongTermSupport.
	SupportPlan String

	EnableRBAC           Bool
	DisableLocalAccounts Bool
	// AADManaged is aadProfile.managed (AKS-managed Microsoft Entra ID).
	AADManaged Bool
	// AADLegacyServerApp is aadProfile.serverAppID (the deprecated, non-managed integration).
	AADLegacyServerApp String
	AADAzureRBAC       Bool
	AADAdminGroups     List

	AuthorizedIPRanges       List
	PrivateCluster           Bool
	PrivateClusterPublicFQDN Bool
	PublicNetworkAccess      String

	// UpgradeChannel is autoUpgradeProfile.upgradeChannel: none, patch, stable, rapid, node-image.
	UpgradeChannel String
	// NodeOSUpgradeChannel is autoUpgradeProfile.nodeOSUpgradeChannel: None, Unmanaged,
	// NodeImage, SecurityPatch.
	NodeOSUpgradeChannel String

	DefenderMonitoring Bool
	DefenderWorkspace  String

	KMSEnabled       Bool
	KMSKeyID         String
	KMSNetworkAccess String

	WorkloadIdentity Bool
	OIDCIssuer       Bool
	PodIdentity      Bool

	// Addons are addonProfiles by lower-cased key (omsagent, azurepolicy,
	// azurekeyvaultsecretsprovider, kubedashboard…); Azure rewrites their casing. Nil when
	// the add-ons are unknown (an unresolved expression, a cluster known only by its parts).
	Addons map[string]*Addon
	// AddonsAt is where addonProfiles (or the cluster block) is written. For JSON inputs its
	// Path is the addonProfiles path, and an add-on that is not there would be written at
	// <Path>.<key>.enabled.
	AddonsAt Location
	// AddonPaths are, by lower-cased add-on key, the paths where an add-on that is not there
	// would be switched on, for inputs that name add-ons otherwise (Terraform attributes).
	AddonPaths map[string]string

	NetworkPlugin     String
	NetworkPluginMode String
	NetworkPolicy     String
	NetworkDataplane  String
	OutboundType      String
	LoadBalancerSKU   String
	// PodCIDRs and ServiceCIDRs are networkProfile.podCidr(s) and serviceCidr(s) (Terraform
	// pod_cidr(s), service_cidr(s)); DockerBridgeCIDR is the retired dockerBridgeCidr, still
	// in older templates and clusters.
	PodCIDRs         List
	ServiceCIDRs     List
	DockerBridgeCIDR String

	// NodeProvisioningMode is nodeProvisioningProfile.mode (Auto: node auto-provisioning).
	NodeProvisioningMode String
	DiskEncryptionSetID  String
	// ManagedPrometheus is azureMonitorProfile.metrics.enabled (Terraform: monitor_metrics).
	ManagedPrometheus Bool
	GMSAEnabled       Bool
	// KEDA is workloadAutoScalerProfile.keda.enabled (Terraform: workload_autoscaler_profile
	// keda_enabled): the KEDA add-on.
	KEDA Bool
	// AppMonitoringAutoInstrumentation is
	// azureMonitorProfile.appMonitoring.autoInstrumentation.enabled (preview API versions
	// only): the webhook that injects the Instrumentations of monitor.azure.com. Unknown for
	// Terraform, whose azurerm provider has no argument for it.
	AppMonitoringAutoInstrumentation Bool

	Pools []*NodePool
	// SystemPoolAt and UserPoolAt are where a System or a User node pool would be written
	// (agentPoolProfiles; Terraform default_node_pool, azurerm_kubernetes_cluster_node_pool).
	SystemPoolAt Location
	UserPoolAt   Location

	Maintenance []*MaintenanceConfig
	// MaintenanceKnown is true when the input describes every maintenance configuration of
	// the cluster (a template or module; an az list tied to it), so that none means none.
	MaintenanceKnown bool
	// MaintenanceAt is, by lower-cased name, where a maintenance configuration that is not
	// there would be written (a child resource; a Terraform block).
	MaintenanceAt map[string]Location

	Diagnostics []*DiagnosticSetting
	// DiagnosticsKnown is true when the input describes every diagnostic setting of the cluster.
	DiagnosticsKnown bool
	// DiagnosticsAt is where a diagnostic setting of the cluster would be written.
	DiagnosticsAt Location

	// Pricing is the Defender for Containers plan of the cluster's subscription, when given.
	Pricing *DefenderPricing
	// Upgrades is the cluster's upgrade profile (az aks get-upgrades), when given.
	Upgrades *UpgradeProfile
	// Versions are the Kubernetes versions of the region (az aks get-versions), when given.
	Versions *KubernetesVersions
	// Extensions are cluster extensions (Flux, Dapr…), when given.
	Extensions []*ClusterExtension
	// ExtensionsKnown is true when the input describes every extension of the cluster (a
	// template or module; az k8s-extension list output tied to it), so that none means none.
	ExtensionsKnown bool
	// FluxConfigs are the cluster's Flux configurations (Microsoft.KubernetesConfiguration/
	// fluxConfigurations, azurerm_kubernetes_flux_configuration); FluxConfigsKnown as above.
	FluxConfigs      []*FluxConfig
	FluxConfigsKnown bool
	// Backups are the AKS Backup instances that protect the cluster (Microsoft.DataProtection/
	// backupVaults/backupInstances, azurerm_data_protection_backup_instance_kubernetes_cluster);
	// BackupsKnown as above.
	Backups      []*BackupInstance
	BackupsKnown bool
	// Reads is what the live Azure reader listed around the cluster, or failed to.
	Reads AzureReads
}

// Addon is one entry of addonProfiles.
type Addon struct {
	Key     string
	Enabled Bool
	// Config is the add-on's config map, by lower-cased key.
	Config map[string]String
	Loc    Location
}

// Addon returns the add-on of a key (any casing), or nil.
func (c *Cluster) Addon(key string) *Addon { return c.Addons[strings.ToLower(key)] }

// AddonEnabled returns the add-on's enabled setting; absent when the add-on is not there,
// unknown when the add-ons are.
func (c *Cluster) AddonEnabled(key string) Bool {
	if c.Addons == nil {
		return Bool{Attr: Attr{State: Unknown, Loc: c.AddonsAt}}
	}
	if a := c.Addon(key); a != nil {
		return a.Enabled
	}
	loc := c.AddonsAt
	if p, ok := c.AddonPaths[strings.ToLower(key)]; ok {
		loc.Path = p
	} else if loc.Path != "" {
		loc.Path += "." + key + ".enabled"
	}
	return Bool{Attr: Attr{Loc: loc}}
}

// AddonSettingAt returns where a config entry of an add-on is written, or would be: for an
// add-on that is not there, under the path its enabled switch would have (JSON inputs:
// addonProfiles.<key>.config.<setting>). ok is false when the input names the add-on's
// settings otherwise (Terraform attributes) or the add-ons are unknown.
func (c *Cluster) AddonSettingAt(key, setting string) (loc Location, ok bool) {
	if a := c.Addon(key); a != nil {
		return a.Setting(setting).Loc, true
	}
	if _, named := c.AddonPaths[strings.ToLower(key)]; named || c.Addons == nil || c.AddonsAt.Path == "" {
		return Location{}, false
	}
	loc = c.AddonsAt
	loc.Path += "." + key + ".config." + setting
	return loc, true
}

// Setting returns a config entry of the add-on (key in any casing); one that is not written
// is absent, at the add-on with the path it would have.
func (a *Addon) Setting(key string) String {
	if s, ok := a.Config[strings.ToLower(key)]; ok {
		return s
	}
	loc := a.Loc
	if loc.Path != "" {
		loc.Path += ".config." + key
	}
	return String{Attr: Attr{Loc: loc}}
}

// MaintenanceMissingAt returns where a maintenance configuration of a name would be written.
func (c *Cluster) MaintenanceMissingAt(name string) Location {
	if loc, ok := c.MaintenanceAt[strings.ToLower(name)]; ok {
		return loc
	}
	return c.Source
}

// At returns the location of a cluster setting, or of the cluster when loc is empty.
func (c *Cluster) At(loc Location) Location {
	if loc.File == "" && !loc.OnObject() {
		return c.Source
	}
	return loc
}

// HasUserPools reports whether any pool is known to be in User mode.
func (c *Cluster) HasUserPools() bool {
	for _, p := range c.Pools {
		if !p.IsSystem() && p.Mode.IsKnown() {
			return true
		}
	}
	return false
}

// NodePool is an agent pool.
type NodePool struct {
	AzureResource
	// PoolName is the pool's Azure name when Name is not it (an
	// azurerm_kubernetes_cluster_node_pool, named by its address); absent otherwise.
	PoolName String
	// Mode is System or User.
	Mode String
	// Type is VirtualMachineScaleSets or AvailabilitySet.
	Type   String
	OSType String
	OSSKU  String
	VMSize String

	Count             Int
	MinCount          Int
	MaxCount          Int
	EnableAutoScaling Bool
	Zones             List
	Taints            List
	MaxPods           Int

	EnableNodePublicIP      Bool
	EnableFIPS              Bool
	EnableEncryptionAtHost  Bool
	OSDiskType              String
	ProximityPlacementGroup String

	// MaxSurge, DrainTimeoutInMinutes and NodeSoakDurationInMinutes are upgradeSettings:
	// how many extra nodes an upgrade adds, how long it waits for a node's pods to be
	// evicted, and how long it waits after each node.
	MaxSurge                  String
	DrainTimeoutInMinutes     Int
	NodeSoakDurationInMinutes Int
	// VnetSubnetID is the subnet the pool's nodes (and, with Azure CNI without overlay, their
	// pods) take addresses from.
	VnetSubnetID String
	// PodSubnetID is the subnet the pool's pods take addresses from instead (Azure CNI with
	// dynamic pod IP allocation), when set.
	PodSubnetID String
	// Subnet is the subnet of the inputs that VnetSubnetID names, when the loader tied them
	// (a Terraform reference); otherwise match VnetSubnetID with Subnet.HasID.
	Subnet *Subnet

	OrchestratorVersion        String
	CurrentOrchestratorVersion String
	NodeImageVersion           String
	// LatestNodeImageVersion comes from the pool's upgrade profile, when given.
	LatestNodeImageVersion String

	AllowedUnsafeSysctls List
	FailSwapOn           Bool
	CPUCfsQuota          Bool

	Tags Tags
}

// IsSystem reports whether the pool is known to be a System pool.
func (p *NodePool) IsSystem() bool { return p.Mode.Is("System") }

// IsWindows reports whether the pool is known to run Windows.
func (p *NodePool) IsWindows() bool { return p.OSType.Is("Windows") }

// MaintenanceConfig is a maintenance configuration of a cluster: default (legacy),
// aksManagedAutoUpgradeSchedule or aksManagedNodeOSUpgradeSchedule.
type MaintenanceConfig struct {
	AzureResource
	// HasWindow is true when it sets a maintenanceWindow (or legacy timeInWeek).
	HasWindow Bool
	// ClusterID is the ARM ID of the cluster it belongs to, when known.
	ClusterID string
}

// MaintenanceNamed returns the maintenance configuration of a name (any casing), or nil.
func (c *Cluster) MaintenanceNamed(name string) *MaintenanceConfig {
	for _, m := range c.Maintenance {
		if strings.EqualFold(m.Name, name) || strings.EqualFold(lastSegment(m.Name), name) {
			return m
		}
	}
	return nil
}

func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// DiagnosticSetting is a Microsoft.Insights/diagnosticSettings resource on a cluster.
type DiagnosticSetting struct {
	AzureResource
	// TargetID is the ARM ID (or Terraform address) of the resource it is set on.
	TargetID string
	// Logs are the log categories (or category groups) it enables, lower-cased, with where
	// each is written. Unknown categories (unresolved expressions) are in UnknownLogs.
	Logs        map[string]Location
	UnknownLogs bool
	// LogsAt is where the log categories are written (or would be).
	LogsAt Location
	// HasDestination is true when it sends logs to a workspace, storage account, event hub
	// or partner solution.
	HasDestination Bool
}

// DefenderPricing is the Microsoft Defender for Cloud plan of a subscription
// (Microsoft.Security/pricings, name Containers).
type DefenderPricing struct {
	AzureResource
	// Plan is the pricing name (Containers, KubernetesService, ContainerRegistry…).
	Plan string
	// Tier is pricingTier: Free or Standard.
	Tier String
}

// UpgradeProfile is a cluster's upgrade profile (az aks get-upgrades).
type UpgradeProfile struct {
	AzureResource
	// ClusterID is the ARM ID of the cluster.
	ClusterID         string
	KubernetesVersion string
	// Upgrades are the versions the control plane can upgrade to.
	Upgrades []string
}

// KubernetesVersions are the Kubernetes versions of a region (az aks get-versions).
type KubernetesVersions struct {
	AzureResource
	Minors []KubernetesMinor
}

// KubernetesMinor is one minor version of az aks get-versions.
type KubernetesMinor struct {
	Version   string
	IsPreview bool
	// SupportPlans are capabilities.supportPlan (KubernetesOfficial, AKSLongTermSupport).
	SupportPlans []string
	Patches      []string
}

// ClusterExtension is a cluster extension (Microsoft.KubernetesConfiguration/extensions,
// azurerm_kubernetes_cluster_extension).
type ClusterExtension struct {
	AzureResource
	ExtensionType String
	ReleaseTrain  String
	// AutoUpgradeMinorVersion is autoUpgradeMinorVersion (default true); azurerm sets it off
	// when version pins one.
	AutoUpgradeMinorVersion Bool
	// Version is the pinned version, when written.
	Version   String
	ClusterID string
}

// Registry is an Azure Container Registry with its replications and tasks.
type Registry struct {
	AzureResource
	Location String
	Tags     Tags
	// SKU is sku.name: Basic, Standard or Premium.
	SKU                 String
	AdminUserEnabled    Bool
	AnonymousPull       Bool
	PublicNetworkAccess String
	// NetworkDefaultAction is networkRuleSet.defaultAction: Allow or Deny.
	NetworkDefaultAction String
	// PrivateEndpoints counts approved private endpoint connections (Terraform: private
	// endpoints of the module that target the registry).
	PrivateEndpoints Int
	QuarantinePolicy Bool
	Replications     []*Replication
	// ReplicationsAt is where a replication would be added.
	ReplicationsAt Location
	Tasks          []*RegistryTask
}

// Replication is a geo-replication of a registry.
type Replication struct {
	AzureResource
	Location String
}

// RegistryTask is an ACR task.
type RegistryTask struct {
	AzureResource
	BaseImageTrigger Bool
}

// RegistryReplicatedTo reports whether the registry lives in or replicates to a region.
func (r *Registry) RegistryReplicatedTo(region string) bool {
	norm := NormalizeRegion(region)
	if r.Location.IsKnown() && NormalizeRegion(r.Location.V) == norm {
		return true
	}
	for _, rep := range r.Replications {
		if rep.Location.IsKnown() && NormalizeRegion(rep.Location.V) == norm {
			return true
		}
	}
	return false
}

// NormalizeRegion turns "West Europe" and "westeurope" into the same key.
func NormalizeRegion(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}
