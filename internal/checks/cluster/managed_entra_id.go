package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ManagedEntraID finds clusters without AKS-managed Microsoft Entra ID, or with local
// accounts still enabled.
var ManagedEntraID = check.New(check.Meta{
	ID:       "managed-entra-id",
	Item:     "cluster.aad-integration",
	Title:    "The cluster uses AKS-managed Microsoft Entra ID with local accounts disabled",
	Severity: check.High,
	Description: "aadProfile.managed must be true (Terraform: an azure_active_directory_role_based_access_control " +
		"block; v3 with managed = true) and disableLocalAccounts true (local_account_disabled). The legacy " +
		"integration (serverAppID) is deprecated, and local accounts hand out a cluster-admin certificate that " +
		"bypasses Entra ID and cannot be revoked per user.",
	Remediation: "Enable AKS-managed Entra ID (az aks update --enable-aad) and disable local accounts (--disable-local-accounts).",
	Evidence:    clusterEvidence,
	Fix:         "turns on AKS-managed Entra ID with Azure RBAC (az aks update --enable-aad --enable-azure-rbac) and disables local accounts (--disable-local-accounts)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	// With Azure RBAC, so that access follows Entra ID (kubernetes-rbac-entra).
	managed := onCluster(c, az("aks", "update", "--enable-aad", "--enable-azure-rbac"), set(c.AADManaged.Attr, true), set(c.AADAzureRBAC.Attr, true))
	switch {
	case c.AADManaged.IsUnknown():
		undecided(r, c, "whether Entra ID is AKS-managed", c.AADManaged.Attr)
	case c.AADManaged.IsKnown() && !c.AADManaged.V && !c.AADLegacyServerApp.Empty():
		failFix(r, c, c.AADLegacyServerApp.Attr, managed, "the cluster uses the legacy (non-managed) Entra ID integration")
	case c.AADManaged.NotTrue():
		failFix(r, c, c.AADManaged.Attr, managed, "AKS-managed Microsoft Entra ID is not enabled")
	}
	switch {
	case c.DisableLocalAccounts.IsUnknown():
		undecided(r, c, "whether local accounts are disabled", c.DisableLocalAccounts.Attr)
	case c.DisableLocalAccounts.NotTrue():
		fix := onCluster(c, az("aks", "update", "--disable-local-accounts"), set(c.DisableLocalAccounts.Attr, true))
		failFix(r, c, c.DisableLocalAccounts.Attr, fix, "local accounts are enabled (a static cluster-admin credential exists)")
	}
})
