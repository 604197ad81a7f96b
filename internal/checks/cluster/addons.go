package cluster

import (
	"context"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// addonOn checks that an add-on is enabled; it returns the add-on when it is. az are the
// arguments that enable it (nil: the check offers no fix), config the settings it is
// enabled with.
func addonOn(c *subject.Cluster, r *check.Result, key, what string, az []string, config map[string]string) *subject.Addon {
	on := c.AddonEnabled(key)
	var fix *check.Fix
	if az != nil {
		fix = onCluster(c, az, set(on.Attr, true))
		keys := make([]string, 0, len(config))
		for k := range config {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			// Inputs that name add-ons otherwise write their settings with the switch (the
			// remedy's spelling of a Terraform block).
			if loc, ok := c.AddonSettingAt(key, k); ok {
				fix.Edits = append(fix.Edits, set(subject.Attr{Loc: loc}, config[k]))
			}
		}
	}
	if wantOnFix(r, c, on, fix, "whether "+what+" is enabled", "%s is not enabled", what) {
		return c.Addon(key)
	}
	return nil
}

// AzurePolicyAddon finds clusters without the Azure Policy add-on.
var AzurePolicyAddon = check.New(check.Meta{
	ID:       "azure-policy-addon",
	Item:     "ops.azure-policy",
	Title:    "The Azure Policy add-on enforces policies in the cluster",
	Severity: check.High,
	Description: "addonProfiles.azurepolicy.enabled (any key casing; Terraform azure_policy_enabled) must be true: " +
		"it runs Gatekeeper with the Kubernetes policies assigned to the cluster. The assignments themselves " +
		"(baseline or restricted initiative) are not in the cluster resource: policy-assignments-deny judges them.",
	Remediation: "Enable the add-on (az aks enable-addons --addons azure-policy) and assign the Kubernetes baseline or restricted initiative.",
	Evidence:    clusterEvidence,
	Fix:         "enables the Azure Policy add-on (addonProfiles.azurepolicy.enabled; azure_policy_enabled) (az aks enable-addons --addons azure-policy)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	addonOn(c, r, "azurepolicy", "the Azure Policy add-on", azurePolicyOn(), nil)
})

// RegistryAdmissionPolicy finds clusters without the Azure Policy add-on, which is what can
// enforce the allowed registries at admission.
var RegistryAdmissionPolicy = check.New(check.Meta{
	ID:       "registry-admission-policy",
	Item:     "container.allowed-registries",
	Title:    "An admission policy can enforce the allowed registries (Azure Policy add-on)",
	Severity: check.High,
	Description: "Manifests can be checked for their registries, but only admission control stops an image from " +
		"elsewhere: the Azure Policy add-on (addonProfiles.azurepolicy; Terraform azure_policy_enabled) runs " +
		"the \"allowed container images\" policy. The assignment itself is not in the cluster resource: " +
		"allowed-images-policy-deny judges it.",
	Remediation: "Enable the Azure Policy add-on and assign \"Kubernetes cluster containers should only use allowed images\" in deny mode.",
	Evidence:    clusterEvidence,
	Fix:         "enables the Azure Policy add-on (addonProfiles.azurepolicy.enabled; azure_policy_enabled) (az aks enable-addons --addons azure-policy)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	addonOn(c, r, "azurepolicy", "the Azure Policy add-on (admission control for images)", azurePolicyOn(), nil)
})

// ContainerInsights finds clusters whose logs are not collected.
var ContainerInsights = check.New(check.Meta{
	ID:       "container-insights",
	Item:     "ops.log-aggregation",
	Title:    "Container Insights collects the cluster's logs into a workspace",
	Severity: check.Medium,
	Description: "addonProfiles.omsagent (any casing; Terraform oms_agent) is enabled with a " +
		"logAnalyticsWorkspaceResourceID. A third-party log DaemonSet is visible only to a live scan.",
	Remediation: "Enable Container Insights (az aks enable-addons --addons monitoring --workspace-resource-id ...).",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	// No fix: the add-on needs a Log Analytics workspace, which only the operator can name.
	a := addonOn(c, r, "omsagent", "Container Insights (the omsagent add-on)", nil, nil)
	if a == nil {
		return
	}
	// An unresolved workspace ID names a workspace (a reference to one): it is set.
	if ws := a.Setting("logAnalyticsWorkspaceResourceID"); ws.Empty() {
		fail(r, c, ws.Attr, "Container Insights names no Log Analytics workspace")
	}
})

// KubeDashboardAddon finds clusters with the Kubernetes dashboard add-on.
var KubeDashboardAddon = check.New(check.Meta{
	ID:       "kube-dashboard-addon",
	Item:     "cluster.no-dashboard",
	Title:    "The Kubernetes dashboard add-on is off",
	Severity: check.High,
	Description: "addonProfiles.kubeDashboard.enabled must not be true: the dashboard is deprecated on AKS and " +
		"has been a common way into clusters. (azurerm v3 and v4 cannot enable it.)",
	Remediation: "Disable the add-on (az aks disable-addons --addons kube-dashboard) and use the Azure portal's Kubernetes resources view.",
	Evidence:    clusterEvidence,
	Fix:         "disables the dashboard add-on (addonProfiles.kubeDashboard.enabled false; az aks disable-addons --addons kube-dashboard)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	on := c.AddonEnabled("kubeDashboard")
	wantOffFix(r, c, on, onCluster(c, az("aks", "disable-addons", "--addons", "kube-dashboard"), set(on.Attr, false)), "whether the Kubernetes dashboard add-on is enabled", "the Kubernetes dashboard add-on is enabled")
})

// KeyVaultSecretsProvider finds clusters without the Key Vault CSI driver and its rotation.
var KeyVaultSecretsProvider = check.New(check.Meta{
	ID:       "key-vault-secrets-provider",
	Item:     "ops.key-vault",
	Title:    "The Key Vault secrets provider is on, with rotation",
	Severity: check.Medium,
	Description: "addonProfiles.azureKeyvaultSecretsProvider (Terraform key_vault_secrets_provider) is enabled " +
		"and config.enableSecretRotation is \"true\" (secret_rotation_enabled), so pods mount secrets from " +
		"Key Vault and see rotated values.",
	Remediation: "Enable the add-on with rotation (az aks enable-addons --addons azure-keyvault-secrets-provider --enable-secret-rotation).",
	Evidence:    clusterEvidence,
	Fix: "enables the add-on (addonProfiles.azureKeyvaultSecretsProvider; key_vault_secrets_provider) with secret rotation " +
		"(az aks enable-addons --addons azure-keyvault-secrets-provider --enable-secret-rotation, az aks update --enable-secret-rotation)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	a := addonOn(c, r, "azureKeyvaultSecretsProvider", "the Key Vault secrets provider",
		az("aks", "enable-addons", "--addons", "azure-keyvault-secrets-provider", "--enable-secret-rotation"), withRotation())
	if a == nil {
		return
	}
	switch rot := a.Setting("enableSecretRotation"); {
	case rot.IsUnknown():
		undecided(r, c, "whether the Key Vault secrets provider rotates secrets", rot.Attr)
	case !strings.EqualFold(strings.TrimSpace(rot.V), "true"):
		fix := onCluster(c, az("aks", "update", "--enable-secret-rotation"), set(rot.Attr, "true"))
		failFix(r, c, rot.Attr, fix, "secret rotation is off: pods keep stale secrets")
	}
})

// KeyVaultCSIAddon finds clusters that cannot mount Key Vault secrets.
var KeyVaultCSIAddon = check.New(check.Meta{
	ID:       "key-vault-csi-addon",
	Item:     "dev.secrets-key-vault",
	Title:    "Pods can take their secrets from Key Vault (secrets store CSI driver)",
	Severity: check.Medium,
	Description: "addonProfiles.azureKeyvaultSecretsProvider (Terraform key_vault_secrets_provider) is enabled, so " +
		"applications can mount Key Vault secrets instead of baking them into images or manifests.",
	Remediation: "Enable the Key Vault secrets provider add-on (az aks enable-addons --addons azure-keyvault-secrets-provider).",
	Evidence:    clusterEvidence,
	Fix:         "enables the Key Vault secrets provider add-on with secret rotation (az aks enable-addons --addons azure-keyvault-secrets-provider --enable-secret-rotation)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	addonOn(c, r, "azureKeyvaultSecretsProvider", "the Key Vault secrets provider", az("aks", "enable-addons", "--addons", "azure-keyvault-secrets-provider", "--enable-secret-rotation"), withRotation())
})

// ManagedPrometheus finds clusters whose metrics are not collected.
var ManagedPrometheus = check.New(check.Meta{
	ID:       "managed-prometheus",
	Item:     "ops.metrics",
	Title:    "Managed Prometheus collects the cluster's metrics",
	Severity: check.Medium,
	Description: "azureMonitorProfile.metrics.enabled (Terraform: a monitor_metrics block) must be true. An " +
		"in-cluster Prometheus is visible only to a live scan.",
	Remediation: "Enable Azure Monitor managed Prometheus (az aks update --enable-azure-monitor-metrics).",
	Evidence:    clusterEvidence,
	Fix:         "enables managed Prometheus (azureMonitorProfile.metrics.enabled; a monitor_metrics block) (az aks update --enable-azure-monitor-metrics)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	fix := onCluster(c, az("aks", "update", "--enable-azure-monitor-metrics"), set(c.ManagedPrometheus.Attr, true))
	wantOnFix(r, c, c.ManagedPrometheus, fix, "whether managed Prometheus is enabled", "managed Prometheus is not enabled")
})

// WorkloadIdentityCluster finds clusters without workload identity.
var WorkloadIdentityCluster = check.New(check.Meta{
	ID:       "workload-identity-cluster",
	Item:     "dev.workload-identity",
	Title:    "Workload identity and the OIDC issuer are on; pod identity is off",
	Severity: check.Medium,
	Description: "securityProfile.workloadIdentity.enabled and oidcIssuerProfile.enabled must be true (Terraform " +
		"workload_identity_enabled, oidc_issuer_enabled), and the deprecated pod-managed identity " +
		"(podIdentityProfile.enabled) off.",
	Remediation: "Enable the OIDC issuer and workload identity (az aks update --enable-oidc-issuer --enable-workload-identity) and migrate off pod identity.",
	Evidence:    clusterEvidence,
	Fix: "enables the OIDC issuer and workload identity (az aks update --enable-oidc-issuer --enable-workload-identity) " +
		"and turns pod-managed identity off (podIdentityProfile.enabled)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	// Workload identity needs the OIDC issuer.
	wi := onCluster(c, az("aks", "update", "--enable-oidc-issuer", "--enable-workload-identity"), set(c.WorkloadIdentity.Attr, true), set(c.OIDCIssuer.Attr, true))
	wantOnFix(r, c, c.WorkloadIdentity, wi, "whether workload identity is enabled", "workload identity is not enabled")
	oidc := onCluster(c, az("aks", "update", "--enable-oidc-issuer"), set(c.OIDCIssuer.Attr, true))
	wantOnFix(r, c, c.OIDCIssuer, oidc, "whether the OIDC issuer is enabled", "the OIDC issuer is not enabled")
	// The az CLI turns pod identity off only with the aks-preview extension: the edit alone.
	wantOffFix(r, c, c.PodIdentity, onCluster(c, nil, set(c.PodIdentity.Attr, false)), "whether the deprecated pod-managed identity is enabled", "the deprecated pod-managed identity is enabled")
})

// azurePolicyOn are the az arguments that enable the Azure Policy add-on.
func azurePolicyOn() []string { return az("aks", "enable-addons", "--addons", "azure-policy") }

// withRotation is the Key Vault secrets provider's config with secret rotation on.
func withRotation() map[string]string { return map[string]string{"enableSecretRotation": "true"} }
