package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AutoUpgradeChannel finds clusters that do not upgrade Kubernetes by themselves.
var AutoUpgradeChannel = check.New(check.Meta{
	ID:       "auto-upgrade-channel",
	Item:     "cluster.upgrade-channel",
	Title:    "The cluster has an auto-upgrade channel",
	Severity: check.Medium,
	Description: "autoUpgradeProfile.upgradeChannel (Terraform: automatic_upgrade_channel, v3 automatic_channel_upgrade) " +
		"must be patch, stable or rapid. none (the default when unset) leaves the cluster to fall out of " +
		"support; node-image is legacy (it only moves node images, which the node OS channel now does) and " +
		"is reported at low severity.",
	Remediation: "Set the auto-upgrade channel to patch or stable (az aks update --auto-upgrade-channel stable) and plan its maintenance window.",
	Evidence:    clusterEvidence,
	Fix:         "sets the auto-upgrade channel (upgradeChannel; automatic_upgrade_channel, v3 automatic_channel_upgrade) to stable",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	ch := c.UpgradeChannel
	fix := onCluster(c, az("aks", "update", "--auto-upgrade-channel", "stable"), set(ch.Attr, "stable"))
	switch {
	case ch.IsUnknown():
		undecided(r, c, "the auto-upgrade channel", ch.Attr)
	case ch.Empty() || ch.Is("none"):
		failFix(r, c, ch.Attr, fix, "no auto-upgrade channel: Kubernetes is never upgraded automatically")
	case ch.Is("node-image"):
		failSevFix(r, check.Low, c, ch.Attr, fix, "the node-image auto-upgrade channel is legacy: it does not upgrade Kubernetes")
	case ch.Is("patch", "stable", "rapid"):
	default:
		failFix(r, c, ch.Attr, fix, "unknown auto-upgrade channel %q", ch.V)
	}
})

// AutoUpgradeWindow finds auto-upgrading clusters without a maintenance window.
var AutoUpgradeWindow = check.New(check.Meta{
	ID:       "auto-upgrade-window",
	Item:     "cluster.upgrade-channel",
	Title:    "Auto-upgrades run in a planned maintenance window",
	Severity: check.Low,
	Description: "A cluster with an auto-upgrade channel has the aksManagedAutoUpgradeSchedule maintenance " +
		"configuration (Terraform: maintenance_window_auto_upgrade), so upgrades happen when people expect " +
		"them. The maintenance configurations are not in az aks show output: without them in the input (a " +
		"template, a module, or az aks maintenanceconfiguration list output) the item is not evaluated.",
	Remediation: "Add a maintenance window for auto-upgrades (az aks maintenanceconfiguration add --name aksManagedAutoUpgradeSchedule ...).",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	ch := c.UpgradeChannel
	if !ch.IsUnknown() && !ch.Is("patch", "stable", "rapid", "node-image") {
		r.NotApplicable()
		return
	}
	maintenanceWindow(r, c, ch, "aksManagedAutoUpgradeSchedule", "auto-upgrades")
})

// NodeOSUpgradeWindow finds clusters whose node OS updates have no maintenance window.
var NodeOSUpgradeWindow = check.New(check.Meta{
	ID:       "node-os-upgrade-window",
	Item:     "ops.node-patching",
	Title:    "Node OS updates run in a planned maintenance window",
	Severity: check.Low,
	Description: "A cluster whose node OS channel updates nodes has the aksManagedNodeOSUpgradeSchedule " +
		"maintenance configuration (Terraform: maintenance_window_node_os). Without the cluster's maintenance " +
		"configurations in the input (they are not in az aks show output) the item is not evaluated.",
	Remediation: "Add a maintenance window for node OS updates (az aks maintenanceconfiguration add --name aksManagedNodeOSUpgradeSchedule ...).",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	ch := c.NodeOSUpgradeChannel
	if ch.Is("None", "Unmanaged") {
		r.NotApplicable()
		return
	}
	maintenanceWindow(r, c, ch, "aksManagedNodeOSUpgradeSchedule", "node OS updates")
})

// maintenanceWindow wants the maintenance configuration of a name with a window, on a cluster
// whose channel ch needs one (an unknown channel may). Without the cluster's maintenance
// configurations in the input, the check is undecided.
func maintenanceWindow(r *check.Result, c *subject.Cluster, ch subject.String, name, what string) {
	if !c.MaintenanceKnown {
		missingFrom(r, c, "the maintenance configurations",
			"az aks maintenanceconfiguration list output, or the template's Microsoft.ContainerService/managedClusters/maintenanceConfigurations")
		return
	}
	m := c.MaintenanceNamed(name)
	switch {
	case m != nil && m.HasWindow.True():
	case ch.IsUnknown():
		// A window is missing; whether the channel needs one is not known.
		undecided(r, c, "the upgrade channel", ch.Attr)
	case m == nil:
		fail(r, c, subject.Attr{Loc: c.MaintenanceMissingAt(name)}, "no %s maintenance window: %s may start at any time", name, what)
	case m.HasWindow.IsUnknown():
		undecided(r, c, "the window of the "+name+" maintenance configuration", m.HasWindow.Attr)
	case !m.HasWindow.V:
		fail(r, c, m.HasWindow.Attr, "the %s maintenance configuration sets no window", name)
	}
}

// NodeOSUpgradeChannel finds clusters whose node OS is never updated.
var NodeOSUpgradeChannel = check.New(check.Meta{
	ID:       "node-os-upgrade-channel",
	Item:     "ops.node-patching",
	Title:    "Node OS security updates are applied automatically",
	Severity: check.High,
	Description: "autoUpgradeProfile.nodeOSUpgradeChannel (Terraform: node_os_upgrade_channel, v3 node_os_channel_upgrade) " +
		"must be NodeImage (the default) or SecurityPatch. None leaves nodes unpatched; Unmanaged relies on " +
		"the OS's own updates and on a reboot daemon (kured) that akscheck cannot see, and does nothing on Windows.",
	Remediation: "Set the node OS upgrade channel to NodeImage or SecurityPatch (az aks update --node-os-upgrade-channel NodeImage).",
	Evidence:    clusterEvidence,
	Fix:         "sets the node OS upgrade channel (nodeOSUpgradeChannel; node_os_upgrade_channel, v3 node_os_channel_upgrade) to NodeImage",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	ch := c.NodeOSUpgradeChannel
	if ch.IsUnknown() {
		undecided(r, c, "the node OS upgrade channel", ch.Attr)
		return
	}
	if ch.Is("None", "Unmanaged") {
		failFix(r, c, ch.Attr, nodeImageChannel(c), "the node OS upgrade channel is %s: nodes do not get security updates from AKS", ch.V)
	}
})

// NodeImageCurrent finds pools running an older node image than their upgrade profile offers.
var NodeImageCurrent = check.New(check.Meta{
	ID:       "node-image-current",
	Item:     "ops.node-patching",
	Title:    "Node pools run the latest node image",
	Severity: check.Medium,
	Description: "A pool's nodeImageVersion equals the latestNodeImageVersion of its upgrade profile " +
		"(az aks nodepool get-upgrades). Judged only when the pool's upgrade profile is in the input.",
	Remediation: "Upgrade the node image (az aks nodepool upgrade --node-image-only), or let the NodeImage channel do it.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	judged := false
	for _, p := range c.Pools {
		if !p.NodeImageVersion.IsKnown() || !p.LatestNodeImageVersion.IsKnown() || p.LatestNodeImageVersion.V == "" {
			continue
		}
		judged = true
		if p.NodeImageVersion.V != p.LatestNodeImageVersion.V {
			poolFail(r, c, p, p.NodeImageVersion.Attr, "node image %s is older than the latest %s", p.NodeImageVersion.V, p.LatestNodeImageVersion.V)
		}
	}
	if !judged {
		r.NotApplicable()
	}
})

// nodeImageChannel is the fix that sets the node OS upgrade channel to NodeImage.
func nodeImageChannel(c *subject.Cluster) *check.Fix {
	return onCluster(c, az("aks", "update", "--node-os-upgrade-channel", "NodeImage"), set(c.NodeOSUpgradeChannel.Attr, "NodeImage"))
}
