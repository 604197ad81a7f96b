package network

import (
	"context"
	"net/netip"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// imds is the address of the Azure Instance Metadata Service on every node.
var imds = netip.MustParseAddr("169.254.169.254")

// BlockIMDS finds namespaces whose pods can reach the node's instance metadata service.
var BlockIMDS = scope.NamespaceCheck(check.Meta{
	ID:          "block-imds",
	CrossObject: true,
	Item:        "network.block-imds",
	Title:       "Pods cannot reach the instance metadata service",
	Severity:    check.High,
	Description: "In each namespace outside the system namespaces, egress to 169.254.169.254 on TCP port 80 is " +
		"denied: either a deny rule stops it for every pod before any allow (a Cilium egressDeny whose " +
		"toCIDR, toCIDRSet or toEntities covers the address; a Calico Deny rule on destination nets that " +
		"contain it, in a policy ordered before the ones that allow it), or a default-deny egress policy " +
		"exists and no egress rule of any policy that applies in the namespace allows the address (a " +
		"Kubernetes rule without `to` or with an ipBlock containing it without an except for it; a Cilium " +
		"rule with toPorts only, toEntities world or all, or a toCIDR/toCIDRSet containing it without an " +
		"except; a Calico Allow rule without destination selectors whose nets, if any, contain it; each with " +
		"ports that include 80). " +
		"From IMDS a pod can get tokens of the node's managed identities.",
	Remediation: "Add a default-deny egress NetworkPolicy, and write ipBlock rules with except: [169.254.169.254/32] where pods need wide egress (with Cilium, an egressDeny to 169.254.169.254/32 in a CiliumClusterwideNetworkPolicy blocks it everywhere).",
	Requires:    subject.NetworkPolicyKinds,
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	policies := policiesIn(env, ns.Name)
	reach := subject.EgressTo(policies, imds, 80) // IMDS answers on TCP port 80 only
	if reach.DeniedBy != nil {
		return
	}
	if ok, _ := hasDefaultDeny(env, ns.Name, subject.Egress); !ok {
		r.Failf("", "", "%s has no default-deny egress policy and no policy denies 169.254.169.254, so its pods can reach IMDS", ns)
		return
	}
	if p := reach.AllowedBy; p != nil {
		r.Failf("", "", "%s (%s) lets pods of %s reach IMDS (169.254.169.254)", p.Title(), reach.AllowedRule, ns)
	}
})

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
