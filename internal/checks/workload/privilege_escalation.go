package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// PrivilegeEscalation finds containers that may gain more privileges than their parent process.
var PrivilegeEscalation = check.New(check.Meta{
	ID:       "privilege-escalation",
	Item:     "dev.security-context",
	Title:    "Containers forbid privilege escalation",
	Severity: check.High,
	Description: "securityContext.allowPrivilegeEscalation is not set to false. It defaults to true, so " +
		"setuid binaries in the image can gain root inside the container.",
	Remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		if c.SecurityContext == nil || !isFalse(c.SecurityContext.AllowPrivilegeEscalation) {
			r.Failf(c.Path+".securityContext.allowPrivilegeEscalation", c.Name,
				"container %q of %s does not set allowPrivilegeEscalation: false", c.Name, kindNoun(w))
		}
	}
})
