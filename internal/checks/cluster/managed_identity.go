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
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if !c.ServicePrincipal.Empty() && c.ServicePrincipal.IsKnown() {
		fail(r, c, c.ServicePrincipal.Attr, "the cluster runs as a service principal")
		return
	}
	switch {
	case c.IdentityType.Is("SystemAssigned", "UserAssigned"):
	case c.IdentityType.IsUnknown():
		undecided(r, c, "the identity type", c.IdentityType.Attr)
	case c.ServicePrincipal.IsUnknown():
		undecided(r, c, "the service principal", c.ServicePrincipal.Attr)
	default:
		fail(r, c, c.IdentityType.Attr, "the cluster has no managed identity")
	}
})
