package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// WindowsPolicyEngine finds clusters with Windows pools whose network policy engine does not
// enforce policies on Windows nodes.
var WindowsPolicyEngine = check.New(check.Meta{
	ID:       "windows-policy-engine",
	Item:     "windows.secure-traffic",
	Title:    "Network policies are enforced on Windows nodes",
	Severity: check.Medium,
	Description: "When any pool has osType Windows (Terraform os_type), networkProfile.networkPolicy " +
		"(Terraform network_profile.network_policy) is azure (Azure Network Policy Manager, Windows Server " +
		"2022) or calico (Windows Server 2019 and 2022): the engines AKS runs on Windows nodes. Cilium runs " +
		"on Linux nodes only, and without an engine (none, the default) no NetworkPolicy is enforced: the " +
		"Windows pods' traffic is then not filtered whatever their policies say.",
	Remediation: "Run Windows pools on a cluster whose network policy engine is azure or calico (chosen when the cluster is created: az aks create --network-policy calico).",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	var win, maybe *subject.NodePool
	for _, p := range c.Pools {
		switch {
		case p.IsWindows() && win == nil:
			win = p
		case p.OSType.IsUnknown() && maybe == nil:
			maybe = p
		}
	}
	np := c.NetworkPolicy
	switch {
	case win == nil && maybe == nil:
		r.NotApplicable()
	case np.Is("azure", "calico"):
	case np.IsUnknown():
		undecided(r, c, "the network policy engine", np.Attr)
	case win == nil:
		poolUndecided(r, c, maybe, "the OS type", maybe.OSType.Attr)
	case np.Empty() || np.Is("none"):
		fail(r, c, np.Attr, "Windows pool %s runs on a cluster without a network policy engine: no policy filters its pods' traffic", win.Name)
	case np.Is("cilium"):
		fail(r, c, np.Attr, "Windows pool %s runs on a cluster whose network policy engine is Cilium, which does not run on Windows nodes", win.Name)
	default:
		fail(r, c, np.Attr, "Windows pool %s runs on a cluster whose network policy engine %s does not enforce policies on Windows nodes", win.Name, np.V)
	}
})
