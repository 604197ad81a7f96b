// Package scope holds the setting several packages of checks share: which namespaces are the
// platform's own, out of scope of namespace-level rules.
package scope

import (
	"strings"

	"github.com/akscheck/akscheck/internal/check"
)

// SystemNamespaces are the namespaces namespace-level checks leave alone. Every check that
// calls InScope or System lists it in its Meta.Settings.
var SystemNamespaces = check.NewParam("systemNamespaces",
	"namespaces out of scope of namespace-level checks (network policies, quotas, PDBs, backups); a trailing * matches a prefix (\"aks-*\")",
	[]string{"kube-system", "kube-public", "kube-node-lease", "gatekeeper-system",
		"calico-system", "tigera-operator", "app-routing-system", "aks-*"}, nil)

// System reports whether a namespace is a system namespace.
func System(env *check.Env, name string) bool {
	for _, s := range SystemNamespaces.Get(env) {
		if s == name || (strings.HasSuffix(s, "*") && strings.HasPrefix(name, strings.TrimSuffix(s, "*"))) {
			return true
		}
	}
	return false
}

// InScope reports whether namespace-level rules apply to a namespace: one that is named and
// is not a system namespace.
func InScope(env *check.Env, namespace string) bool {
	return namespace != "" && !System(env, namespace)
}
