package subject

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Cilium's policy rules (cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy),
// as the Cilium docs describe them:
//   - "Policy Enforcement Modes" (security/policy/intro): an endpoint selected by a rule with
//     an ingress (egress) section goes into default deny for that direction;
//     enableDefaultDeny (Cilium 1.15+) sets it explicitly, and defaults to true for each
//     direction whose ingress/ingressDeny (egress/egressDeny) list is non-empty (Rule.Sanitize),
//     so `ingress: []` alone puts nothing in default deny.
//   - "Layer 3 Policies", "Ingress/Egress Default Deny": `ingress: [{}]` puts the endpoints in
//     default deny without allowing any peer; a rule with toPorts only allows any destination
//     on those ports; toEntities world and all reach addresses outside the cluster; toCIDRSet
//     takes except.
//   - "Deny Policies" (security/policy/deny): ingressDeny/egressDeny take precedence over
//     every allow, of Cilium or Kubernetes policies.

type ciliumPortRule struct {
	Ports []struct {
		Port     flexString `json:"port"`
		EndPort  int        `json:"endPort"`
		Protocol string     `json:"protocol"`
	} `json:"ports"`
	Rules json.RawMessage `json:"rules"`
}

type ciliumEgress struct {
	ToEndpoints []json.RawMessage `json:"toEndpoints"`
	ToServices  []json.RawMessage `json:"toServices"`
	ToFQDNs     []json.RawMessage `json:"toFQDNs"`
	ToGroups    []json.RawMessage `json:"toGroups"`
	ToNodes     []json.RawMessage `json:"toNodes"`
	ToCIDR      []string          `json:"toCIDR"`
	ToCIDRSet   []struct {
		CIDR              string          `json:"cidr"`
		Except            []string        `json:"except"`
		CIDRGroupRef      string          `json:"cidrGroupRef"`
		CIDRGroupSelector json.RawMessage `json:"cidrGroupSelector"`
	} `json:"toCIDRSet"`
	ToEntities []string          `json:"toEntities"`
	ToPorts    []ciliumPortRule  `json:"toPorts"`
	ICMPs      []json.RawMessage `json:"icmps"`
}

type ciliumRule struct {
	EndpointSelector  *metav1.LabelSelector `json:"endpointSelector"`
	NodeSelector      *metav1.LabelSelector `json:"nodeSelector"`
	Ingress           []json.RawMessage     `json:"ingress"`
	IngressDeny       []json.RawMessage     `json:"ingressDeny"`
	Egress            []json.RawMessage     `json:"egress"`
	EgressDeny        []json.RawMessage     `json:"egressDeny"`
	EnableDefaultDeny struct {
		Ingress *bool `json:"ingress"`
		Egress  *bool `json:"egress"`
	} `json:"enableDefaultDeny"`
}

// ciliumPolicy reads a Cilium policy's spec and specs. A field of the wrong type leaves the
// whole policy unevaluated: it selects nothing and denies nothing.
func ciliumPolicy(who string, raw json.RawMessage) *policyDef {
	var doc struct {
		Spec  *ciliumRule  `json:"spec"`
		Specs []ciliumRule `json:"specs"`
	}
	def := &policyDef{nsAware: true, order: 1000}
	if json.Unmarshal(raw, &doc) != nil {
		return def
	}
	rules := doc.Specs
	labelled := len(rules) > 0
	if doc.Spec != nil {
		rules = append([]ciliumRule{*doc.Spec}, rules...)
	}
	def.evaluable = len(rules) > 0
	for i, cr := range rules {
		label := ""
		if labelled {
			idx := i
			if doc.Spec != nil {
				idx--
			}
			if idx >= 0 {
				label = "specs[" + strconv.Itoa(idx) + "] "
			}
		}
		r, ok := ciliumRuleOf(who, cr, label)
		if !ok {
			def.evaluable = false
			return def
		}
		def.rules = append(def.rules, r)
	}
	return def
}

func ciliumRuleOf(who string, cr ciliumRule, label string) (policyRule, bool) {
	r := policyRule{label: label, pods: labels.Nothing()}
	switch {
	case cr.EndpointSelector != nil && cr.NodeSelector == nil:
		sel := stripCiliumSources(cr.EndpointSelector)
		if ciliumInternal(sel) {
			return r, false
		}
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			return r, false
		}
		r.pods = s
	case cr.NodeSelector != nil && cr.EndpointSelector == nil:
		// A host policy: it selects nodes, never pods.
		r.nodes = true
	default:
		return r, false
	}
	// A rule with no section at all is invalid (Cilium rejects it, enableDefaultDeny or not).
	hasSection := len(cr.Ingress)+len(cr.IngressDeny)+len(cr.Egress)+len(cr.EgressDeny) > 0
	sections := [2]bool{len(cr.Ingress)+len(cr.IngressDeny) > 0, len(cr.Egress)+len(cr.EgressDeny) > 0}
	explicit := [2]*bool{cr.EnableDefaultDeny.Ingress, cr.EnableDefaultDeny.Egress}
	names := [2]string{"ingress", "egress"}
	for d := range 2 {
		switch {
		case !hasSection:
			r.why[d] = who + " selects every pod but has no rules, so Cilium ignores it"
		case explicit[d] != nil:
			r.isolates[d] = *explicit[d]
			if !*explicit[d] {
				r.why[d] = who + " selects every pod but turns default deny off (enableDefaultDeny." + names[d] + ": false)"
			}
		default:
			r.isolates[d] = sections[d]
			if !sections[d] {
				r.why[d] = who + " selects every pod but has no " + names[d] + " rules (an empty list is none: write " + names[d] + ": [{}])"
			}
		}
	}
	switch {
	case !hasSection:
		r.idle = "has no rules, so Cilium ignores it"
	case !r.isolates[0] && !r.isolates[1]:
		r.idle = "turns default deny off (enableDefaultDeny: false)"
	}
	r.allowsNone[0] = true
	for i, in := range cr.Ingress {
		if !emptyJSON(in) {
			r.allowsNone[0] = false
			if r.isolates[0] {
				r.why[0] = who + " selects every pod but allows ingress (" + label + "ingress rule " + strconv.Itoa(i) + ")"
			}
			break
		}
	}
	r.allowsNone[1] = true
	for i, raw := range cr.Egress {
		var ce ciliumEgress
		if json.Unmarshal(raw, &ce) != nil {
			return r, false
		}
		e, allows := ciliumEgressRule(ce, actionAllow)
		e.name = "egress rule " + strconv.Itoa(i)
		if allows {
			r.egress = append(r.egress, e)
		}
		if allows && !e.dnsOnly && r.allowsNone[1] {
			r.allowsNone[1] = false
			if r.isolates[1] {
				r.why[1] = who + " selects every pod but allows egress (" + label + "egress rule " + strconv.Itoa(i) + ")"
			}
		}
	}
	for i, raw := range cr.EgressDeny {
		var ce ciliumEgress
		if json.Unmarshal(raw, &ce) != nil {
			return r, false
		}
		e, denies := ciliumEgressRule(ce, actionDeny)
		e.name = "egressDeny rule " + strconv.Itoa(i)
		if denies {
			r.egress = append(r.egress, e)
		}
	}
	return r, true
}

// ciliumEgressRule reads an egress (or egressDeny) rule; false when it lets nothing through
// (an empty rule {}, ICMP only).
func ciliumEgressRule(ce ciliumEgress, action ruleAction) (egressRule, bool) {
	e := egressRule{action: action, allPods: true, precedes: action == actionDeny}
	l3 := len(ce.ToEndpoints)+len(ce.ToServices)+len(ce.ToFQDNs)+len(ce.ToGroups)+len(ce.ToNodes)+
		len(ce.ToCIDR)+len(ce.ToCIDRSet)+len(ce.ToEntities) > 0
	if !l3 && len(ce.ToPorts) == 0 && len(ce.ICMPs) == 0 {
		return e, false
	}
	e.anyDest = !l3
	if len(ce.ICMPs) > 0 && len(ce.ToPorts) == 0 {
		e.ports = []portRange{{protocol: "ICMP", from: 0, to: math.MaxUint16}} // ICMP only
	}
	for _, c := range ce.ToCIDR {
		if p, ok := parsePrefix(c); ok {
			e.nets = append(e.nets, cidrExcept{prefix: p})
		}
	}
	for _, c := range ce.ToCIDRSet {
		if c.CIDRGroupRef != "" || len(c.CIDRGroupSelector) > 0 {
			continue // a CiliumCIDRGroup's ranges are not in the policy
		}
		p, ok := parsePrefix(c.CIDR)
		if !ok {
			continue
		}
		n := cidrExcept{prefix: p}
		for _, ex := range c.Except {
			if x, ok := parsePrefix(ex); ok {
				n.except = append(n.except, x)
			}
		}
		e.nets = append(e.nets, n)
	}
	for _, ent := range ce.ToEntities {
		switch strings.ToLower(ent) {
		case "world", "world-ipv4", "all":
			e.anyDest = true
		}
	}
	for _, pr := range ce.ToPorts {
		if !emptyJSON(pr.Rules) {
			e.partial = true // L7 rules let only some requests through
		}
		if len(pr.Ports) == 0 {
			e.ports = append(e.ports, portRange{from: 0, to: math.MaxUint16})
		}
		for _, pp := range pr.Ports {
			r := portRange{protocol: strings.ToUpper(pp.Protocol)}
			if r.protocol == "ANY" {
				r.protocol = ""
			}
			n, err := strconv.Atoi(string(pp.Port))
			switch {
			case pp.Port == "" || (err == nil && n == 0):
				r.from, r.to = 0, math.MaxUint16
			case err != nil:
				r.named = true
			default:
				r.from, r.to = n, max(n, pp.EndPort)
			}
			e.ports = append(e.ports, r)
		}
	}
	e.dnsOnly = dnsPorts(e.ports)
	return e, true
}

// ciliumInternal reports whether a selector reads labels a pod template does not show: another
// label source (reserved:, cidr:, container:) or the labels Cilium derives from the pod's
// ServiceAccount or cluster (io.cilium.k8s.policy.*). Such a policy cannot be evaluated.
func ciliumInternal(sel *metav1.LabelSelector) bool {
	internal := func(k string) bool {
		return strings.Contains(k, ":") || strings.HasPrefix(k, "io.cilium.k8s.policy.")
	}
	for k := range sel.MatchLabels {
		if internal(k) {
			return true
		}
	}
	for _, e := range sel.MatchExpressions {
		if internal(e.Key) {
			return true
		}
	}
	return false
}

// stripCiliumSources drops Cilium's "k8s:" and "any:" label source prefixes, which pods' own
// labels lack.
func stripCiliumSources(sel *metav1.LabelSelector) *metav1.LabelSelector {
	out := sel.DeepCopy()
	strip := func(k string) string {
		return strings.TrimPrefix(strings.TrimPrefix(k, "k8s:"), "any:")
	}
	if len(out.MatchLabels) > 0 {
		ml := make(map[string]string, len(out.MatchLabels))
		for k, v := range out.MatchLabels {
			ml[strip(k)] = v
		}
		out.MatchLabels = ml
	}
	for i := range out.MatchExpressions {
		out.MatchExpressions[i].Key = strip(out.MatchExpressions[i].Key)
	}
	return out
}
