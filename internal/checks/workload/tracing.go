package workload

import (
	"context"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// tracingEnv are the environment variables with which the OpenTelemetry SDKs and the Azure
// Monitor (Application Insights) SDKs are told where to send traces. Only their names are
// read: a connection string is a credential.
var tracingEnv = []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "APPLICATIONINSIGHTS_CONNECTION_STRING"}

// The annotations with which the OpenTelemetry Operator (and the AKS application monitoring
// webhook, which reads the same ones) injects instrumentation or a collector sidecar: on the
// pod template, or on the Namespace for all its pods.
const (
	injectPrefix  = "instrumentation.opentelemetry.io/inject-"
	sidecarInject = "sidecar.opentelemetry.io/inject"
)

// Instrumentation groups: the OpenTelemetry Operator's, and the one of AKS application
// monitoring (azureMonitorProfile.appMonitoring.autoInstrumentation), which works only when the
// cluster has it on.
const (
	otelGroup         = "opentelemetry.io"
	azureMonitorGroup = "monitor.azure.com"
)

// Tracing finds application workloads that send no traces anywhere.
var Tracing = scope.WorkloadCheck(check.Meta{
	ID:          "workload-tracing",
	CrossObject: true,
	Item:        "ops.tracing",
	Title:       "Application workloads export traces",
	Severity:    check.Low,
	Description: "A Deployment (an application service; StatefulSets, mostly data stores, are traced through their clients) outside the system namespaces is traced when a container " +
		"sets OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or " +
		"APPLICATIONINSIGHTS_CONNECTION_STRING (in env, or as a key of a ConfigMap or Secret it loads with " +
		"envFrom; only names are read, never values), or when its pod template or Namespace carries an " +
		"OpenTelemetry Operator annotation (instrumentation.opentelemetry.io/inject-<language>, " +
		"sidecar.opentelemetry.io/inject) whose Instrumentation or OpenTelemetryCollector is in the scan, or when " +
		"an AKS application monitoring Instrumentation (monitor.azure.com) named default in its namespace " +
		"instruments it. Platform components are not judged: OpenTelemetry Collectors, ingress controllers, " +
		"in-cluster checkers and controllers that elect a leader (operators). An annotation naming an Instrumentation or collector the scan does not hold " +
		"fails on a live cluster (the operator injects nothing) and is undecided in manifests, which often " +
		"leave it to the platform's repository; a monitor.azure.com Instrumentation on an AKS cluster of " +
		"the scan whose azureMonitorProfile.appMonitoring.autoInstrumentation is off fails, since no " +
		"webhook injects it. A workload that loads a ConfigMap or Secret whose keys the scan cannot see (not in the " +
		"input, or a Secret of a live cluster, read as metadata only) is undecided rather than failed. Without traces, a slow or failing request cannot be followed across services. " +
		"The tracing backend and the sampling policy stay manual.",
	Remediation: "Instrument the application with OpenTelemetry and set OTEL_EXPORTER_OTLP_ENDPOINT to a collector (or annotate the pod template with instrumentation.opentelemetry.io/inject-<language> for an Instrumentation, or enable AKS application monitoring).",
	Example: `spec:
  template:
    metadata:
      annotations:
        instrumentation.opentelemetry.io/inject-java: "true"
    spec:
      containers:
        - name: orders
          env:
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector.observability:4317`,
	Kinds: []string{"Deployment"},
	// ConfigMaps and Secrets are not required: one the scan does not hold leaves the
	// workload undecided, never passed, and the webhook's cache never holds Secrets.
	Requires: []string{"Namespace", "Instrumentation", "OpenTelemetryCollector", "IngressClass"},
	Settings: []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if runsCollector(w) || w.ClusterChecker() != "" || w.LeaderElected() != "" || env.Index.IngressControllerOf(w) != nil {
		r.NotApplicable()
		return
	}
	if tracingEnvSet(env, w) {
		return
	}
	var undecided []string
	for _, a := range injections(env, w) {
		switch v := a.resolve(env, w); {
		case v.traced:
			return
		case v.problem != "" && (w.Live() || v.decided):
			r.Failf(a.path, "", "%s: %s", kindNoun(w), v.problem)
			return
		case v.problem != "":
			undecided = append(undecided, v.missing)
		}
	}
	// An envFrom source whose keys the scan cannot see (a live Secret, a ConfigMap not in the
	// input) may set the tracing variables: nothing below fails the workload then.
	unreadable := unreadableEnvFrom(env, w)
	switch instrumented, off := azureMonitorDefault(env, w); {
	case instrumented && off == nil:
		return
	case instrumented && len(unreadable) == 0:
		r.Failf(w.SpecPath()+".containers", "", "%s is to be instrumented by Instrumentation %s/default of AKS application monitoring, but cluster %s has azureMonitorProfile.appMonitoring.autoInstrumentation off: nothing is injected",
			kindNoun(w), w.Namespace, off.Name)
		return
	}
	undecided = append(undecided, unreadable...)
	if len(undecided) > 0 {
		for _, m := range undecided {
			r.Undecided(m)
		}
		return
	}
	r.Failf(w.SpecPath()+".containers", "", "%s exports no traces: no container sets %s, and no OpenTelemetry instrumentation is injected%s",
		kindNoun(w), strings.Join(tracingEnv, ", "), collectorHint(env, w.Namespace))
})

// runsCollector reports whether the workload is itself an OpenTelemetry Collector: it
// receives traces, it does not need to be told where to send them.
func runsCollector(w *subject.Workload) bool {
	for _, c := range w.AppContainers() {
		if c.ImageRef.Valid && strings.Contains(c.ImageRef.Repository, "opentelemetry-collector") {
			return true
		}
	}
	return false
}

// tracingEnvSet reports whether a container names a tracing variable in env, or loads one
// through envFrom from a ConfigMap or Secret of the scan whose keys it knows.
func tracingEnvSet(env *check.Env, w *subject.Workload) bool {
	for _, c := range w.Containers() {
		for _, e := range c.Env {
			if isTracingVar(e.Name) {
				return true
			}
		}
		for _, from := range c.EnvFrom {
			keys, _ := envFromKeys(env, w.Namespace, from)
			for _, k := range keys {
				if isTracingVar(from.Prefix + k) {
					return true
				}
			}
		}
	}
	return false
}

func isTracingVar(name string) bool {
	for _, v := range tracingEnv {
		if name == v {
			return true
		}
	}
	return false
}

// envFromKeys returns the keys an envFrom source loads, and whether they are known: a
// ConfigMap or a Secret of a manifest is (the loader keeps a Secret's keys, never its values);
// a live Secret is read as metadata only, and an object the scan does not hold is unknown.
func envFromKeys(env *check.Env, namespace string, from corev1.EnvFromSource) ([]string, bool) {
	switch {
	case from.ConfigMapRef != nil:
		o := env.Index.Get("ConfigMap", namespace, from.ConfigMapRef.Name)
		if o == nil {
			return nil, false
		}
		cm, ok := o.Body().(*corev1.ConfigMap)
		if !ok {
			return nil, false
		}
		keys := make([]string, 0, len(cm.Data)+len(cm.BinaryData))
		for k := range cm.Data {
			keys = append(keys, k)
		}
		for k := range cm.BinaryData {
			keys = append(keys, k)
		}
		return keys, true
	case from.SecretRef != nil:
		o := env.Index.Get("Secret", namespace, from.SecretRef.Name)
		if o == nil || o.Live() {
			return nil, false
		}
		s, ok := o.Body().(*corev1.Secret)
		if !ok {
			return nil, false
		}
		keys := make([]string, 0, len(s.Data)+len(s.StringData))
		for k := range s.Data {
			keys = append(keys, k)
		}
		for k := range s.StringData {
			keys = append(keys, k)
		}
		return keys, true
	}
	return nil, true
}

// unreadableEnvFrom names the envFrom sources whose keys the scan cannot see: one of them may
// hold the tracing variables.
func unreadableEnvFrom(env *check.Env, w *subject.Workload) []string {
	var out []string
	for _, c := range w.Containers() {
		for _, from := range c.EnvFrom {
			if _, known := envFromKeys(env, w.Namespace, from); known {
				continue
			}
			kind, name := "ConfigMap", ""
			if from.ConfigMapRef != nil {
				name = from.ConfigMapRef.Name
			} else {
				kind, name = "Secret", from.SecretRef.Name
			}
			out = append(out, "the keys of "+kind+" "+w.Namespace+"/"+name+", which container "+c.Name+" of "+
				kindNoun(w)+" loads with envFrom and which may set "+strings.Join(tracingEnv, " or ")+
				" (add it to the input; a live scan reads Secrets' metadata only)")
		}
	}
	return out
}

// injection is one injection annotation that applies to the workload's pods.
type injection struct {
	key, value string
	// path is where it is written (the pod template's or the Namespace's annotations).
	path string
	// onNamespace is set for an annotation of the Namespace object.
	onNamespace bool
}

// injections returns the injection annotations of the pod template, then those of the
// Namespace that the pod template does not override.
func injections(env *check.Env, w *subject.Workload) []injection {
	var out []injection
	own := w.Template().Annotations
	for _, k := range sortedKeys(own) {
		if strings.HasPrefix(k, injectPrefix) || k == sidecarInject {
			out = append(out, injection{key: k, value: own[k], path: w.TemplateMetaPath() + ".annotations"})
		}
	}
	if ns := env.Index.Get("Namespace", "", w.Namespace); ns != nil {
		for _, k := range sortedKeys(ns.Meta.Annotations) {
			if _, overridden := own[k]; overridden {
				continue
			}
			if strings.HasPrefix(k, injectPrefix) || k == sidecarInject {
				out = append(out, injection{key: k, value: ns.Meta.Annotations[k], path: w.TemplateMetaPath() + ".annotations", onNamespace: true})
			}
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// verdict is what an injection annotation does for the workload.
type verdict struct {
	traced bool
	// problem says why it injects nothing; decided is set when that holds whatever the input
	// (the cluster has application monitoring off), else it holds only on a live cluster,
	// and in manifests missing names the object the scan lacks.
	problem, missing string
	decided          bool
}

// resolve finds what an injection annotation names: "false" turns it off, "true" takes the
// one Instrumentation (or collector) of the workload's namespace, "name" one of its
// namespace and "namespace/name" one of another namespace, as the OpenTelemetry Operator
// reads it.
func (a injection) resolve(env *check.Env, w *subject.Workload) verdict {
	kind, what := "Instrumentation", "instrumentation"
	if a.key == sidecarInject {
		kind, what = "OpenTelemetryCollector", "collector sidecar"
	}
	v := strings.TrimSpace(a.value)
	if v == "" || strings.EqualFold(v, "false") {
		return verdict{}
	}
	var found *subject.Object
	var named string
	switch {
	case strings.EqualFold(v, "true"):
		named = "an " + kind + " in namespace " + w.Namespace
		if objs := otelObjects(env, kind, w.Namespace); len(objs) > 0 {
			found = objs[0]
		}
	default:
		// The operator takes a sidecar's collector from the pod's namespace only.
		ns, name, cross := strings.Cut(v, "/")
		if !cross || kind == "OpenTelemetryCollector" {
			ns, name = w.Namespace, v
		}
		named = kind + " " + ns + "/" + name
		if o := env.Index.Get(kind, ns, name); o != nil && isOtelGroup(o.Group()) {
			found = o
		}
	}
	source := a.key
	if a.onNamespace {
		source += " (on its Namespace)"
	}
	if found == nil {
		return verdict{problem: source + " asks for the " + what + " of " + named + ", which the cluster does not hold: nothing is injected",
			missing: named + ", which " + source + " of " + kindNoun(w) + " names (add it to the input, or scan the live cluster)"}
	}
	if found.Group() == azureMonitorGroup {
		if c := appMonitoringOff(env); c != nil {
			return verdict{decided: true, problem: source + " names " + kind + " " + found.Namespace + "/" + found.Name() +
				" of AKS application monitoring, but cluster " + c.Name + " has azureMonitorProfile.appMonitoring.autoInstrumentation off: nothing is injected"}
		}
	}
	return verdict{traced: true}
}

// otelObjects returns the objects of a kind in a namespace that belong to the OpenTelemetry
// Operator or to AKS application monitoring.
func otelObjects(env *check.Env, kind, namespace string) []*subject.Object {
	var out []*subject.Object
	for _, o := range env.Index.InNamespace(kind, namespace) {
		if isOtelGroup(o.Group()) {
			out = append(out, o)
		}
	}
	return out
}

func isOtelGroup(g string) bool { return g == otelGroup || g == azureMonitorGroup }

// azureMonitorDefault reports whether AKS application monitoring is to instrument the
// workload through the namespace-wide Instrumentation (monitor.azure.com, named default),
// and off the cluster of the scan that has application monitoring off, which injects nothing.
func azureMonitorDefault(env *check.Env, w *subject.Workload) (instrumented bool, off *subject.Cluster) {
	o := env.Index.Get("Instrumentation", w.Namespace, "default")
	if o == nil || o.Group() != azureMonitorGroup {
		return false, nil
	}
	return true, appMonitoringOff(env)
}

// appMonitoringOff returns an AKS cluster of the scan whose application monitoring
// auto-instrumentation is known to be off, or nil. A setting the input does not show (the
// stable ARM API and Terraform do not carry it) is not taken for off.
func appMonitoringOff(env *check.Env) *subject.Cluster {
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.Cluster]()) {
		if c, ok := s.(*subject.Cluster); ok && c.AppMonitoringAutoInstrumentation.IsKnown() && !c.AppMonitoringAutoInstrumentation.V {
			return c
		}
	}
	return nil
}

// collectorHint names the OpenTelemetry Collectors of the workload's namespace, for the
// finding: the place to send traces is there already. Only its own namespace is read, as the
// admission webhook reads it.
func collectorHint(env *check.Env, namespace string) string {
	var names []string
	for _, o := range otelObjects(env, "OpenTelemetryCollector", namespace) {
		if o.Group() == otelGroup {
			names = append(names, o.Name())
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " (OpenTelemetryCollector " + strings.Join(names, ", ") + " of " + subject.NamespaceNoun(namespace) + " could receive them)"
}
