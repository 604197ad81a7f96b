package resources

import (
	"context"
	"slices"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// Autoscaling finds Deployments and StatefulSets that nothing scales.
var Autoscaling = scope.WorkloadCheck(check.Meta{
	ID:          "autoscaling",
	CrossObject: true,
	Item:        "dev.app-autoscaling",
	Title:       "Deployments and StatefulSets are autoscaled",
	Severity:    check.Medium,
	Description: "Each Deployment and StatefulSet outside the system namespaces is the scale target of a " +
		"HorizontalPodAutoscaler or a KEDA ScaledObject in the scan. A fixed replica count is either too " +
		"many most of the time or too few at peak. A controller that elects a leader (it " +
		"passes --leader-elect, --leader-election or --enable-leader-election, bare or =true, or runs a " +
		"well-known operator that elects one by default: prometheus-operator, cert-manager, ECK, " +
		"CloudNativePG, Strimzi, KEDA, Flux…) is not applicable: one replica works at a time, so more " +
		"replicas add standbys, not capacity.",
	Remediation: "Add a HorizontalPodAutoscaler (autoscaling/v2) or a KEDA ScaledObject targeting the workload.",
	Kinds:       []string{"Deployment", "StatefulSet"},
	Requires:    []string{"HorizontalPodAutoscaler", "ScaledObject"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if w.LeaderElected() != "" {
		r.NotApplicable()
		return
	}
	if len(env.Index.HPAsFor(w.Object)) > 0 || hasScaledObject(env.Index, w) {
		return
	}
	r.Failf("spec.replicas", "", "no HorizontalPodAutoscaler or ScaledObject targets %s %s", w.Kind, w.Name())
})

// HPAMissingRequests finds autoscalers on CPU or memory utilization whose target lacks the
// matching requests.
var HPAMissingRequests = hpaCheck(check.Meta{
	ID:          "hpa-missing-requests",
	CrossObject: true,
	Item:        "dev.app-autoscaling",
	Title:       "Utilization-based autoscalers have requests to measure against",
	Severity:    check.Medium,
	Description: "A HorizontalPodAutoscaler that scales on CPU or memory utilization while a container of its " +
		"target has no request for that resource (nor a LimitRange default request in its namespace). " +
		"Utilization is a percentage of the request: without it " +
		"the HPA cannot compute it and never scales.",
	Remediation: "Set resources.requests for the resource the HPA scales on, on every container of the target.",
	Kinds:       []string{"HorizontalPodAutoscaler"},
	// The workload it scales.
	Requires: append(slices.Clip(subject.WorkloadKinds), "LimitRange"),
}, func(env *check.Env, o *subject.Object, h *subject.HPA, r *check.Result) {
	target := targetOf(env, h)
	if target == nil {
		r.NotApplicable()
		return
	}
	for i, m := range h.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil || m.Resource.Target.Type != autoscalingv2.UtilizationMetricType {
			continue
		}
		res := m.Resource.Name
		if res != corev1.ResourceCPU && res != corev1.ResourceMemory {
			continue
		}
		if defaultRequest(env, target.Namespace, res) {
			continue // admission fills the request in from the namespace's LimitRange
		}
		for _, c := range target.AppContainers() {
			if _, ok := c.Resources.Requests[res]; !ok {
				r.Failf("spec.metrics["+itoa(i)+"]", "", "HorizontalPodAutoscaler %s scales on %s utilization but container %q of %s %s requests no %s",
					o.Name(), res, c.Name, target.Kind, target.Name(), res)
			}
		}
	}
})

// HPATargetMissing finds autoscalers whose target is not in the scan.
var HPATargetMissing = hpaCheck(check.Meta{
	ID:          "hpa-target-missing",
	CrossObject: true,
	Item:        "dev.app-autoscaling",
	Title:       "Autoscalers target a workload of the scan",
	Severity:    check.Low,
	Description: "A HorizontalPodAutoscaler whose scaleTargetRef names no workload of its namespace in the scan: a renamed workload leaves its autoscaler behind, doing nothing.",
	Remediation: "Point scaleTargetRef at the workload's current kind and name, or delete the autoscaler.",
	Kinds:       []string{"HorizontalPodAutoscaler"},
	// The workload it scales.
	Requires: subject.WorkloadKinds,
}, func(env *check.Env, o *subject.Object, h *subject.HPA, r *check.Result) {
	if targetOf(env, h) == nil {
		r.Failf("spec.scaleTargetRef", "", "HorizontalPodAutoscaler %s targets %s %s, which is not in the scan", o.Name(), h.Target.Kind, h.Target.Name)
	}
})

// defaultRequest reports whether a LimitRange of the namespace gives containers a default
// request for the resource.
func defaultRequest(env *check.Env, namespace string, res corev1.ResourceName) bool {
	for _, o := range env.Index.InNamespace("LimitRange", namespace) {
		lr, ok := o.Body().(*corev1.LimitRange)
		if !ok {
			continue
		}
		for _, l := range lr.Spec.Limits {
			if _, ok := l.DefaultRequest[res]; ok && l.Type == corev1.LimitTypeContainer {
				return true
			}
		}
	}
	return false
}

// hpaCheck builds a check of HorizontalPodAutoscalers, of any API version, as the index reads
// them; any other object is not applicable.
func hpaCheck(m check.Meta, fn func(env *check.Env, o *subject.Object, h *subject.HPA, r *check.Result)) *check.Check {
	return check.New(m, func(_ context.Context, env *check.Env, o *subject.Object, r *check.Result) {
		h := env.Index.HPA(o)
		if h == nil {
			r.NotApplicable()
			return
		}
		fn(env, o, h, r)
	})
}

func targetOf(env *check.Env, h *subject.HPA) *subject.Workload {
	o := env.Index.Get(h.Target.Kind, h.Namespace, h.Target.Name)
	if o == nil {
		return nil
	}
	return env.Index.WorkloadOf(o)
}

// hasScaledObject reports whether a KEDA ScaledObject scales the workload.
func hasScaledObject(ix *subject.Index, w *subject.Workload) bool {
	_, ok := ix.ScaledObjectFor(w)
	return ok
}
