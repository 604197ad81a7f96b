package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

var testItem = "dev.liveness-probe"

func podScan(t *testing.T) *subject.Scan {
	t.Helper()
	s := manifest.LoadBytes("p.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec: {containers: [{name: c, image: x}]}\n"), manifest.Options{})
	s.Evidence[catalog.Manifest] = true
	return s
}

func TestItemStatuses(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	failing := check.New(check.Meta{ID: "always-fails", Item: testItem, Severity: check.High},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("spec", "", "bad")
		})
	passing := check.New(check.Meta{ID: "always-passes", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {})
	notApplicable := check.New(check.Meta{ID: "never-applies", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) { r.NotApplicable() })
	panics := check.New(check.Meta{ID: "panics", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) { panic("boom") })
	clusterOnly := check.New(check.Meta{ID: "cluster-only", Item: testItem, Evidence: []catalog.Evidence{catalog.Cluster}},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("", "", "never run")
		})

	tests := []struct {
		name   string
		checks []*check.Check
		scan   *subject.Scan
		want   string
	}{
		{"fail", []*check.Check{passing, failing}, podScan(t), report.StatusFail},
		{"pass", []*check.Check{passing}, podScan(t), report.StatusPass},
		{"not applicable", []*check.Check{notApplicable}, podScan(t), report.StatusNotApplicable},
		{"no manifest input at all is not evaluated, never pass", []*check.Check{passing}, &subject.Scan{}, report.StatusNotEvaluated},
		{"a panicking check is not evaluated and reported", []*check.Check{panics}, podScan(t), report.StatusNotEvaluated},
		{"a check whose evidence was not given does not run", []*check.Check{clusterOnly}, podScan(t), report.StatusNotEvaluated},
		{"no check at all", nil, podScan(t), report.StatusNotEvaluated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := Run(t.Context(), cat, tt.checks, tt.scan, Options{})
			if len(rep.Items) != len(cat.Items) {
				t.Fatalf("report has %d items, want %d", len(rep.Items), len(cat.Items))
			}
			it := testutil.Item(rep, testItem)
			if it.Status != tt.want {
				t.Errorf("status = %s (%s), want %s", it.Status, it.Reason, tt.want)
			}
			if tt.want == report.StatusNotEvaluated && it.Reason == "" {
				t.Error("a not-evaluated item must say why")
			}
			if tt.name == "a panicking check is not evaluated and reported" && len(rep.Errors) != 1 {
				t.Errorf("errors = %+v, want the panic", rep.Errors)
			}
		})
	}
}

func TestManualItems(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	rep := Run(t.Context(), cat, nil, podScan(t), Options{})
	if it := testutil.Item(rep, "dr.multiregion"); it.Status != report.StatusManual {
		t.Errorf("dr.multiregion = %s, want manual", it.Status)
	}
}

// TestDisabledByDefault: a check that is off by default does not run, and its item says how
// to turn it on, until the policy enables it by check or item ID; disabling wins elsewhere.
func TestDisabledByDefault(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	optIn := check.New(check.Meta{ID: "opt-in", Item: testItem, Severity: check.High, DisabledByDefault: true},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("spec", "", "bad")
		})
	for name, tc := range map[string]struct {
		policy *Policy
		want   string
	}{
		"no policy":         {nil, report.StatusNotEvaluated},
		"not enabled":       {&Policy{}, report.StatusNotEvaluated},
		"enabled by check":  {&Policy{Enabled: map[string]bool{"opt-in": true}}, report.StatusFail},
		"enabled by item":   {&Policy{Enabled: map[string]bool{testItem: true}}, report.StatusFail},
		"enabled, item off": {&Policy{Enabled: map[string]bool{"opt-in": true}, Disabled: map[string]bool{testItem: true}}, report.StatusNotEvaluated},
	} {
		rep := Run(t.Context(), cat, []*check.Check{optIn}, podScan(t), Options{Policy: tc.policy})
		it := testutil.Item(rep, testItem)
		if it.Status != tc.want {
			t.Errorf("%s: %s, want %s", name, it.Status, tc.want)
		}
		if name == "not enabled" && !strings.Contains(it.Reason, "checks.enable") {
			t.Errorf("%s: reason %q does not say how to turn it on", name, it.Reason)
		}
	}
}

// An exemption annotation that names a check's former ID (Meta.Aliases) exempts it; the
// config's own notices (a renamed ID) reach the report.
func TestAnnotationNamesFormerID(t *testing.T) {
	t.Parallel()
	s := manifest.LoadBytes("p.yaml", []byte(`apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: n
  annotations: {akscheck.io/exempt: "old-name", akscheck.io/exempt-reason: "a known singleton"}
spec: {containers: [{name: c, image: x}]}
`), manifest.Options{})
	s.Evidence[catalog.Manifest] = true
	renamed := check.New(check.Meta{ID: "new-name", Aliases: []string{"old-name"}, Item: testItem, Severity: check.High},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("spec", "", "bad")
		})
	policy := &Policy{Notices: []report.Notice{{Source: ".akscheck.yaml", Line: 3, Message: "checks.disable: old-name is now new-name; rename it"}}}
	rep := Run(t.Context(), catalog.MustLoad(), []*check.Check{renamed}, s, Options{Policy: policy})
	if len(rep.Findings) != 0 || len(rep.Suppressed) != 1 || !strings.Contains(rep.Suppressed[0].SuppressedBy, "a known singleton") {
		t.Errorf("findings %+v, suppressed %+v: the former ID in the annotation must exempt the check", rep.Findings, rep.Suppressed)
	}
	if len(rep.Notices) != 1 || rep.Notices[0].Line != 3 {
		t.Errorf("notices = %+v, want the config's", rep.Notices)
	}
}

// TestUndecidedItems: an item passes only when every check decided every subject it applies
// to. One check left undecided (a value it needs unknown) makes the item not evaluated, with
// the missing evidence and the check in its reason, once per piece of evidence; a finding of
// another check still fails it; a check that merely does not apply changes nothing.
func TestUndecidedItems(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	const missing = "the maintenance configurations of cluster prod (not in the input: give az aks maintenanceconfiguration list output)"
	passing := check.New(check.Meta{ID: "always-passes", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {})
	undecided := check.New(check.Meta{ID: "undecided", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) { r.Undecided(missing) })
	alsoUndecided := check.New(check.Meta{ID: "also-undecided", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			// Undecided on what it applies to, not applicable to the rest: still undecided.
			r.Undecided(missing)
			r.NotApplicable()
		})
	failing := check.New(check.Meta{ID: "always-fails", Item: testItem, Severity: check.High},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("spec", "", "bad")
		})
	notApplicable := check.New(check.Meta{ID: "never-applies", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) { r.NotApplicable() })

	tests := []struct {
		name   string
		checks []*check.Check
		want   string
		reason string
	}{
		{"one check passes, one is undecided", []*check.Check{passing, undecided}, report.StatusNotEvaluated,
			"its checks could not decide without " + missing + " (undecided)"},
		{"two checks lack the same evidence", []*check.Check{undecided, alsoUndecided, passing}, report.StatusNotEvaluated,
			"its checks could not decide without " + missing + " (undecided, also-undecided)"},
		{"a finding fails the item all the same", []*check.Check{undecided, failing}, report.StatusFail, ""},
		{"not applicable is not undecided", []*check.Check{notApplicable}, report.StatusNotApplicable, "the inputs hold nothing this item applies to"},
		{"not applicable beside a pass", []*check.Check{notApplicable, passing}, report.StatusPass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := Run(t.Context(), cat, tt.checks, podScan(t), Options{})
			it := testutil.Item(rep, testItem)
			if it.Status != tt.want || it.Reason != tt.reason {
				t.Errorf("item = %s (%q), want %s (%q)", it.Status, it.Reason, tt.want, tt.reason)
			}
			if tt.want == report.StatusNotEvaluated && rep.Summary.Items[report.StatusPass] != 0 {
				t.Errorf("summary counts %d passed items, want none", rep.Summary.Items[report.StatusPass])
			}
		})
	}
}

// TestUndecidedReasonIsShort: the reason names a few pieces of missing evidence and counts
// the rest.
func TestUndecidedReasonIsShort(t *testing.T) {
	t.Parallel()
	many := check.New(check.Meta{ID: "many", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			for _, m := range []string{"a", "b", "c", "d", "e", "a"} {
				r.Undecided(m)
			}
		})
	it := testutil.Item(Run(t.Context(), catalog.MustLoad(), []*check.Check{many}, podScan(t), Options{}), testItem)
	want := "its checks could not decide without a (many); b (many); c (many); and 2 more"
	if it.Status != report.StatusNotEvaluated || it.Reason != want {
		t.Errorf("item = %s (%q), want not-evaluated (%q)", it.Status, it.Reason, want)
	}
	if len(it.Undecided) != 1 || len(it.Undecided[0].Missing) != 5 {
		t.Errorf("undecided = %+v, want the check once with its 5 pieces of evidence", it.Undecided)
	}
}

// TestInfoNotesDoNotFailItems: an info finding records a decision or a caveat (a token
// mounted by choice and bound to a role); the item passes on the rest, and a configured
// severity for the check leaves the note a note.
func TestInfoNotesDoNotFailItems(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	noting := check.New(check.Meta{ID: "notes", Item: testItem, Severity: check.Medium},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.FailAt(check.Info, subject.Location{}, "", "mounted by choice")
		})
	advisory := check.New(check.Meta{ID: "advisory", Item: testItem, Severity: check.Info},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("spec", "", "worth a look")
		})
	rep := Run(t.Context(), cat, []*check.Check{noting}, podScan(t), Options{})
	if it := testutil.Item(rep, testItem); it.Status != report.StatusPass || it.Findings != 1 {
		t.Errorf("item with an info note = %s with %d findings, want pass with the note counted", it.Status, it.Findings)
	}
	policy := &Policy{Severity: map[string]check.Severity{"notes": check.High, "advisory": check.High}}
	rep = Run(t.Context(), cat, []*check.Check{noting}, podScan(t), Options{Policy: policy})
	if len(rep.Findings) != 1 || rep.Findings[0].Severity != check.Info {
		t.Errorf("findings = %+v, want the note kept at info", rep.Findings)
	}
	// A check whose verdicts are info, raised by configuration, fails its item.
	rep = Run(t.Context(), cat, []*check.Check{advisory}, podScan(t), Options{Policy: policy})
	if it := testutil.Item(rep, testItem); it.Status != report.StatusFail {
		t.Errorf("item of an advisory check raised to high = %s, want fail", it.Status)
	}
}

// TestAbsentEvidenceSaysWhy: an item not evaluated for want of an input kind gives the
// front-end's reason for its absence (Scan.Absent) instead of asking for that input, and an
// item its checks could not decide adds it; without one, the hint stands.
func TestAbsentEvidenceSaysWhy(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	clusterOnly := check.New(check.Meta{ID: "cluster-only", Item: testItem, Evidence: []catalog.Evidence{catalog.Cluster}},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {})
	undecided := check.New(check.Meta{ID: "undecided", Item: testItem, Evidence: []catalog.Evidence{catalog.Manifest, catalog.Cluster}},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Undecided("the setting (az aks show)")
		})
	const why = "the cluster is not read by this front-end"
	for _, tc := range []struct {
		name   string
		checks []*check.Check
		absent map[catalog.Evidence]string
		want   string
	}{
		{"absent with a reason", []*check.Check{clusterOnly}, map[catalog.Evidence]string{catalog.Cluster: why}, why},
		{"absent, no reason", []*check.Check{clusterOnly}, nil, " to evaluate it"},
		{"undecided with a reason", []*check.Check{undecided}, map[catalog.Evidence]string{catalog.Cluster: why}, "could not decide without the setting (az aks show) (undecided); " + why},
	} {
		s := podScan(t)
		s.Absent = tc.absent
		it := testutil.Item(Run(t.Context(), cat, tc.checks, s, Options{}), testItem)
		if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, tc.want) {
			t.Errorf("%s: %s (%s), want not-evaluated with %q", tc.name, it.Status, it.Reason, tc.want)
		}
	}
}
