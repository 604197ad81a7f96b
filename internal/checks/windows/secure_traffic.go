package windows

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// SecureTraffic finds Windows pods whose traffic no network policy filters.
var SecureTraffic = windowsCheck(check.Meta{
	ID:          "windows-network-policy",
	CrossObject: true,
	Item:        "windows.secure-traffic",
	Title:       "Windows pods are selected by a network policy that Windows nodes enforce",
	Severity:    check.Medium,
	Description: "A workload that targets Windows nodes is selected by a policy that puts its pods in default " +
		"deny and that a Windows node can enforce: a Kubernetes NetworkPolicy (Azure Network Policy Manager " +
		"and Calico enforce them on Windows nodes), or a Calico NetworkPolicy or GlobalNetworkPolicy when " +
		"every AKS cluster of the scan runs Calico. A CiliumNetworkPolicy never protects a Windows pod: " +
		"Cilium runs on Linux nodes only. A Windows pod that no such policy selects fails whatever the " +
		"cluster. Whether the cluster's engine enforces policies on its Windows nodes at all is " +
		"windows-policy-engine's part; when the scan holds no AKS cluster, the item is not evaluated, " +
		"naming the cluster's networkProfile.networkPolicy.",
	Remediation: "Select every Windows workload with a default-deny Kubernetes NetworkPolicy of its namespace.",
	Requires:    subject.NetworkPolicyKinds,
	// The cluster's networkProfile.networkPolicy decides a selected pod.
	Evidence: []catalog.Evidence{catalog.Manifest, catalog.Cluster, catalog.ARM, catalog.Terraform},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	clusters := env.Index.Subjects(subject.TypeOf[*subject.Cluster]())
	calicoOnly := len(clusters) > 0
	for _, s := range clusters {
		if c, ok := s.(*subject.Cluster); !ok || !c.NetworkPolicy.Is("calico") {
			calicoOnly = false
		}
	}
	for _, p := range env.Index.PoliciesSelecting(w.Namespace, w.PodLabels()) {
		if !p.Isolates(w.PodLabels()) {
			continue
		}
		if p.Kubernetes() || (calicoOnly && strings.Contains(p.Group(), "projectcalico.org")) {
			if len(clusters) == 0 {
				// The policy is there; whether anything enforces it on Windows nodes is the
				// cluster's engine, which the scan does not hold.
				r.Undecided("the network policy engine of the AKS cluster that runs " + w.Kind + " " + w.Name() +
					" (networkProfile.networkPolicy: azure and calico enforce policies on Windows nodes, cilium does not; " +
					"not in the input: give az aks show output, the ARM template or the Terraform configuration of the cluster)")
			}
			return
		}
	}
	r.Failf(w.TemplateMetaPath()+".labels", "", "no NetworkPolicy of %s that Windows nodes enforce selects the Windows pods of %s %s: their traffic is not filtered",
		subject.NamespaceNoun(w.Namespace), w.Kind, w.Name())
})
