package workload

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// SeccompProfile finds containers without a confining seccomp profile.
var SeccompProfile = linuxCheck(check.Meta{
	ID:       "seccomp-profile",
	Item:     "dev.security-context",
	Title:    "Containers run with the RuntimeDefault or a Localhost seccomp profile",
	Severity: check.Medium,
	Description: "The seccomp profile (container securityContext, else pod securityContext) is not " +
		"RuntimeDefault or Localhost. Unconfined containers can call every syscall, which widens the " +
		"kernel attack surface. Pods that target Windows are left out: the setting is Linux-only.",
	Remediation: "Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec.",
	Example: `spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0`,
	// The container's profile wins over the pod's, as in resolveSecurityContext.
	Admission: linuxOnlyCEL(eachContainerCEL("variables.containers",
		"!(c.?securityContext.?seccompProfile.orValue(variables.podSpec.?securityContext.?seccompProfile.orValue({})).?type.orValue('') in ['RuntimeDefault', 'Localhost'])",
		"run without the RuntimeDefault or a Localhost seccomp profile")),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		sc := resolveSecurityContext(w.Spec(), c.Container)
		if sc.seccomp == nil || (sc.seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault && sc.seccomp.Type != corev1.SeccompProfileTypeLocalhost) {
			profile := "none"
			if sc.seccomp != nil {
				profile = string(sc.seccomp.Type)
			}
			r.Failf(w.SpecPath()+".securityContext.seccompProfile", c.Name, "container %q of %s runs with seccomp profile %s", c.Name, kindNoun(w), profile)
		}
	}
})
