package network

import (
	"context"
	"slices"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// PolicySelectsPods finds network policies whose pod selector matches no workload.
var PolicySelectsPods = check.New(check.Meta{
	ID:          "network-policy-selects-pods",
	CrossObject: true,
	Item:        "network.network-policies",
	Title:       "Every network policy selects the pods of a workload",
	Severity:    check.Medium,
	Description: "A NetworkPolicy (Kubernetes or Calico) or CiliumNetworkPolicy whose pod selector (Cilium's " +
		"endpointSelector, its k8s: prefixes dropped) matches the pod template labels of no " +
		"workload of its namespace in the scan: the pods it was written for (a typo in a label, a renamed " +
		"workload) are not protected by it, and nothing says so. A policy that selects every pod " +
		"(podSelector: {}) passes when the namespace has a workload, and is not applicable in a namespace " +
		"with none, where it is the default a platform team lays down before the applications arrive. A " +
		"Calico selector akscheck cannot evaluate, a Cilium selector on labels a pod template does not show " +
		"(its ServiceAccount, reserved: identities) and a Cilium host policy (nodeSelector) are not " +
		"applicable. The check reads the workloads of the " +
		"scan, so it is not evaluated when they could not be read.",
	Remediation: "Make the policy's podSelector (endpointSelector) match the labels of the workload's pod template (spec.template.metadata.labels), or remove the policy.",
	Kinds:       []string{"NetworkPolicy", "CiliumNetworkPolicy"},
	Requires:    slices.Clone(subject.WorkloadKinds),
}, func(_ context.Context, env *check.Env, o *subject.Object, r *check.Result) {
	policy := env.Index.NetworkPolicyOf(o.Namespace, o)
	if policy == nil || !policy.Evaluable() || !policy.SelectsPods() {
		r.NotApplicable()
		return
	}
	workloads := env.Index.WorkloadsIn(o.Namespace)
	if policy.SelectsAll() {
		if len(workloads) == 0 {
			r.NotApplicable()
		}
		return
	}
	if len(env.Index.WorkloadsSelectedByPolicy(policy)) > 0 {
		return
	}
	r.Failf(selectorPath(policy), "", "%s %s selects no pods: no workload of %s has pod labels that match its selector", o.Kind, o.Name(), subject.NamespaceNoun(o.Namespace))
})

// selectorPath is the field path of a policy's pod selector.
func selectorPath(p *subject.NetworkPolicy) string {
	switch {
	case p.Kubernetes():
		return "spec.podSelector"
	case p.Kind == "CiliumNetworkPolicy":
		return "spec.endpointSelector"
	}
	return "spec.selector"
}
