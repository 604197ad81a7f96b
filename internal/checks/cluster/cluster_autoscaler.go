package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const autoscalerDescription = "Every scale-set node pool has the cluster autoscaler on (enableAutoScaling; Terraform " +
	"auto_scaling_enabled, v3 enable_auto_scaling) with minCount of 1 or more and maxCount above minCount, " +
	"unless node auto-provisioning (nodeProvisioningProfile.mode Auto) manages the nodes."

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
			poolFail(judge, c, p, p.EnableAutoScaling.Attr, "the cluster autoscaler is off")
		case p.MinCount.IsUnknown() || p.MaxCount.IsUnknown():
			poolUndecided(judge, c, p, "the autoscaler's node counts", unknownOf(p.MinCount.Attr, p.MaxCount.Attr))
		case p.MinCount.IsKnown() && p.MaxCount.IsKnown() && p.MaxCount.V <= p.MinCount.V:
			poolFail(judge, c, p, p.MaxCount.Attr, "maxCount %d is not above minCount %d", p.MaxCount.V, p.MinCount.V)
		case p.IsSystem() && p.MinCount.IsKnown() && p.MinCount.V < 1:
			poolFail(judge, c, p, p.MinCount.Attr, "a System pool may scale to zero nodes")
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
