package network

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// NetworkPolicyCoverage finds workloads that no network policy selects.
var NetworkPolicyCoverage = scope.WorkloadCheck(check.Meta{
	ID:          "network-policy-coverage",
	CrossObject: true,
	Item:        "network.network-policies",
	Title:       "Every workload is selected by a network policy",
	Severity:    check.High,
	Description: "Each workload outside the system namespaces is selected by at least one network policy " +
		"that applies in its namespace and puts its pods in default deny: a Kubernetes NetworkPolicy, a " +
		"CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (endpointSelector matched against the pod's " +
		"labels and its namespace's, io.kubernetes.pod.namespace included; not one that turns default deny " +
		"off with enableDefaultDeny: false), or a Calico NetworkPolicy or GlobalNetworkPolicy whose " +
		"selector and namespaceSelector use all(), has(), ==, !=, in or not in. Label selectors with " +
		"matchExpressions are evaluated as the API server does. An unselected pod accepts traffic from " +
		"every pod of the cluster.",
	Remediation: "Add a NetworkPolicy whose podSelector matches the workload's pod labels, starting from a default-deny policy for the namespace.",
	Requires:    subject.NetworkPolicyKinds,
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	gap := ""
	// Only the policies that select the pods can isolate them or say why they do not.
	for _, p := range env.Index.PoliciesSelecting(w.Namespace, w.PodLabels()) {
		if p.Isolates(w.PodLabels()) {
			return
		}
		if why := p.IsolationGap(w.PodLabels()); why != "" && gap == "" {
			gap = " (" + why + ")"
		}
	}
	if u := undecided(env, w.Namespace, ""); gap == "" && len(u) > 0 {
		gap = " (" + u[0] + ")"
	}
	r.Failf(w.TemplateMetaPath()+".labels", "", "no network policy of %s selects the pods of %s %s%s", subject.NamespaceNoun(w.Namespace), w.Kind, w.Name(), gap)
})
