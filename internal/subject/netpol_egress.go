package subject

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type ruleAction int

const (
	actionAllow ruleAction = iota
	actionDeny
	actionPass // Calico: leave the tier's policies; the next tier decides
	actionLog  // Calico: log and go on
)

// egressRule is one egress rule of any engine, reduced to what decides whether it matches
// traffic to an address outside the cluster on a TCP port.
type egressRule struct {
	action ruleAction
	name   string // for messages: "egress rule 2", "egressDeny rule 0"
	// anyDest: no destination restriction (a Kubernetes rule without `to`, a Cilium rule with
	// toPorts only, a Calico rule without destination nets or selectors).
	anyDest bool
	// nets are the destination CIDRs it reaches, each with its exceptions; notNets those it
	// excludes (Calico).
	nets    []cidrExcept
	notNets []netip.Prefix
	// ports it matches (none: every port); notPorts those it excludes (Calico).
	ports, notPorts []portRange
	// partial: an L7 rule, a rule for some pods only, an unknown field: it may match, but
	// cannot be counted on to.
	partial bool
	// allPods: it applies to every pod its policy selects (a Calico rule with a source
	// restriction does not).
	allPods bool
	// ordered: Calico's rules are evaluated in order, the first match deciding; precedes: a
	// Cilium deny, which wins over any allow of any policy.
	ordered, precedes bool
	// dnsOnly: every port it allows is 53, for DNS (a default deny may keep that).
	dnsOnly bool
}

type cidrExcept struct {
	prefix netip.Prefix
	except []netip.Prefix
}

// portRange is a port or range of a protocol ("" for any); named ports are unknown numbers.
type portRange struct {
	protocol string
	from, to int
	named    bool
}

// matches reports whether the rule matches TCP traffic to addr:port. sure asks whether it
// certainly does (for a deny); otherwise whether it may (for an allow).
func (e egressRule) matches(addr netip.Addr, port int, sure bool) bool {
	if sure && e.partial {
		return false
	}
	if !e.portsMatch(port, sure) {
		return false
	}
	for _, n := range e.notNets {
		if n.Contains(addr) {
			return false
		}
	}
	if e.anyDest {
		return true
	}
	for _, n := range e.nets {
		if n.prefix.Contains(addr) && !containsAny(n.except, addr) {
			return true
		}
	}
	return false
}

func (e egressRule) portsMatch(port int, sure bool) bool {
	for _, p := range e.notPorts {
		if p.protocol != "" && p.protocol != "TCP" {
			continue
		}
		if p.named {
			if sure {
				return false // the excluded name may be this port
			}
			continue
		}
		if p.from <= port && port <= p.to {
			return false
		}
	}
	if len(e.ports) == 0 {
		return true
	}
	for _, p := range e.ports {
		if p.protocol != "" && p.protocol != "TCP" && p.protocol != "ANY" {
			continue
		}
		if p.named {
			if !sure {
				return true // a named port may be this one on the destination
			}
			continue
		}
		if p.from <= port && port <= p.to {
			return true
		}
	}
	return false
}

func containsAny(prefixes []netip.Prefix, addr netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parsePrefix reads a CIDR, or a bare address as its /32 or /128 (Cilium's toCIDR takes both).
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// dnsPorts reports whether every port of a list is 53 (and there is one).
func dnsPorts(ports []portRange) bool {
	if len(ports) == 0 {
		return false
	}
	for _, p := range ports {
		if p.named || p.from != 53 || p.to != 53 {
			return false
		}
	}
	return true
}

// k8sEgress reads a Kubernetes egress rule.
func k8sEgress(rule networkingv1.NetworkPolicyEgressRule, i int) egressRule {
	e := egressRule{action: actionAllow, name: "egress rule " + strconv.Itoa(i), allPods: true, anyDest: len(rule.To) == 0}
	for _, peer := range rule.To {
		if peer.IPBlock == nil {
			continue // pod and namespace selectors reach pods, not addresses outside the cluster
		}
		p, ok := parsePrefix(peer.IPBlock.CIDR)
		if !ok {
			continue
		}
		n := cidrExcept{prefix: p}
		for _, ex := range peer.IPBlock.Except {
			if x, ok := parsePrefix(ex); ok {
				n.except = append(n.except, x)
			}
		}
		e.nets = append(e.nets, n)
	}
	for _, p := range rule.Ports {
		r := portRange{protocol: string(corev1.ProtocolTCP)}
		if p.Protocol != nil {
			r.protocol = string(*p.Protocol)
		}
		switch {
		case p.Port == nil:
			r.from, r.to = 0, 65535
		case p.Port.Type == intstr.String:
			r.named = true
		default:
			r.from, r.to = int(p.Port.IntVal), int(p.Port.IntVal)
			if p.EndPort != nil {
				r.to = int(*p.EndPort)
			}
		}
		e.ports = append(e.ports, r)
	}
	e.dnsOnly = dnsPorts(e.ports)
	return e
}

// flexString is a JSON string or number as its text: ports and protocols are written both
// ways ("80", 80; "TCP", 6).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// emptyJSON reports whether a JSON value holds nothing: null, {}, [], "", or an object
// whose every field holds nothing.
func emptyJSON(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "", "null", "{}", "[]", `""`:
		return true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for _, v := range obj {
			if !emptyJSON(v) {
				return false
			}
		}
		return true
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		return len(arr) == 0
	}
	return false
}
