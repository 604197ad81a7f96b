package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// PrivilegedContainer finds privileged containers.
var PrivilegedContainer = check.New(check.Meta{
	ID:       "privileged-container",
	Item:     "dev.security-context",
	Title:    "No container runs privileged",
	Severity: check.Critical,
	Description: "securityContext.privileged: true on any container, init containers included. A " +
		"privileged container has every capability and the host's devices: escaping to the node is trivial.",
	Remediation: "Remove securityContext.privileged and grant only the capabilities the container needs.",
	Example: `spec:
  containers:
    - name: agent
      image: contoso.azurecr.io/agent:1.0.0
      securityContext:
        privileged: false
        capabilities:
          drop: ["ALL"]
          add: ["NET_BIND_SERVICE"]   # only what it needs`,
	Admission: eachContainerCEL("variables.containers", "c.?securityContext.?privileged.orValue(false) == true", "run privileged"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		if c.SecurityContext != nil && isTrue(c.SecurityContext.Privileged) {
			r.Failf(c.Path+".securityContext.privileged", c.Name, "container %q of %s runs privileged", c.Name, kindNoun(w))
		}
	}
})
