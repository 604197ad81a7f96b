// Package cluster holds the checks of Azure resources: AKS clusters (with their node pools,
// maintenance configurations, diagnostic settings and Defender plan) and container
// registries. They see the one model of package subject, whichever input it came from
// (az CLI or REST JSON, ARM templates, Bicep, Terraform, plan files), and an unknown
// value (an unresolved expression or variable) never makes them fail.
package cluster

import (
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Checks returns every check of this package, in documentation order.
func Checks() []*check.Check {
	return []*check.Check{
		AuthorizedIPRanges, ManagedEntraID, SystemNodePool, ManagedIdentity, VMSizing,
		RegulatedProfile, AutoUpgradeChannel, AutoUpgradeWindow, NodePoolMaxSurge,
		KubernetesRBAC, PrivateCluster, ClusterAutoscaler, NodePoolSize, KubeDashboardAddon,
		ACRPasswordlessPull, ProximityPlacementZones, EtcdKMS, ACRGeoReplication, KubeletConfig,
		DefenderImageScanning, RegistryAdmissionPolicy, DefenderRuntimeSensor,
		ACRQuarantinePolicy, ACRAdminUser, ACRAnonymousPull, ACRPrivateNetwork,
		AzureRequiredTags, RegistryRequiredTags, KeyVaultCSIAddon, WorkloadIdentityCluster,
		AvailabilityZones, UptimeSLA, AzureCNI, NetworkPolicyEngine, EgressLockdown,
		ACRPublicAccess, KubernetesVersion, NodePoolVersionSkew, NodeOSUpgradeChannel,
		NodeOSUpgradeWindow, NodeImageCurrent, NodePublicIP, DefenderPlan, ContainerInsights,
		ControlPlaneLogs, ManagedPrometheus, AzurePolicyAddon, DefenderForContainers,
		KeyVaultSecretsProvider, NodeAutoscaling, EphemeralOSDisk, WindowsAzureCNI,
		WindowsPoolForImages, WindowsNodePatching, WindowsGMSA,
	}
}

// Evidence kinds of the checks.
var (
	clusterEvidence  = []catalog.Evidence{catalog.ARM, catalog.Terraform}
	registryEvidence = []catalog.Evidence{catalog.ACR}
)

// path names a setting the way the input spells it: the ARM JSON path for az, REST and
// template inputs, the azurerm attribute for Terraform.
func path(s subject.Subject, armPath, tfPath string) string {
	if s.Identity().Input == subject.InputTerraform {
		return tfPath
	}
	return armPath
}

// at is the location of a setting with its field path; settings without a location (a
// cluster known only by its parts) point at the subject.
func at(s subject.Subject, a subject.Attr, armPath, tfPath string) subject.Location {
	loc := a.Loc
	if loc.File == "" {
		loc = s.Identity().Source
	}
	loc.Path = path(s, armPath, tfPath)
	return loc
}

// same asks fail and poolFail for the check's own severity.
const same = check.Severity(-1)

// fail records a finding at a setting, at sev (same: the check's severity).
func fail(r *check.Result, sev check.Severity, s subject.Subject, a subject.Attr, armPath, tfPath, format string, args ...any) {
	record(r, sev, at(s, a, armPath, tfPath), format, args...)
}

func record(r *check.Result, sev check.Severity, loc subject.Location, format string, args ...any) {
	if sev == same {
		r.FailLoc(loc, "", format, args...)
		return
	}
	r.FailAt(sev, loc, "", format, args...)
}

// poolFail records a finding on a node pool.
func poolFail(r *check.Result, sev check.Severity, c *subject.Cluster, p *subject.NodePool, a subject.Attr, armKey, tfKey, format string, args ...any) {
	loc := a.Loc
	if loc.File == "" {
		loc = p.Source
	}
	if loc.File == "" {
		loc = c.Source
	}
	loc.Path = path(c, "properties.agentPoolProfiles["+p.Name+"]."+armKey, tfKey)
	record(r, sev, loc, "node pool %s: "+format, append([]any{p.Name}, args...)...)
}

// vmssPools returns the pools that run on scale sets (the default and the only type AKS
// still creates).
func vmssPools(c *subject.Cluster) []*subject.NodePool {
	var out []*subject.NodePool
	for _, p := range c.Pools {
		if p.Type.IsAbsent() || p.Type.Is("VirtualMachineScaleSets") {
			out = append(out, p)
		}
	}
	return out
}

func quoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "\"" + x + "\""
	}
	return strings.Join(q, ", ")
}

func regionKey(s string) string { return subject.NormalizeRegion(s) }
