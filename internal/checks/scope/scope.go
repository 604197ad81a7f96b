// Package scope holds the setting several packages of checks share: which namespaces are the
// platform's own, out of scope of namespace-level rules.
package scope

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// SystemNamespaces are the namespaces namespace-level checks leave alone. Every check that
// calls InScope or System, or is built by NamespaceCheck or WorkloadCheck, lists it in its
// Meta.Settings.
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

// InScope reports whether namespace-level rules apply to a namespace: one that is not a
// system namespace. "" is the namespace that objects which name none are applied to: it is
// in scope (a quickstart applied to whatever namespace kubectl points at still needs its
// network policies and quotas).
func InScope(env *check.Env, namespace string) bool {
	return !System(env, namespace)
}

// NamespaceCheck builds a check of the namespaces in scope: a system namespace is not
// applicable. Its Meta lists SystemNamespaces in Settings.
func NamespaceCheck(m check.Meta, fn func(ctx context.Context, env *check.Env, ns *subject.Namespace, r *check.Result)) *check.Check {
	return inScopeCheck(m, func(ns *subject.Namespace) string { return ns.Name }, fn)
}

// WorkloadCheck builds a check of the workloads of the namespaces in scope: one of a system
// namespace is not applicable. Its Meta lists SystemNamespaces in Settings.
func WorkloadCheck(m check.Meta, fn func(ctx context.Context, env *check.Env, w *subject.Workload, r *check.Result)) *check.Check {
	return inScopeCheck(m, func(w *subject.Workload) string { return w.Namespace }, fn)
}

// inScopeCheck builds a check that runs fn on the subjects whose namespace is in scope.
func inScopeCheck[S subject.Subject](m check.Meta, namespace func(S) string, fn func(ctx context.Context, env *check.Env, s S, r *check.Result)) *check.Check {
	return check.New(m, func(ctx context.Context, env *check.Env, s S, r *check.Result) {
		if !InScope(env, namespace(s)) {
			r.NotApplicable()
			return
		}
		fn(ctx, env, s, r)
	})
}
