package cluster

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

// WindowsNodePatching finds Windows pools whose nodes are not patched.
var WindowsNodePatching = check.New(check.Meta{
	ID:       "windows-node-patching",
	Item:     "windows.patch-nodes",
	Title:    "Windows node pools get node image updates",
	Severity: check.High,
	Description: "With Windows pools, nodeOSUpgradeChannel (Terraform node_os_upgrade_channel) must be NodeImage " +
		"(the default; on Windows, Unmanaged does nothing, like None), or every Windows pool's nodeImageVersion " +
		"must equal the latestNodeImageVersion of its upgrade profile.",
	Remediation: "Set the node OS upgrade channel to NodeImage, or upgrade the Windows pools' node images regularly (az aks nodepool upgrade --node-image-only).",
	Evidence:    clusterEvidence,
	Fix:         "sets the node OS upgrade channel (nodeOSUpgradeChannel; node_os_upgrade_channel) to NodeImage",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	var win []*subject.NodePool
	for _, p := range c.Pools {
		if p.IsWindows() {
			win = append(win, p)
		}
	}
	ch := c.NodeOSUpgradeChannel
	if len(win) == 0 {
		r.NotApplicable()
		return
	}
	if ch.IsUnknown() {
		undecided(r, c, "the node OS upgrade channel", ch.Attr)
		return
	}
	if ch.Is("NodeImage") || ch.IsAbsent() {
		return
	}
	current := true
	for _, p := range win {
		if !p.NodeImageVersion.IsKnown() || !p.LatestNodeImageVersion.IsKnown() || p.NodeImageVersion.V != p.LatestNodeImageVersion.V {
			current = false
		}
	}
	if current {
		return
	}
	if ch.Is("SecurityPatch") {
		// Whether SecurityPatch updates Windows nodes is not established; not judged.
		r.NotApplicable()
		return
	}
	failFix(r, c, ch.Attr, nodeImageChannel(c), "the node OS upgrade channel is %s: Windows pool %s gets no node image updates", ch.V, win[0].Name)
})

// WindowsGMSA finds Windows pods that need gMSA on a cluster without it.
var WindowsGMSA = check.New(check.Meta{
	ID:          "windows-gmsa",
	CrossObject: true,
	Requires:    subject.WorkloadKinds,
	Item:        "windows.gmsa",
	Title:       "Clusters whose Windows pods use gMSA have gMSA enabled",
	Severity:    check.Low,
	Description: "When a workload of the scan names a gMSA credential spec (securityContext.windowsOptions." +
		"gmsaCredentialSpecName), windowsProfile.gmsaProfile.enabled (Terraform windows_profile.gmsa) must be " +
		"true. Not applicable when no workload uses gMSA (scan the manifests with the cluster).",
	Remediation: "Enable gMSA on the cluster (az aks update --enable-windows-gmsa).",
	Evidence:    clusterEvidence,
	Fix:         "turns on gMSA (windowsProfile.gmsaProfile.enabled; windows_profile.gmsa) (az aks update --enable-windows-gmsa)",
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	var user string
	for _, w := range env.Index.Workloads() {
		if usesGMSA(w) {
			user = w.Kind + " " + w.Name()
			break
		}
	}
	if user == "" {
		r.NotApplicable()
		return
	}
	fix := onCluster(c, az("aks", "update", "--enable-windows-gmsa"), set(c.GMSAEnabled.Attr, true))
	wantOnFix(r, c, c.GMSAEnabled, fix, "whether gMSA is enabled", "%s uses a gMSA credential spec but gMSA is not enabled on the cluster", user)
})

func usesGMSA(w *subject.Workload) bool {
	spec := w.Spec()
	if sc := spec.SecurityContext; sc != nil && sc.WindowsOptions != nil && sc.WindowsOptions.GMSACredentialSpecName != nil {
		return true
	}
	for _, ct := range w.Containers() {
		if sc := ct.SecurityContext; sc != nil && sc.WindowsOptions != nil && sc.WindowsOptions.GMSACredentialSpecName != nil {
			return true
		}
	}
	return false
}
