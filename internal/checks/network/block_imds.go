package network

import (
	"context"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// imds is the address of the Azure Instance Metadata Service on every node.
var imds = netip.MustParseAddr("169.254.169.254")

// BlockIMDS finds namespaces whose pods can reach the node's instance metadata service.
var BlockIMDS = scope.NamespaceCheck(check.Meta{
	ID:       "block-imds",
	Item:     "network.block-imds",
	Title:    "Pods cannot reach the instance metadata service",
	Severity: check.High,
	Description: "In each namespace outside the system namespaces, egress to 169.254.169.254 is denied: a " +
		"default-deny egress policy exists and no egress rule of any policy of the namespace allows that " +
		"address on TCP port 80 (a rule without `to`, or an ipBlock whose CIDR contains it without an " +
		"except for it, with no ports or ports that include 80). " +
		"From IMDS a pod can get tokens of the node's managed identities.",
	Remediation: "Add a default-deny egress NetworkPolicy, and write ipBlock rules with except: [169.254.169.254/32] where pods need wide egress.",
	Requires:    []string{"NetworkPolicy"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	if !hasDefaultDeny(env, ns.Name, networkingv1.PolicyTypeEgress) {
		r.Failf("", "", "%s has no default-deny egress policy, so its pods can reach IMDS (169.254.169.254)", ns)
		return
	}
	for _, p := range policiesIn(env, ns.Name) {
		if p.K8s == nil || !hasPolicyType(p.K8s.Spec, networkingv1.PolicyTypeEgress) {
			continue
		}
		for i, rule := range p.K8s.Spec.Egress {
			if allowsIMDS(rule) {
				r.Failf("", "", "NetworkPolicy %s (egress rule %d) lets pods of %s reach IMDS (169.254.169.254)", p.Name(), i, ns)
				return
			}
		}
	}
})

func allowsIMDS(rule networkingv1.NetworkPolicyEgressRule) bool {
	if !allowsHTTP(rule.Ports) {
		return false // IMDS answers on TCP port 80 only
	}
	if len(rule.To) == 0 {
		return true
	}
	for _, peer := range rule.To {
		if peer.IPBlock == nil {
			continue // pod and namespace selectors reach pods, not the node's link-local address
		}
		if containsIMDS(peer.IPBlock.CIDR) {
			excepted := false
			for _, ex := range peer.IPBlock.Except {
				if containsIMDS(ex) {
					excepted = true
				}
			}
			if !excepted {
				return true
			}
		}
	}
	return false
}

// allowsHTTP reports whether a rule's ports let TCP port 80 through (no ports means all).
func allowsHTTP(ports []networkingv1.NetworkPolicyPort) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if p.Port == nil {
			return true
		}
		if p.Port.Type == intstr.String {
			return true // a named port may be 80 on the destination; assume it can
		}
		end := p.Port.IntVal
		if p.EndPort != nil {
			end = *p.EndPort
		}
		if p.Port.IntVal <= 80 && 80 <= end {
			return true
		}
	}
	return false
}

func containsIMDS(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Contains(imds)
}

// IMDSHostNetwork finds pods on the host network, which no network policy can restrict.
var IMDSHostNetwork = scope.WorkloadCheck(check.Meta{
	ID:       "imds-host-network",
	Item:     "network.block-imds",
	Title:    "No pod bypasses network policies on the host network",
	Severity: check.High,
	Description: "A workload outside the system namespaces with hostNetwork: true. Network policies do not " +
		"apply to host-network pods, so they reach IMDS (169.254.169.254) and the node's identities whatever " +
		"the namespace's policies say.",
	Remediation: "Remove hostNetwork; if the pod really needs the node's network, run it in a system namespace on a dedicated node pool.",
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if w.Spec().HostNetwork {
		r.Failf(w.SpecPath()+".hostNetwork", "", "%s %s uses hostNetwork, which network policies cannot restrict (IMDS is reachable)", w.Kind, w.Name())
	}
})
