package network

import (
	"context"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// DefaultDenyIngress finds namespaces without a default-deny ingress policy.
var DefaultDenyIngress = scope.NamespaceCheck(check.Meta{
	ID:       "default-deny-ingress",
	Item:     "network.default-deny",
	Title:    "Each namespace has a default-deny ingress policy",
	Severity: check.Medium,
	Description: "Each namespace outside the system namespaces has a NetworkPolicy with an empty podSelector, " +
		"policyTypes including Ingress, and no ingress rule. Without it, any new pod of the namespace is " +
		"open to the whole cluster until someone writes a policy for it.",
	Remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] and no ingress rules, then allow the flows each workload needs.",
	Example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]`,
	Requires: []string{"NetworkPolicy"},
	Settings: []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	if !hasDefaultDeny(env, ns.Name, networkingv1.PolicyTypeIngress) {
		r.Failf("", "", "%s has no default-deny ingress NetworkPolicy", ns)
	}
})

// DefaultDenyEgress finds namespaces without a default-deny egress policy.
var DefaultDenyEgress = scope.NamespaceCheck(check.Meta{
	ID:       "default-deny-egress",
	Item:     "network.default-deny",
	Title:    "Each namespace has a default-deny egress policy",
	Severity: check.Low,
	Description: "Each namespace outside the system namespaces has a NetworkPolicy with an empty podSelector, " +
		"policyTypes including Egress, and no egress rule. Without it a compromised pod can reach any " +
		"address, including the node's metadata service and the Internet.",
	Remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress] and no egress rules, then allow DNS and the destinations each workload needs.",
	Requires:    []string{"NetworkPolicy"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	if !hasDefaultDeny(env, ns.Name, networkingv1.PolicyTypeEgress) {
		r.Failf("", "", "%s has no default-deny egress NetworkPolicy", ns)
	}
})

// hasDefaultDeny reports whether a Kubernetes NetworkPolicy of namespace denies all its
// pods' traffic of a type (ingress or egress).
func hasDefaultDeny(env *check.Env, namespace string, typ networkingv1.PolicyType) bool {
	for _, p := range policiesIn(env, namespace) {
		if p.K8s != nil && deniesAll(p, typ) {
			return true
		}
	}
	return false
}

// deniesAll reports whether a Kubernetes policy selects every pod and allows nothing in the
// given direction. Without policyTypes, Ingress is implied, and Egress when egress rules exist.
func deniesAll(p *subject.NetworkPolicy, dir networkingv1.PolicyType) bool {
	if !p.SelectsAll() {
		return false
	}
	spec := p.K8s.Spec
	if !hasPolicyType(spec, dir) {
		return false
	}
	if dir == networkingv1.PolicyTypeIngress {
		return len(spec.Ingress) == 0
	}
	return len(spec.Egress) == 0
}

func hasPolicyType(spec networkingv1.NetworkPolicySpec, dir networkingv1.PolicyType) bool {
	if len(spec.PolicyTypes) == 0 {
		return dir == networkingv1.PolicyTypeIngress || (dir == networkingv1.PolicyTypeEgress && len(spec.Egress) > 0)
	}
	for _, t := range spec.PolicyTypes {
		if t == dir {
			return true
		}
	}
	return false
}
