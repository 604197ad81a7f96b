package workload

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

var spreadKeys = map[string]bool{"kubernetes.io/hostname": true, "topology.kubernetes.io/zone": true}

// namespaceNameLabel is the label the API server sets on every namespace to its name.
const namespaceNameLabel = "kubernetes.io/metadata.name"

// PodSpread finds replicated workloads whose pods may all land on one node.
var PodSpread = check.New(check.Meta{
	ID:          "pod-spread",
	CrossObject: true,
	Item:        "dr.pod-spread",
	Title:       "Replicas are spread across nodes or zones",
	Severity:    check.Medium,
	Description: "Workloads with 2 or more replicas (or an HPA minReplicas of 2 or more) without a pod " +
		"anti-affinity or topology spread constraint on kubernetes.io/hostname or " +
		"topology.kubernetes.io/zone that selects the workload's own pods in its own namespace. The " +
		"scheduler may put every replica on one node, and one node failure or upgrade takes the whole " +
		"workload down. A rule spreads nothing when it has no labelSelector (matchLabelKeys only narrow " +
		"a labelSelector; the API rejects them without one), when its selector does not match the pod " +
		"template's labels (or mismatchLabelKeys exclude them), or, for anti-affinity, when its " +
		"namespaces leave out the workload's own. A namespaceSelector that may match the workload's " +
		"namespace (by labels other than kubernetes.io/metadata.name) is given the benefit of the doubt.",
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
	misses := spreadMisses(w)
	if misses == nil {
		return
	}
	if len(misses) == 0 {
		r.Failf(w.SpecPath(), "", "%s runs %d replicas with no pod anti-affinity or topology spread on hostname or zone", kindNoun(w), replicas)
		return
	}
	for _, m := range misses {
		r.Failf(m.path, "", "%s runs %d replicas, but %s", kindNoun(w), replicas, m.why)
	}
})

// spreadMiss is a spreading rule on hostname or zone that does not spread the workload's pods.
type spreadMiss struct {
	path string // the field that makes it miss
	why  string // "the topology spread constraint on … has no labelSelector, so it spreads nothing"
}

// spreadMisses returns nil when a topology spread constraint or pod anti-affinity term on
// hostname or zone spreads the workload's own pods, else why each such rule does not (empty
// when there is none).
func spreadMisses(w *subject.Workload) []spreadMiss {
	spec, base := w.Spec(), w.SpecPath()
	own := labels.Set(w.PodLabels())
	misses := []spreadMiss{}
	for i, c := range spec.TopologySpreadConstraints {
		if !spreadKeys[c.TopologyKey] {
			continue
		}
		path := fmt.Sprintf("%s.topologySpreadConstraints[%d]", base, i)
		rule := "the topology spread constraint on " + c.TopologyKey
		if c.LabelSelector == nil {
			why := rule + " has no labelSelector, so it spreads nothing"
			if len(c.MatchLabelKeys) > 0 {
				why += " (matchLabelKeys only narrow a labelSelector, and the API rejects them without one)"
			}
			misses = append(misses, spreadMiss{path, why})
			continue
		}
		// matchLabelKeys add the pod's own values of those keys: they never exclude its
		// own pods, so only the labelSelector decides.
		if why := selectsOwn(c.LabelSelector, nil, own); why != "" {
			misses = append(misses, spreadMiss{path + ".labelSelector", rule + " " + why + ", so it does not spread them"})
			continue
		}
		return nil
	}
	if spec.Affinity == nil || spec.Affinity.PodAntiAffinity == nil {
		return misses
	}
	aa := spec.Affinity.PodAntiAffinity
	var terms []antiAffinityTerm
	for i := range aa.RequiredDuringSchedulingIgnoredDuringExecution {
		terms = append(terms, antiAffinityTerm{&aa.RequiredDuringSchedulingIgnoredDuringExecution[i],
			fmt.Sprintf("%s.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[%d]", base, i)})
	}
	for i := range aa.PreferredDuringSchedulingIgnoredDuringExecution {
		terms = append(terms, antiAffinityTerm{&aa.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm,
			fmt.Sprintf("%s.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[%d].podAffinityTerm", base, i)})
	}
	for _, t := range terms {
		if !spreadKeys[t.TopologyKey] {
			continue
		}
		rule := "the pod anti-affinity on " + t.TopologyKey
		if t.LabelSelector == nil {
			misses = append(misses, spreadMiss{t.path, rule + " has no labelSelector, so it keeps the pods away from nothing"})
			continue
		}
		// matchLabelKeys, like those of a topology spread constraint, never exclude the pod's
		// own replicas; mismatchLabelKeys always do.
		why := selectsOwn(t.LabelSelector, t.MismatchLabelKeys, own)
		switch {
		case why != "":
			misses = append(misses, spreadMiss{t.path + ".labelSelector", rule + " " + why + ", so it does not keep them apart"})
		case !inOwnNamespace(t.PodAffinityTerm, w.Namespace):
			field := ".namespaces"
			if len(t.Namespaces) == 0 {
				field = ".namespaceSelector"
			}
			misses = append(misses, spreadMiss{t.path + field, fmt.Sprintf("%s applies to pods in %s, not in the workload's namespace %s, so it does not keep its pods apart",
				rule, namespacesOf(t.PodAffinityTerm), w.Namespace)})
		default:
			return nil
		}
	}
	return misses
}

type antiAffinityTerm struct {
	*corev1.PodAffinityTerm
	path string
}

// selectsOwn returns "" when a label selector (with the mismatchLabelKeys of an affinity
// term) matches the pods' own labels, else what it selects instead: "selects
// app=db, not the workload's own pods (app=web)".
func selectsOwn(ls *metav1.LabelSelector, mismatchKeys []string, own labels.Set) string {
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return fmt.Sprintf("has an invalid labelSelector (%v)", err)
	}
	ownText := "no labels"
	if len(own) > 0 {
		ownText = own.String()
	}
	if !sel.Matches(own) {
		return fmt.Sprintf("selects %s, not the workload's own pods (%s)", metav1.FormatLabelSelector(ls), ownText)
	}
	// mismatchLabelKeys add "key notin (the pod's own value)": the pod's own replicas never
	// match them.
	for _, k := range mismatchKeys {
		if _, ok := own[k]; ok {
			return fmt.Sprintf("excludes the workload's own pods by mismatchLabelKeys %s", k)
		}
	}
	return ""
}

// inOwnNamespace reports whether an affinity term may select pods of namespace: no
// namespaces and no namespaceSelector mean the pod's own; a namespaceSelector that may match
// it (the only label known without the Namespace object is kubernetes.io/metadata.name) or a
// namespaces list that names it. An unknown namespace ("") is given the benefit of the doubt.
func inOwnNamespace(t *corev1.PodAffinityTerm, namespace string) bool {
	if namespace == "" || (len(t.Namespaces) == 0 && t.NamespaceSelector == nil) || slices.Contains(t.Namespaces, namespace) {
		return true
	}
	if t.NamespaceSelector == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(t.NamespaceSelector)
	if err != nil {
		return false
	}
	if sel.Matches(labels.Set{namespaceNameLabel: namespace}) {
		return true
	}
	reqs, _ := sel.Requirements()
	for _, req := range reqs {
		if req.Key() != namespaceNameLabel {
			return true // it reads labels the namespace may carry
		}
	}
	return false
}

// namespacesOf says which namespaces an anti-affinity term applies to.
func namespacesOf(t *corev1.PodAffinityTerm) string {
	var parts []string
	if len(t.Namespaces) > 0 {
		parts = append(parts, joinQuoted(t.Namespaces))
	}
	if t.NamespaceSelector != nil {
		parts = append(parts, "the namespaces that match "+metav1.FormatLabelSelector(t.NamespaceSelector))
	}
	return strings.Join(parts, " and ")
}
