package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AzureCNI finds clusters on kubenet.
var AzureCNI = check.New(check.Meta{
	ID:       "azure-cni",
	Item:     "network.network-model",
	Title:    "The cluster uses Azure CNI",
	Severity: check.Medium,
	Description: "networkProfile.networkPlugin (Terraform network_profile.network_plugin) is azure (Overlay or " +
		"VNet-routed pods both pass; none, bring-your-own CNI, passes as a deliberate choice). kubenet is " +
		"being retired, cannot run Windows pools or Azure network policies, and needs route tables. A network " +
		"plugin that is not written is the default of the API version and tool that created the cluster, " +
		"which changed over time: the item is then not evaluated.",
	Remediation: "Migrate to Azure CNI Overlay (az aks update --network-plugin azure --network-plugin-mode overlay).",
	Evidence:    clusterEvidence,
	Fix:         "migrates to Azure CNI Overlay (networkPlugin azure, networkPluginMode overlay; network_plugin, network_plugin_mode)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	switch p := c.NetworkPlugin; {
	case p.IsUnknown() || p.IsAbsent():
		// Not written, the plugin is the default of the API version and tool that created
		// the cluster, which moved from kubenet to Azure CNI Overlay: only az aks show tells.
		undecided(r, c, "the network plugin", p.Attr)
	case p.Is("kubenet"):
		fix := onCluster(c, az("aks", "update", "--network-plugin", "azure", "--network-plugin-mode", "overlay"),
			set(p.Attr, "azure"), set(c.NetworkPluginMode.Attr, "overlay"))
		fix.Note = "The migration reimages every node; the pod CIDR stays unless --pod-cidr sets another."
		failFix(r, c, p.Attr, fix, "the cluster uses kubenet")
	}
})

// WindowsAzureCNI finds Windows pools on a cluster without Azure CNI.
var WindowsAzureCNI = check.New(check.Meta{
	ID:       "windows-azure-cni",
	Item:     "windows.cni",
	Title:    "Clusters with Windows pools use Azure CNI",
	Severity: check.Medium,
	Description: "When any pool has osType Windows (Terraform os_type), networkProfile.networkPlugin must be " +
		"azure (Overlay included): Windows nodes do not support kubenet.",
	Remediation: "Run Windows pools only on clusters with Azure CNI (Overlay).",
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
	switch {
	case win == nil && maybe == nil:
		r.NotApplicable()
	case c.NetworkPlugin.Is("azure"):
	case c.NetworkPlugin.IsUnknown() || c.NetworkPlugin.IsAbsent():
		// Not written, the plugin is the default of the API version that created the cluster.
		undecided(r, c, "the network plugin", c.NetworkPlugin.Attr)
	case win == nil:
		poolUndecided(r, c, maybe, "the OS type", maybe.OSType.Attr)
	default:
		fail(r, c, c.NetworkPlugin.Attr, "Windows pool %s runs on a cluster whose network plugin is %s, not azure", win.Name, c.NetworkPlugin.V)
	}
})

// NetworkPolicyEngine finds clusters that cannot enforce NetworkPolicies.
var NetworkPolicyEngine = check.New(check.Meta{
	ID:       "network-policy-engine",
	Item:     "network.network-policies",
	Title:    "A network policy engine enforces NetworkPolicies",
	Severity: check.High,
	Description: "networkProfile.networkPolicy (Terraform network_profile.network_policy) is azure, calico or " +
		"cilium, or the Cilium dataplane (networkDataplane cilium) enforces them. Without an engine every " +
		"NetworkPolicy in the cluster is silently ignored.",
	Remediation: "Enable a network policy engine (az aks update --network-policy cilium --network-dataplane cilium, or azure/calico).",
	Evidence:    clusterEvidence,
	Fix:         "enables Cilium as dataplane and network policy engine (networkDataplane, networkPolicy cilium; network_data_plane, network_policy)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	switch np := c.NetworkPolicy; {
	case np.Is("azure", "calico", "cilium") || c.NetworkDataplane.Is("cilium"):
	case np.IsUnknown():
		undecided(r, c, "the network policy engine", np.Attr)
	case c.NetworkDataplane.IsUnknown():
		undecided(r, c, "the network dataplane", c.NetworkDataplane.Attr)
	default:
		fix := onCluster(c, az("aks", "update", "--network-dataplane", "cilium", "--network-policy", "cilium"),
			set(c.NetworkDataplane.Attr, "cilium"), set(np.Attr, "cilium"))
		fix.Note = "Cilium needs Azure CNI (Overlay or a pod subnet); the change reimages the nodes."
		failFix(r, c, np.Attr, fix, "no network policy engine: NetworkPolicies are not enforced")
	}
})

// EgressLockdown finds clusters whose egress goes straight to the internet.
var EgressLockdown = check.New(check.Meta{
	ID:       "egress-lockdown",
	Item:     "network.egress-lockdown",
	Title:    "Egress goes through a firewall (or nowhere)",
	Severity: check.High,
	Description: "networkProfile.outboundType (Terraform network_profile.outbound_type) is userDefinedRouting " +
		"(a route to Azure Firewall or an appliance) or none (network-isolated cluster). loadBalancer (the " +
		"default) and NAT gateways let any pod reach any internet address. Whether the route really points " +
		"at a firewall is not in the cluster resource.",
	Remediation: "Route egress through Azure Firewall with outboundType userDefinedRouting, and allow only the FQDNs AKS and the applications need.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	switch o := c.OutboundType; {
	case o.Is("userDefinedRouting", "none"):
	case o.IsUnknown():
		undecided(r, c, "the outbound type", o.Attr)
	default:
		v := o.V
		if o.Empty() {
			v = "loadBalancer (the default)"
		}
		fail(r, c, o.Attr, "egress is not locked down: outbound type %s", v)
	}
})
