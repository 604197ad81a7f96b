package workload

import (
	"context"

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
			r.Failf(c.Path+".securityContext.allowPrivilegeEscalation", c.Name,
				"container %q of %s does not set allowPrivilegeEscalation: false", c.Name, kindNoun(w))
		}
	}
})
