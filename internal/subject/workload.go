package subject

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// Workload is an object that runs pods: Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet,
// Job, CronJob or ReplicationController. Its pod template is found here, once, so each
// container check is written once.
type Workload struct {
	*Object
	// Template is the pod template (for a Pod: its own metadata and spec).
	Template *corev1.PodTemplateSpec
	// TemplatePath is the field path of the template ("spec.template",
	// "spec.jobTemplate.spec.template"); empty for a Pod, whose spec is the pod spec.
	TemplatePath string
	// Replicas is spec.replicas with its default (1) applied; 0 for kinds without replicas.
	Replicas int32
	// HasReplicas is true for kinds with a replicas field (Deployment, StatefulSet,
	// ReplicaSet, ReplicationController).
	HasReplicas bool

	containers []Container
}

// Spec returns the pod spec.
func (w *Workload) Spec() *corev1.PodSpec { return &w.Template.Spec }

// SpecPath returns the field path of the pod spec.
func (w *Workload) SpecPath() string {
	if w.TemplatePath == "" {
		return "spec"
	}
	return w.TemplatePath + ".spec"
}

// ServiceAccount returns the name of the ServiceAccount the pods run as and the field path that
// names it: spec.serviceAccountName, else the deprecated spec.serviceAccount (the API server
// still honours it, copying it into serviceAccountName), else "default" at the pod spec's own
// path, since no field names it. Every check that reads the pods' ServiceAccount asks here, so
// none points at a serviceAccountName line that is not written.
func (w *Workload) ServiceAccount() (name, path string) {
	spec := w.Spec()
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName, w.SpecPath() + ".serviceAccountName"
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount, w.SpecPath() + ".serviceAccount"
	}
	return "default", w.SpecPath()
}

// TemplateMetaPath returns the field path of the pod template's metadata.
func (w *Workload) TemplateMetaPath() string {
	if w.TemplatePath == "" {
		return "metadata"
	}
	return w.TemplatePath + ".metadata"
}

// LongRunning reports whether the pods are meant to run until stopped (not Jobs, CronJobs
// or pods that run to completion).
func (w *Workload) LongRunning() bool {
	switch w.Kind {
	case "Job", "CronJob":
		return false
	case "Pod":
		rp := w.Template.Spec.RestartPolicy
		return rp == "" || rp == corev1.RestartPolicyAlways
	}
	return true
}

// Container is one container of a workload with its place in the pod spec.
type Container struct {
	*corev1.Container
	// Init is true for init containers (including restartable "sidecar" init containers).
	Init bool
	// Sidecar is true for init containers with restartPolicy Always, which run for the
	// pod's life.
	Sidecar bool
	// Ephemeral is true for the ephemeral containers of a Pod (spec.ephemeralContainers,
	// added by kubectl debug; seen in live scans). They run in the pod with their own image
	// and security context, but the API forbids them resources, probes, ports and lifecycle
	// hooks: checks of those read ResourceContainers or AppContainers, which leave them out.
	Ephemeral bool
	// Path is the field path of the container, e.g. spec.template.spec.containers[1].
	Path string
	// ImageRef is the parsed image reference.
	ImageRef ImageRef
}

// Containers returns the init containers, the app containers, then the ephemeral
// containers: every container that runs in the pods, for the checks of what a container runs
// and with which privileges.
func (w *Workload) Containers() []Container { return w.containers }

// ResourceContainers returns the init containers and the app containers, without the
// ephemeral ones, which cannot set resources (nor probes, ports or lifecycle hooks).
func (w *Workload) ResourceContainers() []Container {
	spec := w.Spec()
	return w.containers[:len(spec.InitContainers)+len(spec.Containers)]
}

// AppContainers returns only spec.containers (no init or ephemeral containers).
func (w *Workload) AppContainers() []Container {
	spec := w.Spec()
	return w.containers[len(spec.InitContainers) : len(spec.InitContainers)+len(spec.Containers)]
}

func (w *Workload) buildContainers(images *imageCache) {
	spec := w.Spec()
	out := make([]Container, 0, len(spec.InitContainers)+len(spec.Containers)+len(spec.EphemeralContainers))
	base := w.SpecPath()
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		sidecar := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		out = append(out, Container{Container: c, Init: true, Sidecar: sidecar, ImageRef: images.parse(c.Image),
			Path: base + ".initContainers[" + strconv.Itoa(i) + "]"})
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		out = append(out, Container{Container: c, ImageRef: images.parse(c.Image),
			Path: base + ".containers[" + strconv.Itoa(i) + "]"})
	}
	for i := range spec.EphemeralContainers {
		// EphemeralContainerCommon has Container's fields, one for one: the same view.
		c := corev1.Container(spec.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, Container{Container: &c, Ephemeral: true, ImageRef: images.parse(c.Image),
			Path: base + ".ephemeralContainers[" + strconv.Itoa(i) + "]"})
	}
	w.containers = out
}

// NewWorkload returns the workload view of an object, or nil when the object runs no pods.
func NewWorkload(o *Object) *Workload { return newWorkload(o, &imageCache{}) }

func newWorkload(o *Object, images *imageCache) *Workload {
	w := &Workload{Object: o}
	switch t := o.Body().(type) {
	case *corev1.Pod:
		w.Template = &corev1.PodTemplateSpec{ObjectMeta: t.ObjectMeta, Spec: t.Spec}
	case *appsv1.Deployment:
		w.Template, w.TemplatePath = &t.Spec.Template, "spec.template"
		w.setReplicas(t.Spec.Replicas)
	case *appsv1.StatefulSet:
		w.Template, w.TemplatePath = &t.Spec.Template, "spec.template"
		w.setReplicas(t.Spec.Replicas)
	case *appsv1.ReplicaSet:
		w.Template, w.TemplatePath = &t.Spec.Template, "spec.template"
		w.setReplicas(t.Spec.Replicas)
	case *appsv1.DaemonSet:
		w.Template, w.TemplatePath = &t.Spec.Template, "spec.template"
	case *batchv1.Job:
		w.Template, w.TemplatePath = &t.Spec.Template, "spec.template"
	case *batchv1.CronJob:
		w.Template, w.TemplatePath = &t.Spec.JobTemplate.Spec.Template, "spec.jobTemplate.spec.template"
	case *corev1.ReplicationController:
		if t.Spec.Template == nil {
			t.Spec.Template = &corev1.PodTemplateSpec{}
		}
		w.Template, w.TemplatePath = t.Spec.Template, "spec.template"
		w.setReplicas(t.Spec.Replicas)
	default:
		return nil
	}
	w.buildContainers(images)
	return w
}

func (w *Workload) setReplicas(r *int32) {
	w.HasReplicas = true
	w.Replicas = 1
	if r != nil {
		w.Replicas = *r
	}
}

// StatefulSet returns the StatefulSet behind a workload, or nil for other kinds.
func (w *Workload) StatefulSet() *appsv1.StatefulSet {
	sts, _ := w.Body().(*appsv1.StatefulSet)
	return sts
}

// TargetsWindows reports whether the pods run on Windows nodes: spec.os.name windows, a
// kubernetes.io/os: windows node selector, a required node affinity term on it, or a
// HostProcess pod or container (only Windows has them, whatever the pod selects).
func (w *Workload) TargetsWindows() bool {
	spec := w.Spec()
	if spec.OS != nil && spec.OS.Name == corev1.Windows {
		return true
	}
	return RequiresNodeLabel(spec, "kubernetes.io/os", "windows") || w.HostProcess()
}

// HostProcess reports whether the pod is a Windows HostProcess pod:
// securityContext.windowsOptions.hostProcess true at pod level or on any container (the API
// requires all of a pod's containers to agree, so one is enough to know).
func (w *Workload) HostProcess() bool {
	if sc := w.Spec().SecurityContext; sc != nil && isHostProcess(sc.WindowsOptions) {
		return true
	}
	for _, c := range w.Containers() {
		if c.SecurityContext != nil && isHostProcess(c.SecurityContext.WindowsOptions) {
			return true
		}
	}
	return false
}

func isHostProcess(o *corev1.WindowsSecurityContextOptions) bool {
	return o != nil && o.HostProcess != nil && *o.HostProcess
}

// RequiresNodeLabel reports whether a pod spec requires a node label value (or, with value "",
// the label's presence) by node selector or required node affinity.
func RequiresNodeLabel(spec *corev1.PodSpec, key, value string) bool {
	if v, ok := spec.NodeSelector[key]; ok && (value == "" || v == value) {
		return true
	}
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return false
	}
	for _, term := range spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			if e.Key != key {
				continue
			}
			if value == "" && (e.Operator == corev1.NodeSelectorOpExists || e.Operator == corev1.NodeSelectorOpIn) {
				return true
			}
			if e.Operator != corev1.NodeSelectorOpIn {
				continue
			}
			for _, v := range e.Values {
				if v == value {
					return true
				}
			}
		}
	}
	return false
}
