package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ManagedIdentity finds clusters that run as a service principal.
var ManagedIdentity = check.New(check.Meta{
	ID:       "managed-identity",
	Item:     "cluster.managed-identity",
	Title:    "The cluster runs with a managed identity",
	Severity: check.High,
	Description: "identity.type must be SystemAssigned or UserAssigned (Terraform: an identity block) and no service " +
		"principal may be set (servicePrincipalProfile.clientId other than msi; a service_principal block). " +
		"Service principal secrets expire and must be rotated by hand; managed identities need no secret.",
	Remediation: "Migrate the cluster to a managed identity (az aks update --enable-managed-identity).",
	Evidence:    clusterEvidence,
	Fix:         "gives the cluster a system-assigned managed identity (identity.type SystemAssigned; az aks update --enable-managed-identity)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if !c.ServicePrincipal.Empty() && c.ServicePrincipal.IsKnown() {
		// The service principal's removal is no value to set: the command alone.
		failFix(r, c, c.ServicePrincipal.Attr, onCluster(c, az("aks", "update", "--enable-managed-identity")), "the cluster runs as a service principal")
		return
	}
	switch {
	case c.IdentityType.Is("SystemAssigned", "UserAssigned"):
	case c.IdentityType.IsUnknown():
		undecided(r, c, "the identity type", c.IdentityType.Attr)
	case c.ServicePrincipal.IsUnknown():
		undecided(r, c, "the service principal", c.ServicePrincipal.Attr)
	default:
		fix := onCluster(c, az("aks", "update", "--enable-managed-identity"), set(c.IdentityType.Attr, "SystemAssigned"))
		failFix(r, c, c.IdentityType.Attr, fix, "the cluster has no managed identity")
	}
})
