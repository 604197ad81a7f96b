package workload

import (
	"context"

	corev1 "k8s.io/api/core/v1"

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
	Fix: "sets readOnlyRootFilesystem: true in the container's securityContext; with fixReadOnlyRootTmp: true it also mounts an emptyDir volume named tmp at /tmp " +
		"(unless the container mounts something there or the pod has another volume named tmp)",
	Settings: []check.Setting{FixReadOnlyRootTmpSetting},
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
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		if c.SecurityContext == nil || !isTrue(c.SecurityContext.ReadOnlyRootFilesystem) {
			path := c.Path + ".securityContext.readOnlyRootFilesystem"
			r.FailFixf(path, c.Name, readOnlyRootFix(w, c, path, FixReadOnlyRootTmpSetting.Get(env)),
				"container %q of %s has a writable root filesystem", c.Name, kindNoun(w))
		}
	}
})

// FixReadOnlyRootTmpSetting declares that the workloads of the scan may get a writable /tmp
// (an emptyDir) with their read-only root filesystem: most runtimes and libraries write
// temporary files there, and a read-only /tmp breaks them where the root filesystem alone
// would not.
var FixReadOnlyRootTmpSetting = check.NewParam("fixReadOnlyRootTmp",
	"when true, the read-only-root-filesystem fix also mounts an emptyDir at /tmp (declare it safe for your workloads)", false, nil)

// tmpVolume is the volume the read-only-root-filesystem fix adds for /tmp.
const tmpVolume = "tmp"

// readOnlyRootFix sets readOnlyRootFilesystem: true on a container and, when withTmp, mounts
// an emptyDir at /tmp: the volume is added unless the pod has one of that name already (an
// emptyDir of that name is reused; another kind of volume of that name leaves /tmp alone), and
// a container that mounts something at /tmp keeps it.
func readOnlyRootFix(w *subject.Workload, c subject.Container, path string, withTmp bool) *check.Fix {
	fix := &check.Fix{Edits: []check.Edit{{Op: check.EditSet, Path: path, Value: true}}}
	if !withTmp {
		fix.Note = "the container can no longer write outside its volumes: check where it writes (fixReadOnlyRootTmp: true adds an emptyDir at /tmp)"
		return fix
	}
	for _, m := range c.VolumeMounts {
		if m.MountPath == "/tmp" || m.MountPath == "/tmp/" {
			return fix
		}
	}
	var existing *corev1.Volume
	for i := range w.Spec().Volumes {
		if v := &w.Spec().Volumes[i]; v.Name == tmpVolume {
			existing = v
		}
	}
	switch {
	case existing == nil:
		fix.Edits = append(fix.Edits, check.Edit{Op: check.EditAppend, Path: w.SpecPath() + ".volumes",
			Value: map[string]any{"name": tmpVolume, "emptyDir": map[string]any{}}})
	case existing.EmptyDir == nil:
		fix.Note = "the pod has a volume named tmp that is not an emptyDir: /tmp was left read-only"
		return fix
	}
	fix.Edits = append(fix.Edits, check.Edit{Op: check.EditAppend, Path: c.Path + ".volumeMounts",
		Value: map[string]any{"name": tmpVolume, "mountPath": "/tmp"}})
	return fix
}
