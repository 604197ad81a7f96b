package workload

import (
	"context"
	"fmt"

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
		"container is one kernel bug away from root on the node. A non-zero runAsUser without " +
		"runAsNonRoot: true fails too, by design: the restricted Pod Security Standard (\"Running as " +
		"Non-root\") requires runAsNonRoot: true at pod level or in every container, and the PodSecurity " +
		"admission of a namespace labelled restricted rejects such a pod whatever its runAsUser; with " +
		"runAsNonRoot: true the kubelet also refuses to start the container as root if the runAsUser is " +
		"ever removed. kube-score and Polaris accept a non-zero runAsUser alone; the finding then says " +
		"exactly that runAsNonRoot is what is missing.",
	Remediation: "Set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser, and build the image with a non-root USER.",
	Fix: "sets runAsNonRoot: true in the container's securityContext, and runAsUser to the fixRunAsUser UID (default 10001) when neither the pod nor the container sets a runAsUser; " +
		"an explicit runAsUser: 0 is left for a person to change",
	Settings: []check.Setting{FixRunAsUserSetting},
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
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		sc := resolveSecurityContext(w.Spec(), c.Container)
		path := c.Path + ".securityContext.runAsNonRoot"
		// runAsNonRoot: true alone keeps a non-zero runAsUser; without any runAsUser the
		// kubelet would refuse an image whose USER is root or numeric-less, so the fix names
		// a UID too.
		fix := &check.Fix{Edits: []check.Edit{{Op: check.EditSet, Path: path, Value: true}}}
		if sc.runAsUser == nil {
			fix.Edits = append(fix.Edits, check.Edit{Op: check.EditSet, Path: c.Path + ".securityContext.runAsUser", Value: FixRunAsUserSetting.Get(env)})
			fix.Note = "the image must run as that UID: files it writes outside its volumes must be writable by it"
		}
		if w.TargetsWindows() {
			// Windows pods name their user in windowsOptions.runAsUserName; the API server
			// rejects runAsUser for them.
			fix = nil
		}
		switch {
		case sc.runAsUser != nil && *sc.runAsUser == 0:
			// An explicit root user is a decision (or a need) of the image: not mended blindly.
			r.Failf(c.Path+".securityContext.runAsUser", c.Name, "container %q of %s runs as user 0 (root)", c.Name, kindNoun(w))
		case isTrue(sc.runAsNonRoot):
		case sc.runAsUser != nil && isFalse(sc.runAsNonRoot):
			r.FailFixf(path, c.Name, fix, "container %q of %s sets runAsUser %d but runAsNonRoot: false (the restricted Pod Security Standard requires runAsNonRoot: true)",
				c.Name, kindNoun(w), *sc.runAsUser)
		case sc.runAsUser != nil:
			r.FailFixf(path, c.Name, fix, "container %q of %s sets runAsUser %d but not runAsNonRoot: true (the restricted Pod Security Standard requires it)",
				c.Name, kindNoun(w), *sc.runAsUser)
		case isFalse(sc.runAsNonRoot):
			r.FailFixf(path, c.Name, fix, "container %q of %s sets runAsNonRoot: false and no runAsUser: it runs as the image's user, root unless the image sets another",
				c.Name, kindNoun(w))
		default:
			r.FailFixf(path, c.Name, fix, "container %q of %s sets neither runAsNonRoot: true nor runAsUser: it runs as the image's user, root unless the image sets another",
				c.Name, kindNoun(w))
		}
	}
})

// FixRunAsUserSetting is the UID the run-as-root fix sets when a container runs as the
// image's user.
var FixRunAsUserSetting = check.NewParam("fixRunAsUser",
	"UID that akscheck fix sets as runAsUser for containers that set none (run-as-root)", int64(10001),
	func(uid int64) error {
		if uid <= 0 {
			return fmt.Errorf("want a UID above 0, not %d", uid)
		}
		return nil
	})
