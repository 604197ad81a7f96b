package workload

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// PrivilegeEscalation finds containers that may gain more privileges than their parent process.
var PrivilegeEscalation = linuxCheck(check.Meta{
	ID:       "privilege-escalation",
	Item:     "dev.security-context",
	Title:    "Containers forbid privilege escalation",
	Severity: check.High,
	Description: "securityContext.allowPrivilegeEscalation is not set to false. It defaults to true, so " +
		"setuid binaries in the image can gain root inside the container. Pods that target Windows are left out: the setting is Linux-only.",
	Remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
	Fix:         "sets allowPrivilegeEscalation: false in the container's securityContext, except for privileged containers and those that add CAP_SYS_ADMIN, which the API server requires to allow it",
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      securityContext:
        allowPrivilegeEscalation: false`,
	Admission: linuxOnlyCEL(eachContainerCEL("variables.containers",
		"c.?securityContext.?allowPrivilegeEscalation.orValue(true) != false", "do not set allowPrivilegeEscalation: false")),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		if c.SecurityContext == nil || !isFalse(c.SecurityContext.AllowPrivilegeEscalation) {
			path := c.Path + ".securityContext.allowPrivilegeEscalation"
			var fix *check.Fix
			if !forcesEscalation(c.SecurityContext) {
				fix = &check.Fix{Edits: []check.Edit{{Op: check.EditSet, Path: path, Value: false}}}
			}
			r.FailFixf(path, c.Name, fix,
				"container %q of %s does not set allowPrivilegeEscalation: false", c.Name, kindNoun(w))
		}
	}
})

// forcesEscalation reports whether a container's securityContext makes the API server reject
// allowPrivilegeEscalation: false ("cannot set allowPrivilegeEscalation to false and
// privileged to true", and the same for CAP_SYS_ADMIN).
func forcesEscalation(sc *corev1.SecurityContext) bool {
	if sc == nil {
		return false
	}
	if isTrue(sc.Privileged) {
		return true
	}
	if sc.Capabilities != nil {
		for _, a := range sc.Capabilities.Add {
			if strings.TrimPrefix(strings.ToUpper(string(a)), "CAP_") == "SYS_ADMIN" {
				return true
			}
		}
	}
	return false
}
