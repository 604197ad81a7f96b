// Package guardrails writes the namespace-level objects akscheck's checks ask for, sized from
// what a scan read of the namespace: a default-deny NetworkPolicy (DNS allowed, IMDS out of
// reach), a ResourceQuota and a LimitRange, PodDisruptionBudgets for replicated workloads and
// HorizontalPodAutoscaler skeletons (`akscheck generate guardrails`, docs/guardrails.md).
//
// What to generate is decided by the checks themselves: the front-end runs the checks of
// Checks over the scan and hands their findings here, and an object is written only for a
// finding it answers. An object the namespace already has (a default-deny policy that passes,
// a budget that covers a workload) is therefore never written again; Notes say what was left
// out and why.
package guardrails

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// The checks whose findings the guardrails answer: the front-end runs these (and only these,
// all on, whatever the config disables) to learn what the namespace lacks.
const (
	CheckDefaultDenyIngress = "default-deny-ingress"
	CheckDefaultDenyEgress  = "default-deny-egress"
	CheckBlockIMDS          = "block-imds"
	CheckResourceQuota      = "resource-quota"
	CheckLimitRange         = "limit-range"
	CheckPDBCoverage        = "pdb-coverage"
	CheckAutoscaling        = "autoscaling"
)

// Checks lists the IDs above.
var Checks = []string{CheckDefaultDenyIngress, CheckDefaultDenyEgress, CheckBlockIMDS, CheckResourceQuota,
	CheckLimitRange, CheckPDBCoverage, CheckAutoscaling}

// ManagedBy is the label every generated object carries.
const ManagedBy = "app.kubernetes.io/managed-by"

// Defaults of the options (docs/guardrails.md).
const (
	DefaultHeadroom       = 1.5
	DefaultScaleFactor    = 3.0
	DefaultCPUUtilization = 70
	DefaultMaxUnavailable = "1"
	DefaultNodes          = 3
)

// Options tune what is generated.
type Options struct {
	// Namespace is the namespace to write the guardrails for.
	Namespace string
	// Headroom multiplies the namespace's summed requests and limits into the quota (>= 1).
	Headroom float64
	// ScaleFactor multiplies a workload's replicas into its autoscaler's maxReplicas (> 1).
	ScaleFactor float64
	// CPUUtilization is the autoscalers' target average CPU utilization, in percent of the
	// request (1-100).
	CPUUtilization int32
	// MaxUnavailable is the budgets' maxUnavailable: a number >= 1 or a percentage 1%-99%.
	MaxUnavailable intstr.IntOrString
	// Nodes is how many nodes a DaemonSet's pods are counted on for the quota (>= 1).
	Nodes int
	// Settings are the checks' settings (which namespaces are the platform's own).
	Settings check.Settings
}

// DefaultOptions are the documented defaults for a namespace.
func DefaultOptions(namespace string) Options {
	return Options{Namespace: namespace, Headroom: DefaultHeadroom, ScaleFactor: DefaultScaleFactor,
		CPUUtilization: DefaultCPUUtilization, MaxUnavailable: intstr.FromInt32(1), Nodes: DefaultNodes}
}

// ParseMaxUnavailable reads a maxUnavailable flag: a whole number >= 1 or a percentage from
// 1% to 99% (0 or 100% would make a budget that blocks every drain, or none).
func ParseMaxUnavailable(s string) (intstr.IntOrString, error) {
	s = strings.TrimSpace(s)
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(pct)
		if err != nil || n < 1 || n > 99 {
			return intstr.IntOrString{}, fmt.Errorf("maxUnavailable %q: want a percentage from 1%% to 99%%", s)
		}
		return intstr.FromString(s), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > math.MaxInt32 {
		return intstr.IntOrString{}, fmt.Errorf("maxUnavailable %q: want a whole number of pods from 1 up, or a percentage", s)
	}
	return intstr.FromInt32(int32(n)), nil
}

func (o Options) validate() error {
	switch {
	case o.Namespace == "":
		return &InputError{Msg: "no namespace given"}
	case math.IsNaN(o.Headroom) || math.IsInf(o.Headroom, 0) || o.Headroom < 1 || o.Headroom > 100:
		return &InputError{Msg: fmt.Sprintf("headroom %v: want a factor from 1 to 100 (1.5 leaves half again the namespace's current size)", o.Headroom)}
	case math.IsNaN(o.ScaleFactor) || math.IsInf(o.ScaleFactor, 0) || o.ScaleFactor <= 1 || o.ScaleFactor > 100:
		return &InputError{Msg: fmt.Sprintf("scale factor %v: want a factor above 1 and at most 100", o.ScaleFactor)}
	case o.CPUUtilization < 1 || o.CPUUtilization > 100:
		return &InputError{Msg: fmt.Sprintf("CPU utilization %d: want a percentage from 1 to 100", o.CPUUtilization)}
	case o.Nodes < 1:
		return &InputError{Msg: fmt.Sprintf("nodes %d: want at least 1", o.Nodes)}
	}
	if _, err := ParseMaxUnavailable(o.MaxUnavailable.String()); err != nil {
		return &InputError{Msg: err.Error()}
	}
	return nil
}

// InputError is a request the input cannot answer: a namespace the scan does not hold, a
// system namespace, an option out of range.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

// Result is what Generate wrote.
type Result struct {
	Objects []Object
	// Notes say what was not generated and why, and what the guardrails cannot mend, one line
	// each, for standard error.
	Notes []string
}

// generator holds one run.
type generator struct {
	opts     Options
	ns       string
	ix       *subject.Index
	findings map[string][]report.Finding // by check ID, of the namespace
	res      *Result
	taken    map[string]bool // kind/name of the objects generated so far
	// hpaMax is the maxReplicas of the autoscalers generated, by workload, for the quota.
	hpaMax map[*subject.Workload]int32
}

// maxNamed is how many of the input's namespaces the error for an unknown one names.
const maxNamed = 10

// Generate writes the guardrails of opts.Namespace from the scan s and the findings of the
// checks of Checks over it.
func Generate(s *subject.Scan, findings []report.Finding, opts Options) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	ix := subject.NewIndexOf(s)
	ns := opts.Namespace
	var names []string
	found := false
	for _, sub := range ix.Subjects(subject.TypeOf[*subject.Namespace]()) {
		n, ok := sub.(*subject.Namespace)
		if !ok || n.Implicit {
			continue
		}
		names = append(names, n.Name)
		found = found || n.Name == ns
	}
	if !found {
		slices.Sort(names)
		known := "it holds no namespace"
		if len(names) > maxNamed {
			names = append(names[:maxNamed], fmt.Sprintf("and %d more", len(names)-maxNamed))
		}
		if len(names) > 0 {
			known = "its namespaces: " + strings.Join(names, ", ")
		}
		return nil, &InputError{Msg: fmt.Sprintf("namespace %s is not in the input (%s); name one of them, or give objects without a namespace to --namespace with the input that holds them", ns, known)}
	}
	if scope.System(&check.Env{Settings: opts.Settings}, ns) {
		return nil, &InputError{Msg: fmt.Sprintf("namespace %s is a system namespace (the systemNamespaces setting): akscheck's namespace checks leave it alone, and a default deny there would cut the platform's own traffic", ns)}
	}
	g := &generator{opts: opts, ns: ns, ix: ix, findings: map[string][]report.Finding{}, res: &Result{},
		taken: map[string]bool{}, hpaMax: map[*subject.Workload]int32{}}
	for _, f := range findings {
		if f.Object.Namespace == ns || (f.Object.Kind == "Namespace" && f.Object.Name == ns) {
			g.findings[f.Check] = append(g.findings[f.Check], f)
		}
	}
	if ns == "default" {
		g.note("namespace default: the default-namespace check reports every object in it, the generated ones too; move the workloads to a namespace of their own")
	}
	policy := g.networkPolicy()
	pdbs := g.budgets()
	hpas := g.autoscalers()
	lr, defaults := g.limitRange()
	quota := g.quota(defaults)
	for _, o := range []*Object{policy, quota, lr} {
		if o != nil {
			g.res.Objects = append(g.res.Objects, *o)
		}
	}
	g.res.Objects = append(g.res.Objects, pdbs...)
	g.res.Objects = append(g.res.Objects, hpas...)
	if len(ix.InNamespace("RoleBinding", ns)) == 0 {
		g.note("namespace %s has no RoleBinding: namespace-isolation asks for one (unless the cluster authorizes with Azure RBAC), and who may use the namespace is not for akscheck to write", ns)
	}
	return g.res, nil
}

func (g *generator) note(format string, args ...any) {
	g.res.Notes = append(g.res.Notes, fmt.Sprintf(format, args...))
}

func (g *generator) has(checkID string) bool { return len(g.findings[checkID]) > 0 }

// flagged returns the workloads of the namespace with a finding of the check.
func (g *generator) flagged(checkID string) map[*subject.Workload]bool {
	out := map[*subject.Workload]bool{}
	for _, f := range g.findings[checkID] {
		if o := g.ix.Get(f.Object.Kind, g.ns, f.Object.Name); o != nil {
			if w := g.ix.WorkloadOf(o); w != nil {
				out[w] = true
			}
		}
	}
	return out
}

// name returns a name for a new object of a kind: want, unless the namespace (or this run)
// has an object of that kind and name, which applying the new one would overwrite.
func (g *generator) name(kind, want string) string {
	name := want
	for i := 1; g.ix.Get(kind, g.ns, name) != nil || g.taken[kind+"/"+name]; i++ {
		name = want + "-guardrail"
		if i > 1 {
			name += "-" + strconv.Itoa(i)
		}
	}
	g.taken[kind+"/"+name] = true
	// A quota or limit range beside one that falls short is noted where it is sized.
	if name != want && g.ix.Get(kind, g.ns, want) != nil && kind != "ResourceQuota" && kind != "LimitRange" {
		g.note("%s %s exists and is not the guardrail (its check still finds one missing): the generated one is named %s, so applying it overwrites nothing; review the old one", kind, want, name)
	}
	return name
}

func (g *generator) meta(kind, want string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: g.name(kind, want), Namespace: g.ns, Labels: map[string]string{ManagedBy: "akscheck"}}
}

var imds = netip.MustParseAddr("169.254.169.254")

// networkPolicy writes the default-deny policy for the directions the namespace lacks one for:
// no ingress rule; one egress rule, DNS (UDP and TCP 53) to the kube-dns pods of kube-system
// (CoreDNS on AKS carries k8s-app: kube-dns). Nothing else leaves the pods, so the instance
// metadata service (169.254.169.254) is out of reach unless another policy lets it through,
// which no added policy can undo (policies only add allows): a note says so.
func (g *generator) networkPolicy() *Object {
	ingress, egress := g.has(CheckDefaultDenyIngress), g.has(CheckDefaultDenyEgress)
	if !ingress {
		g.note("skipped the default-deny ingress policy: %s already has one (%s)", subject.NamespaceNoun(g.ns), g.denier(subject.Ingress))
	}
	if !egress {
		g.note("skipped the default-deny egress policy: %s already has one (%s)", subject.NamespaceNoun(g.ns), g.denier(subject.Egress))
	}
	if g.has(CheckBlockIMDS) {
		if reach := subject.EgressTo(g.ix.NetworkPolicies(g.ns), imds, 80); reach.AllowedBy != nil {
			g.note("%s (%s) lets pods reach IMDS (169.254.169.254), which no added policy can take back: add except: [169.254.169.254/32] to its ipBlock (block-imds)",
				reach.AllowedBy.Title(), reach.AllowedRule)
		}
	}
	for _, w := range g.ix.WorkloadsIn(g.ns) {
		if w.Spec().HostNetwork {
			g.note("%s %s runs on the host network, where no network policy applies: it still reaches IMDS (imds-host-network)", w.Kind, w.Name())
		}
	}
	if !ingress && !egress {
		return nil
	}
	var types []networkingv1.PolicyType
	var comment []string
	want := "default-deny"
	switch {
	case ingress && egress:
		types = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
		comment = []string{"Default deny for every pod of " + g.ns + ": no ingress; egress only to DNS."}
	case ingress:
		types, want = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, "default-deny-ingress"
		comment = []string{"Default deny of ingress for every pod of " + g.ns + " (its egress default deny exists)."}
	default:
		types, want = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, "default-deny-egress"
		comment = []string{"Default deny of egress for every pod of " + g.ns + " but DNS (its ingress default deny exists)."}
	}
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: g.meta("NetworkPolicy", want),
		Spec:       networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{}, PolicyTypes: types},
	}
	if egress {
		udp, tcp, dns := corev1.ProtocolUDP, corev1.ProtocolTCP, intstr.FromInt32(53)
		np.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{
			To: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
			}},
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}, {Protocol: &tcp, Port: &dns}},
		}}
		comment = append(comment,
			"DNS: UDP and TCP 53 to the kube-dns (CoreDNS) pods of kube-system, as AKS labels them.",
			"IMDS (169.254.169.254) is unreachable: nothing but DNS may leave the pods.")
	}
	comment = append(comment, "Apply it with (or after) the policies that allow the flows the workloads need.")
	return &Object{Kind: "NetworkPolicy", Name: np.Name, Comment: header(comment), Obj: np}
}

// denier names the policy that is the namespace's default deny of a direction.
func (g *generator) denier(dir subject.Direction) string {
	for _, p := range g.ix.NetworkPolicies(g.ns) {
		if p.DeniesAll(dir) {
			return p.Title()
		}
	}
	return "the " + strings.ToLower(string(dir)) + " check passes"
}

// budgets writes a PodDisruptionBudget for each replicated workload no budget covers (the
// pdb-coverage check's findings): the workload's own selector, maxUnavailable from the
// options. A selector that also matches another workload's pods is skipped: its budget would
// count their pods too, and a pod under two budgets cannot be evicted at all.
func (g *generator) budgets() []Object {
	flagged := g.flagged(CheckPDBCoverage)
	var out []Object
	for _, w := range g.ix.WorkloadsIn(g.ns) {
		if w.Kind != "Deployment" && w.Kind != "StatefulSet" {
			continue
		}
		if !flagged[w] {
			if replicas := g.minReplicas(w); replicas >= 2 {
				g.note("skipped a PodDisruptionBudget for %s %s: %s", w.Kind, w.Name(), g.coveredBy(w))
			}
			continue
		}
		sel := selectorOf(w)
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || s.Empty() {
			g.note("skipped a PodDisruptionBudget for %s %s: its selector cannot be read (%v)", w.Kind, w.Name(), err)
			continue
		}
		var others []string
		for _, o := range g.ix.WorkloadsIn(g.ns) {
			if o != w && o.Kind != "Pod" && s.Matches(labels.Set(o.PodLabels())) {
				others = append(others, o.Kind+" "+o.Name())
			}
		}
		if len(others) > 0 {
			g.note("skipped a PodDisruptionBudget for %s %s: its selector also matches the pods of %s; a budget over both would mix their counts, and a pod under two budgets cannot be evicted: write it by hand with labels only its pods carry",
				w.Kind, w.Name(), strings.Join(others, ", "))
			continue
		}
		mu := g.opts.MaxUnavailable
		pdb := &policyv1.PodDisruptionBudget{
			TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
			ObjectMeta: g.meta("PodDisruptionBudget", w.Name()),
			Spec:       policyv1.PodDisruptionBudgetSpec{Selector: sel.DeepCopy(), MaxUnavailable: &mu},
		}
		out = append(out, Object{Kind: "PodDisruptionBudget", Name: pdb.Name, Obj: pdb, Comment: header([]string{
			fmt.Sprintf("Disruption budget for %s %s (%d replicas): drains evict at most %s of its pods at a time.", w.Kind, w.Name(), g.minReplicas(w), mu.String()),
			"It selects exactly the workload's pods: the workload's own selector.",
		})})
	}
	return out
}

// minReplicas is what pdb-coverage counts: the replicas, or an autoscaler's minimum when higher.
func (g *generator) minReplicas(w *subject.Workload) int32 {
	r := w.Replicas
	for _, h := range g.ix.HPAsFor(w.Object) {
		r = max(r, h.MinReplicas)
	}
	return r
}

func (g *generator) coveredBy(w *subject.Workload) string {
	for _, o := range g.ix.InNamespace("PodDisruptionBudget", g.ns) {
		pdb, ok := o.Body().(*policyv1.PodDisruptionBudget)
		if !ok || pdb.Spec.Selector == nil {
			continue
		}
		if s, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil && !s.Empty() && s.Matches(labels.Set(w.PodLabels())) {
			return "PodDisruptionBudget " + o.Name() + " covers it"
		}
	}
	return "the pdb-coverage check passes"
}

// selectorOf is a workload's selector; its pod template's labels when it declares none.
func selectorOf(w *subject.Workload) *metav1.LabelSelector {
	var sel *metav1.LabelSelector
	switch t := w.Body().(type) {
	case *appsv1.Deployment:
		sel = t.Spec.Selector
	case *appsv1.StatefulSet:
		sel = t.Spec.Selector
	}
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return &metav1.LabelSelector{MatchLabels: w.PodLabels()}
	}
	return sel
}

// autoscalers writes a HorizontalPodAutoscaler skeleton for each Deployment and StatefulSet
// nothing scales (the autoscaling check's findings): CPU utilization, minReplicas the current
// replicas, maxReplicas that times the scale factor. A workload whose containers do not all
// request CPU is skipped: utilization is a percentage of the request.
func (g *generator) autoscalers() []Object {
	flagged := g.flagged(CheckAutoscaling)
	var out []Object
	for _, w := range g.ix.WorkloadsIn(g.ns) {
		if w.Kind != "Deployment" && w.Kind != "StatefulSet" {
			continue
		}
		if !flagged[w] {
			g.note("skipped a HorizontalPodAutoscaler for %s %s: %s", w.Kind, w.Name(), g.scaledBy(w))
			continue
		}
		if w.Replicas < 1 {
			g.note("skipped a HorizontalPodAutoscaler for %s %s: it is scaled to 0 replicas", w.Kind, w.Name())
			continue
		}
		var missing []string
		for _, c := range w.AppContainers() {
			if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
				missing = append(missing, strconv.Quote(c.Name))
			}
		}
		if len(missing) > 0 {
			g.note("skipped a HorizontalPodAutoscaler for %s %s: container %s requests no CPU, and CPU utilization is a percentage of the request; set one, then generate again",
				w.Kind, w.Name(), strings.Join(missing, ", "))
			continue
		}
		minR := w.Replicas
		maxR := scaleUp(minR, g.opts.ScaleFactor)
		g.hpaMax[w] = maxR
		target := g.opts.CPUUtilization
		hpa := &autoscalingv2.HorizontalPodAutoscaler{
			TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
			ObjectMeta: g.meta("HorizontalPodAutoscaler", w.Name()),
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: w.Kind, Name: w.Name()},
				MinReplicas:    &minR,
				MaxReplicas:    maxR,
				Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
					Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &target}}}},
			},
		}
		comment := []string{
			fmt.Sprintf("Autoscaler skeleton for %s %s: CPU utilization target %d%% of the request.", w.Kind, w.Name(), target),
			fmt.Sprintf("minReplicas %d = its replicas today; maxReplicas %d = %d x %s (at least one more), for you to review.", minR, maxR, minR, trimFloat(g.opts.ScaleFactor)),
			"Remove spec.replicas from the workload's manifest once it applies, or each apply resets the scale.",
		}
		if w.Kind == "StatefulSet" {
			comment = append(comment, "A StatefulSet's replicas are members with their own data: scale one only if it adds them safely.")
		}
		out = append(out, Object{Kind: "HorizontalPodAutoscaler", Name: hpa.Name, Obj: hpa, Comment: header(comment)})
	}
	return out
}

func (g *generator) scaledBy(w *subject.Workload) string {
	if hs := g.ix.HPAsFor(w.Object); len(hs) > 0 {
		return "HorizontalPodAutoscaler " + hs[0].Name() + " scales it"
	}
	if why := w.LeaderElected(); why != "" {
		return "it elects a leader (" + why + "): more replicas add standbys, not capacity"
	}
	if _, ok := g.ix.ScaledObjectFor(w); ok {
		return "a KEDA ScaledObject scales it"
	}
	return "the autoscaling check does not ask for one"
}

// existingMax is the most replicas an existing autoscaler (HPA or KEDA ScaledObject) of the
// workload may scale it to; 0 when none does.
func existingMax(ix *subject.Index, w *subject.Workload) int32 {
	var m int32
	for _, h := range ix.HPAsFor(w.Object) {
		switch t := h.Body().(type) {
		case *autoscalingv2.HorizontalPodAutoscaler:
			m = max(m, t.Spec.MaxReplicas)
		case *autoscalingv1.HorizontalPodAutoscaler:
			m = max(m, t.Spec.MaxReplicas)
		}
	}
	if n, ok := ix.ScaledObjectFor(w); ok {
		m = max(m, n)
	}
	return m
}

func header(lines []string) []string {
	return append([]string{"Generated by akscheck generate guardrails."}, lines...)
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// scaleUp is an autoscaler's maxReplicas: replicas times the factor, rounded up, at least one
// more than replicas, at most the int32 maximum.
func scaleUp(replicas int32, factor float64) int32 {
	f := math.Ceil(float64(replicas) * factor)
	if f >= math.MaxInt32 || replicas == math.MaxInt32 {
		return math.MaxInt32
	}
	return max(int32(f), replicas+1)
}
