package cluster

import (
	"context"
	"strconv"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const autoscalerDescription = "Every scale-set node pool has the cluster autoscaler on (enableAutoScaling; Terraform " +
	"auto_scaling_enabled, v3 enable_auto_scaling) with minCount of 1 or more and maxCount above minCount, " +
	"unless node auto-provisioning (nodeProvisioningProfile.mode Auto) manages the nodes."

const autoscalerFix = "turns the pool's autoscaler on (enableAutoScaling; auto_scaling_enabled) between its node count and twice " +
	"that (az aks nodepool update --enable-cluster-autoscaler --min-count --max-count)"

const autoscalerRemediation = "Enable the cluster autoscaler on every pool (az aks nodepool update --enable-cluster-autoscaler --min-count 1 --max-count N), or node auto-provisioning."

// ClusterAutoscaler finds node pools of a fixed size (cluster.cluster-autoscaling).
var ClusterAutoscaler = check.New(check.Meta{
	ID:          "cluster-autoscaler",
	Item:        "cluster.cluster-autoscaling",
	Title:       "Every node pool scales with the cluster autoscaler",
	Severity:    check.Medium,
	Description: autoscalerDescription + " A fixed-size pool cannot absorb load or a failed node.",
	Remediation: autoscalerRemediation,
	Evidence:    clusterEvidence,
	Fix:         autoscalerFix,
}, autoscaling)

// NodeAutoscaling is the same rule for resources.cluster-autoscaling.
var NodeAutoscaling = check.New(check.Meta{
	ID:          "node-autoscaling",
	Item:        "resources.cluster-autoscaling",
	Title:       "Node capacity follows the pods' requests",
	Severity:    check.Medium,
	Description: autoscalerDescription + " The same rule as cluster-autoscaler, for the resource management section.",
	Remediation: autoscalerRemediation,
	Evidence:    clusterEvidence,
	Fix:         autoscalerFix,
}, autoscaling)

func autoscaling(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if c.NodeProvisioningMode.Is("Auto") {
		return
	}
	// A pool's findings stand only when node auto-provisioning is known to be off: with it
	// on, the pools' own settings do not matter.
	judge := r
	if c.NodeProvisioningMode.IsUnknown() {
		judge = check.NewResult(&check.Meta{}, c)
	}
	pools := vmssPools(c)
	for _, p := range c.Pools {
		if p.Type.IsUnknown() {
			poolUndecided(judge, c, p, "the pool type (scale set or availability set)", p.Type.Attr)
		}
	}
	if len(pools) == 0 && len(judge.Missing()) == 0 {
		r.NotApplicable()
		return
	}
	for _, p := range pools {
		switch {
		case p.EnableAutoScaling.IsUnknown():
			poolUndecided(judge, c, p, "whether the cluster autoscaler is on", p.EnableAutoScaling.Attr)
		case !p.EnableAutoScaling.True():
			poolFailFix(judge, c, p, p.EnableAutoScaling.Attr, autoscalerOn(c, p), "the cluster autoscaler is off")
		case p.MinCount.IsUnknown() || p.MaxCount.IsUnknown():
			poolUndecided(judge, c, p, "the autoscaler's node counts", unknownOf(p.MinCount.Attr, p.MaxCount.Attr))
		case p.MinCount.IsKnown() && p.MaxCount.IsKnown() && p.MaxCount.V <= p.MinCount.V:
			poolFailFix(judge, c, p, p.MaxCount.Attr, autoscalerOn(c, p), "maxCount %d is not above minCount %d", p.MaxCount.V, p.MinCount.V)
		case p.IsSystem() && p.MinCount.IsKnown() && p.MinCount.V < 1:
			poolFailFix(judge, c, p, p.MinCount.Attr, autoscalerOn(c, p), "a System pool may scale to zero nodes")
		}
	}
	if judge != r && (len(judge.Findings()) > 0 || len(judge.Missing()) > 0) {
		undecided(r, c, "the node provisioning mode (node auto-provisioning manages the nodes when it is Auto)", c.NodeProvisioningMode.Attr)
	}
}

// unknownOf returns the first unknown of the settings.
func unknownOf(as ...subject.Attr) subject.Attr {
	for _, a := range as {
		if a.IsUnknown() {
			return a
		}
	}
	return as[0]
}

// autoscalerOn is the fix that turns a pool's autoscaler on (or corrects its counts): from
// the pool's node count (its minCount when that is higher, one at least) to twice that.
// The counts are a starting point to review against the pool's load.
func autoscalerOn(c *subject.Cluster, p *subject.NodePool) *check.Fix {
	lo := int64(1)
	if p.Count.IsKnown() && p.Count.V > lo {
		lo = p.Count.V
	}
	if p.MinCount.IsKnown() && p.MinCount.V > lo {
		lo = p.MinCount.V
	}
	hi := 2 * lo
	mode := "--enable-cluster-autoscaler"
	if p.EnableAutoScaling.True() {
		mode = "--update-cluster-autoscaler"
	}
	fix := onPool(c, p, az("aks", "nodepool", "update", mode, "--min-count", strconv.FormatInt(lo, 10), "--max-count", strconv.FormatInt(hi, 10)),
		set(p.EnableAutoScaling.Attr, true), set(p.MinCount.Attr, lo), set(p.MaxCount.Attr, hi))
	fix.Note = "Review the node counts against the pool's load and quota."
	return fix
}
