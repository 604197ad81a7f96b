package resources

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// ResourceQuota finds namespaces without a compute ResourceQuota.
var ResourceQuota = scope.NamespaceCheck(check.Meta{
	ID:          "resource-quota",
	CrossObject: true,
	Item:        "resources.quotas",
	Title:       "Each namespace has a compute ResourceQuota",
	Severity:    check.Medium,
	Description: "Each namespace outside the system namespaces has a ResourceQuota whose hard limits include " +
		"requests.cpu, requests.memory and limits.memory (or the bare names cpu and memory for requests). " +
		"Without one, a single team's runaway deployment can take the whole cluster's capacity.",
	Remediation: "Add a ResourceQuota with hard requests.cpu, requests.memory and limits.memory sized for the namespace.",
	Requires:    []string{"ResourceQuota"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	var missing []string
	best := -1
	for _, o := range env.Index.InNamespace("ResourceQuota", ns.Name) {
		q, ok := o.Body().(*corev1.ResourceQuota)
		if !ok {
			continue
		}
		m := missingQuotaKeys(q.Spec.Hard)
		if len(m) == 0 {
			return
		}
		if best < 0 || len(m) < best {
			best, missing = len(m), m
		}
	}
	if best < 0 {
		r.Failf("", "", "%s has no ResourceQuota", ns)
		return
	}
	r.Failf("", "", "the ResourceQuotas of %s do not limit %s", ns, strings.Join(missing, ", "))
})

func missingQuotaKeys(hard corev1.ResourceList) []string {
	has := func(names ...corev1.ResourceName) bool {
		for _, n := range names {
			if _, ok := hard[n]; ok {
				return true
			}
		}
		return false
	}
	var missing []string
	if !has(corev1.ResourceRequestsCPU, corev1.ResourceCPU) {
		missing = append(missing, "requests.cpu")
	}
	if !has(corev1.ResourceRequestsMemory, corev1.ResourceMemory) {
		missing = append(missing, "requests.memory")
	}
	if !has(corev1.ResourceLimitsMemory) {
		missing = append(missing, "limits.memory")
	}
	return missing
}

// LimitRange finds namespaces without container defaults.
var LimitRange = scope.NamespaceCheck(check.Meta{
	ID:          "limit-range",
	CrossObject: true,
	Item:        "resources.limit-range",
	Title:       "Each namespace has a LimitRange with container defaults",
	Severity:    check.Medium,
	Description: "Each namespace outside the system namespaces has a LimitRange with a Container entry that " +
		"sets default (limits) and defaultRequest. Containers that forget their resources then get sane " +
		"values instead of none, and the namespace's ResourceQuota admits them.",
	Remediation: "Add a LimitRange with a type: Container entry setting default and defaultRequest for cpu and memory.",
	Requires:    []string{"LimitRange"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	for _, o := range env.Index.InNamespace("LimitRange", ns.Name) {
		lr, ok := o.Body().(*corev1.LimitRange)
		if !ok {
			continue
		}
		for _, l := range lr.Spec.Limits {
			if l.Type == corev1.LimitTypeContainer && len(l.Default) > 0 && len(l.DefaultRequest) > 0 {
				return
			}
		}
	}
	r.Failf("", "", "%s has no LimitRange with Container default and defaultRequest", ns)
})
