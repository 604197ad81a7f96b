package resources

import (
	"context"
	"math"
	"strings"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// PDBCoverage finds replicated workloads without a disruption budget.
var PDBCoverage = check.New(check.Meta{
	ID:          "pdb-coverage",
	CrossObject: true,
	Item:        "resources.pdb",
	Title:       "Replicated workloads have a PodDisruptionBudget",
	Severity:    check.Medium,
	Description: "Each Deployment and StatefulSet with 2 or more replicas (or an autoscaler minimum of 2 or more) is covered by a PodDisruptionBudget " +
		"of its namespace whose selector matches its pod template. During node upgrades and drains AKS " +
		"evicts pods; without a budget every replica may be evicted at once.",
	Remediation: "Add a PodDisruptionBudget selecting the workload's pods with maxUnavailable: 1 (or a minAvailable below the replica count).",
	Kinds:       []string{"Deployment", "StatefulSet"},
	Requires:    []string{"PodDisruptionBudget", "HorizontalPodAutoscaler"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	replicas := w.Replicas
	for _, h := range env.Index.HPAsFor(w.Object) {
		replicas = max(replicas, h.MinReplicas)
	}
	if replicas < 2 || !scope.InScope(env, w.Namespace) {
		r.NotApplicable()
		return
	}
	if len(budgetsFor(env, w)) == 0 {
		r.Failf(w.TemplateMetaPath()+".labels", "", "no PodDisruptionBudget covers the %d replicas of %s %s", replicas, w.Kind, w.Name())
	}
})

// PDBBlocksEviction finds budgets that allow no voluntary eviction.
var PDBBlocksEviction = check.NewOf(check.Meta{
	ID:          "pdb-blocks-eviction",
	CrossObject: true,
	Item:        "resources.pdb",
	Title:       "PodDisruptionBudgets allow at least one eviction",
	Severity:    check.High,
	Description: "A PodDisruptionBudget with maxUnavailable 0 (or 0%), or a minAvailable (number or " +
		"percentage) at or above the replicas of a workload it selects. It allows no voluntary eviction: " +
		"node drains hang and AKS upgrades fail or time out.",
	Remediation: "Use maxUnavailable: 1 (or a minAvailable below the replica count), and run enough replicas to lose one.",
	Kinds:       []string{"PodDisruptionBudget"},
	// The workloads it selects.
	Requires: subject.WorkloadKinds,
}, func(_ context.Context, env *check.Env, o *subject.Object, pdb *policyv1.PodDisruptionBudget, r *check.Result) {
	spec := pdb.Spec
	if spec.MaxUnavailable != nil {
		if v := spec.MaxUnavailable; (v.Type == intstr.Int && v.IntVal == 0) || (v.Type == intstr.String && strings.TrimSpace(v.StrVal) == "0%") {
			r.Failf("spec.maxUnavailable", "", "PodDisruptionBudget %s has maxUnavailable %s: no pod can ever be evicted", o.Name(), v.String())
		}
		return
	}
	if spec.MinAvailable == nil {
		return
	}
	for _, w := range selectedWorkloads(env, o.Namespace, pdb.Spec.Selector) {
		if !w.HasReplicas {
			continue
		}
		if minAvailable(*spec.MinAvailable, w.Replicas) >= w.Replicas {
			r.Failf("spec.minAvailable", "", "PodDisruptionBudget %s requires minAvailable %s of the %d replicas of %s %s: no pod can be evicted",
				o.Name(), spec.MinAvailable.String(), w.Replicas, w.Kind, w.Name())
		}
	}
})

// PDBSelectsNothing finds budgets that select no workload of the scan.
var PDBSelectsNothing = check.NewOf(check.Meta{
	ID:          "pdb-selects-nothing",
	CrossObject: true,
	Item:        "resources.pdb",
	Title:       "PodDisruptionBudgets select a workload",
	Severity:    check.Low,
	Description: "A PodDisruptionBudget whose selector matches no workload of its namespace in the scan: a typo in the selector leaves the workload it was meant for unprotected. " +
		"Pods that an operator creates from a custom resource of the namespace (a Prometheus, Alertmanager or ThanosRuler of " +
		"prometheus-operator, an ECK Elasticsearch or Kibana, a CloudNativePG Cluster, a Strimzi Kafka, a RabbitmqCluster) count: " +
		"the budget matches when its selector matches the labels the operator gives their pods.",
	Remediation: "Make the budget's selector match the pod template labels of the workload it protects, or delete it.",
	Kinds:       []string{"PodDisruptionBudget"},
	// The workloads it selects, and the custom resources whose operators create pods.
	Requires: append(append([]string(nil), subject.WorkloadKinds...), subject.OperatorKinds()...),
}, func(_ context.Context, env *check.Env, o *subject.Object, pdb *policyv1.PodDisruptionBudget, r *check.Result) {
	if len(selectedWorkloads(env, o.Namespace, pdb.Spec.Selector)) > 0 || selectsOperatorPods(env, o.Namespace, pdb.Spec.Selector) {
		return
	}
	r.Failf("spec.selector", "", "PodDisruptionBudget %s selects no workload of %s in the scan", o.Name(), subject.NamespaceNoun(o.Namespace))
})

// selectsOperatorPods reports whether a selector matches the pods an operator creates from
// a custom resource of the namespace.
func selectsOperatorPods(env *check.Env, namespace string, sel *metav1.LabelSelector) bool {
	s, ok := selectorOf(sel)
	if !ok || s.Empty() {
		return false
	}
	for _, op := range env.Index.OperatorPodsIn(namespace) {
		for _, set := range op.Labels {
			if s.Matches(labels.Set(set)) {
				return true
			}
		}
	}
	return false
}

// minAvailable resolves a minAvailable value for a replica count (percentages round up, as
// the disruption controller does).
func minAvailable(v intstr.IntOrString, replicas int32) int32 {
	if v.Type == intstr.Int {
		return v.IntVal
	}
	pct, err := intstr.GetScaledValueFromIntOrPercent(&v, 100, true)
	if err != nil {
		return 0
	}
	return int32(math.Ceil(float64(pct) * float64(replicas) / 100))
}

func selectorOf(sel *metav1.LabelSelector) (labels.Selector, bool) {
	if sel == nil {
		return labels.Nothing(), false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return s, err == nil
}

func selectedWorkloads(env *check.Env, namespace string, sel *metav1.LabelSelector) []*subject.Workload {
	s, ok := selectorOf(sel)
	if !ok || s.Empty() {
		return nil
	}
	var out []*subject.Workload
	for _, w := range env.Index.WorkloadsMatching(namespace, s) {
		if w.Kind == "Pod" || w.Kind == "ReplicaSet" && len(w.Meta.OwnerReferences) > 0 {
			continue
		}
		out = append(out, w)
	}
	return out
}

func budgetsFor(env *check.Env, w *subject.Workload) []*subject.Object {
	return env.Index.BudgetsFor(w)
}
