package subject

import "strings"

// Extension types of the AKS cluster extensions akscheck knows by what they provide.
const (
	ExtensionFlux   = "microsoft.flux"
	ExtensionDapr   = "microsoft.dapr"
	ExtensionBackup = "microsoft.dataprotection.kubernetes"
)

// FluxConfig is a Flux configuration of a cluster (Microsoft.KubernetesConfiguration/
// fluxConfigurations, azurerm_kubernetes_flux_configuration): the repository the GitOps
// extension deploys from.
type FluxConfig struct {
	AzureResource
	// ClusterID is the lower-cased ARM ID of the cluster it belongs to, when known.
	ClusterID string
	// Suspend is properties.suspend (Terraform: suspended): a suspended configuration does
	// not reconcile.
	Suspend Bool
}

// BackupInstance is an AKS Backup instance: a Backup vault's protection of a cluster with a
// backup policy.
type BackupInstance struct {
	AzureResource
	// ClusterID is the lower-cased ARM ID of the cluster it protects (dataSourceInfo.resourceID).
	ClusterID string
	// PolicyID is the backup policy it follows (policyInfo.policyId; Terraform
	// backup_policy_id).
	PolicyID String
}

// ExtensionOfType returns the cluster's extensions of a type (any casing).
func (c *Cluster) ExtensionOfType(typ string) []*ClusterExtension {
	var out []*ClusterExtension
	for _, e := range c.Extensions {
		if e.ExtensionType.IsKnown() && strings.EqualFold(e.ExtensionType.V, typ) {
			out = append(out, e)
		}
	}
	return out
}

// ExtensionTypeUnknown reports whether an extension of the cluster has a type akscheck cannot
// read (an unresolved expression), which may be any type.
func (c *Cluster) ExtensionTypeUnknown() bool {
	for _, e := range c.Extensions {
		if e.ExtensionType.IsUnknown() {
			return true
		}
	}
	return false
}
