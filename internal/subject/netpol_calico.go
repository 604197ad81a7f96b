package subject

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Calico's policies (projectcalico.org/v3 and crd.projectcalico.org/v1 NetworkPolicy and
// GlobalNetworkPolicy), as the Calico docs describe them:
//   - NetworkPolicy and GlobalNetworkPolicy references: selector (empty is all()), the
//     GlobalNetworkPolicy's namespaceSelector, types (when absent: Ingress, and Egress when
//     there are egress rules but no ingress rules… both when there are both), order (lower
//     first; unset last), rules evaluated in order with the first match deciding, and a pod
//     selected by a policy of the tier denied what no rule allows ("end of tier" drop).
//   - "Enable a default deny policy for Kubernetes pods" and "Global default deny policy best
//     practices": selector all() or a namespaceSelector, types [Ingress, Egress], no rules of a
//     direction (or a Deny rule with no match criteria), DNS egress kept.

type calicoEntity struct {
	Nets              []string          `json:"nets"`
	NotNets           []string          `json:"notNets"`
	Selector          string            `json:"selector"`
	NotSelector       string            `json:"notSelector"`
	NamespaceSelector string            `json:"namespaceSelector"`
	Ports             []flexString      `json:"ports"`
	NotPorts          []flexString      `json:"notPorts"`
	ServiceAccounts   json.RawMessage   `json:"serviceAccounts"`
	Services          json.RawMessage   `json:"services"`
	Domains           []json.RawMessage `json:"domains"`
}

type calicoRule struct {
	Action      string          `json:"action"`
	Protocol    *flexString     `json:"protocol"`
	NotProtocol *flexString     `json:"notProtocol"`
	IPVersion   *int            `json:"ipVersion"`
	HTTP        json.RawMessage `json:"http"`
	Source      json.RawMessage `json:"source"`
	Destination calicoEntity    `json:"destination"`
}

type calicoSpec struct {
	Order                  *float64     `json:"order"`
	Selector               string       `json:"selector"`
	NamespaceSelector      string       `json:"namespaceSelector"`
	ServiceAccountSelector string       `json:"serviceAccountSelector"`
	Types                  []string     `json:"types"`
	Ingress                []calicoRule `json:"ingress"`
	Egress                 []calicoRule `json:"egress"`
}

// calicoPolicy reads a Calico policy. A selector beyond the supported subset, or a field of
// the wrong type, leaves it unevaluated: it selects nothing and denies nothing.
func calicoPolicy(who string, raw json.RawMessage, global bool) *policyDef {
	var doc struct {
		Spec calicoSpec `json:"spec"`
	}
	def := &policyDef{nsAware: true, order: math.Inf(1)}
	if json.Unmarshal(raw, &doc) != nil {
		return def
	}
	spec := doc.Spec
	if spec.Order != nil {
		def.order = *spec.Order
	}
	pods, ok := calicoSelector(spec.Selector)
	if !ok || strings.TrimSpace(spec.ServiceAccountSelector) != "" {
		return def // which pods run as which ServiceAccount is not in the labels
	}
	r := policyRule{pods: pods}
	if global && strings.TrimSpace(spec.NamespaceSelector) != "" {
		ns, ok := calicoSelector(spec.NamespaceSelector)
		if !ok {
			return def
		}
		r.namespaces = ns
	}
	types := [2]bool{len(spec.Ingress) > 0 || len(spec.Egress) == 0, len(spec.Egress) > 0}
	if len(spec.Types) > 0 {
		types = [2]bool{}
		for _, t := range spec.Types {
			switch Direction(t) {
			case Ingress:
				types[0] = true
			case Egress:
				types[1] = true
			}
		}
	}
	names := [2]string{"ingress", "egress"}
	for d, rules := range [2][]calicoRule{spec.Ingress, spec.Egress} {
		r.isolates[d] = types[d]
		if !types[d] {
			r.why[d] = who + " selects every pod but its types leave out " + string([]Direction{Ingress, Egress}[d])
		}
		r.allowsNone[d] = true
		for i, cr := range rules {
			e := calicoEgressRule(cr, i)
			if d == 1 && types[1] {
				r.egress = append(r.egress, e)
			}
			if (e.action == actionAllow && !(d == 1 && e.dnsOnly)) || e.action == actionPass {
				if r.allowsNone[d] && types[d] {
					r.why[d] = who + " selects every pod but allows " + names[d] + " (" + names[d] + " rule " + strconv.Itoa(i) + ")"
				}
				r.allowsNone[d] = false
			}
		}
	}
	def.rules, def.evaluable = []policyRule{r}, true
	return def
}

// calicoEgressRule reads a Calico rule as an egress rule: what it matches of traffic to an
// address outside the cluster.
func calicoEgressRule(cr calicoRule, i int) egressRule {
	e := egressRule{name: "egress rule " + strconv.Itoa(i), ordered: true, allPods: emptyJSON(cr.Source)}
	switch strings.ToLower(cr.Action) {
	case "deny":
		e.action = actionDeny
	case "pass":
		e.action = actionPass
	case "log":
		e.action = actionLog
	default:
		e.action = actionAllow
	}
	e.partial = !e.allPods || !emptyJSON(cr.HTTP) || (cr.NotProtocol != nil)
	proto := ""
	if cr.Protocol != nil {
		proto = calicoProtocol(string(*cr.Protocol))
	}
	if cr.IPVersion != nil && *cr.IPVersion == 6 {
		proto = "IPv6" // never IPv4 traffic
	}
	if cr.NotProtocol != nil && calicoProtocol(string(*cr.NotProtocol)) == "TCP" {
		proto = "not TCP"
	}
	d := cr.Destination
	for _, n := range d.Nets {
		if p, ok := parsePrefix(n); ok {
			e.nets = append(e.nets, cidrExcept{prefix: p})
		}
	}
	for _, n := range d.NotNets {
		if p, ok := parsePrefix(n); ok {
			e.notNets = append(e.notNets, p)
		}
	}
	// A destination selector, namespace selector, ServiceAccount, Service or domain names
	// endpoints or names, not an address outside the cluster.
	endpoints := strings.TrimSpace(d.Selector) != "" || strings.TrimSpace(d.NamespaceSelector) != "" ||
		!emptyJSON(d.ServiceAccounts) || !emptyJSON(d.Services) || len(d.Domains) > 0
	if strings.TrimSpace(d.NotSelector) != "" {
		e.partial = true
	}
	e.anyDest = len(d.Nets) == 0 && !endpoints
	if endpoints {
		e.nets = nil
	}
	e.ports = calicoPorts(d.Ports, proto)
	e.notPorts = calicoPorts(d.NotPorts, proto)
	if len(e.ports) == 0 && proto != "" {
		e.ports = []portRange{{protocol: proto, from: 0, to: math.MaxUint16}}
	}
	e.dnsOnly = dnsPorts(calicoPorts(d.Ports, proto))
	return e
}

func calicoProtocol(p string) string {
	switch strings.ToUpper(strings.TrimSpace(p)) {
	case "TCP", "6":
		return "TCP"
	case "UDP", "17":
		return "UDP"
	default:
		return strings.ToUpper(strings.TrimSpace(p))
	}
}

// calicoPorts reads Calico ports: numbers, "from:to" ranges and names.
func calicoPorts(ports []flexString, proto string) []portRange {
	var out []portRange
	for _, p := range ports {
		r := portRange{protocol: proto}
		s := strings.TrimSpace(string(p))
		from, to, isRange := strings.Cut(s, ":")
		a, errA := strconv.Atoi(from)
		b, errB := strconv.Atoi(to)
		switch {
		case isRange && errA == nil && errB == nil:
			r.from, r.to = a, b
		case !isRange && errA == nil:
			r.from, r.to = a, a
		default:
			r.named = true
		}
		out = append(out, r)
	}
	return out
}
