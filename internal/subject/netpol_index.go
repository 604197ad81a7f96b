package subject

import (
	"slices"

	"k8s.io/apimachinery/pkg/labels"
)

// policyIndex files the network policies that apply in one namespace (Index.NetworkPolicies)
// under the anchors of their rules' pod selectors (see anchorOf), so the policies that select
// a workload's pods are found from its labels rather than by trying every policy of the
// namespace.
type policyIndex struct {
	policies []*NetworkPolicy
	byPair   map[labelPair][]int
	byKey    map[string][]int
	// rest are the policies with a rule that demands no label of the pod's own (or that
	// cannot be evaluated): they are tried for every pod.
	rest []int
	// of is each policy by its object.
	of map[*Object]*NetworkPolicy
}

func newPolicyIndex(policies []*NetworkPolicy) *policyIndex {
	x := &policyIndex{policies: policies, byPair: map[labelPair][]int{}, byKey: map[string][]int{}, of: make(map[*Object]*NetworkPolicy, len(policies))}
	for i, p := range policies {
		// The loop of the checks kept the last policy of an object; so does this.
		x.of[p.Object] = p
		// A label the engine gives every pod of the namespace is no label of the pod's own:
		// a rule that requires it is no anchor.
		skip := func(k string) bool {
			_, added := p.podNS[k]
			return added || isNamespaceKey(k)
		}
		var anchors []anchor
		filed := p.def.evaluable
		for r := range p.def.rules {
			a, ok := anchorOf(p.def.rules[r].pods, skip)
			if !ok {
				filed = false
				break
			}
			anchors = append(anchors, a)
		}
		if !filed {
			x.rest = append(x.rest, i)
			continue
		}
		for _, a := range anchors {
			if a.values == nil {
				x.byKey[a.key] = append(x.byKey[a.key], i)
				continue
			}
			for _, v := range a.values {
				k := pairKey("", a.key, v)
				x.byPair[k] = append(x.byPair[k], i)
			}
		}
	}
	return x
}

// selecting returns the policies that select pods with the given labels, in order.
func (x *policyIndex) selecting(podLabels map[string]string) []*NetworkPolicy {
	var idx []int
	for k, v := range podLabels {
		idx = append(idx, x.byPair[pairKey("", k, v)]...)
		idx = append(idx, x.byKey[k]...)
	}
	idx = append(idx, x.rest...)
	slices.Sort(idx)
	idx = slices.Compact(idx)
	var out []*NetworkPolicy
	for _, i := range idx {
		if p := x.policies[i]; p.Selects(podLabels) {
			out = append(out, p)
		}
	}
	return out
}

// buildPolicyIndexes indexes the policies of every namespace once they are bound.
func (ix *Index) buildPolicyIndexes() {
	ix.policyIndexes = make(map[string]*policyIndex, len(ix.policiesByNs))
	for ns, ps := range ix.policiesByNs {
		ix.policyIndexes[ns] = newPolicyIndex(ps)
	}
}

// PoliciesSelecting returns the network policies that apply in a namespace (as
// NetworkPolicies, in its order) and select pods with the given labels.
func (ix *Index) PoliciesSelecting(namespace string, podLabels map[string]string) []*NetworkPolicy {
	if b := ix.beside; b != nil {
		return besidePolicies(b, b.base.PoliciesSelecting(namespace, podLabels), b.own.PoliciesSelecting(namespace, podLabels))
	}
	if x, ok := ix.policyIndexes[namespace]; ok {
		return x.selecting(podLabels)
	}
	var out []*NetworkPolicy
	for _, p := range ix.NetworkPolicies(namespace) {
		if p.Selects(podLabels) {
			out = append(out, p)
		}
	}
	return out
}

// NetworkPolicyOf returns the policy of an object as it applies in a namespace (the last of
// NetworkPolicies(namespace) whose object it is), or nil.
func (ix *Index) NetworkPolicyOf(namespace string, o *Object) *NetworkPolicy {
	if b := ix.beside; b != nil {
		if p := b.own.NetworkPolicyOf(namespace, o); p != nil || o == b.replaced {
			return p
		}
		return b.base.NetworkPolicyOf(namespace, o)
	}
	if x, ok := ix.policyIndexes[namespace]; ok {
		return x.of[o]
	}
	var found *NetworkPolicy
	for _, p := range ix.NetworkPolicies(namespace) {
		if p.Object == o {
			found = p
		}
	}
	return found
}

// WorkloadsSelectedByPolicy returns the workloads of the policy's namespace (In) whose pods
// it selects, in scan order.
func (ix *Index) WorkloadsSelectedByPolicy(p *NetworkPolicy) []*Workload {
	if !p.def.evaluable {
		return nil // it selects nothing (Selects)
	}
	skip := func(k string) bool {
		_, added := p.podNS[k]
		return added || isNamespaceKey(k)
	}
	sels := make([]labels.Selector, 0, len(p.def.rules))
	for i := range p.def.rules {
		sels = append(sels, p.def.rules[i].pods)
	}
	return ix.workloadsMatching(p.In, sels, skip, func(w *Workload) bool { return p.Selects(w.PodLabels()) })
}
