package live

import (
	"context"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// NodeZones checks that the nodes of each pool span availability zones.
var NodeZones = check.New(check.Meta{
	ID:       "live-node-zones",
	Item:     "dr.availability-zones",
	Title:    "The nodes of each pool span two or more availability zones",
	Severity: check.Medium,
	Description: "Reads the topology.kubernetes.io/zone label of the running nodes, per AKS agent pool " +
		"(per cluster for nodes without pool labels). AKS labels zonal nodes <region>-<n>; a bare number " +
		"is a fault domain of a pool without zones. When every node of a pool is in one zone, or in none, " +
		"one datacenter outage takes the pool down.",
	Remediation: "Create node pools across zones (az aks nodepool add --zones 1 2 3) and move the workloads to them; zones cannot be added to an existing pool.",
	Evidence:    liveOnly,
}, func(_ context.Context, _ *check.Env, c *subject.LiveCluster, r *check.Result) {
	if len(c.Nodes) == 0 {
		r.NotApplicable()
		return
	}
	names, by := pools(c.Nodes)
	for _, pool := range names {
		nodes := by[pool]
		zones := map[string]bool{}
		for _, n := range nodes {
			if z := n.Labels[subject.LabelZone]; isZone(z) {
				zones[z] = true
			}
		}
		if len(zones) >= 2 {
			continue
		}
		var what string
		if len(zones) == 0 {
			what = "in no availability zone"
		} else {
			what = "all in zone " + sortedKeys(zones)[0]
		}
		r.Add(check.Finding{Severity: check.Medium, Object: nodeRef(nodes[0]), Related: relatedNodes(nodes),
			Location: subject.Location{Path: "metadata.labels"},
			Message: "the " + itoa(len(nodes)) + " node(s) of " + poolNoun(pool) + " (" + nodeNames(nodes) + ") are " + what +
				" (evidence: label " + subject.LabelZone + ")"})
	}
})

// isZone tells an availability zone ("westeurope-1") from AKS's fault-domain numbers ("0")
// on nodes of pools without zones.
func isZone(z string) bool {
	if z == "" {
		return false
	}
	return strings.ContainsFunc(z, func(r rune) bool { return r < '0' || r > '9' })
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
