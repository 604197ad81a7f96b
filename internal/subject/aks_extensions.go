package subject

import (
	"slices"
	"strings"
)

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

// ExtensionTool is software that an AKS cluster extension or add-on provides, as its
// workloads show it: the names of its controllers (the extension installs them under the
// same names, from Microsoft's builds on mcr.microsoft.com) and the prefixes of its
// upstream images.
type ExtensionTool struct {
	Name string
	// Extension is the extensionType that provides it; empty for an add-on.
	Extension string
	// AddOn names the cluster setting that provides it instead (KEDA).
	AddOn  string
	Names  []string
	Images []string
}

// Provider names what provides the tool on AKS: "the microsoft.flux extension", "the KEDA
// add-on".
func (t ExtensionTool) Provider() string {
	if t.Extension == "" {
		return "the " + t.AddOn
	}
	return "the " + t.Extension + " extension"
}

// ExtensionTools are the tools with a supported AKS extension.
var ExtensionTools = []ExtensionTool{
	{Name: "Flux", Extension: ExtensionFlux,
		Names:  []string{"source-controller", "kustomize-controller", "helm-controller", "notification-controller"},
		Images: []string{"ghcr.io/fluxcd/", "docker.io/fluxcd/"}},
	{Name: "Dapr", Extension: ExtensionDapr,
		Names:  []string{"dapr-operator", "dapr-sidecar-injector", "dapr-sentry", "dapr-placement-server"},
		Images: []string{"docker.io/daprio/", "ghcr.io/dapr/"}},
	{Name: "Velero", Extension: ExtensionBackup,
		Names:  []string{"velero"},
		Images: []string{"docker.io/velero/velero"}},
	{Name: "KEDA", AddOn: "KEDA add-on",
		Names:  []string{"keda-operator", "keda-operator-metrics-apiserver", "keda-admission-webhooks"},
		Images: []string{"ghcr.io/kedacore/"}},
}

// ToolKinds are the kinds of the controllers RunningTool looks at: what a check that asks it
// requires (check.Meta.Requires).
var ToolKinds = []string{"Deployment", "StatefulSet", "DaemonSet"}

// RunningTool returns the controllers (Deployments, StatefulSets, DaemonSets) of the index
// that run a tool: named as its controllers or running its upstream images.
func (ix *Index) RunningTool(t ExtensionTool) []*Workload {
	var out []*Workload
	for _, w := range ix.Workloads() {
		if !slices.Contains(ToolKinds, w.Kind) {
			continue
		}
		found := contains(t.Names, w.Name())
		for _, ref := range w.Images() {
			found = found || t.Upstream(ref)
		}
		if found {
			out = append(out, w)
		}
	}
	return out
}

// Upstream reports whether an image is one of the tool's upstream images (not the
// extension's build).
func (t ExtensionTool) Upstream(ref ImageRef) bool {
	full := ref.Registry + "/" + ref.Repository
	for _, p := range t.Images {
		if strings.HasPrefix(full, p) {
			return true
		}
	}
	return false
}
