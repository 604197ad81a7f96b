package admissionpolicy

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestPoliciesAgreeWithChecksOnFixtures holds every admission form to its check: on each
// object of the check's pass_ and fail_ fixtures, the policy rejects exactly what the Go check
// finds, and its message is the webhook's.
func TestPoliciesAgreeWithChecksOnFixtures(t *testing.T) {
	t.Parallel()
	env, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	covered := Covered(checks.All())
	if len(covered) == 0 {
		t.Fatal("no check has an admission form")
	}
	for _, c := range covered {
		fixtures, _ := filepath.Glob(filepath.Join("..", "checks", "*", "testdata", c.ID, "*_*.yaml"))
		fixtures = fixtureFiles(fixtures)
		if len(fixtures) == 0 {
			t.Errorf("check %s: no fixtures found", c.ID)
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			var passed, failed int
			for _, f := range fixtures {
				settings := checktest.Settings(t, c, f)
				set, err := Generate(Options{Checks: []*check.Check{c}, Settings: settings})
				if err != nil {
					t.Fatal(err)
				}
				policy := &set.Policies[0]
				scan := checktest.Manifests(t, f)
				ix := subject.NewIndexOf(scan)
				checkEnv := &check.Env{Settings: settings, Index: ix}
				for _, s := range ix.Subjects(c.SubjectType()) {
					id := s.Identity()
					r := check.NewResult(&c.Meta, s)
					if c.AppliesToKind(id.Kind) {
						c.Run(t.Context(), checkEnv, s, r)
					}
					goFails := len(r.Findings()) > 0
					obj := unstructuredOf(t, s)
					v, err := evaluate(env, policy, obj, id.Namespace, true)
					if err != nil {
						t.Errorf("%s: %s %s: %v", filepath.Base(f), id.Kind, id.Name, err)
						continue
					}
					switch {
					case goFails && v.admitted:
						t.Errorf("%s: %s %s: the check finds %q, the policy admits it", filepath.Base(f), id.Kind, id.Name, r.Findings()[0].Message)
					case !goFails && !v.admitted:
						t.Errorf("%s: %s %s: the check passes it, the policy rejects it: %s", filepath.Base(f), id.Kind, id.Name, v.message)
					case goFails:
						failed++
						wantPrefix := "[" + c.ID + "] " + c.Item + ": "
						if !strings.HasPrefix(v.message, wantPrefix) || !strings.HasSuffix(v.message, ". Fix: "+c.Remediation) {
							t.Errorf("%s: message %q does not read like the webhook's", filepath.Base(f), v.message)
						}
					default:
						passed++
					}
				}
			}
			if passed == 0 || failed == 0 {
				t.Errorf("the fixtures gave %d passing and %d failing objects; want some of each", passed, failed)
			}
		})
	}
}

// fixtureFiles keeps the pass_ and fail_ fixtures, without their settings files.
func fixtureFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		base := filepath.Base(p)
		if (strings.HasPrefix(base, "pass_") || strings.HasPrefix(base, "fail_")) && !strings.HasSuffix(base, ".settings.yaml") {
			out = append(out, p)
		}
	}
	return out
}

// unstructuredOf is the object as admission sees it: its typed form as JSON values.
func unstructuredOf(t *testing.T, s subject.Subject) map[string]any {
	t.Helper()
	var o *subject.Object
	switch v := s.(type) {
	case *subject.Workload:
		o = v.Object
	case *subject.Object:
		o = v
	default:
		t.Fatalf("subject %T is not a Kubernetes object", s)
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Typed)
	if err != nil {
		t.Fatal(err)
	}
	u["apiVersion"], u["kind"] = o.APIVersion, o.Kind
	return u
}
