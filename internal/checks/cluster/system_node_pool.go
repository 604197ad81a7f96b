package cluster

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// SystemNodePool finds clusters whose system pools are not isolated or too small.
var SystemNodePool = check.New(check.Meta{
	ID:       "system-node-pool",
	Aliases:  []string{"live-system-node-pool"},
	Item:     "cluster.system-node-pools",
	Title:    "A system node pool of two or more nodes runs only critical add-ons",
	Severity: check.Medium,
	Description: "At least one node pool is in System mode; when User pools exist, every System pool carries the " +
		"CriticalAddonsOnly=true:NoSchedule taint (Terraform: default_node_pool.only_critical_addons_enabled), " +
		"so application pods cannot starve CoreDNS and the other system pods; and the System pools hold at " +
		"least two nodes (minCount when autoscaling, else count). On a running cluster the pools are read from " +
		"the nodes (labels kubernetes.azure.com/agentpool and kubernetes.azure.com/mode, spec.taints, the number " +
		"of nodes); clusters whose nodes carry no AKS labels are not judged.",
	Remediation: "Add a dedicated System pool of two or more nodes with --node-taints CriticalAddonsOnly=true:NoSchedule (Terraform: only_critical_addons_enabled = true), and run applications on User pools.",
	Evidence:    observedEvidence,
	Fix:         "taints a System pool beside User pools CriticalAddonsOnly=true:NoSchedule (nodeTaints; default_node_pool.only_critical_addons_enabled) (az aks nodepool update --node-taints)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if len(c.Pools) == 0 {
		missingFrom(r, c, "the node pools", "az aks show output (agentPoolProfiles) or az aks nodepool list output")
		return
	}
	var system []*subject.NodePool
	var unknownMode *subject.NodePool
	for _, p := range c.Pools {
		if p.IsSystem() {
			system = append(system, p)
		}
		if p.Mode.IsUnknown() && unknownMode == nil {
			unknownMode = p
		}
	}
	if len(system) == 0 {
		if unknownMode != nil {
			poolUndecided(r, c, unknownMode, "the mode (System or User)", unknownMode.Mode.Attr)
		} else {
			fail(r, c, subject.Attr{Loc: c.SystemPoolAt}, "no node pool is in System mode")
		}
		return
	}
	for _, p := range system {
		switch {
		case hasCriticalAddonsTaint(p.Taints) || (!c.HasUserPools() && unknownMode == nil):
		case p.Taints.IsUnknown():
			poolUndecided(r, c, p, "the taints", p.Taints.Attr)
		case !c.HasUserPools():
			// The taint is needed only beside User pools: one of unknown mode may be one.
			poolUndecided(r, c, unknownMode, "the mode (System or User)", unknownMode.Mode.Attr)
		default:
			poolFailFix(r, c, p, p.Taints.Attr, criticalAddonsOnly(c, p), "System pool without the CriticalAddonsOnly taint runs application pods too")
		}
	}
	// The System pools' node floor (minCount when autoscaling, else count): lo sums the
	// floors no less than the known settings allow, hi those no more. With autoscaling
	// unknown, a pool's floor is its minCount or its count; without a known minCount (a
	// running cluster's pool, read from its nodes) it is the nodes it has, as documented. A
	// pool of no known size leaves the floor open.
	var lo, hi int64
	open := false
	var unsure *subject.NodePool
	for _, p := range system {
		n := p.Count
		if p.EnableAutoScaling.True() {
			n = p.MinCount
		}
		switch {
		case n.IsKnown() && !p.EnableAutoScaling.IsUnknown():
			lo += n.V
			hi += n.V
			continue
		case p.EnableAutoScaling.IsUnknown() && p.Count.IsKnown() && p.MinCount.IsKnown():
			lo += min(p.Count.V, p.MinCount.V)
			hi += max(p.Count.V, p.MinCount.V)
		case p.EnableAutoScaling.IsUnknown() && p.Count.IsKnown():
			lo += p.Count.V
			hi += p.Count.V
			continue
		default:
			open = true
		}
		if unsure == nil {
			unsure = p
		}
	}
	switch {
	case lo >= 2:
	case open || hi >= 2:
		poolUndecided(r, c, unsure, "the node count (minCount when autoscaling)", unknownOf(unsure.EnableAutoScaling.Attr, unsure.MinCount.Attr, unsure.Count.Attr))
	default:
		p := system[0]
		a := p.Count.Attr
		if p.EnableAutoScaling.True() {
			a = p.MinCount.Attr
		}
		poolFail(r, c, p, a, "the System pools hold %d node(s); two or more keep system pods up during node upgrades", hi)
	}
})

func hasCriticalAddonsTaint(t subject.List) bool {
	for _, x := range t.V {
		if strings.HasPrefix(strings.TrimSpace(x), "CriticalAddonsOnly") {
			return true
		}
	}
	return false
}

// criticalAddonsTaint keeps application pods off a System pool.
const criticalAddonsTaint = "CriticalAddonsOnly=true:NoSchedule"

// criticalAddonsOnly is the fix that taints a System pool CriticalAddonsOnly: the az
// command sets the pool's whole list of taints, so it keeps those the pool has.
func criticalAddonsOnly(c *subject.Cluster, p *subject.NodePool) *check.Fix {
	taints := append(append([]string{}, p.Taints.V...), criticalAddonsTaint)
	return onPool(c, p, az("aks", "nodepool", "update", "--node-taints", strings.Join(taints, ",")), appendTo(p.Taints.Attr, criticalAddonsTaint))
}
