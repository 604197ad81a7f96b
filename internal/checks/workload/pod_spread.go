package workload

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

var spreadKeys = map[string]bool{"kubernetes.io/hostname": true, "topology.kubernetes.io/zone": true}

// PodSpread finds replicated workloads whose pods may all land on one node.
var PodSpread = check.New(check.Meta{
	ID:       "pod-spread",
	Item:     "dr.pod-spread",
	Title:    "Replicas are spread across nodes or zones",
	Severity: check.Medium,
	Description: "Workloads with 2 or more replicas (or an HPA minReplicas of 2 or more) without pod " +
		"anti-affinity or topology spread constraints on kubernetes.io/hostname or " +
		"topology.kubernetes.io/zone. The scheduler may put every replica on one node, and one node " +
		"failure or upgrade takes the whole workload down.",
	Remediation: "Add topologySpreadConstraints on topology.kubernetes.io/zone and kubernetes.io/hostname (or a preferred podAntiAffinity) selecting the workload's own pods.",
	Example: `spec:
  replicas: 3
  template:
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: orders
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: orders`,
	Kinds:    []string{"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"},
	Requires: []string{"HorizontalPodAutoscaler"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	replicas := w.Replicas
	for _, h := range env.Index.HPAsFor(w.Object) {
		replicas = max(replicas, h.MinReplicas)
	}
	if replicas < 2 {
		r.NotApplicable()
		return
	}
	if !spreads(w.Spec()) {
		r.Failf(w.SpecPath(), "", "%s runs %d replicas with no pod anti-affinity or topology spread on hostname or zone", kindNoun(w), replicas)
	}
})

func spreads(spec *corev1.PodSpec) bool {
	for _, c := range spec.TopologySpreadConstraints {
		if spreadKeys[c.TopologyKey] {
			return true
		}
	}
	if spec.Affinity == nil || spec.Affinity.PodAntiAffinity == nil {
		return false
	}
	aa := spec.Affinity.PodAntiAffinity
	for _, t := range aa.RequiredDuringSchedulingIgnoredDuringExecution {
		if spreadKeys[t.TopologyKey] {
			return true
		}
	}
	for _, t := range aa.PreferredDuringSchedulingIgnoredDuringExecution {
		if spreadKeys[t.PodAffinityTerm.TopologyKey] {
			return true
		}
	}
	return false
}
