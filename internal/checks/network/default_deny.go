package network

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// DefaultDenyIngress finds namespaces without a default-deny ingress policy.
var DefaultDenyIngress = scope.NamespaceCheck(check.Meta{
	ID:          "default-deny-ingress",
	CrossObject: true,
	Item:        "network.default-deny",
	Title:       "Each namespace has a default-deny ingress policy",
	Severity:    check.Medium,
	Description: "Each namespace outside the system namespaces has a network policy that selects every pod and " +
		"allows no ingress: a Kubernetes NetworkPolicy with an empty podSelector, policyTypes including " +
		"Ingress and no ingress rule; a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy whose " +
		"endpointSelector selects every pod of the namespace, with `ingress: [{}]` (or only ingressDeny " +
		"rules) and default deny not turned off by enableDefaultDeny; or a Calico NetworkPolicy or " +
		"GlobalNetworkPolicy (its namespaceSelector allowing the namespace) with selector all(), types " +
		"including Ingress and no Allow or Pass ingress rule. Without it, any new pod of the namespace is " +
		"open to the whole cluster until someone writes a policy for it.",
	Remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] and no ingress rules (or the CNI's equivalent), then allow the flows each workload needs.",
	Example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]`,
	Requires: subject.NetworkPolicyKinds,
	Settings: []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	if ok, gap := hasDefaultDeny(env, ns.Name, subject.Ingress); !ok {
		r.Failf("", "", "%s has no default-deny ingress network policy%s", ns, gap)
	}
})

// DefaultDenyEgress finds namespaces without a default-deny egress policy.
var DefaultDenyEgress = scope.NamespaceCheck(check.Meta{
	ID:          "default-deny-egress",
	CrossObject: true,
	Item:        "network.default-deny",
	Title:       "Each namespace has a default-deny egress policy",
	Severity:    check.Low,
	Description: "Each namespace outside the system namespaces has a network policy that selects every pod and " +
		"allows no egress but DNS (rules whose every port is 53): a Kubernetes NetworkPolicy with an empty " +
		"podSelector and policyTypes including Egress; a CiliumNetworkPolicy or " +
		"CiliumClusterwideNetworkPolicy selecting every pod of the namespace with `egress: [{}]` (or only " +
		"egressDeny rules) and default deny not turned off by enableDefaultDeny; or a Calico NetworkPolicy " +
		"or GlobalNetworkPolicy with selector all() and types including Egress. Without it a compromised " +
		"pod can reach any address, including the node's metadata service and the Internet.",
	Remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress] and no egress rules but DNS (or the CNI's equivalent), then allow the destinations each workload needs.",
	Requires:    subject.NetworkPolicyKinds,
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	if ok, gap := hasDefaultDeny(env, ns.Name, subject.Egress); !ok {
		r.Failf("", "", "%s has no default-deny egress network policy%s", ns, gap)
	}
})

// undecided names the cluster-wide policies (governing dir, or any direction when dir is "")
// that select namespaces by labels the scan does not show for this one (its Namespace object
// is not in it), for messages.
func undecided(env *check.Env, namespace string, dir subject.Direction) []string {
	var out []string
	for _, p := range env.Index.UndecidedPolicies(namespace) {
		if dir != "" && !p.Governs(dir) {
			continue
		}
		out = append(out, p.Title()+" selects namespaces by labels, and Namespace "+namespace+" is not in the scan to show them")
	}
	return out
}

// hasDefaultDeny reports whether a policy (of any engine) that applies in the namespace
// denies all its pods' traffic of a direction; when none does, gap says why the policies that
// select every pod fall short ("; CiliumNetworkPolicy x selects every pod but ..."), for the
// message.
func hasDefaultDeny(env *check.Env, namespace string, dir subject.Direction) (ok bool, gap string) {
	var gaps []string
	for _, p := range policiesIn(env, namespace) {
		if p.DeniesAll(dir) {
			return true, ""
		}
		if why := p.DenyGap(dir); why != "" {
			gaps = append(gaps, why)
		}
	}
	gaps = append(gaps, undecided(env, namespace, dir)...)
	if len(gaps) > 0 {
		gap = " (" + strings.Join(gaps, "; ") + ")"
	}
	return false, gap
}
