package engine_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// allEnabled runs every check, the ones off by default included.
func allEnabled() *engine.Policy {
	p := &engine.Policy{Enabled: map[string]bool{}}
	for _, c := range checks.All() {
		p.Enabled[c.ID] = true
	}
	return p
}

// canonical is a report as JSON with its errors and notices sorted (their order follows
// the scan's, which a live cache does not keep).
func canonical(t *testing.T, r *report.Report) string {
	t.Helper()
	c := *r
	c.Errors = slices.Clone(r.Errors)
	slices.SortFunc(c.Errors, func(a, b report.Error) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	c.Notices = slices.Clone(r.Notices)
	slices.SortFunc(c.Notices, func(a, b report.Notice) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	out, err := json.MarshalIndent(&c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// firstDiff returns the first differing line of two texts, with its neighbours.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\nfull:\n%s\nincremental:\n%s", i, strings.Join(al[lo:min(len(al), i+3)], "\n"), strings.Join(bl[lo:min(len(bl), i+3)], "\n"))
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}

// mutate returns a changed copy of a namespaced object: its labels, and what its kind's
// checks read (a workload's containers, a Service's type and selector, a policy's types).
func mutate(rng *rand.Rand, o *subject.Object) *subject.Object {
	c := *o
	if rt, ok := o.Typed.(runtime.Object); ok {
		c.Typed = rt.DeepCopyObject()
		c.Meta = subject.MetaOf(c.Typed)
	} else {
		m := *o.Meta
		c.Meta = &m
	}
	labels := map[string]string{}
	for k, v := range c.Meta.Labels {
		if rng.IntN(3) > 0 {
			labels[k] = v
		}
	}
	labels[fmt.Sprintf("changed-%d", rng.IntN(3))] = "yes"
	c.Meta.Labels = labels
	if rng.IntN(4) == 0 {
		ann := map[string]string{}
		for k, v := range c.Meta.Annotations {
			ann[k] = v
		}
		// An exemption by annotation, with or without its reason (a notice).
		ann[check.ExemptAnnotation] = "privileged-container,latest-tag,resource-limits"
		if rng.IntN(2) == 0 {
			ann[check.ExemptReasonAnnotation] = "accepted"
		} else {
			delete(ann, check.ExemptReasonAnnotation)
		}
		c.Meta.Annotations = ann
	}
	var spec *corev1.PodSpec
	switch t := c.Typed.(type) {
	case *appsv1.Deployment:
		spec = &t.Spec.Template.Spec
		t.Spec.Template.Labels = labels
	case *appsv1.StatefulSet:
		spec = &t.Spec.Template.Spec
	case *appsv1.DaemonSet:
		spec = &t.Spec.Template.Spec
	case *batchv1.CronJob:
		spec = &t.Spec.JobTemplate.Spec.Template.Spec
	case *batchv1.Job:
		spec = &t.Spec.Template.Spec
	case *corev1.Pod:
		spec = &t.Spec
	case *corev1.Service:
		t.Spec.Type = corev1.ServiceTypeLoadBalancer
		if rng.IntN(2) == 0 {
			t.Spec.Selector = map[string]string{"app": "nothing-selects-this"}
		}
	case *networkingv1.NetworkPolicy:
		t.Spec.PolicyTypes = nil
		t.Spec.Ingress = append(t.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{})
	case *corev1.ServiceAccount:
		yes := true
		t.AutomountServiceAccountToken = &yes
	}
	if spec != nil && len(spec.Containers) > 0 {
		ct := &spec.Containers[rng.IntN(len(spec.Containers))]
		switch rng.IntN(4) {
		case 0:
			yes := true
			if ct.SecurityContext == nil {
				ct.SecurityContext = &corev1.SecurityContext{}
			}
			ct.SecurityContext.Privileged = &yes
		case 1:
			ct.Resources = corev1.ResourceRequirements{}
			ct.LivenessProbe, ct.ReadinessProbe = nil, nil
		case 2:
			ct.Image = "docker.io/library/nginx:latest"
		case 3:
			spec.ServiceAccountName = "default"
			spec.AutomountServiceAccountToken = nil
		}
	}
	return &c
}

// change applies one random change (modify, add or delete) to a namespaced object of the
// scan's, in a copy of the scan, and records it.
func change(rng *rand.Rand, s *subject.Scan, ch *engine.Changes, step int) (*subject.Scan, string) {
	var candidates []int
	for i, o := range s.Objects {
		if o.Namespace != "" {
			candidates = append(candidates, i)
		}
	}
	i := candidates[rng.IntN(len(candidates))]
	o := s.Objects[i]
	next := *s
	next.Objects = slices.Clone(s.Objects)
	var what string
	switch rng.IntN(3) {
	case 0:
		next.Objects[i] = mutate(rng, o)
		what = "modified"
	case 1:
		n := mutate(rng, o)
		n.Meta.Name = fmt.Sprintf("%s-copy-%d", o.Meta.Name, step)
		next.Objects = slices.Insert(next.Objects, rng.IntN(len(next.Objects)+1), n)
		what = "added a copy of"
	default:
		next.Objects = slices.Delete(next.Objects, i, i+1)
		what = "deleted"
	}
	ch.Add(o.Kind, o.Namespace)
	return &next, fmt.Sprintf("%s %s %s/%s", what, o.Kind, o.Namespace, o.Meta.Name)
}

// TestIncrementalEqualsFull changes random objects of the examples, one namespace at a time,
// and asserts that each incremental run (on the memo of the run before, itself incremental)
// reports what a full run reports.
func TestIncrementalEqualsFull(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cat, all := catalog.MustLoad(), checks.All()
	s := load.Load(ctx, []string{"../../examples"}, load.Options{})
	opts := engine.Options{Now: testutil.Now, Policy: allEnabled()}
	memo := &engine.Memo{}
	first := opts
	first.Memo = memo
	want := canonical(t, engine.Run(ctx, cat, all, s, opts))
	if got := canonical(t, engine.Run(ctx, cat, all, s, first)); got != want {
		t.Fatalf("a run that fills a memo differs from a plain run: %s", firstDiff(want, got))
	}
	if st := memo.Stats(); st.Incremental || st.Evaluated != st.Subjects || st.Subjects == 0 {
		t.Fatalf("first run stats %+v: want a full run", st)
	}
	rng := rand.New(rand.NewPCG(13, 25))
	steps := 60
	if testing.Short() {
		steps = 15
	}
	incremental := 0
	for step := range steps {
		var ch engine.Changes
		var what []string
		// One to three changes, mostly in one namespace.
		for range 1 + rng.IntN(3) {
			var w string
			s, w = change(rng, s, &ch, step)
			what = append(what, w)
		}
		inc := opts
		inc.Memo, inc.Dirty = memo, ch.Dirty
		want := canonical(t, engine.Run(ctx, cat, all, s, opts))
		got := canonical(t, engine.Run(ctx, cat, all, s, inc))
		if got != want {
			t.Fatalf("step %d (%s): the incremental report differs from the full one: %s", step, strings.Join(what, "; "), firstDiff(want, got))
		}
		st := memo.Stats()
		if !st.Incremental {
			t.Fatalf("step %d: stats %+v: want an incremental run", step, st)
		}
		if ch.Bounded() {
			incremental++
			// The examples have several namespaces: a change in one leaves the others'.
			if ch.Namespaces() == 1 && st.Evaluated >= st.Subjects {
				t.Errorf("step %d (%s): evaluated %d of %d subjects: want fewer", step, strings.Join(what, "; "), st.Evaluated, st.Subjects)
			}
		}
	}
	if incremental == 0 {
		t.Fatal("no step was bounded to namespaces: the test proves nothing")
	}
}

// TestCrossNamespaceReads proves the cases Changes dirties everything for: an Ingress with TLS
// in one namespace decides the finding on an ingress controller's Service in another, and a
// RoleBinding in one namespace the finding on a workload of another. Re-evaluating only the
// changed namespace would keep a stale verdict; Changes re-evaluates everything.
func TestCrossNamespaceReads(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const base = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.11.2
        args: [/nginx-ingress-controller, --ingress-class=nginx]
---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller, namespace: ingress}
spec:
  type: LoadBalancer
  selector: {app.kubernetes.io/name: ingress-nginx}
  ports: [{name: http, port: 80, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      automountServiceAccountToken: true
      containers: [{name: api, image: contosoacr.azurecr.io/shop/api:1.0}]
`
	const ingress = `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: web}
spec:
  ingressClassName: nginx
  tls: [{hosts: [web.contoso.com], secretName: web-tls}]
  rules: [{host: web.contoso.com}]
`
	const binding = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-reader, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
`
	loadScan := func(docs string) *subject.Scan {
		s := manifest.LoadBytes("estate.yaml", []byte(docs), manifest.Options{})
		if len(s.Errors) > 0 {
			t.Fatalf("%v", s.Errors)
		}
		s.Evidence[catalog.Manifest] = true
		return s
	}
	cat, all := catalog.MustLoad(), checks.All()
	opts := engine.Options{Now: testutil.Now, Policy: allEnabled()}
	for _, tc := range []struct {
		name, added, kind, namespace, check, object string
	}{
		{"Ingress with TLS", ingress, "Ingress", "web", "load-balancer-serves-http", "ingress/ingress-nginx-controller"},
		{"RoleBinding of another namespace's ServiceAccount", binding, "RoleBinding", "tools", "automount-service-account-token", "shop/api"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, after := loadScan(base), loadScan(base+tc.added)
			finding := func(r *report.Report) string {
				for _, f := range r.Findings {
					if f.Check == tc.check && f.Object.Namespace+"/"+f.Object.Name == tc.object {
						return f.Message
					}
				}
				return ""
			}
			memo := &engine.Memo{}
			withMemo := opts
			withMemo.Memo = memo
			r0 := engine.Run(ctx, cat, all, before, withMemo)
			full := engine.Run(ctx, cat, all, after, opts)
			if finding(r0) == finding(full) {
				t.Fatalf("%s on %s: %q before and after adding the %s: the case proves nothing", tc.check, tc.object, finding(r0), tc.kind)
			}
			// Only the namespace of the change: stale.
			stale := withMemo
			stale.Dirty = func(id subject.Identity) bool { return id.Namespace == "" || id.Namespace == tc.namespace }
			if finding(engine.Run(ctx, cat, all, after, stale)) == finding(full) {
				t.Fatalf("re-evaluating only namespace %s found the change: the %s is not read across namespaces", tc.namespace, tc.kind)
			}
			engine.Run(ctx, cat, all, before, withMemo)
			var ch engine.Changes
			ch.Add(tc.kind, tc.namespace)
			if ch.Bounded() {
				t.Fatalf("a change to a %s is bounded to its namespace", tc.kind)
			}
			inc := withMemo
			inc.Dirty = ch.Dirty
			if got, want := canonical(t, engine.Run(ctx, cat, all, after, inc)), canonical(t, full); got != want {
				t.Fatalf("incremental differs from full: %s", firstDiff(want, got))
			}
		})
	}
}

// TestDatedChecks: a check whose findings on the examples change with the date of the scan
// must say so (Meta.Dated), or an incremental run would keep its verdict on unchanged
// subjects past the date that changes it.
func TestDatedChecks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cat, all := catalog.MustLoad(), checks.All()
	s := load.Load(ctx, []string{"../../examples"}, load.Options{})
	byCheck := func(now time.Time) map[string]string {
		r := engine.Run(ctx, cat, all, s, engine.Options{Now: func() time.Time { return now }, Policy: allEnabled()})
		out := map[string]string{}
		for _, f := range append(r.Findings, r.Suppressed...) {
			out[f.Check] += fmt.Sprintf("%s|%s|%s/%s/%s|%s\n", f.Severity, f.Message, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Container)
		}
		return out
	}
	now := testutil.Now()
	dates := []map[string]string{byCheck(now.AddDate(-2, 0, 0)), byCheck(now), byCheck(now.AddDate(3, 0, 0))}
	for _, c := range all {
		for _, d := range dates[1:] {
			if d[c.ID] != dates[0][c.ID] && !c.Dated {
				t.Errorf("check %s: its findings on the examples change with the date of the scan, and its Meta.Dated is not set", c.ID)
				break
			}
		}
	}
}
