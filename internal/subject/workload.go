package subject

import (
	"slices"
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
	// TemplatePath is the field path of the template ("spec.template",
	// "spec.jobTemplate.spec.template"); empty for a Pod, whose spec is the pod spec.
	TemplatePath string
	// Replicas is spec.replicas with its default (1) applied; 0 for kinds without replicas.
	Replicas int32
	// HasReplicas is true for kinds with a replicas field (Deployment, StatefulSet,
	// ReplicaSet, ReplicationController).
	HasReplicas bool

	// rec is what the index and the checks of other subjects read of the pod template,
	// kept when the body is packed.
	rec *workloadRecord
	// pod is the template and its containers: kept for an object not packed; for a packed
	// one while it is open (see Open), else made again on each read.
	pod visitCache[podView]
}

// workloadRecord is what is kept of a workload's body packed, made from it once decoded: the
// pod template's place, labels and parsed images, the replicas. Pack makes it (a packed
// body's index entry is made without decoding it), or the index of a body not packed.
type workloadRecord struct {
	path      string
	replicas  int32
	has       bool // the kind has a replicas field
	podLabels map[string]string
	// images are the containers' parsed images, in the order of Containers; inits and apps
	// count the init and app containers, which come first.
	images      []ImageRef
	inits, apps int32
	// secrets names the Secrets the pods read (secretsReadBy).
	secrets []string
}

// newWorkloadRecord makes the record of a workload's body, nil for a body that runs no pods,
// and returns the body's pod template; images parses the images (nil: each parsed on its
// own).
func newWorkloadRecord(body any, images *imageCache) (*workloadRecord, *corev1.PodTemplateSpec) {
	tpl, shape := podTemplateOf(body)
	if tpl == nil {
		return nil, nil
	}
	r := &workloadRecord{path: shape.path, has: shape.has, podLabels: tpl.Labels,
		inits: int32(len(tpl.Spec.InitContainers)), apps: int32(len(tpl.Spec.Containers))}
	if shape.has {
		r.replicas = 1
		if shape.replicas != nil {
			r.replicas = *shape.replicas
		}
	}
	spec := &tpl.Spec
	r.images = make([]ImageRef, 0, len(spec.InitContainers)+len(spec.Containers)+len(spec.EphemeralContainers))
	parse := ParseImage
	if images != nil {
		parse = images.parse
	}
	for i := range spec.InitContainers {
		r.images = append(r.images, parse(spec.InitContainers[i].Image))
	}
	for i := range spec.Containers {
		r.images = append(r.images, parse(spec.Containers[i].Image))
	}
	for i := range spec.EphemeralContainers {
		r.images = append(r.images, parse(spec.EphemeralContainers[i].Image))
	}
	r.secrets = secretsReadBy(spec)
	return r, tpl
}

// secretsReadBy returns the names of the Secrets a pod reads, sorted, without repeats: its
// secret and projected volumes', and each container's env secretKeyRef and envFrom
// secretRef (init and ephemeral containers included).
func secretsReadBy(spec *corev1.PodSpec) []string {
	var out []string
	add := func(name string) {
		if name != "" {
			out = append(out, name)
		}
	}
	for _, v := range spec.Volumes {
		if v.Secret != nil {
			add(v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.Secret != nil {
					add(src.Secret.Name)
				}
			}
		}
	}
	fromEnv := func(envFrom []corev1.EnvFromSource, env []corev1.EnvVar) {
		for _, e := range envFrom {
			if e.SecretRef != nil {
				add(e.SecretRef.Name)
			}
		}
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				add(e.ValueFrom.SecretKeyRef.Name)
			}
		}
	}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			fromEnv(list[i].EnvFrom, list[i].Env)
		}
	}
	for i := range spec.EphemeralContainers {
		fromEnv(spec.EphemeralContainers[i].EnvFrom, spec.EphemeralContainers[i].Env)
	}
	// Sorted, not searched for each name: a pod may name thousands.
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}

// podView is a workload's pod template, decoded, and its containers.
type podView struct {
	template   *corev1.PodTemplateSpec
	containers []Container
}

// Template returns the pod template (for a Pod: its own metadata and spec). Read it, never
// write it. Of a packed workload not open, each call decodes the body again: a check that
// reads other workloads reads PodLabels and the parsed images (Images) where it can.
func (w *Workload) Template() *corev1.PodTemplateSpec { return w.view().template }

// PodLabels returns the pod template's labels (for a Pod: its own), without decoding a
// packed body. Read them, never write.
func (w *Workload) PodLabels() map[string]string { return w.rec.podLabels }

// Images returns the parsed image of each container, in the order of Containers, without
// decoding a packed body.
func (w *Workload) Images() []ImageRef { return w.rec.images }

// AppImages returns the parsed image of each app container (spec.containers), without
// decoding a packed body.
func (w *Workload) AppImages() []ImageRef { return w.rec.images[w.rec.inits : w.rec.inits+w.rec.apps] }

// SecretsRead returns the names of the Secrets the pods read (secret and projected volumes,
// env secretKeyRef, envFrom secretRef, in any container), sorted, without decoding a packed
// body.
func (w *Workload) SecretsRead() []string { return w.rec.secrets }

// Spec returns the pod spec.
func (w *Workload) Spec() *corev1.PodSpec { return &w.view().template.Spec }

// SpecPath returns the field path of the pod spec.
func (w *Workload) SpecPath() string {
	if w.TemplatePath == "" {
		return "spec"
	}
	return w.TemplatePath + ".spec"
}

// Open has the reads of a packed workload's pod template and containers, until Close,
// share one view, made at the first read; it opens its object too (Object.Open). Of a
// workload not packed it does nothing.
func (w *Workload) Open() {
	if w.Packed() {
		w.pod.open()
		w.Object.Open()
	}
}

// Close ends an Open: the last lets the view go.
func (w *Workload) Close() {
	if w.Packed() {
		w.pod.close()
		w.Object.Close()
	}
}

func (w *Workload) view() *podView { return w.pod.get(w.decode) }

// decode makes the pod view of the body as it reads now.
func (w *Workload) decode() *podView {
	tpl, _ := podTemplateOf(w.Body())
	if tpl == nil {
		// Not a workload's body: it was when the view was made, and bodies do not change.
		panic("subject: the body of workload " + w.Kind + " " + w.Name() + " has no pod template")
	}
	return &podView{template: tpl, containers: w.containersOf(tpl)}
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
		rp := w.Spec().RestartPolicy
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
func (w *Workload) Containers() []Container { return w.view().containers }

// ResourceContainers returns the init containers and the app containers, without the
// ephemeral ones, which cannot set resources (nor probes, ports or lifecycle hooks).
func (w *Workload) ResourceContainers() []Container {
	v := w.view()
	spec := &v.template.Spec
	return v.containers[:len(spec.InitContainers)+len(spec.Containers)]
}

// AppContainers returns only spec.containers (no init or ephemeral containers).
func (w *Workload) AppContainers() []Container {
	v := w.view()
	spec := &v.template.Spec
	return v.containers[len(spec.InitContainers) : len(spec.InitContainers)+len(spec.Containers)]
}

// containersOf makes the containers of a pod template, their images parsed in the record.
func (w *Workload) containersOf(tpl *corev1.PodTemplateSpec) []Container {
	spec := &tpl.Spec
	out := make([]Container, 0, len(spec.InitContainers)+len(spec.Containers)+len(spec.EphemeralContainers))
	base := w.SpecPath()
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		sidecar := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		out = append(out, Container{Container: c, Init: true, Sidecar: sidecar, ImageRef: w.rec.images[len(out)],
			Path: base + ".initContainers[" + strconv.Itoa(i) + "]"})
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		out = append(out, Container{Container: c, ImageRef: w.rec.images[len(out)],
			Path: base + ".containers[" + strconv.Itoa(i) + "]"})
	}
	for i := range spec.EphemeralContainers {
		// EphemeralContainerCommon has Container's fields, one for one: the same view.
		c := corev1.Container(spec.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, Container{Container: &c, Ephemeral: true, ImageRef: w.rec.images[len(out)],
			Path: base + ".ephemeralContainers[" + strconv.Itoa(i) + "]"})
	}
	return out
}

// NewWorkload returns the workload view of an object, or nil when the object runs no pods.
func NewWorkload(o *Object) *Workload { return newWorkload(o, &imageCache{}) }

// newWorkload makes the view of o, its images parsed through images. Of a packed body it
// takes the record Pack made, without decoding it.
func newWorkload(o *Object, images *imageCache) *Workload {
	if o.Packed() {
		rec := o.packedWorkload()
		if rec == nil {
			return nil
		}
		return &Workload{Object: o, TemplatePath: rec.path, Replicas: rec.replicas, HasReplicas: rec.has, rec: rec}
	}
	rec, tpl := newWorkloadRecord(o.Body(), images)
	if rec == nil {
		return nil
	}
	w := &Workload{Object: o, TemplatePath: rec.path, Replicas: rec.replicas, HasReplicas: rec.has, rec: rec}
	w.pod.keep(&podView{template: tpl, containers: w.containersOf(tpl)})
	return w
}

// templateShape is where a workload kind keeps its pod template and replicas.
type templateShape struct {
	path     string
	replicas *int32
	has      bool // the kind has a replicas field
}

// podTemplateOf returns the pod template of a workload's body (for a Pod, one made of its
// metadata and spec), nil for a body that runs no pods.
func podTemplateOf(body any) (*corev1.PodTemplateSpec, templateShape) {
	switch t := body.(type) {
	case *corev1.Pod:
		return &corev1.PodTemplateSpec{ObjectMeta: t.ObjectMeta, Spec: t.Spec}, templateShape{}
	case *appsv1.Deployment:
		return &t.Spec.Template, templateShape{"spec.template", t.Spec.Replicas, true}
	case *appsv1.StatefulSet:
		return &t.Spec.Template, templateShape{"spec.template", t.Spec.Replicas, true}
	case *appsv1.ReplicaSet:
		return &t.Spec.Template, templateShape{"spec.template", t.Spec.Replicas, true}
	case *appsv1.DaemonSet:
		return &t.Spec.Template, templateShape{path: "spec.template"}
	case *batchv1.Job:
		return &t.Spec.Template, templateShape{path: "spec.template"}
	case *batchv1.CronJob:
		return &t.Spec.JobTemplate.Spec.Template, templateShape{path: "spec.jobTemplate.spec.template"}
	case *corev1.ReplicationController:
		tpl := t.Spec.Template
		if tpl == nil {
			// No template: no pods of its own, read as an empty one (the body is not
			// written: it may be shared).
			tpl = &corev1.PodTemplateSpec{}
		}
		return tpl, templateShape{"spec.template", t.Spec.Replicas, true}
	}
	return nil, templateShape{}
}

// StatefulSet returns the StatefulSet behind a workload, or nil for other kinds.
func (w *Workload) StatefulSet() *appsv1.StatefulSet {
	if w.Kind != "StatefulSet" {
		return nil // (a packed body is not decoded to learn it is not a StatefulSet's)
	}
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
