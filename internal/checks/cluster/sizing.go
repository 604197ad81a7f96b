package cluster

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// vmSizeRe reads the vCPU count of most Azure VM size names: Standard_D4s_v5 has 4,
// Standard_E16ads_v5 16, Standard_B2ms 2. Constrained-core sizes (Standard_E8-4ds_v5)
// report the full count.
var vmSizeRe = regexp.MustCompile(`(?i)^standard_([a-z]+)(\d+)`)

// vmCPUs returns the family letters and vCPUs of a VM size; ok is false when the size is not
// known or its name does not follow the usual pattern.
func vmCPUs(size subject.String) (family string, cpus int, ok bool) {
	if !size.IsKnown() {
		return "", 0, false
	}
	m := vmSizeRe.FindStringSubmatch(strings.TrimSpace(size.V))
	if m == nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return "", 0, false
	}
	return strings.ToUpper(m[1]), n, true
}

// VMSizing flags burstable and small node sizes.
var VMSizing = poolCheck(check.Meta{
	ID:       "vm-sizing",
	Item:     "cluster.vm-sizing",
	Title:    "Node pools use non-burstable VM sizes with 4 or more vCPUs",
	Severity: check.Info,
	Description: "Heuristic from the VM size name (vmSize; Terraform vm_size; live, the nodes' " +
		"node.kubernetes.io/instance-type label): burstable B-series sizes run out " +
		"of CPU credits under steady load, and sizes under 4 vCPUs leave little room once the system " +
		"reservations are taken. The capacity plan behind the sizes remains manual.",
	Remediation: "Use general-purpose sizes of 4 or more vCPUs (Standard_D4s_v5 and up) for production pools.",
	Evidence:    observedEvidence,
}, func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool {
	if p.VMSize.IsUnknown() {
		poolUndecided(r, c, p, "the VM size", p.VMSize.Attr)
		return true
	}
	family, cpus, ok := vmCPUs(p.VMSize)
	if !ok {
		return false
	}
	switch {
	case strings.HasPrefix(family, "B"):
		poolFail(r, c, p, p.VMSize.Attr, "%s is a burstable size", p.VMSize.V)
	case cpus < 4:
		poolFail(r, c, p, p.VMSize.Attr, "%s has %d vCPUs", p.VMSize.V, cpus)
	}
	return true
})

// NodePoolSize flags pools of one or two small nodes.
var NodePoolSize = poolCheck(check.Meta{
	ID:       "node-pool-size",
	Item:     "cluster.node-sizing",
	Title:    "No node pool is one or two tiny nodes",
	Severity: check.Info,
	Description: "Heuristic: a pool that can hold at most two nodes (count, or maxCount when autoscaling) of " +
		"2 vCPUs or fewer has no room for its pods' requests once system reservations are taken, and no " +
		"room to drain a node. Requested against allocatable resources per node is judged by a live scan.",
	Remediation: "Use fewer, larger pools: at least three nodes, or nodes of 4 or more vCPUs.",
	Evidence:    clusterEvidence,
}, func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool {
	n := p.Count
	if p.EnableAutoScaling.True() {
		n = p.MaxCount
	}
	switch {
	case p.VMSize.IsUnknown():
		poolUndecided(r, c, p, "the VM size", p.VMSize.Attr)
		return true
	case n.IsUnknown() || p.EnableAutoScaling.IsUnknown():
		poolUndecided(r, c, p, "the node count", unknownOf(n.Attr, p.EnableAutoScaling.Attr))
		return true
	}
	_, cpus, ok := vmCPUs(p.VMSize)
	if !ok || !n.IsKnown() {
		return false
	}
	if n.V <= 2 && cpus <= 2 {
		poolFail(r, c, p, n.Attr, "at most %d node(s) of %s (%d vCPUs)", n.V, p.VMSize.V, cpus)
	}
	return true
})

// ProximityPlacementZones flags proximity placement groups that work against zones.
var ProximityPlacementZones = poolCheck(check.Meta{
	ID:       "proximity-placement-zones",
	Item:     "cluster.proximity-placement",
	Title:    "Proximity placement groups are not spread across zones",
	Severity: check.Info,
	Description: "Heuristic: a pool in a proximity placement group (proximityPlacementGroupID; Terraform " +
		"proximity_placement_group_id) that also spans several zones cannot keep its nodes close, and " +
		"allocation may fail. Pools without a proximity placement group are not judged; the latency need " +
		"behind one remains manual.",
	Remediation: "Pin a proximity-placement pool to one zone and keep a zone-redundant pool for everything that does not need the low latency.",
	Evidence:    clusterEvidence,
}, func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool {
	if p.ProximityPlacementGroup.Empty() {
		return false
	}
	// An unresolved group ID names a group (a reference to one): the pool is in one.
	if p.Zones.IsUnknown() {
		poolUndecided(r, c, p, "the availability zones", p.Zones.Attr)
		return true
	}
	if p.Zones.IsKnown() && len(p.Zones.V) > 1 {
		poolFail(r, c, p, p.Zones.Attr, "is in a proximity placement group but spans %d zones", len(p.Zones.V))
	}
	return true
})
