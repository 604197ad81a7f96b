package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// KubernetesRBAC finds clusters without Kubernetes RBAC tied to Entra ID.
var KubernetesRBAC = check.New(check.Meta{
	ID:       "kubernetes-rbac-entra",
	Item:     "cluster.k8s-rbac-aad",
	Title:    "Kubernetes RBAC is on, with Azure RBAC or Entra ID admin groups",
	Severity: check.High,
	Description: "enableRBAC must not be false (critical: every user is admin), Entra ID must be AKS-managed, " +
		"and either Azure RBAC for Kubernetes authorization (aadProfile.enableAzureRBAC; Terraform azure_rbac_enabled) " +
		"or cluster-admin Entra groups (adminGroupObjectIDs; admin_group_object_ids) must be set, so that access " +
		"follows people's group membership.",
	Remediation: "Keep RBAC on, and enable Azure RBAC (az aks update --enable-azure-rbac) or set --aad-admin-group-object-ids.",
	Evidence:    clusterEvidence,
	Fix: "turns on AKS-managed Entra ID and Azure RBAC for Kubernetes (az aks update --enable-aad --enable-azure-rbac); " +
		"Kubernetes RBAC itself only at creation",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if c.EnableRBAC.IsKnown() && !c.EnableRBAC.V {
		fix := atCreation(onCluster(c, nil, set(c.EnableRBAC.Attr, true)), "Kubernetes RBAC")
		failSevFix(r, check.Critical, c, c.EnableRBAC.Attr, fix, "Kubernetes RBAC is disabled")
		return
	}
	if c.AADManaged.IsUnknown() {
		undecided(r, c, "whether Entra ID is AKS-managed", c.AADManaged.Attr)
		return
	}
	if c.AADManaged.NotTrue() {
		fix := onCluster(c, az("aks", "update", "--enable-aad", "--enable-azure-rbac"), set(c.AADManaged.Attr, true), set(c.AADAzureRBAC.Attr, true))
		failFix(r, c, c.AADManaged.Attr, fix, "Kubernetes RBAC is not tied to AKS-managed Microsoft Entra ID")
		return
	}
	// AKS-managed Entra ID needs Kubernetes RBAC, so an unknown enableRBAC is on here.
	switch {
	case c.AADAzureRBAC.True() || (c.AADAdminGroups.IsKnown() && len(c.AADAdminGroups.V) > 0):
	case c.AADAzureRBAC.IsUnknown():
		undecided(r, c, "whether Azure RBAC authorizes Kubernetes", c.AADAzureRBAC.Attr)
	case c.AADAdminGroups.IsUnknown():
		undecided(r, c, "the Entra ID admin groups", c.AADAdminGroups.Attr)
	default:
		fix := onCluster(c, az("aks", "update", "--enable-azure-rbac"), set(c.AADAzureRBAC.Attr, true))
		failFix(r, c, c.AADAzureRBAC.Attr, fix, "neither Azure RBAC nor Entra ID admin groups are set")
	}
})
