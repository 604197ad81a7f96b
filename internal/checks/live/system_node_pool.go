package live

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const criticalAddonsOnly = "CriticalAddonsOnly"

// SystemNodePool checks the nodes' pool modes: system pods need system nodes of their own.
var SystemNodePool = check.New(check.Meta{
	ID:       "live-system-node-pool",
	Item:     "cluster.system-node-pools",
	Title:    "System node pools run on at least two nodes, kept for system pods",
	Severity: check.Medium,
	Description: "Reads the kubernetes.azure.com/mode label and the taints of the running nodes. AKS " +
		"places CoreDNS, metrics-server and konnectivity on System pools: a cluster needs System nodes " +
		"(at least two, so that one node's upgrade or loss does not stop them), and once User pools " +
		"exist the System nodes should carry the CriticalAddonsOnly taint so application pods do not " +
		"starve system pods. Clusters whose nodes carry no AKS labels are not judged.",
	Remediation: "Add a System node pool of two or more nodes (az aks nodepool add --mode System --node-count 2) and taint it with CriticalAddonsOnly=true:NoSchedule once User pools run the applications.",
	Evidence:    liveOnly,
}, func(_ context.Context, _ *check.Env, c *subject.LiveCluster, r *check.Result) {
	if !c.IsAKS() || len(c.Nodes) == 0 {
		r.NotApplicable()
		return
	}
	var system, user []*corev1.Node
	for _, n := range c.Nodes {
		switch n.Labels[subject.LabelNodePoolMode] {
		case "system":
			system = append(system, n)
		case "user":
			user = append(user, n)
		}
	}
	if len(system) == 0 {
		r.Add(check.Finding{Severity: check.Medium, Object: nodeRef(c.Nodes[0]), Related: relatedNodes(c.Nodes),
			Location: subject.Location{Path: "metadata.labels"},
			Message:  "no node carries " + subject.LabelNodePoolMode + "=system (evidence: the labels of " + itoa(len(c.Nodes)) + " nodes)"})
		return
	}
	if len(system) < 2 {
		r.Add(check.Finding{Severity: check.Medium, Object: nodeRef(system[0]),
			Location: subject.Location{Path: "metadata.labels"},
			Message:  "only one node (" + system[0].Name + ") is a System node: upgrading or losing it stops the system pods (evidence: label " + subject.LabelNodePoolMode + ")"})
	}
	if len(user) == 0 {
		return
	}
	var untainted []*corev1.Node
	for _, n := range system {
		if !hasTaint(n, criticalAddonsOnly) {
			untainted = append(untainted, n)
		}
	}
	if len(untainted) > 0 {
		r.Add(check.Finding{Severity: check.Low, Object: nodeRef(untainted[0]), Related: relatedNodes(untainted),
			Location: subject.Location{Path: "spec.taints"},
			Message: itoa(len(untainted)) + " System node(s) (" + nodeNames(untainted) + ") have no " + criticalAddonsOnly +
				" taint although " + itoa(len(user)) + " User node(s) exist: application pods can be scheduled on them (evidence: spec.taints, label " + subject.LabelNodePoolMode + ")"})
	}
})

func hasTaint(n *corev1.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key && (t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute) {
			return true
		}
	}
	return false
}
