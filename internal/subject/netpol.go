package subject

import (
	"encoding/json"
	"regexp"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// NetworkPolicy is a network policy of any engine: a Kubernetes NetworkPolicy, a
// CiliumNetworkPolicy or a Calico NetworkPolicy, with its pod selector made evaluable.
type NetworkPolicy struct {
	*Object
	// K8s is the Kubernetes policy; nil for Cilium and Calico policies.
	K8s *networkingv1.NetworkPolicy
	// selectors are alternatives: the policy selects a pod when any of them matches.
	selectors []labels.Selector
	// evaluable is false when a selector could not be understood (Calico expressions
	// beyond ==, !=, has() and all()); such a policy is not counted.
	evaluable bool
}

// Selects reports whether the policy applies to pods with the given labels; false when its
// selector cannot be evaluated.
func (p *NetworkPolicy) Selects(podLabels map[string]string) bool {
	if !p.evaluable {
		return false
	}
	for _, s := range p.selectors {
		if s.Matches(labels.Set(podLabels)) {
			return true
		}
	}
	return false
}

// Evaluable reports whether akscheck understands the policy's selector (not every Calico
// expression is); Selects is false for a policy it does not understand.
func (p *NetworkPolicy) Evaluable() bool { return p.evaluable }

// SelectsAll reports whether the policy's selector is empty: it applies to every pod.
func (p *NetworkPolicy) SelectsAll() bool {
	if !p.evaluable || len(p.selectors) == 0 {
		return false
	}
	for _, s := range p.selectors {
		if s.Empty() {
			return true
		}
	}
	return false
}

// newNetworkPolicy returns the policy view of an object, or nil when it is no network policy.
func newNetworkPolicy(o *Object) *NetworkPolicy {
	switch {
	case o.Kind == "NetworkPolicy" && isK8sNetworkPolicy(o):
		// networking.k8s.io/v1, or extensions/v1beta1 decoded as it (DecodeTyped).
		np := o.Typed.(*networkingv1.NetworkPolicy)
		p := &NetworkPolicy{Object: o, K8s: np}
		s, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		p.evaluable = err == nil
		p.selectors = []labels.Selector{s}
		return p
	case o.Kind == "CiliumNetworkPolicy" && strings.HasPrefix(o.APIVersion, "cilium.io/"):
		return ciliumPolicy(o)
	case o.Kind == "NetworkPolicy" && (strings.HasPrefix(o.APIVersion, "projectcalico.org/") || strings.HasPrefix(o.APIVersion, "crd.projectcalico.org/")):
		return calicoPolicy(o)
	}
	return nil
}

func isK8sNetworkPolicy(o *Object) bool {
	_, ok := o.Typed.(*networkingv1.NetworkPolicy)
	return ok
}

func ciliumPolicy(o *Object) *NetworkPolicy {
	type rule struct {
		EndpointSelector *metav1.LabelSelector `json:"endpointSelector"`
	}
	var doc struct {
		Spec  *rule  `json:"spec"`
		Specs []rule `json:"specs"`
	}
	p := &NetworkPolicy{Object: o}
	if json.Unmarshal(o.Raw, &doc) != nil {
		return p
	}
	rules := doc.Specs
	if doc.Spec != nil {
		rules = append(rules, *doc.Spec)
	}
	p.evaluable = len(rules) > 0
	for _, r := range rules {
		if r.EndpointSelector == nil {
			p.evaluable = false
			continue
		}
		sel := stripCiliumSources(r.EndpointSelector)
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			p.evaluable = false
			continue
		}
		p.selectors = append(p.selectors, s)
	}
	return p
}

// stripCiliumSources drops Cilium's "k8s:" label source prefixes, which pods' own labels lack.
func stripCiliumSources(sel *metav1.LabelSelector) *metav1.LabelSelector {
	out := sel.DeepCopy()
	if len(out.MatchLabels) > 0 {
		ml := make(map[string]string, len(out.MatchLabels))
		for k, v := range out.MatchLabels {
			ml[strings.TrimPrefix(k, "k8s:")] = v
		}
		out.MatchLabels = ml
	}
	for i := range out.MatchExpressions {
		out.MatchExpressions[i].Key = strings.TrimPrefix(out.MatchExpressions[i].Key, "k8s:")
	}
	return out
}

var (
	calicoEq  = regexp.MustCompile(`^([A-Za-z0-9_./-]+)\s*(==|!=)\s*['"]([^'"]*)['"]$`)
	calicoHas = regexp.MustCompile(`^(!\s*)?has\(\s*([A-Za-z0-9_./-]+)\s*\)$`)
)

// calicoPolicy evaluates the common forms of Calico selectors: all(), has(k), !has(k),
// k == 'v', k != 'v', joined by &&. Anything else leaves the policy unevaluated.
func calicoPolicy(o *Object) *NetworkPolicy {
	var doc struct {
		Spec struct {
			Selector string `json:"selector"`
		} `json:"spec"`
	}
	p := &NetworkPolicy{Object: o}
	if json.Unmarshal(o.Raw, &doc) != nil {
		return p
	}
	expr := strings.TrimSpace(doc.Spec.Selector)
	sel := labels.NewSelector()
	if expr != "" && expr != "all()" {
		for _, term := range strings.Split(expr, "&&") {
			term = strings.TrimSpace(term)
			var req *labels.Requirement
			var err error
			switch m := calicoEq.FindStringSubmatch(term); {
			case m != nil && m[2] == "==":
				req, err = labels.NewRequirement(m[1], selection.Equals, []string{m[3]})
			case m != nil:
				req, err = labels.NewRequirement(m[1], selection.NotEquals, []string{m[3]})
			default:
				h := calicoHas.FindStringSubmatch(term)
				if h == nil {
					return p
				}
				op := selection.Exists
				if h[1] != "" {
					op = selection.DoesNotExist
				}
				req, err = labels.NewRequirement(h[2], op, nil)
			}
			if err != nil {
				return p
			}
			sel = sel.Add(*req)
		}
	}
	p.selectors, p.evaluable = []labels.Selector{sel}, true
	return p
}
