package live

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ReplicasOnOneNode finds replicated workloads whose running pods all sit on one node.
var ReplicasOnOneNode = check.New(check.Meta{
	ID:          "live-replicas-one-node",
	CrossObject: true,
	Item:        "dr.pod-spread",
	Title:       "The running replicas of a workload are on more than one node",
	Severity:    check.Medium,
	Description: "Follows each running Pod to its top controller (Pod → ReplicaSet → Deployment, Pod → " +
		"StatefulSet) and reads spec.nodeName. A workload with two or more running pods all on one node " +
		"loses every replica when that node is drained for an upgrade or fails, whatever its replica " +
		"count promises.",
	Remediation: "Add topologySpreadConstraints on kubernetes.io/hostname (and topology.kubernetes.io/zone) or a podAntiAffinity to the pod template, then restart the workload so the scheduler spreads it.",
	Evidence:    liveOnly,
	Requires:    []string{"Pod", "ReplicaSet", "Deployment", "StatefulSet", "ReplicationController"},
}, func(_ context.Context, env *check.Env, _ *subject.LiveCluster, r *check.Result) {
	type placement struct {
		owner *subject.Object
		nodes map[string]int
		pods  int
	}
	byOwner := map[*subject.Object]*placement{}
	var owners []*subject.Object
	for _, o := range env.Index.ObjectsOfKind("Pod") {
		node, phase, ok := subject.PodPlacement(o)
		if !ok || phase != corev1.PodRunning || node == "" {
			continue
		}
		owner := topController(env.Index, o)
		if owner == nil || owner.Kind == "DaemonSet" || owner.Kind == "Job" || owner.Kind == "CronJob" {
			continue
		}
		p := byOwner[owner]
		if p == nil {
			p = &placement{owner: owner, nodes: map[string]int{}}
			byOwner[owner] = p
			owners = append(owners, owner)
		}
		p.nodes[node]++
		p.pods++
	}
	if len(owners) == 0 {
		r.NotApplicable()
		return
	}
	applies := false
	sort.Slice(owners, func(i, j int) bool { return owners[i].Ref() < owners[j].Ref() })
	for _, o := range owners {
		p := byOwner[o]
		if p.pods < 2 {
			continue
		}
		applies = true
		if len(p.nodes) > 1 {
			continue
		}
		node := ""
		for n := range p.nodes {
			node = n
		}
		r.Add(check.Finding{Severity: check.Medium, Object: objRef(o), Location: subject.Location{Path: "spec.template.spec"},
			Related: []check.Related{{Kind: "Node", Name: node}},
			Message: fmt.Sprintf("all %d running pods of %s %s/%s are on node %s (evidence: the pods' spec.nodeName)",
				p.pods, o.Kind, o.Namespace, o.Meta.Name, node)})
	}
	if !applies {
		r.NotApplicable()
	}
})

// topController follows controller ownerReferences up through the index: the Deployment of
// a Pod's ReplicaSet. nil when the Pod has no controller in the scan.
func topController(ix *subject.Index, o *subject.Object) *subject.Object {
	var top *subject.Object
	for range 4 { // Pod → ReplicaSet → Deployment is the deepest built-in chain
		ref := metav1.GetControllerOfNoCopy(o.Meta)
		if ref == nil {
			break
		}
		owner := ix.Get(ref.Kind, o.Namespace, ref.Name)
		if owner == nil {
			break
		}
		top, o = owner, owner
	}
	return top
}
