package resources

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// NamespaceIsolation finds application namespaces that lack the objects that isolate them.
var NamespaceIsolation = scope.NamespaceCheck(check.Meta{
	ID:          "namespace-isolation",
	CrossObject: true,
	Item:        "cluster.logical-isolation",
	Title:       "Application namespaces are isolated by RBAC, quota and network policy",
	Severity:    check.Low,
	Description: "Each namespace outside the system namespaces holds at least one RoleBinding, one " +
		"ResourceQuota and one NetworkPolicy: the three objects that make a namespace a tenant boundary " +
		"rather than a folder. The ownership of namespaces by teams is a manual part of this item. When " +
		"every AKS cluster of the scan uses Azure RBAC for Kubernetes authorization " +
		"(aadProfile.enableAzureRBAC), access to a namespace is granted by Azure role assignments scoped " +
		"to it, which no manifest holds: no RoleBinding is asked for. When the cluster's configuration " +
		"is not in the scan, or the setting is unknown, RoleBindings are asked for.",
	Remediation: "Give each team's namespace a RoleBinding for the team's group, a ResourceQuota and a default-deny NetworkPolicy.",
	Requires:    append([]string{"RoleBinding", "ResourceQuota"}, subject.NetworkPolicyKinds...),
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	var missing []string
	kinds := []string{"RoleBinding", "ResourceQuota"}
	if azureRBAC(env) {
		kinds = kinds[1:]
	}
	for _, kind := range kinds {
		if len(env.Index.InNamespace(kind, ns.Name)) == 0 {
			missing = append(missing, kind)
		}
	}
	if len(env.Index.NetworkPolicies(ns.Name)) == 0 {
		missing = append(missing, "NetworkPolicy")
	}
	if len(missing) > 0 {
		r.Failf("", "", "%s has no %s", ns, strings.Join(missing, ", no "))
	}
})

// azureRBAC reports whether every AKS cluster of the scan, and at least one, is known to
// authorize Kubernetes requests with Azure RBAC: namespace access is then an Azure role
// assignment scoped to the namespace, not a RoleBinding.
func azureRBAC(env *check.Env) bool {
	clusters := env.Index.Subjects(subject.TypeOf[*subject.Cluster]())
	for _, s := range clusters {
		if c, ok := s.(*subject.Cluster); !ok || !c.AADAzureRBAC.True() {
			return false
		}
	}
	return len(clusters) > 0
}
