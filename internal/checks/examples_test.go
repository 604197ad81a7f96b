package checks

import (
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// TestExamplesExerciseEveryCheck holds the bundled examples to their promise: every check
// fires at least once and passes on at least one object.
func TestExamplesExerciseEveryCheck(t *testing.T) {
	t.Parallel()
	scan := load.Load(t.Context(), []string{"../../examples"}, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("examples do not load: %+v", scan.Errors)
	}
	ix := subject.NewIndexOf(scan)
	env := &check.Env{Index: ix}
	for _, c := range All() {
		if !usesEvidence(c, catalog.Manifest) {
			continue
		}
		passed, failed := testutil.Outcomes(t.Context(), c, env)
		if failed == 0 || passed == 0 {
			t.Errorf("check %s: %d objects pass and %d fail in examples/; want at least one of each", c.ID, passed, failed)
		}
	}
}

func usesEvidence(c *check.Check, e catalog.Evidence) bool {
	for _, x := range c.EvidenceKinds() {
		if x == e {
			return true
		}
	}
	return false
}
