package report

import (
	"testing"

	"github.com/akscheck/akscheck/internal/check"
)

func TestScore(t *testing.T) {
	t.Parallel()
	items := []Item{
		{ID: "a", Status: StatusPass}, {ID: "b", Status: StatusFail},
		{ID: "c", Status: StatusFail}, {ID: "d", Status: StatusNotEvaluated},
		{ID: "e", Status: StatusAttested},
	}
	got := Score(items, map[string]check.Severity{"b": check.Critical, "c": check.Low})
	// (1 + 0 + 0.75 + 1) / 4 = 68.75 → 68.8
	if got == nil || *got != 68.8 {
		t.Errorf("score = %v, want 68.8", got)
	}
	if Score([]Item{{Status: StatusManual}}, nil) != nil {
		t.Error("score of nothing evaluated must be absent")
	}
}
