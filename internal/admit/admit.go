// Package admit decides admission requests with the scan pipeline's engine: the object under
// review is judged beside the cluster's objects by the same checks, policy and settings as
// akscheck scan, and each finding is denied, warned about or let through as the admission
// policy says. A check that cannot be evaluated (a kind it reads is not cached) is a warning
// that says so, never a silent pass. The webhook server (internal/serve) maps HTTP to Review
// and Decision; it decides nothing itself.
package admit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/enforce"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/admission"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

// ClusterView gives the cluster's objects that the checks read besides the object under
// review: those of kinds in a namespace (the Namespace itself, and the cluster-scoped ones of
// kinds), with the kinds it cannot give as Unlisted (live.Cache implements it).
type ClusterView interface {
	Snapshot(namespace string, kinds []string) *subject.Scan
}

// VersionedView is a ClusterView that says when what it gives may have changed (live.Cache
// does): Version grows with every change of an object of kinds in the namespace or
// cluster-wide. The reviewer then keeps the index of each view it reads while its version
// stays, and judges each object beside it (subject.Index.Beside), so that a review costs
// what its checks read rather than the size of the namespace.
type VersionedView interface {
	ClusterView
	Version(namespace string, kinds []string) uint64
}

// maxIndexedObjects bounds the objects of the views whose index the reviewer keeps (about
// 0.6 KB each, besides the cluster cache's own copy): past it, views are let go at random.
const maxIndexedObjects = 50_000

// DisableLabel on a Namespace turns the webhook off for it (the chart's namespaceSelector
// excludes it too; the server checks again).
const DisableLabel = "akscheck.io/webhook"

// Reviewer decides admission requests.
type Reviewer struct {
	// Scan holds the catalog, checks, settings and policy: those of akscheck scan with the
	// same config.
	Scan scan.Request
	// Enforce says what each finding does; nil means the default.
	Enforce *enforce.Policy
	// Cluster gives the objects beside the reviewed one; nil means no cluster is read, and
	// the checks that need other objects are reported as not evaluated.
	Cluster ClusterView
	// OwnNamespace is the webhook's own namespace, never reviewed.
	OwnNamespace string

	// needs caches, by object kind, the kinds the checks of that kind read besides it
	// (NeededKinds): a review takes only those from the cluster view. views keeps, by
	// namespace and kind under review, the index of a VersionedView's snapshot, and indexed
	// counts their objects.
	mu      sync.Mutex
	needs   map[string][]string
	views   map[viewKey]*clusterView
	indexed int
	// checkByID finds the checks by ID, made once.
	checkByID map[string]*check.Check
	// reasons keeps the items' evidence reasons: every review gives the same evidence.
	reasons engine.Reasons
}

// viewKey names the snapshot a review reads: the namespace and the kind under review, which
// decides the kinds read.
type viewKey struct{ namespace, kind string }

// clusterView is what a review reads of the cluster: the snapshot, and, from a VersionedView
// whose snapshot lists every kind asked, its index at version.
type clusterView struct {
	scan      *subject.Scan
	index     *subject.Index
	version   uint64
	namespace *subject.Object
}

// Verdict is one finding on the object under review and what admission does with it.
type Verdict struct {
	Check, Item string
	Severity    check.Severity
	Action      enforce.Action
	Message     string
	Container   string
	// Path is the field path of the finding in the object; Remediation says how to fix it.
	Path, Remediation string
	// Softened says why a finding of a deny check is only warned about: on UPDATE, the
	// object had it before (a change that does not make things worse, such as a label or a
	// finalizer removed during deletion, goes through); a new namespace cannot hold the
	// objects a check looks for in it yet.
	Softened string
}

// Decision is the answer to one admission request.
type Decision struct {
	Allowed bool
	// Skipped says why the object was let through without review ("" when it was reviewed).
	Skipped string
	// Denied are the findings that reject the request; Warned those returned as warnings.
	Denied, Warned []Verdict
	// NotEvaluated are the checks that apply to the object but could not run.
	NotEvaluated []Unevaluated
	// Errors are problems reading the object or running a check: the object was admitted
	// (or denied on other findings) without them.
	Errors []string
	// Index says how the object was judged beside the cluster's objects: IndexKept or
	// IndexBuilt ("" when it was not reviewed).
	Index string
}

// How a review judged the object beside the cluster's objects (Decision.Index).
const (
	// IndexKept: beside the index the reviewer keeps of its namespace's view
	// (Index.Beside), at the cost of what the checks read.
	IndexKept = "kept"
	// IndexBuilt: the view's objects were indexed for this review (a view without versions
	// or with a kind unlisted, a Namespace, an object Beside refuses).
	IndexBuilt = "built"
)

// Unevaluated is a check that applies to the object under review but did not run (a kind it
// reads is not in the cluster view), or ran and could not decide (a value it needs is
// unknown or missing).
type Unevaluated struct {
	Check, Item string
	// Why names the kinds and why they are missing.
	Why string
	// Missing, set instead of Why for a check that could not decide, names the evidence it
	// lacked.
	Missing string
}

func (u Unevaluated) String() string {
	if u.Missing != "" {
		return fmt.Sprintf("[%s] %s was not evaluated: it could not decide without %s", u.Check, u.Item, u.Missing)
	}
	return fmt.Sprintf("[%s] %s was not evaluated: it reads %s", u.Check, u.Item, u.Why)
}

// Review decides one admission request.
func (r *Reviewer) Review(ctx context.Context, rv *admission.Review) Decision {
	req := rv.Request
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return Decision{Allowed: true, Skipped: "only CREATE and UPDATE are reviewed"}
	}
	if rv.ObjectErr != nil {
		return Decision{Allowed: true, Errors: []string{"the object could not be read, so it was not checked: " + rv.ObjectErr.Error()}}
	}
	obj := rv.Object
	if obj == nil {
		return Decision{Allowed: true, Skipped: "the request holds no object"}
	}
	if why := r.skip(obj); why != "" {
		return Decision{Allowed: true, Skipped: why}
	}
	namespace := namespaceName(obj)
	view := r.view(namespace, obj.Kind)
	ns := view.namespace
	if obj.Kind == "Namespace" {
		ns = obj // the labels it is given, as the API server's namespaceSelector reads them
	}
	if ns != nil && ns.Meta.Labels[DisableLabel] == "disabled" {
		return Decision{Allowed: true, Skipped: "namespace " + namespace + " is labelled " + DisableLabel + "=disabled"}
	}

	rep, index := r.evaluate(ctx, view, obj)
	d := Decision{Allowed: true, Index: index}
	for _, f := range rep.Findings {
		if !about(f, obj) {
			continue
		}
		v := Verdict{Check: f.Check, Item: f.Item, Severity: f.Severity, Message: f.Message, Container: f.Container,
			Path: f.Location.Path, Remediation: f.Remediation}
		v.Action = r.Enforce.For(f.Check, f.Item, f.Severity)
		switch v.Action {
		case enforce.Deny:
			d.Denied = append(d.Denied, v)
		case enforce.Warn:
			d.Warned = append(d.Warned, v)
		}
	}
	if len(d.Denied) > 0 && req.Operation == admissionv1.Update && rv.OldObject != nil {
		old, _ := r.evaluate(ctx, view, rv.OldObject)
		d.ratchet(old, rv.OldObject)
	}
	if obj.Kind == "Namespace" && req.Operation == admissionv1.Create {
		d.newNamespace(r.Scan.Checks)
	}
	d.NotEvaluated = r.notEvaluated(rep, obj, view.scan.Unlisted)
	for _, e := range rep.Errors {
		d.Errors = append(d.Errors, e.Message)
	}
	d.Allowed = len(d.Denied) == 0
	return d
}

// skip says why an object is let through unreviewed, or "".
func (r *Reviewer) skip(obj *subject.Object) string {
	ns := namespaceName(obj)
	switch {
	case ns != "" && (ns == r.OwnNamespace || r.Enforce.Excluded(ns)):
		return "namespace " + ns + " is excluded"
	case obj.Kind == "Secret":
		// Secrets hold values the webhook must not see; the chart's rules never send them.
		return "Secrets are not reviewed"
	case obj.Meta.DeletionTimestamp != nil:
		return "the object is being deleted"
	}
	if ref := metav1.GetControllerOfNoCopy(obj.Meta); ref != nil && subject.IsWorkloadKind(ref.Kind) {
		// The controller's template was reviewed when the controller was: denying its
		// ReplicaSets or Pods would only leave it failing.
		return "checked at its controller, " + ref.Kind + " " + ref.Name
	}
	return ""
}

// view returns the cluster's objects of a namespace that the checks of kind read, or,
// without a cluster, a view in which those kinds are unlisted. From a VersionedView it keeps
// the view's index until the version changes.
func (r *Reviewer) view(namespace, kind string) *clusterView {
	kinds := r.neededKinds(kind)
	if r.Cluster == nil {
		s := &subject.Scan{Unlisted: map[string]string{}}
		for _, k := range kinds {
			s.Unlisted[k] = "the webhook reads no cluster (serve --no-cluster)"
		}
		return &clusterView{scan: s}
	}
	versioned, ok := r.Cluster.(VersionedView)
	if !ok {
		return newClusterView(r.Cluster.Snapshot(namespace, kinds), namespace)
	}
	key := viewKey{namespace, kind}
	// The version is read before the snapshot: a change between them makes the next
	// review read again, never keeps an index older than its version.
	version := versioned.Version(namespace, kinds)
	r.mu.Lock()
	kept := r.views[key]
	r.mu.Unlock()
	if kept != nil && kept.version == version {
		return kept
	}
	v := newClusterView(r.Cluster.Snapshot(namespace, kinds), namespace)
	v.version = version
	if len(v.scan.Unlisted) > 0 || len(v.scan.Objects) > maxIndexedObjects {
		return v // judged with the snapshot, as a view without versions
	}
	v.index = subject.NewIndexOf(v.scan)
	r.keep(key, v)
	return v
}

func newClusterView(s *subject.Scan, namespace string) *clusterView {
	return &clusterView{scan: s, namespace: namespaceOf(s, namespace)}
}

// keep stores the view of key, letting others go while the views kept hold too many objects.
func (r *Reviewer) keep(key viewKey, v *clusterView) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.views == nil {
		r.views = map[viewKey]*clusterView{}
	}
	if old := r.views[key]; old != nil {
		r.indexed -= len(old.scan.Objects)
		delete(r.views, key)
	}
	for k, old := range r.views {
		if r.indexed+len(v.scan.Objects) <= maxIndexedObjects {
			break
		}
		r.indexed -= len(old.scan.Objects)
		delete(r.views, k)
	}
	r.views[key] = v
	r.indexed += len(v.scan.Objects)
}

func (r *Reviewer) neededKinds(kind string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.needs == nil {
		r.needs = map[string][]string{}
	}
	kinds, ok := r.needs[kind]
	if !ok {
		kinds = NeededKinds(r.Scan.Checks, kind)
		r.needs[kind] = kinds
	}
	return kinds
}

// evaluate runs the engine on obj beside the view's objects (less the cluster's copy of
// obj), judging obj alone: beside the view's index when it has one and obj changes nothing
// it derived from the others, else indexing them all again.
func (r *Reviewer) evaluate(ctx context.Context, view *clusterView, obj *subject.Object) (*report.Report, string) {
	s := &subject.Scan{
		Inputs:   []subject.Input{{Kind: subject.InputManifest, Source: "admission", Objects: 1}},
		Evidence: map[catalog.Evidence]bool{catalog.Manifest: true},
		Unlisted: view.scan.Unlisted,
	}
	req := r.Scan
	req.Reasons = &r.reasons
	req.Focus = func(id subject.Identity) bool {
		return id.Kind == obj.Kind && id.Name == obj.Meta.Name && (id.Namespace == obj.Namespace || obj.Namespace == "") &&
			sameGroup(id.APIVersion, obj.APIVersion)
	}
	if view.index != nil {
		if replaced, ok := clusterCopy(view.index, obj); ok {
			if ix := view.index.Beside(obj, replaced); ix != nil {
				req.Index = ix
				return scan.Evaluate(ctx, req, s), IndexKept
			}
		}
	}
	s.Objects = make([]*subject.Object, 0, len(view.scan.Objects)+1)
	for _, o := range view.scan.Objects {
		if !sameObject(o, obj) {
			s.Objects = append(s.Objects, o)
		}
	}
	s.Objects = append(s.Objects, obj)
	return scan.Evaluate(ctx, req, s), IndexBuilt
}

// sameObject reports whether o is the cluster's copy of obj.
func sameObject(o, obj *subject.Object) bool {
	return o.Kind == obj.Kind && o.Namespace == obj.Namespace && o.Meta.Name == obj.Meta.Name && sameGroup(o.APIVersion, obj.APIVersion)
}

// clusterCopy returns the cluster's copy of obj in the index (nil when it has none), and
// false when it has several.
func clusterCopy(ix *subject.Index, obj *subject.Object) (*subject.Object, bool) {
	var found *subject.Object
	for _, o := range ix.InNamespace(obj.Kind, obj.Namespace) {
		if sameObject(o, obj) {
			if found != nil {
				return nil, false
			}
			found = o
		}
	}
	return found, true
}

// ratchet turns into warnings the denials the old object of an UPDATE had already.
func (d *Decision) ratchet(old *report.Report, oldObj *subject.Object) {
	type key struct{ check, container, message string }
	before := map[key]bool{}
	for _, f := range old.Findings {
		if about(f, oldObj) {
			before[key{f.Check, f.Container, f.Message}] = true
		}
	}
	kept := d.Denied[:0]
	for _, v := range d.Denied {
		if before[key{v.Check, v.Container, v.Message}] {
			v.Softened = "present before this update"
			d.Warned = append(d.Warned, v)
			continue
		}
		kept = append(kept, v)
	}
	d.Denied = kept
}

// newNamespace turns into warnings the denials of a namespace being created by checks that
// look for objects in it (network policies, quotas): it cannot hold them before it exists.
func (d *Decision) newNamespace(checks []*check.Check) {
	needsContent := map[string]bool{}
	for _, c := range checks {
		needsContent[c.ID] = len(c.Requires) > 0
	}
	kept := d.Denied[:0]
	for _, v := range d.Denied {
		if needsContent[v.Check] {
			v.Softened = "a new namespace cannot hold them yet: add them right after it"
			d.Warned = append(d.Warned, v)
			continue
		}
		kept = append(kept, v)
	}
	d.Denied = kept
}

// notEvaluated lists the checks that apply to obj and did not run because a kind they read
// is not in the cluster view (the engine's blocked checks), with why, and those that ran on
// it and could not decide (the engine's undecided checks), with the evidence they lacked:
// neither passed the object.
func (r *Reviewer) notEvaluated(rep *report.Report, obj *subject.Object, unlisted map[string]string) []Unevaluated {
	byID := r.checksByID()
	var out []Unevaluated
	for _, it := range rep.Items {
		for _, id := range it.Blocked {
			c := byID[id]
			if c == nil || !AppliesTo(c, obj.Kind) || r.Enforce.For(c.ID, c.Item, c.Severity) == enforce.Off {
				continue
			}
			// Kinds by reason: one reason usually covers them all.
			byWhy := map[string][]string{}
			for _, k := range c.Requires {
				if why, ok := unlisted[k]; ok {
					byWhy[why] = append(byWhy[why], k)
				}
			}
			var parts []string
			for _, why := range slices.Sorted(maps.Keys(byWhy)) {
				parts = append(parts, strings.Join(byWhy[why], ", ")+": "+why)
			}
			out = append(out, Unevaluated{Check: id, Item: it.ID, Why: strings.Join(parts, "; ")})
		}
		for _, u := range it.Undecided {
			c := byID[u.Check]
			if c == nil || !AppliesTo(c, obj.Kind) || r.Enforce.For(c.ID, c.Item, c.Severity) == enforce.Off {
				continue
			}
			out = append(out, Unevaluated{Check: u.Check, Item: it.ID, Missing: strings.Join(u.Missing, "; ")})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Check < out[j].Check })
	return out
}

// checksByID returns the checks of the scan request by ID.
func (r *Reviewer) checksByID() map[string]*check.Check {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checkByID == nil {
		r.checkByID = make(map[string]*check.Check, len(r.Scan.Checks))
		for _, c := range r.Scan.Checks {
			r.checkByID[c.ID] = c
		}
	}
	return r.checkByID
}

// about reports whether a finding is on obj itself.
func about(f report.Finding, obj *subject.Object) bool {
	return f.Object.Kind == obj.Kind && f.Object.Name == obj.Meta.Name && f.Object.Namespace == obj.Namespace &&
		sameGroup(f.Object.APIVersion, obj.APIVersion)
}

// sameGroup reports whether two apiVersions are of one API group, or one is unknown: a
// Calico NetworkPolicy of the cluster is not the Kubernetes NetworkPolicy of the same name
// under review.
func sameGroup(a, b string) bool {
	group := func(apiVersion string) string {
		g, _, ok := strings.Cut(apiVersion, "/")
		if !ok {
			return ""
		}
		return g
	}
	return a == "" || b == "" || group(a) == group(b)
}

// namespaceName is the namespace an object is in, or, for a Namespace, its own name: the
// namespace an admission namespaceSelector judges it by.
func namespaceName(obj *subject.Object) string {
	if obj.Kind == "Namespace" {
		return obj.Meta.Name
	}
	return obj.Namespace
}

func namespaceOf(view *subject.Scan, name string) *subject.Object {
	for _, o := range view.Objects {
		if o.Kind == "Namespace" && o.Meta.Name == name {
			return o
		}
	}
	return nil
}

// AppliesTo reports whether check c judges objects of kind.
func AppliesTo(c *check.Check, kind string) bool {
	if len(c.Kinds) > 0 {
		return slices.Contains(c.Kinds, kind)
	}
	kinds := subject.KindsOf(c.SubjectType())
	return kinds == nil && c.SubjectType() == objectType || slices.Contains(kinds, kind)
}

// maxWarnings bounds the warnings of one answer: the API server truncates long warning
// lists, and a client shows them all.
const maxWarnings = 20

// Message is the reason of a denial, for the client: every denied finding with its check,
// item, severity, field path and remediation.
func (d Decision) Message(ref string) string {
	var b strings.Builder
	n := len(d.Denied)
	fmt.Fprintf(&b, "akscheck denied %s: %d finding", ref, n)
	if n != 1 {
		b.WriteString("s")
	}
	for _, v := range d.Denied {
		b.WriteString("\n- ")
		b.WriteString(v.line())
		if v.Remediation != "" {
			b.WriteString(" Fix: ")
			b.WriteString(v.Remediation)
		}
	}
	return b.String()
}

// Warnings are the warnings of the answer: warned findings, checks not evaluated, errors.
func (d Decision) Warnings() []string {
	var out []string
	for _, v := range d.Warned {
		w := "akscheck: " + v.line()
		if v.Softened != "" {
			w += " (not denied: " + v.Softened + ")"
		}
		out = append(out, w)
	}
	for _, n := range d.NotEvaluated {
		out = append(out, "akscheck: "+n.String())
	}
	for _, e := range d.Errors {
		out = append(out, "akscheck: "+e)
	}
	if len(out) > maxWarnings {
		out = append(out[:maxWarnings-1], fmt.Sprintf("akscheck: %d more warnings; run akscheck scan on the manifest to see them all", len(out)-maxWarnings+1))
	}
	return out
}

// line is a verdict in one line: [check] item (severity): message (at path).
func (v Verdict) line() string {
	s := fmt.Sprintf("[%s] %s (%s): %s", v.Check, v.Item, v.Severity, v.Message)
	if v.Path != "" {
		s += " (at " + v.Path + ")"
	}
	return s
}
