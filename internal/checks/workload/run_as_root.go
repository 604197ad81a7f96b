package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RunAsRoot finds containers that may run as root.
var RunAsRoot = check.New(check.Meta{
	ID:       "run-as-root",
	Item:     "dev.security-context",
	Title:    "Containers run as a non-root user",
	Severity: check.High,
	Description: "runAsNonRoot is not true at pod or container level, or runAsUser is 0. Without " +
		"runAsNonRoot the kubelet starts the image's user, which is root for most images; root in a " +
		"container is one kernel bug away from root on the node.",
	Remediation: "Set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser, and build the image with a non-root USER.",
	Example: `spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0   # built with USER 10001`,
	// The container's settings win over the pod's, as in resolveSecurityContext.
	Admission: eachContainerCEL("variables.containers",
		"c.?securityContext.?runAsUser.orValue(variables.podSpec.?securityContext.?runAsUser.orValue(-1)) == 0 || "+
			"c.?securityContext.?runAsNonRoot.orValue(variables.podSpec.?securityContext.?runAsNonRoot.orValue(false)) != true",
		"run as root (runAsUser: 0, or no runAsNonRoot: true)"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		sc := resolveSecurityContext(w.Spec(), c.Container)
		switch {
		case sc.runAsUser != nil && *sc.runAsUser == 0:
			r.Failf(c.Path+".securityContext.runAsUser", c.Name, "container %q of %s runs as user 0 (root)", c.Name, kindNoun(w))
		case !isTrue(sc.runAsNonRoot):
			r.Failf(c.Path+".securityContext.runAsNonRoot", c.Name, "container %q of %s does not set runAsNonRoot: true", c.Name, kindNoun(w))
		}
	}
})
