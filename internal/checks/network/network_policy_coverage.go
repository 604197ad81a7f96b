package network

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// NetworkPolicyCoverage finds workloads that no network policy selects.
var NetworkPolicyCoverage = scope.WorkloadCheck(check.Meta{
	ID:       "network-policy-coverage",
	Item:     "network.network-policies",
	Title:    "Every workload is selected by a network policy",
	Severity: check.High,
	Description: "Each workload outside the system namespaces is selected by at least one network policy " +
		"of its namespace (Kubernetes NetworkPolicy, CiliumNetworkPolicy, or Calico NetworkPolicy whose " +
		"selector uses all(), has(), == or !=; label selectors with matchExpressions are evaluated as " +
		"the API server does). An unselected pod accepts traffic from every pod of the cluster.",
	Remediation: "Add a NetworkPolicy whose podSelector matches the workload's pod labels, starting from a default-deny policy for the namespace.",
	Requires:    []string{"NetworkPolicy"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, p := range policiesIn(env, w.Namespace) {
		if p.Selects(w.Template.Labels) {
			return
		}
	}
	r.Failf(w.TemplateMetaPath()+".labels", "", "no network policy of %s selects the pods of %s %s", subject.NamespaceNoun(w.Namespace), w.Kind, w.Name())
})
