package subject

import (
	"encoding/json"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func k8sPolicy(sel metav1.LabelSelector) *Object {
	np := &networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{PodSelector: sel}}
	return &Object{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy", Typed: np, Meta: &np.ObjectMeta}
}

func rawPolicy(apiVersion, kind, raw string) *Object {
	return &Object{APIVersion: apiVersion, Kind: kind, Raw: json.RawMessage(raw), Meta: &metav1.ObjectMeta{Name: "p"}}
}

func TestNetworkPolicySelectors(t *testing.T) {
	t.Parallel()
	web := map[string]string{"app": "web", "tier": "front"}
	db := map[string]string{"app": "db"}
	none := map[string]string{}
	expr := func(op metav1.LabelSelectorOperator, key string, values ...string) metav1.LabelSelector {
		return metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key, Operator: op, Values: values}}}
	}
	tests := []struct {
		name      string
		policy    *Object
		selects   map[string]bool // label set name → selected
		selectAll bool
	}{
		{"empty selector selects all", k8sPolicy(metav1.LabelSelector{}), map[string]bool{"web": true, "db": true, "none": true}, true},
		{"matchLabels", k8sPolicy(metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}), map[string]bool{"web": true, "db": false, "none": false}, false},
		{"In", k8sPolicy(expr(metav1.LabelSelectorOpIn, "app", "web", "api")), map[string]bool{"web": true, "db": false, "none": false}, false},
		{"NotIn", k8sPolicy(expr(metav1.LabelSelectorOpNotIn, "app", "web")), map[string]bool{"web": false, "db": true, "none": true}, false},
		{"Exists", k8sPolicy(expr(metav1.LabelSelectorOpExists, "tier")), map[string]bool{"web": true, "db": false, "none": false}, false},
		{"DoesNotExist", k8sPolicy(expr(metav1.LabelSelectorOpDoesNotExist, "tier")), map[string]bool{"web": false, "db": true, "none": true}, false},
		{"invalid operator selects nothing", k8sPolicy(expr("Near", "app", "web")), map[string]bool{"web": false, "db": false, "none": false}, false},
		{"Calico ==", rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"app == 'web'"}}`), map[string]bool{"web": true, "db": false}, false},
		{"Calico has() && !=", rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"has(tier) && app != 'db'"}}`), map[string]bool{"web": true, "db": false}, false},
		{"Calico !has()", rawPolicy("crd.projectcalico.org/v1", "NetworkPolicy", `{"spec":{"selector":"!has(tier)"}}`), map[string]bool{"web": false, "db": true}, false},
		{"Calico all()", rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"all()"}}`), map[string]bool{"web": true, "db": true}, true},
		{"Calico expression beyond the subset is not counted", rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"app in {'web'}"}}`), map[string]bool{"web": false, "db": false}, false},
		{"Cilium endpointSelector with k8s: prefix", rawPolicy("cilium.io/v2", "CiliumNetworkPolicy", `{"spec":{"endpointSelector":{"matchLabels":{"k8s:app":"db"}}}}`), map[string]bool{"web": false, "db": true}, false},
		{"Cilium specs with matchExpressions", rawPolicy("cilium.io/v2", "CiliumNetworkPolicy", `{"specs":[{"endpointSelector":{"matchExpressions":[{"key":"tier","operator":"In","values":["front"]}]}}]}`), map[string]bool{"web": true, "db": false}, false},
	}
	sets := map[string]map[string]string{"web": web, "db": db, "none": none}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newNetworkPolicy(tt.policy)
			if p == nil {
				t.Fatal("not recognized as a network policy")
			}
			for set, want := range tt.selects {
				if got := p.Selects(sets[set]); got != want {
					t.Errorf("Selects(%s) = %v, want %v", set, got, want)
				}
			}
			if got := p.SelectsAll(); got != tt.selectAll {
				t.Errorf("SelectsAll = %v, want %v", got, tt.selectAll)
			}
		})
	}
}
