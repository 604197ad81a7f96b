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
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if len(c.Pools) == 0 {
		r.NotApplicable()
		return
	}
	var system []*subject.NodePool
	unknownMode := false
	for _, p := range c.Pools {
		if p.IsSystem() {
			system = append(system, p)
		}
		unknownMode = unknownMode || p.Mode.IsUnknown()
	}
	if len(system) == 0 {
		if !unknownMode {
			fail(r, c, subject.Attr{Loc: c.SystemPoolAt}, "no node pool is in System mode")
		}
		return
	}
	var nodes int64
	nodesKnown := true
	for _, p := range system {
		if c.HasUserPools() && !p.Taints.IsUnknown() && !hasCriticalAddonsTaint(p.Taints) {
			poolFail(r, c, p, p.Taints.Attr, "System pool without the CriticalAddonsOnly taint runs application pods too")
		}
		n := p.Count
		if p.EnableAutoScaling.True() {
			n = p.MinCount
		}
		if n.IsKnown() {
			nodes += n.V
		} else {
			nodesKnown = false
		}
	}
	if nodesKnown && nodes < 2 {
		p := system[0]
		a := p.Count.Attr
		if p.EnableAutoScaling.True() {
			a = p.MinCount.Attr
		}
		poolFail(r, c, p, a, "the System pools hold %d node(s); two or more keep system pods up during node upgrades", nodes)
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
