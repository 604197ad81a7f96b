package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ReadOnlyRootFilesystem finds containers with a writable root filesystem.
var ReadOnlyRootFilesystem = linuxCheck(check.Meta{
	ID:       "read-only-root-filesystem",
	Item:     "dev.security-context",
	Title:    "Containers have a read-only root filesystem",
	Severity: check.Medium,
	Description: "securityContext.readOnlyRootFilesystem is not true. A writable root filesystem lets an " +
		"attacker drop and run tools, and hides state that is lost on restart. Pods that target Windows are left out: the setting is Linux-only.",
	Remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app must write.",
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      securityContext:
        readOnlyRootFilesystem: true
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir: {}`,
	Admission: linuxOnlyCEL(eachContainerCEL("variables.containers",
		"c.?securityContext.?readOnlyRootFilesystem.orValue(false) != true", "have a writable root filesystem")),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		if c.SecurityContext == nil || !isTrue(c.SecurityContext.ReadOnlyRootFilesystem) {
			r.Failf(c.Path+".securityContext.readOnlyRootFilesystem", c.Name,
				"container %q of %s has a writable root filesystem", c.Name, kindNoun(w))
		}
	}
})
