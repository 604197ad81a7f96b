package subject

import (
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// NetworkPolicyKinds are the kinds of network policy the model reads: Kubernetes (and
// Calico, whose namespaced policy is a NetworkPolicy too), Cilium, and the cluster-wide ones.
// Checks that read a namespace's policies list them in Requires.
var NetworkPolicyKinds = []string{"NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy"}

// Direction is a direction of traffic a network policy governs, as Kubernetes names it.
type Direction string

// Directions.
const (
	Ingress Direction = "Ingress"
	Egress  Direction = "Egress"
)

func (d Direction) index() int {
	if d == Egress {
		return 1
	}
	return 0
}

// NetworkPolicy is a network policy of any engine, as it applies to the pods of one
// namespace: a Kubernetes NetworkPolicy, a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy,
// a Calico NetworkPolicy or GlobalNetworkPolicy. The index binds a cluster-wide policy to each
// namespace it can apply to (In); a namespaced one is bound to its own namespace.
type NetworkPolicy struct {
	*Object
	// k8s is set on a Kubernetes policy (not Cilium's nor Calico's). A flag, not the typed
	// policy: what the checks read of it is compiled into def, and the view keeps no
	// pointer into the object's body, which a scan may pack once its own checks have run.
	k8s bool
	// In is the namespace whose pods the policy is judged for.
	In  string
	def *policyDef
	// podNS are the labels the engine gives every pod of In besides its own (Cilium's
	// io.kubernetes.pod.namespace, Calico's projectcalico.org/namespace…); nsLabels are In's
	// labels as a Calico namespaceSelector sees them.
	podNS, nsLabels labels.Set
}

// policyDef is what a policy says, whichever namespace it is judged in.
type policyDef struct {
	rules []policyRule
	// evaluable is false when a selector or a field could not be understood (Calico
	// expressions beyond the supported subset, a field of the wrong type); such a policy is
	// not counted.
	evaluable bool
	// clusterWide policies apply in every namespace their selectors allow.
	clusterWide bool
	// nsAware selectors see the namespace labels the engine adds to pods (Cilium, Calico).
	nsAware bool
	// order is Calico's policy order (lower first; +Inf when unset); Kubernetes and Cilium
	// policies are at 1000, where Calico puts Kubernetes NetworkPolicies.
	order float64
}

// policyRule is one selector of a policy with what it does to the pods it selects (a Cilium
// policy with specs has several).
type policyRule struct {
	pods labels.Selector
	// namespaces is a Calico GlobalNetworkPolicy's namespaceSelector; nil when it has none.
	namespaces labels.Selector
	// isolates: the selected pods are in default deny for the direction (Ingress, Egress).
	isolates [2]bool
	// allowsNone: the rule's allow rules let nothing through in the direction (egress to DNS
	// port 53 aside).
	allowsNone [2]bool
	// why an all-selecting rule is no default deny for the direction, for messages.
	why [2]string
	// egress are its egress rules in order, for the reach of one address.
	egress []egressRule
	// label prefixes rule names in messages ("specs[1] " for a Cilium policy with specs).
	label string
	// nodes: a Cilium host policy (nodeSelector), which selects nodes, never pods.
	nodes bool
	// idle says why a rule isolates in neither direction ("turns default deny off"), for
	// messages.
	idle string
}

// Selects reports whether the policy applies to pods of its namespace with the given labels;
// false when its selector cannot be evaluated.
func (p *NetworkPolicy) Selects(podLabels map[string]string) bool {
	for i := range p.def.rules {
		if p.ruleSelects(&p.def.rules[i], podLabels) {
			return true
		}
	}
	return false
}

// Isolates reports whether the policy puts pods with the given labels in default deny for
// some direction, so that they accept only the traffic policies allow. A Cilium policy that
// turns default deny off (enableDefaultDeny: false) selects pods without isolating them.
func (p *NetworkPolicy) Isolates(podLabels map[string]string) bool {
	for i := range p.def.rules {
		r := &p.def.rules[i]
		if (r.isolates[0] || r.isolates[1]) && p.ruleSelects(r, podLabels) {
			return true
		}
	}
	return false
}

// Governs reports whether the policy puts the pods it selects in default deny for a direction.
func (p *NetworkPolicy) Governs(dir Direction) bool {
	for i := range p.def.rules {
		if p.def.rules[i].isolates[dir.index()] {
			return true
		}
	}
	return false
}

// IsolationGap says, for a policy that selects pods with the given labels without isolating
// them, why ("turns default deny off"); "" otherwise.
func (p *NetworkPolicy) IsolationGap(podLabels map[string]string) string {
	if p.Isolates(podLabels) {
		return ""
	}
	for i := range p.def.rules {
		r := &p.def.rules[i]
		if r.idle != "" && p.ruleSelects(r, podLabels) {
			return p.Title() + " selects them but " + r.idle
		}
	}
	return ""
}

// Title names the policy for messages: its kind and name, "Calico " before the kinds Calico
// shares with Kubernetes.
func (p *NetworkPolicy) Title() string { return policyTitle(p.Object) }

func policyTitle(o *Object) string {
	if o.Kind == "NetworkPolicy" && o.Typed == nil {
		return "Calico " + o.Kind + " " + o.Meta.Name
	}
	return o.Kind + " " + o.Meta.Name
}

// Evaluable reports whether akscheck understands the policy's selectors and fields (not every
// Calico expression is); Selects is false for a policy it does not understand.
func (p *NetworkPolicy) Evaluable() bool { return p.def.evaluable }

// SelectsPods reports whether the policy is meant for pods at all: false for a Cilium host
// policy, whose nodeSelector selects nodes.
func (p *NetworkPolicy) SelectsPods() bool {
	for i := range p.def.rules {
		if !p.def.rules[i].nodes {
			return true
		}
	}
	return false
}

// SelectsAll reports whether the policy applies to every pod of its namespace.
func (p *NetworkPolicy) SelectsAll() bool {
	for i := range p.def.rules {
		if p.ruleSelectsAll(&p.def.rules[i]) {
			return true
		}
	}
	return false
}

// DeniesAll reports whether the policy puts every pod of its namespace in default deny for
// a direction and allows nothing in it (for egress, DNS on port 53 excepted): the namespace's
// default-deny policy. Kubernetes: an empty podSelector, the direction in policyTypes, no rules
// of it. Cilium: an endpointSelector selecting every pod with a non-empty ingress/egress (or
// ingressDeny/egressDeny) section whose allow rules are empty ({}), unless enableDefaultDeny
// turns it off. Calico: selector all() (or none), the direction in types, no Allow or Pass rule.
func (p *NetworkPolicy) DeniesAll(dir Direction) bool {
	d := dir.index()
	for i := range p.def.rules {
		r := &p.def.rules[i]
		if r.isolates[d] && r.allowsNone[d] && p.ruleSelectsAll(r) {
			return true
		}
	}
	return false
}

// DenyGap says why a policy that selects every pod of its namespace is no default deny for a
// direction ("allows ingress (rule 0)", "turns default deny off"…); "" when it is one, or
// selects only some pods.
func (p *NetworkPolicy) DenyGap(dir Direction) string {
	if p.DeniesAll(dir) {
		return ""
	}
	d := dir.index()
	for i := range p.def.rules {
		r := &p.def.rules[i]
		if r.why[d] != "" && p.ruleSelectsAll(r) {
			return r.why[d]
		}
	}
	return ""
}

func (p *NetworkPolicy) ruleSelects(r *policyRule, podLabels map[string]string) bool {
	if !p.def.evaluable || !p.namespaceMatches(r) {
		return false
	}
	if !p.def.nsAware || len(p.podNS) == 0 {
		return r.pods.Matches(labels.Set(podLabels))
	}
	all := make(labels.Set, len(podLabels)+len(p.podNS))
	for k, v := range podLabels {
		all[k] = v
	}
	for k, v := range p.podNS {
		all[k] = v
	}
	return r.pods.Matches(all)
}

func (p *NetworkPolicy) namespaceMatches(r *policyRule) bool {
	return r.namespaces == nil || r.namespaces.Matches(p.nsLabels)
}

// ruleSelectsAll reports whether a rule selects every pod of the namespace: its selector says
// nothing of the pods' own labels, and what it says of their namespace holds for In.
func (p *NetworkPolicy) ruleSelectsAll(r *policyRule) bool {
	if !p.def.evaluable || !p.namespaceMatches(r) {
		return false
	}
	reqs, selectable := r.pods.Requirements()
	if !selectable {
		return false
	}
	for _, req := range reqs {
		if !p.def.nsAware || !isNamespaceKey(req.Key()) || !req.Matches(p.podNS) {
			return false
		}
	}
	return true
}

// appliesIn reports whether a cluster-wide policy can select pods of its namespace at all: what
// its selectors say of namespaces holds for In.
func (p *NetworkPolicy) appliesIn() bool {
	if !p.def.evaluable {
		return false
	}
	for i := range p.def.rules {
		r := &p.def.rules[i]
		if !p.namespaceMatches(r) {
			continue
		}
		reqs, selectable := r.pods.Requirements()
		if !selectable {
			continue
		}
		ok := true
		for _, req := range reqs {
			if isNamespaceKey(req.Key()) && !req.Matches(p.podNS) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// readsNamespaceLabels reports whether the policy's selectors read labels of a namespace
// other than its name.
func (p *NetworkPolicy) readsNamespaceLabels() bool {
	for i := range p.def.rules {
		r := &p.def.rules[i]
		if r.namespaces != nil {
			reqs, _ := r.namespaces.Requirements()
			for _, req := range reqs {
				if req.Key() != calicoNameKey && req.Key() != k8sNameKey {
					return true
				}
			}
		}
		reqs, _ := r.pods.Requirements()
		for _, req := range reqs {
			k := req.Key()
			if (strings.HasPrefix(k, ciliumNamespaceLabel) || strings.HasPrefix(k, calicoNamespaceLabel)) && !strings.HasSuffix(k, k8sNameKey) {
				return true
			}
		}
	}
	return false
}

// Namespace-derived pod labels: Cilium gives every endpoint io.kubernetes.pod.namespace and
// its namespace's labels as io.cilium.k8s.namespace.labels.<key> (Cilium docs, "Endpoints
// Based" policies: namespaces); Calico gives workload endpoints projectcalico.org/namespace and
// inherits the namespace's labels as pcns.<key> (Calico docs, "Use namespace rules in policy").
const (
	ciliumNamespaceKey   = "io.kubernetes.pod.namespace"
	ciliumNamespaceLabel = "io.cilium.k8s.namespace.labels."
	calicoNamespaceKey   = "projectcalico.org/namespace"
	calicoNamespaceLabel = "pcns."
	calicoOrchestrator   = "projectcalico.org/orchestrator"
	// calicoNameKey is the namespace's name as Calico's namespaceSelector sees it.
	calicoNameKey = "projectcalico.org/name"
	// k8sNameKey is the label the API server sets on every namespace (Kubernetes 1.21+).
	k8sNameKey = "kubernetes.io/metadata.name"
)

func isNamespaceKey(k string) bool {
	return k == ciliumNamespaceKey || k == calicoNamespaceKey || k == calicoOrchestrator ||
		strings.HasPrefix(k, ciliumNamespaceLabel) || strings.HasPrefix(k, calicoNamespaceLabel)
}

// bind returns the policy as it applies to the pods of namespace ns, whose labels are
// nsLabels (nil when the Namespace object is not in the scan: only its name is known).
func (p *NetworkPolicy) bind(ns string, nsLabels map[string]string) *NetworkPolicy {
	b := *p
	b.In = ns
	b.podNS, b.nsLabels = namespaceLabels(ns, nsLabels)
	return &b
}

// namespaceLabels returns the labels the engine gives every pod of a namespace besides its
// own, and the namespace's labels as a Calico namespaceSelector sees them (see bind).
func namespaceLabels(ns string, nsLabels map[string]string) (pod, namespace labels.Set) {
	nl := labels.Set{k8sNameKey: ns, calicoNameKey: ns}
	pl := labels.Set{ciliumNamespaceKey: ns, calicoNamespaceKey: ns, calicoOrchestrator: "k8s"}
	for k, v := range nsLabels {
		nl[k] = v
		pl[ciliumNamespaceLabel+k] = v
		pl[calicoNamespaceLabel+k] = v
	}
	pl[ciliumNamespaceLabel+k8sNameKey] = ns
	pl[calicoNamespaceLabel+k8sNameKey] = ns
	return pl, nl
}

// namespaceSets holds, while an index is built, the label sets of each namespace its
// policies are bound to by name alone: the policies of a namespace share them (7 MB less
// for 7,000 policies), since bound policies only read them.
type namespaceSets map[string][2]labels.Set

// bindShared is bind with no namespace labels, taking the sets from shared.
func (p *NetworkPolicy) bindShared(ns string, shared namespaceSets) *NetworkPolicy {
	sets, ok := shared[ns]
	if !ok {
		sets[0], sets[1] = namespaceLabels(ns, nil)
		shared[ns] = sets
	}
	b := *p
	b.In = ns
	b.podNS, b.nsLabels = sets[0], sets[1]
	return &b
}

// ClusterWide reports whether the policy is cluster-scoped (CiliumClusterwideNetworkPolicy,
// GlobalNetworkPolicy) and applies to the namespaces its selectors allow.
func (p *NetworkPolicy) ClusterWide() bool { return p.def.clusterWide }

// newNetworkPolicy returns the policy view of an object, or nil when it is no network policy.
// A namespaced policy is bound to its own namespace; a cluster-wide one to none yet.
func newNetworkPolicy(o *Object) *NetworkPolicy { return newNetworkPolicyIn(o, namespaceSets{}) }

// newNetworkPolicyIn is newNetworkPolicy, binding with the label sets of shared.
func newNetworkPolicyIn(o *Object, shared namespaceSets) *NetworkPolicy {
	var def *policyDef
	k8s := false
	cilium := strings.HasPrefix(o.APIVersion, "cilium.io/")
	calico := strings.HasPrefix(o.APIVersion, "projectcalico.org/") || strings.HasPrefix(o.APIVersion, "crd.projectcalico.org/")
	switch {
	case o.Kind == "NetworkPolicy" && isK8sNetworkPolicy(o):
		// networking.k8s.io/v1, or extensions/v1beta1 decoded as it (DecodeTyped).
		k8s = true
		def = k8sPolicyDef(o.Body().(*networkingv1.NetworkPolicy))
	case cilium && (o.Kind == "CiliumNetworkPolicy" || o.Kind == "CiliumClusterwideNetworkPolicy"):
		def = ciliumPolicy(policyTitle(o), o.Raw())
		def.clusterWide = o.Kind == "CiliumClusterwideNetworkPolicy"
	case calico && (o.Kind == "NetworkPolicy" || o.Kind == "GlobalNetworkPolicy"):
		def = calicoPolicy(policyTitle(o), o.Raw(), o.Kind == "GlobalNetworkPolicy")
		def.clusterWide = o.Kind == "GlobalNetworkPolicy"
	default:
		return nil
	}
	p := &NetworkPolicy{Object: o, k8s: k8s, def: def}
	if def.clusterWide {
		return p
	}
	return p.bindShared(o.Namespace, shared)
}

func isK8sNetworkPolicy(o *Object) bool {
	_, ok := o.Body().(*networkingv1.NetworkPolicy)
	return ok
}

// Kubernetes reports whether the policy is a Kubernetes NetworkPolicy, not Cilium's nor
// Calico's.
func (p *NetworkPolicy) Kubernetes() bool { return p.k8s }

// k8sPolicyDef reads a Kubernetes NetworkPolicy. Without policyTypes, Ingress is implied, and
// Egress when egress rules exist.
func k8sPolicyDef(np *networkingv1.NetworkPolicy) *policyDef {
	s, err := selectorOf(&np.Spec.PodSelector)
	def := &policyDef{evaluable: err == nil, order: 1000}
	if err != nil {
		s = labels.Nothing()
	}
	r := policyRule{pods: s}
	// The reasons are read only of a rule that selects every pod (DenyGap), which a
	// Kubernetes policy's does only when its podSelector is empty: the others keep none (a
	// string each of most policies of a scan, otherwise).
	explains := s.Empty()
	spec := np.Spec
	for _, dir := range []Direction{Ingress, Egress} {
		d := dir.index()
		r.isolates[d] = hasPolicyType(spec, networkingv1.PolicyType(dir))
		if !r.isolates[d] && explains {
			r.why[d] = "NetworkPolicy " + np.Name + " selects every pod but its policyTypes leave out " + string(dir)
		}
	}
	r.allowsNone[0] = len(spec.Ingress) == 0
	if !r.allowsNone[0] && r.isolates[0] && explains {
		r.why[0] = "NetworkPolicy " + np.Name + " selects every pod but allows ingress (ingress rule 0)"
	}
	r.allowsNone[1] = true
	for i, e := range spec.Egress {
		rule := k8sEgress(e, i)
		r.egress = append(r.egress, rule)
		if !rule.dnsOnly && r.allowsNone[1] {
			r.allowsNone[1] = false
			if r.isolates[1] && explains {
				r.why[1] = "NetworkPolicy " + np.Name + " selects every pod but allows egress (egress rule " + itoa(i) + ")"
			}
		}
	}
	if !r.isolates[1] {
		r.egress = nil // egress rules of a policy that does not govern egress do nothing
	}
	def.rules = []policyRule{r}
	return def
}

func hasPolicyType(spec networkingv1.NetworkPolicySpec, dir networkingv1.PolicyType) bool {
	if len(spec.PolicyTypes) == 0 {
		return dir == networkingv1.PolicyTypeIngress || (dir == networkingv1.PolicyTypeEgress && len(spec.Egress) > 0)
	}
	for _, t := range spec.PolicyTypes {
		if t == dir {
			return true
		}
	}
	return false
}

// calico selectors: the common forms all(), has(k), !has(k), k == 'v', k != 'v',
// k in {'a', 'b'}, k not in {…}, joined by && (Calico docs, "Selectors" in the NetworkPolicy
// reference). Anything else leaves the policy unevaluated.
var (
	calicoEq  = regexp.MustCompile(`^([A-Za-z0-9_./-]+)\s*(==|!=)\s*['"]([^'"]*)['"]$`)
	calicoHas = regexp.MustCompile(`^(!\s*)?has\(\s*([A-Za-z0-9_./-]+)\s*\)$`)
	calicoIn  = regexp.MustCompile(`^([A-Za-z0-9_./-]+)\s+(not\s+in|in)\s*\{([^{}]*)\}$`)
)

// calicoSelector parses a Calico selector; an empty one (or all()) selects everything.
func calicoSelector(expr string) (labels.Selector, bool) {
	expr = strings.TrimSpace(expr)
	sel := labels.NewSelector()
	if expr == "" || expr == "all()" {
		return sel, true
	}
	for _, term := range strings.Split(expr, "&&") {
		term = strings.TrimSpace(term)
		if term == "all()" {
			continue
		}
		var req *labels.Requirement
		var err error
		if m := calicoEq.FindStringSubmatch(term); m != nil {
			op := selection.Equals
			if m[2] == "!=" {
				op = selection.NotEquals
			}
			req, err = labels.NewRequirement(m[1], op, []string{m[3]})
		} else if m := calicoIn.FindStringSubmatch(term); m != nil {
			var values []string
			for _, v := range strings.Split(m[3], ",") {
				v = strings.TrimSpace(v)
				if len(v) < 2 || (v[0] != '\'' && v[0] != '"') || v[len(v)-1] != v[0] {
					return nil, false
				}
				values = append(values, v[1:len(v)-1])
			}
			op := selection.In
			if strings.HasPrefix(m[2], "not") {
				op = selection.NotIn
			}
			req, err = labels.NewRequirement(m[1], op, values)
		} else if h := calicoHas.FindStringSubmatch(term); h != nil {
			op := selection.Exists
			if h[1] != "" {
				op = selection.DoesNotExist
			}
			req, err = labels.NewRequirement(h[2], op, nil)
		} else {
			return nil, false
		}
		if err != nil {
			return nil, false
		}
		sel = sel.Add(*req)
	}
	return sel, true
}

func itoa(i int) string { return strconv.Itoa(i) }

// EgressReach is what the network policies of a namespace say of egress from its pods to one
// address and TCP port.
type EgressReach struct {
	// DeniedBy is the policy whose deny rule stops that egress for every pod of the namespace
	// before any allow rule lets it through (a Cilium egressDeny, which takes precedence over
	// every allow; a Calico Deny rule in a policy ordered before the allows); nil when none.
	DeniedBy   *NetworkPolicy
	DeniedRule string
	// AllowedBy is a policy with a rule that lets (some of) the pods reach it, and that rule
	// ("egress rule 2"); nil when none.
	AllowedBy   *NetworkPolicy
	AllowedRule string
}

// EgressTo judges the policies of a namespace (Index.NetworkPolicies) on egress to addr on TCP
// port. An allow may match: a named port, an L7 rule or a rule for some pods still allows; a
// deny must match for sure, for every pod.
func EgressTo(policies []*NetworkPolicy, addr netip.Addr, port int) EgressReach {
	var out EgressReach
	denyAt, allowAt := math.Inf(1), math.Inf(1)
	denied, allowed := false, false
	for _, p := range policies {
		v := p.egressVerdict(addr, port)
		if v.deny && (!denied || v.at < denyAt) {
			denied, denyAt, out.DeniedBy, out.DeniedRule = true, v.at, p, v.rule
		}
		if v.allow && (!allowed || v.at < allowAt) {
			allowed, allowAt, out.AllowedBy, out.AllowedRule = true, v.at, p, v.rule
		}
	}
	// A tie goes to the allow: when the order cannot tell, the address may be reachable.
	if denied && allowed && denyAt >= allowAt {
		out.DeniedBy, out.DeniedRule = nil, ""
	}
	if out.DeniedBy != nil {
		out.AllowedBy, out.AllowedRule = nil, ""
	}
	return out
}

type verdict struct {
	allow, deny bool
	rule        string
	// at is when the verdict is reached among policies: Calico's order, -Inf for a Cilium deny.
	at float64
}

func (p *NetworkPolicy) egressVerdict(addr netip.Addr, port int) verdict {
	var v verdict
	if !p.def.evaluable {
		return v
	}
	for i := range p.def.rules {
		r := &p.def.rules[i]
		if !p.namespaceMatches(r) {
			continue
		}
		all := p.ruleSelectsAll(r)
	rules:
		for _, e := range r.egress {
			switch {
			case e.action == actionDeny && e.matches(addr, port, true):
				if !all || !e.allPods {
					continue // stops only some pods: look further
				}
				at := p.def.order
				if e.precedes {
					at = math.Inf(-1)
				}
				if !v.deny || at < v.at {
					v = verdict{deny: true, rule: r.label + e.name, at: at}
				}
			case e.action == actionAllow && e.matches(addr, port, false):
				if !v.deny && !v.allow {
					v = verdict{allow: true, rule: r.label + e.name, at: p.def.order}
				}
			case e.action == actionPass && e.ordered && e.matches(addr, port, false):
				// Calico's Pass leaves the policy: the next tier decides, which may allow.
				if !v.deny && !v.allow {
					v = verdict{allow: true, rule: r.label + e.name, at: p.def.order}
				}
			default:
				continue
			}
			if e.ordered {
				break rules // Calico: the first rule that matches decides
			}
		}
	}
	return v
}
