package subject

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// TestSelectorIndexesMatchEveryCandidate checks the inverted indexes against trying every
// candidate, as the checks did before them, on random workloads, PodDisruptionBudgets and
// network policies of every engine, with selectors of every operator (and empty, missing and
// invalid ones), over a small alphabet of labels so that most of them match something.
func TestSelectorIndexesMatchEveryCandidate(t *testing.T) {
	t.Parallel()
	var budgets, policies, selected int
	defer func() {
		// The alphabet is small so that the lookups find something: make sure they do.
		if budgets == 0 || policies == 0 || selected == 0 {
			t.Errorf("found %d budgets, %d policies, %d selected workloads: the random scans match too little", budgets, policies, selected)
		}
	}()
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 1))
		objects := randomScan(r)
		ix := NewIndex(objects)
		for _, ns := range []string{"a", "b", "c", "not-in-the-scan"} {
			for _, w := range ix.WorkloadsIn(ns) {
				var want []*Object
				for _, o := range ix.InNamespace("PodDisruptionBudget", ns) {
					pdb := o.Body().(*policyv1.PodDisruptionBudget)
					if pdb.Spec.Selector == nil {
						continue
					}
					if s, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil && !s.Empty() && s.Matches(labels.Set(w.PodLabels())) {
						want = append(want, o)
					}
				}
				budgets += len(want)
				if got := ix.BudgetsFor(w); !slices.Equal(got, want) {
					t.Errorf("seed %d: BudgetsFor(%s/%s) = %d budgets, want %d", seed, ns, w.Name(), len(got), len(want))
				}
				var wantP []*NetworkPolicy
				for _, p := range ix.NetworkPolicies(ns) {
					if p.Selects(w.PodLabels()) {
						wantP = append(wantP, p)
					}
				}
				policies += len(wantP)
				if got := ix.PoliciesSelecting(ns, w.PodLabels()); !slices.Equal(titles(got), titles(wantP)) {
					t.Errorf("seed %d: PoliciesSelecting(%s, %v) = %v, want %v", seed, ns, w.PodLabels(), titles(got), titles(wantP))
				}
			}
			for _, o := range ix.InNamespace("PodDisruptionBudget", ns) {
				pdb := o.Typed.(*policyv1.PodDisruptionBudget)
				s, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
				if pdb.Spec.Selector == nil || err != nil {
					continue
				}
				var want []*Workload
				for _, w := range ix.WorkloadsIn(ns) {
					if s.Matches(labels.Set(w.PodLabels())) {
						want = append(want, w)
					}
				}
				if got := ix.WorkloadsMatching(ns, s); !slices.Equal(got, want) {
					t.Errorf("seed %d: WorkloadsMatching(%s, %s) = %d workloads, want %d", seed, ns, s, len(got), len(want))
				}
			}
			for _, p := range ix.NetworkPolicies(ns) {
				var want []*Workload
				for _, w := range ix.WorkloadsIn(ns) {
					if p.Selects(w.PodLabels()) {
						want = append(want, w)
					}
				}
				selected += len(want)
				if got := ix.WorkloadsSelectedByPolicy(p); !slices.Equal(got, want) {
					t.Errorf("seed %d: WorkloadsSelectedByPolicy(%s in %s) = %d workloads, want %d", seed, p.Title(), ns, len(got), len(want))
				}
				var of *NetworkPolicy
				for _, q := range ix.NetworkPolicies(ns) {
					if q.Object == p.Object {
						of = q
					}
				}
				// Outside the scan's namespaces the policies are bound anew on each call.
				if got := ix.NetworkPolicyOf(ns, p.Object); got == nil || got.Object != of.Object || got.In != of.In {
					t.Errorf("seed %d: NetworkPolicyOf(%s, %s) is another policy", seed, ns, p.Title())
				}
			}
		}
	}
}

func titles(ps []*NetworkPolicy) (out []string) {
	for _, p := range ps {
		out = append(out, p.Title()+" "+p.Name()+"/"+p.In)
	}
	return out
}

var (
	testKeys   = []string{"app", "tier", "team", "io.kubernetes.pod.namespace"}
	testValues = []string{"x", "y", "z", "a"}
)

func randomLabels(r *rand.Rand) map[string]string {
	out := map[string]string{}
	for _, k := range testKeys[:3] {
		if r.IntN(3) > 0 {
			out[k] = testValues[r.IntN(3)]
		}
	}
	return out
}

func randomSelector(r *rand.Rand) *metav1.LabelSelector {
	switch r.IntN(12) {
	case 0:
		return nil
	case 1:
		return &metav1.LabelSelector{}
	case 2:
		// Invalid: an unknown operator.
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "Near", Values: []string{"x"}}}}
	}
	sel := &metav1.LabelSelector{}
	if r.IntN(2) == 0 {
		sel.MatchLabels = map[string]string{}
		for range 1 + r.IntN(2) {
			sel.MatchLabels[testKeys[r.IntN(len(testKeys))]] = testValues[r.IntN(len(testValues))]
		}
	}
	ops := []metav1.LabelSelectorOperator{metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn, metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist}
	for range r.IntN(3) {
		req := metav1.LabelSelectorRequirement{Key: testKeys[r.IntN(len(testKeys))], Operator: ops[r.IntN(len(ops))]}
		if req.Operator == metav1.LabelSelectorOpIn || req.Operator == metav1.LabelSelectorOpNotIn {
			for range 1 + r.IntN(3) {
				req.Values = append(req.Values, testValues[r.IntN(len(testValues))])
			}
		}
		sel.MatchExpressions = append(sel.MatchExpressions, req)
	}
	return sel
}

// randomScan is Namespaces a and b (c only implied), with Deployments, PodDisruptionBudgets,
// Kubernetes, Cilium and Calico policies, and cluster-wide ones.
func randomScan(r *rand.Rand) []*Object {
	var out []*Object
	for _, name := range []string{"a", "b"} {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"zone": testValues[r.IntN(2)]}}}
		out = append(out, &Object{APIVersion: "v1", Kind: "Namespace", Typed: n, Meta: &n.ObjectMeta})
	}
	for i := range 120 {
		ns := []string{"a", "b", "c"}[r.IntN(3)]
		name := fmt.Sprintf("o%d", i)
		switch r.IntN(6) {
		case 0, 1:
			d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: randomLabels(r)},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "contosoacr.azurecr.io/x:1"}}}}}}
			out = append(out, &Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Meta: &d.ObjectMeta, Typed: d})
		case 2:
			pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: policyv1.PodDisruptionBudgetSpec{Selector: randomSelector(r)}}
			out = append(out, &Object{APIVersion: "policy/v1", Kind: "PodDisruptionBudget", Namespace: ns, Meta: &pdb.ObjectMeta, Typed: pdb})
		case 3:
			sel := randomSelector(r)
			if sel == nil {
				sel = &metav1.LabelSelector{}
			}
			np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: networkingv1.NetworkPolicySpec{PodSelector: *sel}}
			out = append(out, &Object{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy", Namespace: ns, Meta: &np.ObjectMeta, Typed: np})
		case 4:
			sel := randomSelector(r)
			if sel == nil {
				sel = &metav1.LabelSelector{}
			}
			js, _ := json.Marshal(sel)
			kind := "CiliumNetworkPolicy"
			if r.IntN(4) == 0 {
				kind = "CiliumClusterwideNetworkPolicy"
			}
			o := rawPolicy("cilium.io/v2", kind, fmt.Sprintf(`{"spec":{"endpointSelector":%s,"ingress":[{}]}}`, js))
			o.Meta.Name = name
			if kind == "CiliumNetworkPolicy" {
				o.Namespace, o.Meta.Namespace = ns, ns
			}
			out = append(out, o)
		case 5:
			exprs := []string{"app == 'x'", "has(tier)", "app in {'x', 'y'}", "all()", "team != 'z'", "!has(app)", "app == 'y' && tier == 'x'"}
			kind := "NetworkPolicy"
			if r.IntN(4) == 0 {
				kind = "GlobalNetworkPolicy"
			}
			o := rawPolicy("projectcalico.org/v3", kind, fmt.Sprintf(`{"spec":{"selector":%q,"types":["Ingress"]}}`, exprs[r.IntN(len(exprs))]))
			o.Meta.Name = name
			if kind == "NetworkPolicy" {
				o.Namespace, o.Meta.Namespace = ns, ns
			}
			out = append(out, o)
		}
	}
	return out
}

// TestSetSelectsAsLabels: setSelects answers what the labels package's selector of a set
// answers, on every pair of these selectors and label sets.
// labelSets are label sets and Service-style selectors, for the tests that compare how
// akscheck matches them with how the labels package does.
var labelSets = []map[string]string{
	nil, {},
	{"app": "web"},
	{"app": "web", "tier": "front"},
	{"app": "api"},
	{"app": ""},
	{"tier": "front"},
	{"app": "web", "tier": "front", "version": "v2"},
}

func TestSetSelectsAsLabels(t *testing.T) {
	sets := labelSets
	for _, selector := range sets {
		for _, set := range sets {
			want := labels.SelectorFromValidatedSet(selector).Matches(labels.Set(set))
			if got := setSelects(selector, set); got != want {
				t.Errorf("selector %v on labels %v: %v, the labels package says %v", selector, set, got, want)
			}
		}
	}
}

// TestSelectorOfAsLabelSelectorAsSelector: selectorOf answers as the labels package's
// selector of the same LabelSelector does, whatever is asked of it: validity, emptiness,
// matches, text, requirements, exact matches, and what Add and DeepCopySelector give.
func TestSelectorOfAsLabelSelectorAsSelector(t *testing.T) {
	t.Parallel()
	sets := labelSets
	selectors := []*metav1.LabelSelector{nil, {}, {MatchLabels: map[string]string{}},
		{MatchLabels: map[string]string{"bad key!": "web"}},
		{MatchLabels: map[string]string{"app": "not a value"}},
		{MatchLabels: map[string]string{"app": "web"}, MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpExists}}},
	}
	for _, set := range sets {
		if len(set) > 0 {
			selectors = append(selectors, &metav1.LabelSelector{MatchLabels: set})
		}
	}
	extra, _ := labels.NewRequirement("zone", selection.In, []string{"a", "b"})
	for _, ls := range selectors {
		want, wantErr := metav1.LabelSelectorAsSelector(ls)
		got, err := selectorOf(ls)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%v: error %v, the labels package's %v", ls, err, wantErr)
			continue
		}
		if err != nil {
			continue
		}
		gotReqs, gotOK := got.Requirements()
		wantReqs, wantOK := want.Requirements()
		if got.Empty() != want.Empty() || got.String() != want.String() || gotOK != wantOK || !reflect.DeepEqual(gotReqs, wantReqs) ||
			got.Add(*extra).String() != want.Add(*extra).String() || got.DeepCopySelector().String() != want.String() {
			t.Errorf("%v: empty %v, %q, %v %v; the labels package's: empty %v, %q, %v %v",
				ls, got.Empty(), got, gotReqs, gotOK, want.Empty(), want, wantReqs, wantOK)
		}
		for _, key := range []string{"app", "tier", "version", "zone"} {
			gv, gok := got.RequiresExactMatch(key)
			wv, wok := want.RequiresExactMatch(key)
			if gv != wv || gok != wok {
				t.Errorf("%v: RequiresExactMatch(%s) = %q %v, the labels package's %q %v", ls, key, gv, gok, wv, wok)
			}
		}
		for _, set := range sets {
			if got.Matches(labels.Set(set)) != want.Matches(labels.Set(set)) {
				t.Errorf("%v on labels %v: %v, the labels package says %v", ls, set, got.Matches(labels.Set(set)), want.Matches(labels.Set(set)))
			}
		}
	}
}
