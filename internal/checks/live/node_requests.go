package live

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

func percentParam(key, doc string, def int) *check.Value[int] {
	return check.NewParam(key, doc, def, func(n int) error {
		if n < 1 || n > 100 {
			return fmt.Errorf("%s is %d; it must be a percentage from 1 to 100", key, n)
		}
		return nil
	})
}

// NodeRequestsMax is the share of a pool's allocatable CPU or memory its pods may request.
var NodeRequestsMax = percentParam("nodeRequestsMax",
	"the percentage of a node pool's allocatable CPU or memory (status.allocatable) its scheduled pods may request before the pool has no room to drain a node", 85)

// NodeRequestsMin is the share of a user pool's allocatable CPU and memory below which its
// nodes are larger, or more, than its pods need.
var NodeRequestsMin = percentParam("nodeRequestsMin",
	"the percentage of a user node pool's allocatable CPU and memory its scheduled pods should request at least; below it in both, the nodes are larger or more than the workloads need", 40)

// NodeRequests judges the size of each pool's nodes against what its pods request.
var NodeRequests = check.New(check.Meta{
	ID:          "live-node-requests",
	CrossObject: true,
	Item:        "cluster.node-sizing",
	Title:       "The pods of each node pool request between nodeRequestsMin and nodeRequestsMax of its allocatable resources",
	Severity:    check.Info,
	Description: "Heuristic, per node pool (the kubernetes.azure.com/agentpool label, else agentpool, else " +
		"the node.kubernetes.io/instance-type label): adds up the CPU and memory requests of the pods scheduled " +
		"on its nodes (spec.nodeName; pods that have not finished), as the scheduler counts them (init " +
		"containers, sidecars, pod-level resources and overhead), and compares them with the nodes' " +
		"status.allocatable. Above nodeRequestsMax (85% by default) of the CPU or the memory, draining a " +
		"node for an upgrade or a failure leaves its pods nowhere to go; below nodeRequestsMin (40%) of both " +
		"in a User pool, the nodes are larger or more than the workloads need (an autoscaled pool at its " +
		"minimum count may be there on purpose). System pools are sized for the availability of the system " +
		"components and are judged only against the upper bound. A live scan keeps of a controller's pods " +
		"only where they run: their requests are read from the controller's pod template. The workload " +
		"analysis behind the sizes remains manual.",
	Remediation: "Resize the pool (a new pool of another VM size, then drain the old one) or change its node count so that its pods request between nodeRequestsMin and nodeRequestsMax of what its nodes offer; set requests on every container first, so that the sum means something.",
	Evidence:    liveOnly,
	Requires:    []string{"Node", "Pod", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"},
	Settings:    []check.Setting{NodeRequestsMax, NodeRequestsMin},
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	type pool struct {
		name        string
		system      bool
		nodes       []*corev1.Node
		allocatable corev1.ResourceList
		requested   corev1.ResourceList
		unknown     []string
	}
	pools := map[string]*pool{}
	nodePool := map[string]*pool{}
	var names []string
	for _, n := range c.Nodes {
		name := nodePoolName(n)
		p := pools[name]
		if p == nil {
			p = &pool{name: name, allocatable: corev1.ResourceList{}, requested: corev1.ResourceList{}}
			pools[name] = p
			names = append(names, name)
		}
		p.nodes = append(p.nodes, n)
		p.system = p.system || strings.EqualFold(n.Labels[subject.LabelNodePoolMode], "system")
		nodePool[n.Name] = p
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := n.Status.Allocatable[res]; ok {
				sum := p.allocatable[res]
				sum.Add(q)
				p.allocatable[res] = sum
			}
		}
	}
	if len(names) == 0 {
		r.NotApplicable()
		return
	}
	// The pods of one controller request alike: their requests are summed once for all of
	// them (and its pod template, when packed, decoded once).
	byOwner := map[*subject.Workload]corev1.ResourceList{}
	for _, o := range env.Index.ObjectsOfKind("Pod") {
		node, phase, ok := subject.PodPlacement(o)
		if !ok || node == "" || phase == corev1.PodSucceeded || phase == corev1.PodFailed {
			continue
		}
		p := nodePool[node]
		if p == nil {
			continue
		}
		reqs, ok := podRequests(env.Index, o, byOwner)
		if !ok {
			p.unknown = append(p.unknown, o.Namespace+"/"+o.Meta.Name)
			continue
		}
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := reqs[res]; ok {
				sum := p.requested[res]
				sum.Add(q)
				p.requested[res] = sum
			}
		}
	}
	sort.Strings(names)
	hi, lo := NodeRequestsMax.Get(env), NodeRequestsMin.Get(env)
	for _, name := range names {
		p := pools[name]
		cpu, cpuOK := share(p.requested, p.allocatable, corev1.ResourceCPU)
		mem, memOK := share(p.requested, p.allocatable, corev1.ResourceMemory)
		if !cpuOK || !memOK {
			r.Undecided(fmt.Sprintf("the allocatable CPU and memory of pool %s (its nodes' status.allocatable)", name))
			continue
		}
		first := p.nodes[0]
		f := check.Finding{Severity: r.Severity(), Object: check.ObjectRef{APIVersion: "v1", Kind: "Node", Name: first.Name},
			Location: subject.Location{Kind: "Node", Name: first.Name, Path: "status.allocatable"}}
		evidence := fmt.Sprintf("(evidence: status.allocatable of %d node(s) and the requests of the pods scheduled on them)", len(p.nodes))
		switch {
		case cpu > float64(hi) || mem > float64(hi):
			f.Message = fmt.Sprintf("the pods on node pool %s request %.0f%% of its allocatable CPU and %.0f%% of its memory, above nodeRequestsMax %d%%: "+
				"a drained node's pods have nowhere to go %s", name, cpu, mem, hi, evidence)
			r.Add(f)
		case len(p.unknown) > 0:
			// Requests of pods not counted only add: the pool may still be above the bound.
			r.Undecided(fmt.Sprintf("the resource requests of pod %s on pool %s (its controller is not in the scan)", p.unknown[0], name))
		case !p.system && cpu < float64(lo) && mem < float64(lo):
			f.Message = fmt.Sprintf("the pods on node pool %s request %.0f%% of its allocatable CPU and %.0f%% of its memory, below nodeRequestsMin %d%%: "+
				"its nodes are larger or more than its workloads need %s", name, cpu, mem, lo, evidence)
			r.Add(f)
		}
	}
})

// nodePoolName names the pool of a node: its AKS agent pool, else its VM size, else "nodes".
func nodePoolName(n *corev1.Node) string {
	if p := subject.NodePoolOf(n); p != "" {
		return p
	}
	if t := n.Labels[subject.LabelInstanceType]; t != "" {
		return t
	}
	return "nodes"
}

// podRequests returns what a pod requests: by its own spec, or, when the scan kept of it only
// where it runs (a controller's pod, in its subject.Controlled form), by the pod template of
// its top controller, summed once per controller in byOwner. ok is false when neither is
// known.
func podRequests(ix *subject.Index, o *subject.Object, byOwner map[*subject.Workload]corev1.ResourceList) (corev1.ResourceList, bool) {
	if pod, ok := o.Body().(*corev1.Pod); ok && len(pod.Spec.Containers) > 0 {
		return resourcehelper.PodRequests(&corev1.Pod{Spec: pod.Spec}, resourcehelper.PodResourcesOptions{}), true
	}
	owner := topController(ix, o)
	if owner == nil {
		return nil, false
	}
	w := ix.WorkloadOf(owner)
	if w == nil {
		return nil, false
	}
	if reqs, ok := byOwner[w]; ok {
		return reqs, reqs != nil
	}
	var reqs corev1.ResourceList
	if spec := w.Spec(); len(spec.Containers) > 0 {
		reqs = resourcehelper.PodRequests(&corev1.Pod{Spec: *spec}, resourcehelper.PodResourcesOptions{})
		if reqs == nil {
			reqs = corev1.ResourceList{}
		}
	}
	byOwner[w] = reqs
	return reqs, reqs != nil
}

// share is requested as a percentage of allocatable for one resource; ok is false when the
// nodes do not say how much of it they offer.
func share(requested, allocatable corev1.ResourceList, res corev1.ResourceName) (float64, bool) {
	a, ok := allocatable[res]
	if !ok || a.IsZero() {
		return 0, false
	}
	q := requested[res]
	return 100 * q.AsApproximateFloat64() / a.AsApproximateFloat64(), true
}
