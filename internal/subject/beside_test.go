package subject_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestBesideAnswersAsRebuilt judges every object of the examples and of the checks' fixtures
// beside the others, as the webhook does with the cluster's: created (not among them) and
// updated (a copy replacing it). Every lookup of the index made by Beside must answer as the
// index built anew over the same objects, or the webhook would judge an object otherwise
// than a scan of the cluster.
func TestBesideAnswersAsRebuilt(t *testing.T) {
	t.Parallel()
	paths := []string{"../../examples/k8s"}
	fixtures, _ := filepath.Glob("../checks/*/testdata")
	paths = append(paths, fixtures...)
	total, updates, creations := 0, 0, 0
	for _, path := range paths {
		objects := load.Load(t.Context(), []string{path}, load.Options{}).Objects
		total += len(objects)
		u, c := besideAsRebuilt(t, path, objects)
		updates, creations = updates+u, creations+c
		if t.Failed() {
			return
		}
	}
	t.Logf("%d objects: %d updates and %d creations compared", total, updates, creations)
	// Beside refuses Namespaces, controllers, controlled objects, the first object of a
	// namespace and the update of an object whose key another holds: 612 of the 951 objects
	// share theirs with another of their corpus (each fixture file is a case of its own), so
	// about 330 updates can be judged beside the others (323 are), and most creations (860).
	if total < 900 || updates < 300 || creations < 800 {
		t.Errorf("%d updates and %d creations of %d objects compared: the corpus is missing, or too few objects can be judged beside the others",
			updates, creations, total)
	}
}

// besideAsRebuilt reviews each object beside the others, updated and created, and returns
// how many reviews of each it compared.
func besideAsRebuilt(t *testing.T, path string, objects []*subject.Object) (updates, creations int) {
	t.Helper()
	base := subject.NewIndex(objects)
	for i, o := range objects {
		others := slices.Delete(slices.Clone(objects), i, i+1)
		// Updated: the cluster holds o, the review a copy of it.
		update := copyOf(o)
		if over := base.Beside(update, o); over != nil {
			compareIndexes(t, path+": update of "+describe(o), over, subject.NewIndex(append(slices.Clone(others), update)), update)
			updates++
		}
		// Created: the cluster does not hold it yet.
		if over := subject.NewIndex(others).Beside(o, nil); over != nil {
			compareIndexes(t, path+": creation of "+describe(o), over, subject.NewIndex(append(others, o)), o)
			creations++
		}
		if t.Failed() {
			break
		}
	}
	return updates, creations
}

// TestBesideComparesEveryLookup: a lookup added to the index must answer beside (beside.go)
// and be compared by TestBesideAnswersAsRebuilt, or the webhook may judge with a lookup that
// does not see the object under review.
func TestBesideComparesEveryLookup(t *testing.T) {
	t.Parallel()
	compared := []string{"RunningTool", "IngressControllerOf", "InNamespace", "NetworkPolicies", "UndecidedPolicies",
		"HPA", "WorkloadOf", "OfKind", "WorkloadsIn", "Subjects", "Objects", "Workloads", "Get", "ServicesSelecting",
		"WorkloadsSelectedBy", "HPAsFor", "ServiceAccountOf", "PersistentVolumeClaim", "GrantsOf", "ScaledObjectFor",
		"ObjectsOfKind", "PoliciesSelecting", "NetworkPolicyOf", "WorkloadsSelectedByPolicy", "OperatorPodsIn",
		"BudgetsFor", "WorkloadsMatching"}
	// Beside refuses an index with image reports, whose lookups these are; Beside is not one.
	exempt := []string{"ImageReportFor", "ImageUsers", "FindingsOnlyReports", "Superseded", "Beside"}
	typ := reflect.TypeFor[*subject.Index]()
	for i := range typ.NumMethod() {
		if m := typ.Method(i).Name; !slices.Contains(compared, m) && !slices.Contains(exempt, m) {
			t.Errorf("Index.%s is not compared beside the others", m)
		}
	}
}

func copyOf(o *subject.Object) *subject.Object {
	c := *o
	return &c
}

func describe(o *subject.Object) string {
	return fmt.Sprintf("%s %s/%s (%s:%d)", o.Kind, o.Namespace, o.Meta.Name, o.Source.File, o.Source.Line)
}

// compareIndexes asks both indexes every lookup about the reviewed object's namespace, the
// cluster-scoped objects and the whole scan, and compares the objects of the answers (a view
// is compared by its object: the two indexes make their own views).
func compareIndexes(t *testing.T, what string, got, want *subject.Index, reviewed *subject.Object) {
	t.Helper()
	check := func(lookup string, g, w any) {
		t.Helper()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s = %v; built anew: %v", what, lookup, g, w)
		}
	}
	same := func(lookup string, g, w []*subject.Object) {
		t.Helper()
		if !slices.Equal(g, w) {
			t.Errorf("%s: %s = %v; built anew: %v", what, lookup, names(g), names(w))
		}
	}
	same("Objects", got.Objects(), want.Objects())
	same("Workloads", workloadObjects(got.Workloads()), workloadObjects(want.Workloads()))
	kinds := map[string]bool{}
	for _, o := range want.Objects() {
		kinds[o.Kind] = true
	}
	for k := range kinds {
		same("OfKind "+k, got.OfKind(k), want.OfKind(k))
		same("ObjectsOfKind "+k, got.ObjectsOfKind(k), want.ObjectsOfKind(k))
	}
	for _, tool := range subject.ExtensionTools {
		same("RunningTool "+tool.Name, workloadObjects(got.RunningTool(tool)), workloadObjects(want.RunningTool(tool)))
	}
	for _, ns := range []string{reviewed.Namespace, ""} {
		for k := range kinds {
			same("InNamespace "+k+" "+ns, got.InNamespace(k, ns), want.InNamespace(k, ns))
		}
		check("NetworkPolicies "+ns, policyNames(got.NetworkPolicies(ns)), policyNames(want.NetworkPolicies(ns)))
		check("UndecidedPolicies "+ns, policyNames(got.UndecidedPolicies(ns)), policyNames(want.UndecidedPolicies(ns)))
		same("WorkloadsIn "+ns, workloadObjects(got.WorkloadsIn(ns)), workloadObjects(want.WorkloadsIn(ns)))
		check("OperatorPodsIn "+ns, operatorNames(got.OperatorPodsIn(ns)), operatorNames(want.OperatorPodsIn(ns)))
		for _, p := range want.NetworkPolicies(ns) {
			same("WorkloadsSelectedByPolicy "+name(p.Object), workloadObjects(got.WorkloadsSelectedByPolicy(p)), workloadObjects(want.WorkloadsSelectedByPolicy(p)))
		}
	}
	for _, o := range want.Objects() {
		if o.Namespace != reviewed.Namespace && o.Namespace != "" {
			continue
		}
		check("Get "+name(o), name(got.Get(o.Kind, o.Namespace, o.Meta.Name)), name(want.Get(o.Kind, o.Namespace, o.Meta.Name)))
		check("HPA "+name(o), hpaName(got.HPA(o)), hpaName(want.HPA(o)))
		check("WorkloadOf "+name(o), workloadName(got.WorkloadOf(o)), workloadName(want.WorkloadOf(o)))
		check("HPAsFor "+name(o), hpaNames(got.HPAsFor(o)), hpaNames(want.HPAsFor(o)))
		if o.Kind == "PersistentVolumeClaim" {
			check("PersistentVolumeClaim "+name(o), got.PersistentVolumeClaim(o.Namespace, o.Meta.Name), want.PersistentVolumeClaim(o.Namespace, o.Meta.Name))
		}
		check("NetworkPolicyOf "+name(o), policyName(got.NetworkPolicyOf(o.Namespace, o)), policyName(want.NetworkPolicyOf(o.Namespace, o)))
		if sel := podSelectorOf(o); sel != nil {
			if s, err := metav1.LabelSelectorAsSelector(sel); err == nil {
				same("WorkloadsMatching "+name(o), workloadObjects(got.WorkloadsMatching(o.Namespace, s)), workloadObjects(want.WorkloadsMatching(o.Namespace, s)))
			}
		}
	}
	for _, w := range want.WorkloadsIn(reviewed.Namespace) {
		l := w.PodLabels()
		same("ServicesSelecting "+name(w.Object), got.ServicesSelecting(w), want.ServicesSelecting(w))
		same("BudgetsFor "+name(w.Object), got.BudgetsFor(w), want.BudgetsFor(w))
		check("PoliciesSelecting "+name(w.Object), policyNames(got.PoliciesSelecting(w.Namespace, l)), policyNames(want.PoliciesSelecting(w.Namespace, l)))
		same("WorkloadsSelectedBy "+name(w.Object), workloadObjects(got.WorkloadsSelectedBy(w.Namespace, l)), workloadObjects(want.WorkloadsSelectedBy(w.Namespace, l)))
		check("ServiceAccountOf "+name(w.Object), got.ServiceAccountOf(w), want.ServiceAccountOf(w))
		check("IngressControllerOf "+name(w.Object), got.IngressControllerOf(w), want.IngressControllerOf(w))
		gm, gok := got.ScaledObjectFor(w)
		wm, wok := want.ScaledObjectFor(w)
		check("ScaledObjectFor "+name(w.Object), fmt.Sprint(gm, gok), fmt.Sprint(wm, wok))
		sa, _ := w.ServiceAccount()
		check("GrantsOf "+name(w.Object), grantNames(got.GrantsOf(w.Namespace, sa)), grantNames(want.GrantsOf(w.Namespace, sa)))
	}
	// Its subjects are the reviewed object's: those of the index built anew that are its.
	for _, typ := range subjectTypes {
		mine := func(ix *subject.Index) []string {
			var out []string
			for _, s := range ix.Subjects(typ) {
				switch v := s.(type) {
				case *subject.Object:
					if v == reviewed {
						out = append(out, "object "+name(v))
					}
				case *subject.Workload:
					if v.Object == reviewed {
						out = append(out, "workload "+name(v.Object))
					}
				}
			}
			return out
		}
		check("Subjects "+typ.String(), mine(got), mine(want))
	}
}

var subjectTypes = []reflect.Type{subject.TypeOf[*subject.Object](), subject.TypeOf[*subject.Workload]()}

func podSelectorOf(o *subject.Object) *metav1.LabelSelector {
	if o.Kind != "PodDisruptionBudget" {
		return nil
	}
	v := reflect.ValueOf(o.Body())
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	sel, _ := v.Elem().FieldByName("Spec").FieldByName("Selector").Interface().(*metav1.LabelSelector)
	return sel
}

// name names an object by its place in the scan, which tells a copy from its original only
// by pointer: the answers are compared as lists of these.
func name(o *subject.Object) string {
	if o == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s %s/%s@%s:%d#%p", o.Kind, o.Namespace, o.Meta.Name, o.Source.File, o.Source.Line, o)
}

func names(os []*subject.Object) []string {
	out := make([]string, 0, len(os))
	for _, o := range os {
		out = append(out, name(o))
	}
	return out
}

func workloadObjects(ws []*subject.Workload) []*subject.Object {
	out := make([]*subject.Object, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.Object)
	}
	return out
}

func workloadName(w *subject.Workload) string {
	if w == nil {
		return "<nil>"
	}
	return name(w.Object)
}

func hpaName(h *subject.HPA) string {
	if h == nil {
		return "<nil>"
	}
	return name(h.Object) + fmt.Sprint(h.Target, h.MinReplicas, len(h.Metrics))
}

func hpaNames(hs []*subject.HPA) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, hpaName(h))
	}
	return out
}

func policyName(p *subject.NetworkPolicy) string {
	if p == nil {
		return "<nil>"
	}
	return name(p.Object) + " in " + p.In
}

func policyNames(ps []*subject.NetworkPolicy) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, policyName(p))
	}
	return out
}

func operatorNames(ops []subject.OperatorPods) []string {
	out := make([]string, 0, len(ops))
	for _, op := range ops {
		out = append(out, name(op.Object)+fmt.Sprint(op.Labels))
	}
	return out
}

func grantNames(gs []subject.Grant) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, name(g.Binding)+" "+strings.Join([]string{g.Role.Kind, g.Role.Name}, "/"))
	}
	return out
}
