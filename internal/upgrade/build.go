package upgrade

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/kubeapi"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options are what a plan is built with besides the scan.
type Options struct {
	// To is the target minor (ParseTarget's answer); "" plans to the next minor.
	To string
	// Data is the AKS version data the steps are judged by (--versions-file, else the
	// shipped calendar).
	Data *aksversion.Data
	Now  time.Time
	// Name names the cluster when the inputs give it no name of its own (a kube context).
	Name string
}

// InputError is a plan that cannot be made as asked: a target older than the cluster, a
// target the version data does not know, no version to plan from.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// Build makes the plan of what a scan read (s) and the engine judged (rep).
func Build(s *subject.Scan, rep *report.Report, opts Options) (*Plan, error) {
	if opts.Data == nil || len(opts.Data.Minors) == 0 {
		return nil, errors.New("upgrade plan without version data")
	}
	b := &builder{scan: s, rep: rep, opts: opts, ix: subject.NewIndexOf(s)}
	clusters := clustersOf(s)
	if len(clusters) > 1 {
		return nil, inputErr("the inputs describe %d AKS clusters; upgrade-plan plans one (give one cluster's files, or one --context)", len(clusters))
	}
	if len(clusters) == 1 {
		b.cluster = clusters[0]
		b.opts.Data = withRegionVersions(opts.Data, b.cluster.Versions)
	}
	if err := b.target(); err != nil {
		return nil, err
	}
	p := b.plan
	p.SchemaVersion = SchemaVersion
	p.Tool = rep.Tool
	p.GeneratedAt = rep.GeneratedAt
	p.Inputs, p.Errors, p.Notices = rep.Inputs, rep.Errors, rep.Notices
	p.Data = DataSource{Source: opts.Data.Source, AsOf: opts.Data.AsOf}

	b.add(sectPath, b.pathFindings()...)
	b.add(sectAPIs, b.apiFindings()...)
	b.add(sectDrain, b.drainFindings()...)
	b.add(sectCap, b.capacityFindings()...)
	b.add(sectAKS, b.aksChanges()...)
	b.finish()
	return p, nil
}

type builder struct {
	scan    *subject.Scan
	rep     *report.Report
	opts    Options
	ix      *subject.Index
	cluster *subject.Cluster
	// current is the control plane's minor ("" when unknown); lts its long-term support.
	current string
	lts     bool
	plan    *Plan
	found   map[string][]Finding
	reasons map[string]string
}

func clustersOf(s *subject.Scan) []*subject.Cluster {
	var out []*subject.Cluster
	for _, o := range s.Others {
		if c, ok := o.(*subject.Cluster); ok {
			out = append(out, c)
		}
	}
	return out
}

func minorNum(v string) int {
	p := aksversion.Parts(v)
	if len(p) < 2 {
		return -1
	}
	return p[1]
}

func minorString(n int) string { return "1." + strconv.Itoa(n) }

// withRegionVersions adds the patches and minors of the region's az aks get-versions output,
// when the inputs hold it, to the calendar's dates.
func withRegionVersions(data *aksversion.Data, kv *subject.KubernetesVersions) *aksversion.Data {
	if kv == nil || len(kv.Minors) == 0 {
		return data
	}
	region := &aksversion.Data{Live: true}
	for _, m := range kv.Minors {
		patches := slices.Clone(m.Patches)
		slices.SortFunc(patches, aksversion.Compare)
		region.Minors = append(region.Minors, aksversion.Minor{Version: aksversion.MinorOf(m.Version), Preview: m.IsPreview, Patches: patches})
	}
	merged := *data
	merged.Minors = aksversion.Merge(data.Minors, region)
	merged.Source += "; patches from az aks get-versions in the inputs"
	return &merged
}

// target decides the target and the path, or says why it cannot.
func (b *builder) target() error {
	b.plan = &Plan{}
	b.found, b.reasons = map[string][]Finding{}, map[string]string{}
	data := b.opts.Data
	newest := data.Minors[len(data.Minors)-1].Version
	if c := b.cluster; c != nil {
		v := c.CurrentKubernetesVersion
		if !v.IsKnown() || v.V == "" {
			v = c.KubernetesVersion
		}
		if v.IsKnown() && aksversion.MinorOf(v.V) != "" {
			b.current = aksversion.MinorOf(v.V)
		}
		b.lts = c.SupportPlan.Is("AKSLongTermSupport") && c.SKUTier.Is("Premium")
		name := c.Name
		if name == "" {
			name = b.opts.Name
		}
		b.plan.Cluster = &Cluster{Name: name, Current: v.V, LTS: b.lts, Location: toLocation(c.At(v.Loc))}
		if !v.IsKnown() {
			b.plan.Cluster.Current = ""
		}
	}
	target, from := b.opts.To, "--to"
	switch {
	case target == "" && b.current == "":
		return inputErr("no Kubernetes version of a cluster in the inputs to plan from: give --to 1.N (and the cluster's az aks show output, or --cluster)")
	case target == "":
		target, from = b.defaultTarget()
		if target == "" {
			return inputErr("Kubernetes %s is the newest minor the version data knows (as of %s): there is nothing to upgrade to; give --versions-file with newer az aks get-versions output", b.current, orUnknown(data.AsOf))
		}
	}
	if data.Find(target) == nil {
		return inputErr("no AKS version data for Kubernetes %s: the data (%s, as of %s) lists %s to %s; give --versions-file with newer az aks get-versions output",
			target, data.Source, orUnknown(data.AsOf), data.Minors[0].Version, newest)
	}
	if b.current != "" && aksversion.Compare(target, b.current) < 0 {
		return inputErr("--to %s is older than the cluster's Kubernetes %s: AKS does not downgrade", target, b.current)
	}
	b.plan.Target, b.plan.TargetFrom = target, from
	b.plan.Path = []Step{}
	if b.current == "" {
		b.plan.Path = append(b.plan.Path, b.step(target))
		return nil
	}
	for n := minorNum(b.current) + 1; n <= minorNum(target); n++ {
		m := minorString(n)
		if data.Find(m) == nil {
			return inputErr("no AKS version data for Kubernetes %s, a step of the path to %s: give --versions-file with newer az aks get-versions output", m, target)
		}
		b.plan.Path = append(b.plan.Path, b.step(m))
	}
	return nil
}

// defaultTarget is the next minor (the upgrade profile's, else the calendar's), or the
// oldest minor in support when the next one is not: an upgrade should end in support.
func (b *builder) defaultTarget() (string, string) {
	data := b.opts.Data
	next := minorString(minorNum(b.current) + 1)
	from := "calendar"
	if b.cluster.Upgrades != nil {
		for _, u := range b.cluster.Upgrades.Upgrades {
			if m := aksversion.MinorOf(u); m == next {
				from = "upgrade-profile"
			}
		}
	}
	if data.Find(next) == nil {
		return "", from
	}
	target := next
	for _, m := range data.Minors {
		if aksversion.Compare(m.Version, target) > 0 && !b.supported(target) && b.supported(m.Version) {
			target = m.Version
			break
		}
	}
	return target, from
}

func (b *builder) supported(minor string) bool {
	st := b.step(minor).Support
	return st == SupportStandard || (st == SupportLTSOnly && b.lts)
}

// step judges one minor on the plan's date.
func (b *builder) step(minor string) Step {
	data := b.opts.Data
	st := Step{Version: minor}
	m := data.Find(minor)
	if m == nil {
		return st
	}
	st.EndOfLife, st.LTSEndOfLife = m.EndOfLife, m.LTSEndOfLife
	ga, err := time.Parse(time.DateOnly, m.GA)
	switch {
	case m.Preview || (err == nil && b.opts.Now.Before(ga)):
		st.Support = SupportPreview
	case data.Judge(minor, false, b.opts.Now).Supported:
		st.Support = SupportStandard
	case data.Judge(minor, true, b.opts.Now).Supported:
		st.Support = SupportLTSOnly
	default:
		st.Support = SupportEndOfLife
	}
	st.Patch = b.patchOf(minor, m)
	return st
}

// patchOf is the newest patch of a minor the cluster's upgrade profile, else the version
// data, offers.
func (b *builder) patchOf(minor string, m *aksversion.Minor) string {
	best := ""
	if b.cluster != nil && b.cluster.Upgrades != nil {
		for _, u := range b.cluster.Upgrades.Upgrades {
			if aksversion.MinorOf(u) == minor && len(aksversion.Parts(u)) == 3 && (best == "" || aksversion.Compare(u, best) > 0) {
				best = u
			}
		}
	}
	if best == "" && len(m.Patches) > 0 {
		best = m.Patches[len(m.Patches)-1]
	}
	return best
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// finding makes a finding of a rule.
func finding(ruleID, format string, args ...any) Finding {
	r, ok := RuleByID(ruleID)
	if !ok {
		panic("upgrade: unknown rule " + ruleID)
	}
	return Finding{Rule: r.ID, Severity: r.Severity, Blocking: r.Blocking, Message: fmt.Sprintf(format, args...), Remediation: r.Remediation}
}

func (b *builder) add(section string, fs ...Finding) {
	b.found[section] = append(b.found[section], fs...)
}

func (b *builder) pathFindings() []Finding {
	var out []Finding
	p := b.plan
	if b.current == "" {
		b.reasons[sectPath] = "no cluster version in the inputs: the objects are judged against " + p.Target + " alone"
	}
	for i, st := range p.Path {
		last := i == len(p.Path)-1
		switch {
		case last && (st.Support == SupportPreview || st.Support == SupportEndOfLife || (st.Support == SupportLTSOnly && !b.lts)):
			f := finding("upgrade-target-unsupported", "the target Kubernetes %s is %s on %s", st.Version, supportWords(st), b.opts.Now.Format(time.DateOnly))
			f.Step = st.Version
			out = append(out, f)
		case !last && st.Support != SupportStandard && !(st.Support == SupportLTSOnly && b.lts):
			f := finding("upgrade-step-unsupported", "step Kubernetes %s is %s on %s: pass through it to %s without stopping", st.Version, supportWords(st), b.opts.Now.Format(time.DateOnly), p.Target)
			f.Step = st.Version
			out = append(out, f)
		}
	}
	if b.cluster == nil || b.current == "" {
		return out
	}
	// Each step upgrades the pools with the control plane (az aks upgrade), so the skew
	// that matters is the first step's.
	first, firstStep := minorNum(b.current), b.current
	if len(p.Path) > 0 {
		first, firstStep = minorNum(p.Path[0].Version), p.Path[0].Version
	}
	for _, pool := range b.cluster.Pools {
		pv := pool.CurrentOrchestratorVersion
		if !pv.IsKnown() || pv.V == "" {
			pv = pool.OrchestratorVersion
		}
		n := minorNum(pv.V)
		if !pv.IsKnown() || n < 0 {
			continue
		}
		var f Finding
		switch {
		case first-n > 2:
			f = finding("upgrade-pool-skew", "node pool %s runs Kubernetes %s: with the control plane at %s it would be %d minors behind (at most 2)", pool.Name, pv.V, firstStep, first-n)
			f.Step = firstStep
		case n < minorNum(b.current):
			f = finding("upgrade-pool-behind", "node pool %s runs Kubernetes %s, behind the control plane's %s", pool.Name, pv.V, b.current)
		default:
			continue
		}
		f.Object = poolObject(pool)
		f.Location = toLocation(b.cluster.At(pv.Loc))
		out = append(out, f)
	}
	return out
}

func supportWords(st Step) string {
	switch st.Support {
	case SupportPreview:
		return "not generally available yet"
	case SupportLTSOnly:
		return "past its end of standard support (" + st.EndOfLife + "; long-term support only)"
	case SupportEndOfLife:
		return "past its end of life (" + orUnknown(st.EndOfLife) + ")"
	}
	return "supported"
}

func poolObject(p *subject.NodePool) report.Object {
	return report.Object{Kind: "AgentPool", Name: p.Name}
}

func toLocation(l subject.Location) report.Location {
	line := l.Line
	if line < 0 {
		line = 0
	}
	return report.Location{File: l.File, Line: line, Path: l.Path}
}

// ref names an object in messages: Deployment shop/web.
func ref(o *subject.Object) string {
	if o.Namespace == "" {
		return o.Kind + " " + o.Name()
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name()
}

func objectOf(o *subject.Object, apiVersion string) report.Object {
	return report.Object{APIVersion: apiVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name()}
}

// apiFindings finds the objects that use an apiVersion the path removes or deprecates.
func (b *builder) apiFindings() []Finding {
	var out []Finding
	engine := b.engineObjects("removed-api")
	for _, o := range b.scan.Objects {
		versions, via := []string{o.APIVersion}, "manifest"
		if o.Live() {
			versions, via = o.WrittenAs(), "last-applied"
		}
		for _, v := range versions {
			f, ok := b.apiFinding(v, o.Kind, o.Live())
			if !ok {
				continue
			}
			f.Object = objectOf(o, v)
			f.Via = via
			if !o.Live() {
				f.Location = toLocation(o.At("apiVersion"))
				if engine[objectKey(f.Object)] {
					f.Check = "removed-api"
				}
			}
			f.Message = fmt.Sprintf("%s %s", ref(o), f.Message)
			out = append(out, f)
		}
	}
	for _, other := range b.scan.Others {
		h, ok := other.(*subject.HelmRelease)
		if !ok {
			continue
		}
		for _, ho := range h.Objects {
			f, ok := b.apiFinding(ho.APIVersion, ho.Kind, false)
			if !ok {
				continue
			}
			f.Object = report.Object{APIVersion: ho.APIVersion, Kind: ho.Kind, Namespace: ho.Namespace, Name: ho.Name}
			f.Via = "helm-release"
			f.Message = fmt.Sprintf("%s %s of Helm release %s/%s (revision %d) %s; the next helm upgrade or rollback applies it again",
				ho.Kind, ho.Name, h.Namespace, h.Name, h.Revision, f.Message)
			out = append(out, f)
		}
	}
	return out
}

// apiFinding judges one apiVersion of a kind against the path. live is true for what a
// running cluster already holds (converted by the API server).
func (b *builder) apiFinding(apiVersion, kind string, live bool) (Finding, bool) {
	d, ok := kubeapi.Lookup(apiVersion, kind)
	if !ok {
		return Finding{}, false
	}
	target := b.plan.Target
	replacement := "use " + d.Replacement
	if d.Replacement == "" {
		replacement = "no replacement: " + d.Note
	} else if d.Note != "" {
		replacement += " (" + d.Note + ")"
	}
	switch {
	case d.Removed() && b.current != "" && live && aksversion.Compare(d.RemovedIn, b.current) <= 0:
		// The cluster converted it long ago; what still writes it fails today, not at the
		// upgrade.
		f := finding("upgrade-deprecated-api", "was written as %s, which Kubernetes %s already does not serve (removed in %s): the next apply fails; %s",
			apiVersion, b.current, d.RemovedIn, replacement)
		return f, true
	case d.Removed() && aksversion.Compare(d.RemovedIn, target) <= 0:
		f := finding("upgrade-removed-api", "uses %s, removed in Kubernetes %s: %s", apiVersion, d.RemovedIn, replacement)
		f.Step = d.RemovedIn
		if b.current != "" && aksversion.Compare(d.RemovedIn, b.current) <= 0 {
			f.Step = ""
			f.Message = fmt.Sprintf("uses %s, removed in Kubernetes %s (the cluster's %s already rejects it): %s", apiVersion, d.RemovedIn, b.current, replacement)
		}
		return f, true
	case d.DeprecatedIn != "" && aksversion.Compare(d.DeprecatedIn, target) <= 0:
		msg := fmt.Sprintf("uses %s, deprecated in Kubernetes %s", apiVersion, d.DeprecatedIn)
		if d.Removed() {
			msg += ", removed in " + d.RemovedIn
		}
		f := finding("upgrade-deprecated-api", "%s: %s", msg, replacement)
		return f, true
	}
	return Finding{}, false
}

func objectKey(o report.Object) string { return o.Kind + "\x00" + o.Namespace + "\x00" + o.Name }

// engineObjects are the objects the engine's check found something on.
func (b *builder) engineObjects(checkID string) map[string]bool {
	out := map[string]bool{}
	for _, f := range b.rep.Findings {
		if f.Check == checkID {
			out[objectKey(f.Object)] = true
		}
	}
	return out
}

// drainFindings finds what blocks or slows the drain of the nodes.
func (b *builder) drainFindings() []Finding {
	var out []Finding
	if len(b.scan.Objects) == 0 {
		b.reasons[sectDrain] = "no Kubernetes objects in the inputs (give the manifests, or --cluster)"
	}
	// The engine's verdicts on budgets first: pdb-blocks-eviction judges maxUnavailable 0 and
	// minAvailable at or above the replicas.
	blocked := map[string]bool{}
	for _, f := range b.rep.Findings {
		if f.Check != "pdb-blocks-eviction" {
			continue
		}
		pf := finding("upgrade-pdb-blocks", "%s", f.Message)
		pf.Object, pf.Location, pf.Check = f.Object, f.Location, f.Check
		blocked[objectKey(f.Object)] = true
		out = append(out, pf)
	}
	// A running cluster says what a budget allows now: minAvailable equal to the ready
	// replicas allows no disruption even when the spec's replicas would.
	for _, o := range b.ix.OfKind("PodDisruptionBudget") {
		pdb, ok := o.Body().(*policyv1.PodDisruptionBudget)
		if !ok || !o.Live() || blocked[objectKey(objectOf(o, ""))] {
			continue
		}
		st := pdb.Status
		if st.ObservedGeneration > 0 && st.ExpectedPods > 0 && st.DisruptionsAllowed == 0 {
			f := finding("upgrade-pdb-blocks", "%s allows no disruption now: %d of %d pods are healthy and it requires %d",
				ref(o), st.CurrentHealthy, st.ExpectedPods, st.DesiredHealthy)
			f.Object = objectOf(o, o.APIVersion)
			out = append(out, f)
		}
	}
	for _, w := range b.ix.Workloads() {
		o := w.Object
		if w.Kind == "Pod" && metav1.GetControllerOfNoCopy(o.Meta) == nil && o.Meta.Annotations[corev1.MirrorPodAnnotationKey] == "" {
			f := finding("upgrade-bare-pod", "%s has no controller: the drain deletes it and nothing recreates it", ref(o))
			f.Object, f.Location = objectOf(o, o.APIVersion), toLocation(o.Source)
			out = append(out, f)
		}
		if (w.Kind == "Deployment" || w.Kind == "StatefulSet") && w.HasReplicas && w.Replicas == 1 && b.hpaMin(o) <= 1 {
			if pdb := b.budgetOf(w); pdb != nil {
				f := finding("upgrade-single-replica-pdb", "%s runs 1 replica under PodDisruptionBudget %s: its drain waits for the budget, then the workload is down until the pod runs elsewhere",
					ref(o), pdb.Name())
				f.Object, f.Location = objectOf(o, o.APIVersion), toLocation(o.At(w.TemplateMetaPath()+".labels"))
				out = append(out, f)
			}
		}
		// DaemonSets' pods are not drained; an owned object is judged at its controller.
		if w.Kind == "DaemonSet" || metav1.GetControllerOfNoCopy(o.Meta) != nil {
			continue
		}
		if vols := localVolumes(w.Spec()); len(vols) > 0 {
			f := finding("upgrade-local-storage", "%s keeps data on its node (%s): the drain loses it", ref(o), strings.Join(vols, ", "))
			f.Object, f.Location = objectOf(o, o.APIVersion), toLocation(o.At(w.SpecPath()+".volumes"))
			out = append(out, f)
		}
	}
	if b.cluster != nil {
		for _, p := range b.cluster.Pools {
			f := finding("upgrade-pool-settings", "node pool %s: maxSurge %s, drainTimeoutInMinutes %s, nodeSoakDurationInMinutes %s",
				p.Name, strOr(p.MaxSurge, "unset (AKS default)"), intOr(p.DrainTimeoutInMinutes, "unset (AKS default 30)"), intOr(p.NodeSoakDurationInMinutes, "unset (0)"))
			f.Object = poolObject(p)
			f.Location = toLocation(b.cluster.At(p.MaxSurge.Loc))
			out = append(out, f)
		}
	}
	return out
}

func (b *builder) hpaMin(o *subject.Object) int32 {
	var m int32
	for _, h := range b.ix.HPAsFor(o) {
		m = max(m, h.MinReplicas)
	}
	return m
}

// budgetOf returns a budget of the workload's namespace that selects its pods.
func (b *builder) budgetOf(w *subject.Workload) *subject.Object {
	for _, o := range b.ix.InNamespace("PodDisruptionBudget", w.Namespace) {
		pdb, ok := o.Body().(*policyv1.PodDisruptionBudget)
		if !ok || pdb.Spec.Selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(w.PodLabels())) {
			return o
		}
	}
	return nil
}

// localVolumes names the volumes whose data stays on the node.
func localVolumes(spec *corev1.PodSpec) []string {
	var out []string
	for _, v := range spec.Volumes {
		switch {
		case v.EmptyDir != nil:
			out = append(out, "emptyDir "+v.Name)
		case v.HostPath != nil:
			out = append(out, "hostPath "+v.Name)
		}
	}
	return out
}

func strOr(s subject.String, def string) string {
	if s.IsKnown() && s.V != "" {
		return s.V
	}
	if s.IsUnknown() {
		return "unknown"
	}
	return def
}

func intOr(i subject.Int, def string) string {
	if i.IsKnown() {
		return strconv.FormatInt(int64(i.V), 10)
	}
	if i.IsUnknown() {
		return "unknown"
	}
	return def
}

// azureCNIDefaultMaxPods is Azure CNI's (without overlay) default pods per node.
const azureCNIDefaultMaxPods = 30

// capacityFindings counts the addresses the surge nodes take from each pool's subnet.
func (b *builder) capacityFindings() []Finding {
	if b.cluster == nil {
		b.reasons[sectCap] = "no AKS cluster in the inputs (az aks show output, a template, Terraform, or --azure)"
		return nil
	}
	b.reasons[sectCap] = "the region's vCPU quota is not read, nor the free addresses of subnets the inputs do not hold (az network vnet subnet show): compare them with the counts below"
	c := b.cluster
	podsFromSubnet := c.NetworkPlugin.Is("azure") && !c.NetworkPluginMode.Is("overlay")
	var out []Finding
	for _, p := range c.Pools {
		if !p.Count.IsKnown() {
			continue
		}
		surge, how := surgeNodes(p.MaxSurge, int(p.Count.V))
		addresses := surge
		per := "one address per node"
		if podsFromSubnet {
			maxPods := azureCNIDefaultMaxPods
			if p.MaxPods.IsKnown() && p.MaxPods.V > 0 {
				maxPods = int(p.MaxPods.V)
			}
			addresses = surge * (maxPods + 1)
			per = fmt.Sprintf("Azure CNI: %d pods + 1 per node", maxPods)
		}
		quota := ""
		if cores := vmCores(p.VMSize.V); p.VMSize.IsKnown() && cores > 0 {
			quota = fmt.Sprintf(", and %d vCPU(s) of the region's quota for the size's family", surge*cores)
		}
		subnet := "its subnet"
		if p.VnetSubnetID.IsKnown() && p.VnetSubnetID.V != "" {
			subnet = "subnet " + lastSegment(p.VnetSubnetID.V)
		}
		// AKS upgrades the pools one after the other: each pool's surge is judged alone.
		if sn := b.subnetOf(p); sn != nil {
			if free, ok := freeAddresses(sn); ok {
				rule := "upgrade-surge-addresses"
				if addresses > free {
					rule = "upgrade-surge-subnet-full"
				}
				f := finding(rule, "node pool %s adds %d surge node(s) (%s): they need %d address(es) (%s) and subnet %s has %d free (%s, %d in use)%s",
					p.Name, surge, how, addresses, per, sn.Name, free, strings.Join(sn.AddressPrefixes.V, ", "), sn.IPConfigurations.V, quota)
				f.Object = poolObject(p)
				f.Location = toLocation(c.At(p.MaxSurge.Loc))
				out = append(out, f)
				continue
			}
		}
		f := finding("upgrade-surge-addresses", "node pool %s adds %d surge node(s) of %s (%s): %s needs %d free address(es) (%s)%s",
			p.Name, surge, strOr(p.VMSize, "unknown size"), how, subnet, addresses, per, quota)
		f.Object = poolObject(p)
		f.Location = toLocation(c.At(p.MaxSurge.Loc))
		out = append(out, f)
	}
	return out
}

// subnetOf returns the subnet of the inputs a pool's nodes take their addresses from.
func (b *builder) subnetOf(p *subject.NodePool) *subject.Subnet {
	if !p.VnetSubnetID.IsKnown() || p.VnetSubnetID.V == "" {
		return nil
	}
	for _, o := range b.scan.Others {
		if sn, ok := o.(*subject.Subnet); ok && sn.ID != "" && strings.EqualFold(strings.TrimRight(sn.ID, "/"), strings.TrimRight(p.VnetSubnetID.V, "/")) {
			return sn
		}
	}
	return nil
}

// azureReserved is how many addresses Azure keeps of every subnet prefix (network, gateway,
// two for DNS, broadcast).
const azureReserved = 5

// freeAddresses is how many addresses of a subnet are free: its IPv4 prefixes' sizes less
// Azure's reserved five each, less the ipConfigurations in use.
func freeAddresses(sn *subject.Subnet) (int, bool) {
	if !sn.AddressPrefixes.IsKnown() || len(sn.AddressPrefixes.V) == 0 || !sn.IPConfigurations.IsKnown() {
		return 0, false
	}
	total := 0
	for _, cidr := range sn.AddressPrefixes.V {
		pfx, err := netip.ParsePrefix(strings.TrimSpace(cidr))
		if err != nil || !pfx.Addr().Is4() {
			continue
		}
		total += (1 << (32 - pfx.Bits())) - azureReserved
	}
	if total <= 0 {
		return 0, false
	}
	return max(0, total-int(sn.IPConfigurations.V)), true
}

// vmSizeRE reads the vCPUs of an Azure VM size name: Standard_D4ds_v5 has 4, and a
// constrained-core size (Standard_E8-4ds_v5) still counts its 8 against the quota.
var vmSizeRE = regexp.MustCompile(`^(?i:standard|basic)_[A-Za-z]+(\d+)`)

// vmCores returns the vCPUs of a VM size, 0 when its name does not say.
func vmCores(size string) int {
	m := vmSizeRE.FindStringSubmatch(strings.TrimSpace(size))
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	return n
}

// surgeNodes is how many nodes maxSurge adds to a pool of count nodes (a percentage rounds
// up, at least one node).
func surgeNodes(ms subject.String, count int) (int, string) {
	v := strings.TrimSpace(ms.V)
	if !ms.IsKnown() || v == "" {
		return 1, "maxSurge unset, counted as 1"
	}
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.ParseFloat(pct, 64)
		if err != nil || n < 0 {
			return 1, "maxSurge " + v + " unreadable, counted as 1"
		}
		return max(1, int(math.Ceil(float64(count)*n/100))), fmt.Sprintf("maxSurge %s of %d", v, count)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 1, "maxSurge " + v + " unreadable, counted as 1"
	}
	return n, "maxSurge " + v
}

func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// aksChanges lists the AKS changes of the path's minors that touch the cluster's pools.
func (b *builder) aksChanges() []Finding {
	if b.cluster == nil {
		b.reasons[sectAKS] = "no AKS cluster in the inputs"
		return nil
	}
	var out []Finding
	for _, st := range b.plan.Path {
		for _, ch := range changes {
			if ch.Minor != st.Version {
				continue
			}
			var pools []string
			for _, p := range b.cluster.Pools {
				if touches(ch, p) {
					pools = append(pools, p.Name)
				}
			}
			if len(pools) == 0 {
				continue
			}
			sort.Strings(pools)
			rule, setting := "upgrade-aks-change", "OS SKU Ubuntu or unset"
			if ch.Applies == "windows-2022" {
				setting = "OS SKU Windows2022"
			}
			if ch.Blocking {
				rule = "upgrade-aks-change-blocks"
			}
			f := finding(rule, "Kubernetes %s: %s (node pools %s, %s; source: %s)", ch.Minor, ch.What, strings.Join(pools, ", "), setting, ch.Source)
			f.Step = ch.Minor
			out = append(out, f)
		}
	}
	return out
}

// touches reports whether an AKS change touches a pool.
func touches(ch Change, p *subject.NodePool) bool {
	switch ch.Applies {
	case "linux-ubuntu":
		return !p.IsWindows() && !p.OSSKU.IsUnknown() && (p.OSSKU.Empty() || p.OSSKU.Is("Ubuntu"))
	case "windows-2022":
		return p.IsWindows() && p.OSSKU.Is("Windows2022")
	}
	return false
}

// finish orders the findings, fills the sections and decides the verdict.
func (b *builder) finish() {
	p := b.plan
	p.Sections = []Section{}
	for _, s := range Sections {
		fs := b.found[s.ID]
		sort.SliceStable(fs, func(i, j int) bool {
			if fs[i].Blocking != fs[j].Blocking {
				return fs[i].Blocking
			}
			return fs[i].Severity > fs[j].Severity
		})
		if fs == nil {
			fs = []Finding{}
		}
		sec := Section{ID: s.ID, Title: s.Title, Status: StatusOK, Reason: b.reasons[s.ID], Findings: fs}
		for _, f := range fs {
			switch {
			case f.Blocking:
				sec.Status = StatusBlocker
				p.Summary.Blockers++
			case f.Severity > check.Info:
				if sec.Status == StatusOK {
					sec.Status = StatusWarning
				}
				p.Summary.Warnings++
			default:
				p.Summary.Info++
			}
		}
		if len(fs) == 0 && (s.ID == sectCap || s.ID == sectAKS || s.ID == sectDrain) && b.reasonIsMissing(s.ID) {
			sec.Status = StatusNotEvaluated
		}
		p.Sections = append(p.Sections, sec)
	}
	switch {
	case p.Summary.Blockers > 0:
		p.Verdict = NoGo
	case p.Summary.Warnings > 0:
		p.Verdict = GoWithWarnings
	default:
		p.Verdict = Go
	}
}

// reasonIsMissing reports whether a section's reason is that its input is missing.
func (b *builder) reasonIsMissing(section string) bool {
	return strings.HasPrefix(b.reasons[section], "no ")
}
