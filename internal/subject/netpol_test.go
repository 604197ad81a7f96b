package subject

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func k8sPolicy(sel metav1.LabelSelector) *Object {
	np := &networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{PodSelector: sel}}
	return &Object{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy", Typed: np, Meta: &np.ObjectMeta}
}

func rawPolicy(apiVersion, kind, raw string) *Object {
	return &Object{APIVersion: apiVersion, Kind: kind, Extra: NewExtra(json.RawMessage(raw), nil, nil), Meta: &metav1.ObjectMeta{Name: "p"}}
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
		{"Calico in", rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"app in {'web', \"api\"}"}}`), map[string]bool{"web": true, "db": false}, false},
		{"Calico not in", rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"app not in {'web'}"}}`), map[string]bool{"web": false, "db": true}, false},
		{"Calico expression beyond the subset is not counted", rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"app starts with 'we'"}}`), map[string]bool{"web": false, "db": false}, false},
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

// policyIn returns the policy of an object as it applies in namespace shop (its own for a
// namespaced one), with the namespace's labels.
func policyIn(t *testing.T, o *Object, nsLabels map[string]string) *NetworkPolicy {
	t.Helper()
	p := newNetworkPolicy(o)
	if p == nil {
		t.Fatal("not recognized as a network policy")
	}
	if p.ClusterWide() {
		p = p.bind("shop", nsLabels)
	}
	return p
}

func TestNetworkPolicyDefaultDeny(t *testing.T) {
	t.Parallel()
	cnp := func(spec string) *Object {
		return rawPolicy("cilium.io/v2", "CiliumNetworkPolicy", `{"spec":`+spec+`}`)
	}
	ccnp := func(spec string) *Object {
		return rawPolicy("cilium.io/v2", "CiliumClusterwideNetworkPolicy", `{"spec":`+spec+`}`)
	}
	calico := func(spec string) *Object {
		return rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":`+spec+`}`)
	}
	gnp := func(spec string) *Object {
		return rawPolicy("projectcalico.org/v3", "GlobalNetworkPolicy", `{"spec":`+spec+`}`)
	}
	deny := func(types ...networkingv1.PolicyType) *Object {
		o := k8sPolicy(metav1.LabelSelector{})
		o.Typed.(*networkingv1.NetworkPolicy).Spec.PolicyTypes = types
		return o
	}
	tests := []struct {
		name            string
		policy          *Object
		nsLabels        map[string]string
		ingress, egress bool // DeniesAll
		isolates        bool // Isolates a pod app=web
		gap             string
	}{
		{"Kubernetes ingress and egress", deny(networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress), nil, true, true, true, ""},
		{"Kubernetes ingress only", deny(networkingv1.PolicyTypeIngress), nil, true, false, true, "policyTypes leave out Egress"},
		{"Cilium ingress [{}] and egress [{}]", cnp(`{"endpointSelector":{},"ingress":[{}],"egress":[{}]}`), nil, true, true, true, ""},
		{"Cilium ingress: [] is no section", cnp(`{"endpointSelector":{},"ingress":[],"egress":[{}]}`), nil, false, true, true, "no ingress rules"},
		{"Cilium ingressDeny alone", cnp(`{"endpointSelector":{},"ingressDeny":[{"fromEntities":["world"]}]}`), nil, true, false, true, ""},
		{"Cilium allow rule", cnp(`{"endpointSelector":{},"ingress":[{"fromEndpoints":[{}]}]}`), nil, false, false, true, "allows ingress (ingress rule 0)"},
		{"Cilium enableDefaultDeny off", cnp(`{"endpointSelector":{},"enableDefaultDeny":{"ingress":false,"egress":false},"ingress":[{}],"egress":[{}]}`), nil, false, false, false, "enableDefaultDeny.ingress: false"},
		{"Cilium enableDefaultDeny on without rules of the direction", cnp(`{"endpointSelector":{},"enableDefaultDeny":{"ingress":true},"egress":[{}]}`), nil, true, true, true, ""},
		{"Cilium no section at all", cnp(`{"endpointSelector":{},"enableDefaultDeny":{"ingress":true}}`), nil, false, false, false, "has no rules"},
		{"Cilium egress to DNS only", cnp(`{"endpointSelector":{},"egress":[{"toEndpoints":[{"matchLabels":{"k8s-app":"kube-dns"}}],"toPorts":[{"ports":[{"port":"53","protocol":"ANY"}]}]}]}`), nil, false, true, true, ""},
		{"Cilium egress to world", cnp(`{"endpointSelector":{},"egress":[{"toEntities":["world"]}]}`), nil, false, false, true, ""},
		{"Cilium specs: one selects all", cnp(`null,"specs":[{"endpointSelector":{"matchLabels":{"app":"db"}},"ingress":[{}]},{"endpointSelector":{},"egress":[{}]}]`), nil, false, true, true, ""},
		{"Cilium host policy selects no pod", cnp(`{"nodeSelector":{},"ingress":[{}]}`), nil, false, false, false, ""},
		{"Cilium selector on a pod label", cnp(`{"endpointSelector":{"matchLabels":{"app":"web"}},"ingress":[{}]}`), nil, false, false, true, ""},
		{"Cilium clusterwide NotIn other namespaces", ccnp(`{"endpointSelector":{"matchExpressions":[{"key":"k8s:io.kubernetes.pod.namespace","operator":"NotIn","values":["kube-system"]}]},"ingress":[{}]}`), nil, true, false, true, ""},
		{"Cilium clusterwide for another namespace", ccnp(`{"endpointSelector":{"matchLabels":{"io.kubernetes.pod.namespace":"payments"}},"ingress":[{}]}`), nil, false, false, false, ""},
		{"Cilium clusterwide by namespace label", ccnp(`{"endpointSelector":{"matchLabels":{"io.cilium.k8s.namespace.labels.zone":"apps"}},"ingress":[{}]}`), map[string]string{"zone": "apps"}, true, false, true, ""},
		{"Cilium clusterwide by namespace label, not this one", ccnp(`{"endpointSelector":{"matchLabels":{"io.cilium.k8s.namespace.labels.zone":"apps"}},"ingress":[{}]}`), map[string]string{"zone": "edge"}, false, false, false, ""},
		{"Calico all() with types", calico(`{"selector":"all()","types":["Ingress","Egress"]}`), nil, true, true, true, ""},
		{"Calico no types: ingress only", calico(`{"selector":"all()"}`), nil, true, false, true, "types leave out Egress"},
		{"Calico Deny rule", calico(`{"types":["Ingress"],"ingress":[{"action":"Deny"}]}`), nil, true, false, true, ""},
		{"Calico Allow rule", calico(`{"types":["Ingress"],"ingress":[{"action":"Allow"}]}`), nil, false, false, true, "allows ingress (ingress rule 0)"},
		{"Calico Pass rule", calico(`{"types":["Ingress"],"ingress":[{"action":"Pass"}]}`), nil, false, false, true, "allows ingress"},
		{"Calico egress DNS allowed", calico(`{"types":["Egress"],"egress":[{"action":"Allow","protocol":"UDP","destination":{"ports":[53]}}]}`), nil, false, true, true, ""},
		{"Calico global, namespaceSelector allows", gnp(`{"namespaceSelector":"has(projectcalico.org/name) && projectcalico.org/name not in {\"kube-system\", \"calico-system\"}","types":["Ingress","Egress"]}`), nil, true, true, true, ""},
		{"Calico global, namespaceSelector excludes", gnp(`{"namespaceSelector":"projectcalico.org/name == 'payments'","types":["Ingress"]}`), nil, false, false, false, ""},
		{"Calico global by namespace label", gnp(`{"namespaceSelector":"zone == 'apps'","types":["Ingress"]}`), map[string]string{"zone": "apps"}, true, false, true, ""},
		{"Calico global by pod namespace label", gnp(`{"selector":"projectcalico.org/namespace == 'shop'","types":["Ingress"]}`), nil, true, false, true, ""},
		{"Calico serviceAccountSelector is not evaluated", calico(`{"serviceAccountSelector":"all()","types":["Ingress"]}`), nil, false, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.policy.Namespace = "shop"
			if IsClusterScoped(tt.policy.Kind) {
				tt.policy.Namespace = ""
			}
			p := policyIn(t, tt.policy, tt.nsLabels)
			if got := p.DeniesAll(Ingress); got != tt.ingress {
				t.Errorf("DeniesAll(Ingress) = %v, want %v", got, tt.ingress)
			}
			if got := p.DeniesAll(Egress); got != tt.egress {
				t.Errorf("DeniesAll(Egress) = %v, want %v", got, tt.egress)
			}
			if got := p.Isolates(map[string]string{"app": "web"}); got != tt.isolates {
				t.Errorf("Isolates(app=web) = %v, want %v", got, tt.isolates)
			}
			if web := map[string]string{"app": "web"}; p.Selects(web) && !tt.isolates && p.IsolationGap(web) == "" {
				t.Error("the policy selects the pod without isolating it, and IsolationGap does not say why")
			}
			gap := p.DenyGap(Ingress) + " | " + p.DenyGap(Egress)
			if tt.gap != "" && !strings.Contains(gap, tt.gap) {
				t.Errorf("DenyGap = %q, want it to say %q", gap, tt.gap)
			}
		})
	}
}

// Fields of the wrong type leave a policy unevaluated: no default deny, no selection, no
// panic.
func TestNetworkPolicyMalformed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ apiVersion, kind, raw string }{
		{"cilium.io/v2", "CiliumNetworkPolicy", `{"spec":{"endpointSelector":{},"ingress":"none"}}`},
		{"cilium.io/v2", "CiliumNetworkPolicy", `{"spec":{"endpointSelector":"all","ingress":[{}]}}`},
		{"cilium.io/v2", "CiliumNetworkPolicy", `{"spec":{"endpointSelector":{},"enableDefaultDeny":"yes","ingress":[{}]}}`},
		{"cilium.io/v2", "CiliumNetworkPolicy", `{"spec":{"endpointSelector":{},"egress":[{"toCIDR":[169]}]}}`},
		{"cilium.io/v2", "CiliumNetworkPolicy", `{"spec":{"endpointSelector":{},"egress":[{"toPorts":[{"ports":[{"port":{}}]}]}]}}`},
		{"cilium.io/v2", "CiliumClusterwideNetworkPolicy", `{"spec":{"endpointSelector":{"matchLabels":{"a":1}},"ingress":[{}]}}`},
		{"cilium.io/v2", "CiliumNetworkPolicy", `{"specs":{"endpointSelector":{}}}`},
		{"cilium.io/v2", "CiliumNetworkPolicy", `[]`},
		{"projectcalico.org/v3", "NetworkPolicy", `{"spec":{"selector":"all()","types":"Ingress"}}`},
		{"projectcalico.org/v3", "GlobalNetworkPolicy", `{"spec":{"order":"first","types":["Ingress"]}}`},
		{"projectcalico.org/v3", "NetworkPolicy", `{"spec":{"types":["Egress"],"egress":[{"action":"Deny","destination":{"nets":"0.0.0.0/0"}}]}}`},
		{"crd.projectcalico.org/v1", "NetworkPolicy", `{"spec":{"types":["Ingress"],"ingress":{"action":"Deny"}}}`},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			o := rawPolicy(tt.apiVersion, tt.kind, tt.raw)
			p := policyIn(t, o, nil)
			if p.Evaluable() || p.DeniesAll(Ingress) || p.DeniesAll(Egress) || p.SelectsAll() || p.Selects(map[string]string{"a": "1"}) {
				t.Errorf("a malformed policy counts: evaluable %v", p.Evaluable())
			}
			if r := EgressTo([]*NetworkPolicy{p}, netip.MustParseAddr("169.254.169.254"), 80); r.DeniedBy != nil || r.AllowedBy != nil {
				t.Errorf("a malformed policy decides egress: %+v", r)
			}
		})
	}
}

func TestEgressTo(t *testing.T) {
	t.Parallel()
	imds := netip.MustParseAddr("169.254.169.254")
	cnp := func(spec string) *Object {
		return rawPolicy("cilium.io/v2", "CiliumNetworkPolicy", `{"spec":`+spec+`}`)
	}
	calico := func(spec string) *Object {
		return rawPolicy("projectcalico.org/v3", "NetworkPolicy", `{"spec":`+spec+`}`)
	}
	k8sEgressTo := func(cidr string, except ...string) *Object {
		o := k8sPolicy(metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}})
		o.Typed.(*networkingv1.NetworkPolicy).Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
		o.Typed.(*networkingv1.NetworkPolicy).Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}}}}
		return o
	}
	const allowed, denied, neither = "allowed", "denied", "neither"
	tests := []struct {
		name     string
		policies []*Object
		want     string
		rule     string
	}{
		{"Kubernetes ipBlock", []*Object{k8sEgressTo("0.0.0.0/0")}, allowed, "egress rule 0"},
		{"Kubernetes ipBlock with except", []*Object{k8sEgressTo("0.0.0.0/0", "169.254.169.254/32")}, neither, ""},
		{"Cilium toEntities world", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toEntities":["world"]}]}`)}, allowed, "egress rule 0"},
		{"Cilium toEntities all", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toEntities":["all"]}]}`)}, allowed, "egress rule 0"},
		{"Cilium toEntities cluster", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toEntities":["cluster"]}]}`)}, neither, ""},
		{"Cilium toPorts only, port 80", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toPorts":[{"ports":[{"port":"80","protocol":"TCP"}]}]}]}`)}, allowed, "egress rule 0"},
		{"Cilium toPorts only, port 443", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toPorts":[{"ports":[{"port":443}]}]}]}`)}, neither, ""},
		{"Cilium toPorts only, UDP", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toPorts":[{"ports":[{"port":"80","protocol":"UDP"}]}]}]}`)}, neither, ""},
		{"Cilium toCIDR bare address", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toCIDR":["169.254.169.254"]}]}`)}, allowed, "egress rule 0"},
		{"Cilium toCIDRSet with except", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toCIDRSet":[{"cidr":"0.0.0.0/0","except":["169.254.0.0/16"]}]}]}`)}, neither, ""},
		{"Cilium toFQDNs, toEndpoints, toServices", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toFQDNs":[{"matchName":"x"}]},{"toEndpoints":[{}]},{"toServices":[{"k8sService":{"serviceName":"a"}}]}]}`)}, neither, ""},
		{"Cilium ICMP to the world", []*Object{cnp(`{"endpointSelector":{},"egress":[{"toEntities":["world"],"icmps":[{"fields":[{"type":8}]}]}]}`)}, neither, ""},
		{"Cilium specs name the rule", []*Object{cnp(`null,"specs":[{"endpointSelector":{},"egress":[{}]},{"endpointSelector":{},"egress":[{"toEntities":["world"]}]}]`)}, allowed, "specs[1] egress rule 0"},
		{"Cilium egressDeny beats any allow", []*Object{k8sEgressTo("0.0.0.0/0"), cnp(`{"endpointSelector":{},"egressDeny":[{"toCIDR":["169.254.169.254/32"]}]}`)}, denied, "egressDeny rule 0"},
		{"Cilium egressDeny to world", []*Object{cnp(`{"endpointSelector":{},"egressDeny":[{"toEntities":["world"]}],"egress":[{"toEntities":["all"]}]}`)}, denied, "egressDeny rule 0"},
		{"Cilium egressDeny on port 443 only", []*Object{cnp(`{"endpointSelector":{},"egressDeny":[{"toCIDR":["169.254.169.254/32"],"toPorts":[{"ports":[{"port":"443"}]}]}],"egress":[{"toEntities":["world"]}]}`)}, allowed, "egress rule 0"},
		{"Cilium egressDeny for some pods", []*Object{cnp(`{"endpointSelector":{"matchLabels":{"app":"web"}},"egressDeny":[{"toCIDR":["169.254.169.254/32"]}]}`)}, neither, ""},
		{"Calico Allow nets", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Allow","destination":{"nets":["169.254.0.0/16"]}}]}`)}, allowed, "egress rule 0"},
		{"Calico Allow notNets", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Allow","destination":{"notNets":["169.254.169.254/32"]}}]}`)}, neither, ""},
		{"Calico Allow to a selector", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Allow","destination":{"selector":"app == 'db'"}}]}`)}, neither, ""},
		{"Calico Deny then Allow", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Deny","destination":{"nets":["169.254.169.254/32"]}},{"action":"Allow"}]}`)}, denied, "egress rule 0"},
		{"Calico Allow then Deny", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Allow"},{"action":"Deny","destination":{"nets":["169.254.169.254/32"]}}]}`)}, allowed, "egress rule 0"},
		{"Calico Deny on UDP does not stop TCP", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Deny","protocol":"UDP","destination":{"nets":["169.254.169.254/32"]}},{"action":"Allow"}]}`)}, allowed, "egress rule 1"},
		{"Calico Deny on port range", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Deny","protocol":"TCP","destination":{"nets":["169.254.0.0/16"],"ports":["1:1024"]}},{"action":"Allow"}]}`)}, denied, "egress rule 0"},
		{"Calico Deny for some sources", []*Object{calico(`{"types":["Egress"],"egress":[{"action":"Deny","source":{"selector":"app == 'web'"},"destination":{"nets":["169.254.169.254/32"]}},{"action":"Allow"}]}`)}, allowed, "egress rule 1"},
		{"Calico Deny ordered before a Kubernetes allow", []*Object{k8sEgressTo("0.0.0.0/0"), calico(`{"order":10,"types":["Egress"],"egress":[{"action":"Deny","destination":{"nets":["169.254.169.254/32"]}}]}`)}, denied, "egress rule 0"},
		{"Calico Deny ordered after a Kubernetes allow", []*Object{k8sEgressTo("0.0.0.0/0"), calico(`{"order":2000,"types":["Egress"],"egress":[{"action":"Deny","destination":{"nets":["169.254.169.254/32"]}}]}`)}, allowed, "egress rule 0"},
		{"Calico policy without Egress type", []*Object{calico(`{"types":["Ingress"],"egress":[{"action":"Allow"}]}`)}, neither, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ps []*NetworkPolicy
			for _, o := range tt.policies {
				o.Namespace = "shop"
				ps = append(ps, policyIn(t, o, nil))
			}
			r := EgressTo(ps, imds, 80)
			got, rule := neither, ""
			switch {
			case r.DeniedBy != nil:
				got, rule = denied, r.DeniedRule
			case r.AllowedBy != nil:
				got, rule = allowed, r.AllowedRule
			}
			if got != tt.want || rule != tt.rule {
				t.Errorf("EgressTo = %s (%q), want %s (%q)", got, rule, tt.want, tt.rule)
			}
		})
	}
}

func TestIndexBindsClusterWidePolicies(t *testing.T) {
	t.Parallel()
	ns := func(name string, lbls map[string]string) *Object {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}}
		return &Object{APIVersion: "v1", Kind: "Namespace", Typed: n, Meta: &n.ObjectMeta}
	}
	ccnp := rawPolicy("cilium.io/v2", "CiliumClusterwideNetworkPolicy",
		`{"spec":{"endpointSelector":{"matchExpressions":[{"key":"io.kubernetes.pod.namespace","operator":"NotIn","values":["kube-system"]}]},"ingress":[{}]}}`)
	gnp := rawPolicy("projectcalico.org/v3", "GlobalNetworkPolicy", `{"spec":{"namespaceSelector":"zone == 'apps'","types":["Egress"]}}`)
	own := rawPolicy("cilium.io/v2", "CiliumNetworkPolicy", `{"spec":{"endpointSelector":{},"egress":[{}]}}`)
	own.Namespace = "shop"
	ix := NewIndex([]*Object{ns("shop", map[string]string{"zone": "apps"}), ns("kube-system", nil), ns("edge", nil), ccnp, gnp, own})
	names := func(ps []*NetworkPolicy) (out []string) {
		for _, p := range ps {
			out = append(out, p.Kind+"/"+p.In)
		}
		return out
	}
	for _, tt := range []struct {
		ns   string
		want []string
	}{
		{"shop", []string{"CiliumNetworkPolicy/shop", "CiliumClusterwideNetworkPolicy/shop", "GlobalNetworkPolicy/shop"}},
		{"edge", []string{"CiliumClusterwideNetworkPolicy/edge"}},
		{"kube-system", nil},
		{"not-in-the-scan", []string{"CiliumClusterwideNetworkPolicy/not-in-the-scan"}},
	} {
		if got := names(ix.NetworkPolicies(tt.ns)); !slices.Equal(got, tt.want) {
			t.Errorf("NetworkPolicies(%s) = %v, want %v", tt.ns, got, tt.want)
		}
	}
	if ps := ix.NetworkPolicies("shop"); !ps[1].DeniesAll(Ingress) || !ps[2].DeniesAll(Egress) {
		t.Error("the cluster-wide policies bound to shop do not deny all")
	}
	// The GlobalNetworkPolicy selects namespaces by a label: for a namespace the scan does not
	// hold, whether it applies cannot be told; edge is in the scan, without the label.
	if got := names(ix.UndecidedPolicies("not-in-the-scan")); !slices.Equal(got, []string{"GlobalNetworkPolicy/not-in-the-scan"}) {
		t.Errorf("UndecidedPolicies(not-in-the-scan) = %v", got)
	}
	if got := ix.UndecidedPolicies("edge"); len(got) != 0 {
		t.Errorf("UndecidedPolicies(edge) = %v, want none", names(got))
	}
}

func TestCiliumSelectorsBeyondPodLabels(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name               string
		spec               string
		evaluable, forPods bool
	}{
		{"pod labels", `{"endpointSelector":{"matchLabels":{"k8s:app":"web"}},"ingress":[{}]}`, true, true},
		{"ServiceAccount label", `{"endpointSelector":{"matchLabels":{"io.cilium.k8s.policy.serviceaccount":"web"}},"ingress":[{}]}`, false, true},
		{"reserved identity", `{"endpointSelector":{"matchExpressions":[{"key":"reserved:host","operator":"Exists"}]},"ingress":[{}]}`, false, true},
		{"host policy", `{"nodeSelector":{},"ingress":[{}]}`, true, false},
		{"both selectors", `{"nodeSelector":{},"endpointSelector":{},"ingress":[{}]}`, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := rawPolicy("cilium.io/v2", "CiliumNetworkPolicy", `{"spec":`+tt.spec+`}`)
			p := policyIn(t, o, nil)
			if p.Evaluable() != tt.evaluable {
				t.Errorf("Evaluable = %v, want %v", p.Evaluable(), tt.evaluable)
			}
			if tt.evaluable && p.SelectsPods() != tt.forPods {
				t.Errorf("SelectsPods = %v, want %v", p.SelectsPods(), tt.forPods)
			}
		})
	}
}
