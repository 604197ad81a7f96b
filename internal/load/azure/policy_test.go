package azure

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// The policy assignments that apply to the cluster and its non-compliant policy states are
// read through the SDK (one list each), each assignment marked as applying to the cluster,
// and the listing recorded so that none would mean none.
func TestLoadPolicy(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	scan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, nil)
	if len(scan.Errors) > 0 {
		t.Fatalf("errors: %+v", scan.Errors)
	}
	reqs := srv.Requests()
	if n := count(reqs, "/providers/Microsoft.Authorization/policyAssignments"); n != 1 {
		t.Errorf("policy assignments listed %d times, want 1: %q", n, reqs)
	}
	if n := count(reqs, "/policyStates/latest/queryResults"); n != 1 {
		t.Errorf("policy states queried %d times, want 1", n)
	}
	var assignments, states, listings int
	for _, s := range scan.Others {
		switch x := s.(type) {
		case *subject.PolicyAssignment:
			assignments++
			if len(x.AppliesTo) != 1 || !strings.EqualFold(x.AppliesTo[0], azuretest.ClusterID) || x.Form != subject.FormDeployed {
				t.Errorf("assignment %s applies to %v (form %s)", x.Name, x.AppliesTo, x.Form)
			}
		case *subject.PolicyState:
			states++
		case *subject.PolicyListing:
			listings++
			if !x.StatesRead || !strings.EqualFold(x.Target, azuretest.ClusterID) {
				t.Errorf("listing %+v", x)
			}
		}
	}
	if assignments != 3 || states != 2 || listings != 1 {
		t.Errorf("%d assignments, %d states, %d listings; want 3, 2, 1", assignments, states, listings)
	}
}

// A 403 on either policy API is an error entry naming the role it needs, and the checks
// that need what it would have read are not evaluated, never passed.
func TestForbiddenPolicy(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for name, tc := range map[string]struct {
		path, role string
		undecided  []string
	}{
		"assignments": {azuretest.ClusterID + "/providers/Microsoft.Authorization/policyAssignments", "Reader",
			[]string{"policy-assignments-deny", "allowed-images-policy-deny"}},
		"states": {azuretest.ClusterID + "/providers/Microsoft.PolicyInsights", "Policy Insights Data Reader",
			[]string{"policy-noncompliant-resources"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := azuretest.NewServer()
			defer srv.Close()
			srv.Forbid(tc.path)
			scan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, nil)
			if len(scan.Errors) != 1 || !strings.Contains(scan.Errors[0].Message, "forbidden (AuthorizationFailed)") ||
				!strings.Contains(scan.Errors[0].Message, "the "+tc.role+" role") {
				t.Fatalf("errors = %+v", scan.Errors)
			}
			var run []*check.Check
			for _, c := range checks.All() {
				for _, id := range tc.undecided {
					if c.ID == id {
						run = append(run, c)
					}
				}
			}
			rep := engine.Run(t.Context(), cat, run, scan, engine.Options{})
			for _, f := range rep.Findings {
				t.Errorf("finding without the evidence: %s %s", f.Check, f.Message)
			}
			for _, c := range run {
				if st := testutil.Item(rep, c.Item).Status; st != report.StatusNotEvaluated {
					t.Errorf("%s: item %s is %s, want not evaluated", c.ID, c.Item, st)
				}
			}
		})
	}
}
