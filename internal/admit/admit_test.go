package admit

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/enforce"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/admission"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
	"github.com/akscheck/akscheck/internal/testutil/gentree"
)

// loaded is a cluster view over objects already loaded (the manifests of a test): what the
// informer cache gives the webhook in a cluster.
type loaded struct{ objects []*subject.Object }

// Like live.Cache, it gives only the kinds asked for, so that TestScanAndAdmissionAgree also
// proves the checks read no kind they do not declare.
func (l loaded) Snapshot(namespace string, kinds []string) *subject.Scan {
	s := &subject.Scan{Unlisted: map[string]string{}}
	for _, o := range l.objects {
		if !slices.Contains(kinds, o.Kind) {
			continue
		}
		if o.Namespace == namespace || (o.Kind == "Namespace" && o.Meta.Name == namespace) || (o.Namespace == "" && o.Kind != "Namespace") {
			s.Objects = append(s.Objects, o)
		}
	}
	return s
}

// versioned is a loaded view with versions, as live.Cache gives them: the reviewer keeps the
// index of each view it reads and judges objects beside it. It counts the snapshots taken.
type versioned struct {
	loaded
	version   *atomic.Uint64
	snapshots *atomic.Int64
}

func newVersioned(objects []*subject.Object) versioned {
	return versioned{loaded: loaded{objects: objects}, version: &atomic.Uint64{}, snapshots: &atomic.Int64{}}
}

func (v versioned) Version(string, []string) uint64 { return v.version.Load() }

func (v versioned) Snapshot(namespace string, kinds []string) *subject.Scan {
	v.snapshots.Add(1)
	return v.loaded.Snapshot(namespace, kinds)
}

// reviewer returns a reviewer with the config doc (YAML, "" for none) and the cluster view.
func reviewer(t testing.TB, doc string, view ClusterView) *Reviewer {
	t.Helper()
	cfg := config.Default()
	if doc != "" {
		settings, err := check.SettingsOf(checks.All())
		if err != nil {
			t.Fatal(err)
		}
		if cfg, err = config.Parse(".akscheck.yaml", []byte(doc), settings); err != nil {
			t.Fatal(err)
		}
	}
	r, err := cfg.Resolve(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	return &Reviewer{Scan: scan.Request{Catalog: r.Catalog, Checks: r.Checks, Settings: r.Settings, Policy: r.Policy, Now: testutil.Now},
		Enforce: r.Admission, Cluster: view, OwnNamespace: "akscheck"}
}

// review builds an AdmissionReview of the YAML object (and old object, for UPDATE) the way the
// API server sends it, decodes it and reviews it.
func review(t *testing.T, r *Reviewer, op admissionv1.Operation, obj, old string) Decision {
	t.Helper()
	raw := func(doc string) runtime.RawExtension {
		if doc == "" {
			return runtime.RawExtension{}
		}
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return runtime.RawExtension{Raw: j}
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name, Namespace string
		} `json:"metadata"`
	}
	src := obj
	if src == "" {
		src = old
	}
	if err := yaml.Unmarshal([]byte(src), &head); err != nil {
		t.Fatal(err)
	}
	group, version, found := strings.Cut(head.APIVersion, "/")
	if !found {
		group, version = "", head.APIVersion
	}
	ar := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: admission.APIVersion, Kind: admission.Kind},
		Request: &admissionv1.AdmissionRequest{UID: "uid-1", Kind: metav1.GroupVersionKind{Group: group, Version: version, Kind: head.Kind},
			Namespace: head.Metadata.Namespace, Name: head.Metadata.Name, Operation: op, Object: raw(obj), OldObject: raw(old)}}
	body, err := json.Marshal(ar)
	if err != nil {
		t.Fatal(err)
	}
	rv, err := admission.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	return r.Review(t.Context(), rv)
}

func checksOf(vs []Verdict) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Check)
	}
	return out
}

const privileged = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}%s}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: contoso.azurecr.io/web:1.0
          securityContext: {privileged: true}
`

func TestDenyCarriesCheckItemPathAndRemediation(t *testing.T) {
	t.Parallel()
	d := review(t, reviewer(t, "", nil), admissionv1.Create, fmt.Sprintf(privileged, ""), "")
	if d.Allowed || !slices.Contains(checksOf(d.Denied), "privileged-container") {
		t.Fatalf("privileged Deployment: allowed=%v denied=%v", d.Allowed, checksOf(d.Denied))
	}
	msg := d.Message("Deployment shop/web")
	for _, want := range []string{"akscheck denied Deployment shop/web", "[privileged-container] dev.security-context (critical)", "[run-as-root]", "(at spec.template.spec.containers[0].securityContext.privileged)", "Fix: "} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	// Medium findings are warnings, and without a cluster the cross-object checks say they
	// were not evaluated instead of passing.
	warnings := strings.Join(d.Warnings(), "\n")
	for _, want := range []string{"(medium)", "pdb-", "was not evaluated: it reads PodDisruptionBudget, HorizontalPodAutoscaler: the webhook reads no cluster"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings lack %q:\n%s", want, warnings)
		}
	}
}

func TestExemptionsDisabledChecksAndOverridesAsInTheCLI(t *testing.T) {
	t.Parallel()
	exempted := fmt.Sprintf(privileged, ", annotations: {akscheck.io/exempt: privileged-container, akscheck.io/exempt-reason: 'CNI agent'}")
	if d := review(t, reviewer(t, "", nil), admissionv1.Create, exempted, ""); slices.Contains(checksOf(d.Denied), "privileged-container") {
		t.Errorf("exempted by annotation, still denied: %v", checksOf(d.Denied))
	}
	cases := map[string]string{
		"disabled":           "checks:\n  disable: [privileged-container]\n",
		"severity override":  "checks:\n  severity: {privileged-container: low}\n",
		"admission override": "admission:\n  checks: {privileged-container: warn}\n",
		"config exemption":   "exemptions:\n  - check: privileged-container\n    namespace: shop\n    reason: CNI agent\n",
	}
	for name, doc := range cases {
		d := review(t, reviewer(t, doc, nil), admissionv1.Create, fmt.Sprintf(privileged, ""), "")
		if slices.Contains(checksOf(d.Denied), "privileged-container") {
			t.Errorf("%s: still denied", name)
		}
		warned := slices.Contains(checksOf(d.Warned), "privileged-container")
		if want := name == "severity override" || name == "admission override"; warned != want {
			t.Errorf("%s: warned = %v, want %v", name, warned, want)
		}
	}
	custom := "customChecks:\n  - id: require-team-label\n    item: ops.labels\n    severity: high\n    kinds: [Deployment]\n" +
		"    expression: \"has(object.metadata.labels) && 'team' in object.metadata.labels\"\n    message: \"'no team label on ' + object.metadata.name\"\n"
	d := review(t, reviewer(t, custom, nil), admissionv1.Create, fmt.Sprintf(privileged, ""), "")
	if !slices.Contains(checksOf(d.Denied), "require-team-label") {
		t.Errorf("custom check not enforced: denied %v", checksOf(d.Denied))
	}
}

func TestSkipped(t *testing.T) {
	t.Parallel()
	r := reviewer(t, "", nil)
	pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: %s\n%s" +
		"spec:\n  containers: [{name: app, image: x:latest, securityContext: {privileged: true}}]\n"
	owned := "  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: u, controller: true}]\n"
	for name, obj := range map[string]string{
		"kube-system":    fmt.Sprintf(pod, "kube-system", ""),
		"own namespace":  fmt.Sprintf(pod, "akscheck", ""),
		"controller pod": fmt.Sprintf(pod, "shop", owned),
		"secret":         "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\ndata: {password: c2VjcmV0}\n",
		// A Namespace is judged by its own name and labels, as the API server's
		// namespaceSelector judges it.
		"kube-system itself":  "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n",
		"opted-out namespace": "apiVersion: v1\nkind: Namespace\nmetadata: {name: lab, labels: {akscheck.io/webhook: disabled}}\n",
	} {
		d := review(t, r, admissionv1.Create, obj, "")
		if !d.Allowed || d.Skipped == "" {
			t.Errorf("%s: allowed=%v skipped=%q denied=%v", name, d.Allowed, d.Skipped, checksOf(d.Denied))
		}
	}
	if d := review(t, r, admissionv1.Delete, "", fmt.Sprintf(pod, "shop", "")); !d.Allowed || d.Skipped == "" {
		t.Errorf("DELETE: %+v", d)
	}
	if d := review(t, r, admissionv1.Create, fmt.Sprintf(pod, "shop", ""), ""); d.Allowed {
		t.Errorf("a bare privileged Pod was admitted")
	}
	// A namespace can opt out by label: the view shows the webhook its Namespace.
	ns := &subject.Object{APIVersion: "v1", Kind: "Namespace", Meta: &metav1.ObjectMeta{Name: "lab", Labels: map[string]string{DisableLabel: "disabled"}}}
	r2 := reviewer(t, "", loaded{objects: []*subject.Object{ns}})
	if d := review(t, r2, admissionv1.Create, fmt.Sprintf(pod, "lab", ""), ""); !d.Allowed || !strings.Contains(d.Skipped, DisableLabel) {
		t.Errorf("opted-out namespace: %+v", d)
	}
}

func TestUpdateDeniesOnlyWhatItAdds(t *testing.T) {
	t.Parallel()
	r := reviewer(t, "", nil)
	before := fmt.Sprintf(privileged, "")
	relabelled := fmt.Sprintf(privileged, ", annotations: {note: x}")
	d := review(t, r, admissionv1.Update, relabelled, before)
	if !d.Allowed {
		t.Fatalf("an update that adds no finding was denied: %v", checksOf(d.Denied))
	}
	if !slices.Contains(checksOf(d.Warned), "privileged-container") || !strings.Contains(strings.Join(d.Warnings(), "\n"), "present before this update") {
		t.Errorf("the finding it had is not a warning: %v", d.Warnings())
	}
	clean := strings.Replace(before, "          securityContext: {privileged: true}\n", "", 1)
	if d := review(t, r, admissionv1.Update, before, clean); d.Allowed {
		t.Errorf("an update that makes the container privileged was admitted")
	}
}

func TestUndecodableObjectIsAdmittedWithAWarning(t *testing.T) {
	t.Parallel()
	d := review(t, reviewer(t, "", nil), admissionv1.Create,
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: two}\n", "")
	if !d.Allowed || len(d.Errors) != 1 || !strings.Contains(d.Warnings()[0], "field spec.replicas") {
		t.Errorf("decision %+v, warnings %v", d, d.Warnings())
	}
}

// TestScanAndAdmissionAgree: every object of the bundled examples gets at admission, beside
// the other objects of its namespace, exactly the findings akscheck scan gives it.
func TestScanAndAdmissionAgree(t *testing.T) {
	t.Parallel()
	s := load.Load(t.Context(), []string{"../../examples/k8s"}, load.Options{})
	if len(s.Errors) > 0 || len(s.Objects) < 20 {
		t.Fatalf("loading the examples: %d objects, errors %v", len(s.Objects), s.Errors)
	}
	for _, view := range []ClusterView{loaded{objects: s.Objects}, newVersioned(s.Objects)} {
		r := reviewer(t, "", view)
		r.Enforce = enforce.Default()
		r.Enforce.ExcludeNamespaces = nil
		r.OwnNamespace = ""
		compared, kept := scanAndAdmissionAgree(t, r, s)
		if compared < 20 {
			t.Errorf("%T: compared %d objects", view, compared)
		}
		// The examples hold no controller of other objects and no duplicate: every review is
		// judged beside the kept index but those of the 4 Namespaces and of the Pod alone in
		// its namespace (Index.Beside), which index the view anew.
		want := 0
		if _, ok := view.(versioned); ok {
			want = compared - 5
		}
		if kept != want {
			t.Errorf("%T: %d of %d reviews judged beside the kept index; want %d", view, kept, compared, want)
		}
	}
}

// scanAndAdmissionAgree reviews each object of the scan, as created, and compares what admission
// finds on it with what the scan finds; it returns how many it compared, and how many of
// those it judged beside the kept index.
func scanAndAdmissionAgree(t *testing.T, r *Reviewer, s *subject.Scan) (compared, kept int) {
	t.Helper()
	rep := scan.Evaluate(t.Context(), r.Scan, s)
	for _, o := range s.Objects {
		if r.skip(o) != "" {
			continue
		}
		var want []string
		for _, f := range rep.Findings {
			if about(f, o) {
				want = append(want, f.Check+": "+f.Message)
			}
		}
		obj := o
		rv := &admission.Review{Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Create}, Object: obj}
		d := r.Review(t.Context(), rv)
		if d.Index == IndexKept {
			kept++
		}
		var got []string
		for _, v := range append(slices.Clone(d.Denied), d.Warned...) {
			got = append(got, v.Check+": "+v.Message)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: admission gives\n  %s\nscan gives\n  %s", o.Ref(), strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		if ne := withoutAzureEvidence(r, d.NotEvaluated); len(ne) > 0 {
			t.Errorf("%s: not evaluated with every object at hand: %v", o.Ref(), ne)
		}
		compared++
	}
	return compared, kept
}

// withoutAzureEvidence leaves out the checks that could not decide for want of the Azure
// configuration (they read ARM or Terraform evidence besides the objects: the cluster's
// network policy engine, a WAF policy), which no Kubernetes object holds: admission, which
// sees the API only, cannot have it.
func withoutAzureEvidence(r *Reviewer, ne []Unevaluated) []Unevaluated {
	var out []Unevaluated
	for _, u := range ne {
		azure := false
		for _, c := range r.Scan.Checks {
			if c.ID == u.Check && u.Missing != "" && (slices.Contains(c.EvidenceKinds(), catalog.ARM) || slices.Contains(c.EvidenceKinds(), catalog.Terraform)) {
				azure = true
			}
		}
		if !azure {
			out = append(out, u)
		}
	}
	return out
}

func TestNewNamespaceIsNotDeniedForWhatItCannotHoldYet(t *testing.T) {
	t.Parallel()
	d := review(t, reviewer(t, "admission:\n  enforce: {medium: deny, low: deny}\n", loaded{}), admissionv1.Create,
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n", "")
	if !d.Allowed {
		t.Fatalf("a new namespace was denied: %s", d.Message("Namespace team-a"))
	}
	if !strings.Contains(strings.Join(d.Warnings(), "\n"), "not denied: a new namespace cannot hold them yet") {
		t.Errorf("warnings: %v", d.Warnings())
	}
}

// BenchmarkReview decides admission requests for the examples' workloads beside the other
// objects of their namespaces (what the cluster cache gives in a cluster):
//
//	go test ./internal/admit -run '^$' -bench Review -benchmem
func BenchmarkReview(b *testing.B) {
	s := load.Load(b.Context(), []string{"../../examples/k8s"}, load.Options{})
	var reviews []*admission.Review
	for _, o := range s.Objects {
		if subject.IsWorkloadKind(o.Kind) {
			reviews = append(reviews, &admission.Review{Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Create}, Object: o})
		}
	}
	for _, how := range []struct {
		name string
		view ClusterView
	}{{"kept-index", newVersioned(s.Objects)}, {"indexed-anew", loaded{objects: s.Objects}}} {
		b.Run(how.name, func(b *testing.B) {
			r := reviewer(b, "", how.view)
			for i := 0; b.Loop(); i++ {
				r.Review(b.Context(), reviews[i%len(reviews)])
			}
		})
	}
}

// BenchmarkReviewInANamespace reviews a Deployment of a generated dense tree whose namespaces
// hold n/5 objects each: beside the index the reviewer keeps of a VersionedView (what
// live.Cache is), and indexing the namespace's objects anew on each review (a view without
// versions, and what every review did before).
func BenchmarkReviewInANamespace(b *testing.B) {
	for _, n := range []int{1000, 5000, 21000} {
		dir := b.TempDir()
		if _, err := gentree.Write(dir, gentree.Dense, n, 1); err != nil {
			b.Fatal(err)
		}
		s := load.Load(b.Context(), []string{dir}, load.Options{})
		var rv *admission.Review
		for _, o := range s.Objects {
			if o.Kind == "Deployment" {
				rv = &admission.Review{Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Create}, Object: o}
				break
			}
		}
		for _, how := range []struct {
			name string
			view ClusterView
		}{{"kept-index", newVersioned(s.Objects)}, {"indexed-anew", loaded{objects: s.Objects}}} {
			b.Run(fmt.Sprintf("objects=%d/%s", n/gentree.DenseNamespaces, how.name), func(b *testing.B) {
				r := reviewer(b, "", how.view)
				r.Review(b.Context(), rv)
				b.ResetTimer()
				for b.Loop() {
					r.Review(b.Context(), rv)
				}
			})
		}
	}
}

// TestUndecidedCheckIsNotEvaluated: a check that runs on the object under review and cannot
// decide it (a value it needs is unknown) is warned about as not evaluated, never passed.
func TestUndecidedCheckIsNotEvaluated(t *testing.T) {
	t.Parallel()
	rv := reviewer(t, "", nil)
	undecided := check.New(check.Meta{ID: "undecided-replicas", Item: "dev.replicas", Severity: check.Medium, Kinds: []string{"Deployment"}},
		func(_ context.Context, _ *check.Env, _ *subject.Workload, r *check.Result) {
			r.Undecided("the replica count of Deployment web (set by an autoscaler outside the scan)")
		})
	rv.Scan.Checks = append(slices.Clip(rv.Scan.Checks), undecided)
	d := review(t, rv, admissionv1.Create, fmt.Sprintf(privileged, ""), "")
	want := "[undecided-replicas] dev.replicas was not evaluated: it could not decide without the replica count of Deployment web (set by an autoscaler outside the scan)"
	var got []string
	for _, n := range d.NotEvaluated {
		got = append(got, n.String())
	}
	if !slices.Contains(got, want) {
		t.Errorf("not evaluated lacks %q:\n%s", want, strings.Join(got, "\n"))
	}
}

// TestReviewsKeepTheViewIndexWhileItsVersionStays: a VersionedView is read and indexed once
// per namespace and kind under review while its version stays, again when it changes; an
// update judged beside the kept index (the cluster's copy replaced by the new object) decides
// as a reviewer that indexes the view anew.
func TestReviewsKeepTheViewIndexWhileItsVersionStays(t *testing.T) {
	t.Parallel()
	s := load.Load(t.Context(), []string{"../../examples/k8s"}, load.Options{})
	view := newVersioned(s.Objects)
	kept, anew := reviewer(t, "", view), reviewer(t, "", loaded{objects: s.Objects})
	reviewed := 0
	for _, o := range s.Objects {
		if o.Kind != "Deployment" || kept.skip(o) != "" {
			continue
		}
		// The same object, then with other pod labels: what selects it (Services, budgets,
		// policies) changes.
		update := *o
		dep := *o.Body().(*appsv1.Deployment)
		dep.Spec.Template.Labels = map[string]string{"updated": "true"}
		update.Typed, update.Meta = &dep, &dep.ObjectMeta
		for _, obj := range []*subject.Object{o, &update} {
			rv := &admission.Review{Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Update}, Object: obj, OldObject: o}
			got, want := kept.Review(t.Context(), rv), anew.Review(t.Context(), rv)
			if got.Index != IndexKept || want.Index != IndexBuilt {
				t.Errorf("%s: judged with index %q and %q", obj.Ref(), got.Index, want.Index)
			}
			got.Index, want.Index = "", ""
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: beside the kept index\n  %+v\nindexed anew\n  %+v", obj.Ref(), got, want)
			}
			reviewed++
		}
	}
	if reviewed < 10 {
		t.Fatalf("%d reviews", reviewed)
	}
	namespaces := map[string]bool{}
	for _, o := range s.Objects {
		if o.Kind == "Deployment" && kept.skip(o) == "" {
			namespaces[o.Namespace] = true
		}
	}
	if got := view.snapshots.Load(); got != int64(len(namespaces)) {
		t.Errorf("%d snapshots for Deployments of %d namespaces; want one each", got, len(namespaces))
	}
	view.version.Add(1)
	for _, o := range s.Objects {
		if o.Kind == "Deployment" && kept.skip(o) == "" {
			kept.Review(t.Context(), &admission.Review{Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Create}, Object: o})
		}
	}
	if got := view.snapshots.Load(); got != int64(2*len(namespaces)) {
		t.Errorf("%d snapshots after a change; want %d", got, 2*len(namespaces))
	}
}

// TestConcurrentReviewsShareTheKeptIndex: reviews run concurrently (the server's) share the
// indexes the reviewer keeps, while the view changes under them, and decide as one reviewer
// that indexes anew for each. CI runs it with the race detector.
func TestConcurrentReviewsShareTheKeptIndex(t *testing.T) {
	t.Parallel()
	s := load.Load(t.Context(), []string{"../../examples/k8s"}, load.Options{})
	view := newVersioned(s.Objects)
	kept, anew := reviewer(t, "", view), reviewer(t, "", loaded{objects: s.Objects})
	var reviews []*admission.Review
	want := map[*admission.Review]Decision{}
	for _, o := range s.Objects {
		rv := &admission.Review{Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Create}, Object: o}
		d := anew.Review(t.Context(), rv)
		d.Index = ""
		reviews, want[rv] = append(reviews, rv), d
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 3 * len(reviews) {
				rv := reviews[(i*7+w)%len(reviews)]
				if i%50 == 0 {
					view.version.Add(1) // a change in the cluster: the next reviews index again
				}
				got := kept.Review(t.Context(), rv)
				got.Index = ""
				if !reflect.DeepEqual(got, want[rv]) {
					t.Errorf("%s: concurrently %+v, alone %+v", rv.Object.Ref(), got, want[rv])
					return
				}
			}
		})
	}
	wg.Wait()
}
