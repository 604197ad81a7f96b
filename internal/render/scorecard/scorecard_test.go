package scorecard

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

func TestCardAddsUp(t *testing.T) {
	t.Parallel()
	rep, cat := scantest.Run(t, engine.Options{Version: "test"}, "../../../examples")
	before := Build(rep, cat)
	if before.Total != 103 || len(before.Sections) != len(cat.Sections) {
		t.Fatalf("total %d, %d sections", before.Total, len(before.Sections))
	}
	sum := map[string]int{}
	items := 0
	for _, s := range before.Sections {
		for st, n := range s.Counts {
			sum[st] += n
		}
		items += len(s.Items)
	}
	for _, st := range report.Statuses {
		if sum[st] != before.Counts[st] || before.Counts[st] != rep.Summary.Items[st] {
			t.Errorf("%s: sections add up to %d, card %d, report %d", st, sum[st], before.Counts[st], rep.Summary.Items[st])
		}
	}
	missing := len(before.Uncovered)
	for _, g := range before.Missing {
		missing += len(g.Items)
	}
	if items != 103 || missing != before.Counts[report.StatusNotEvaluated] || len(before.Manual) != before.Counts[report.StatusManual] {
		t.Errorf("items %d, not evaluated %d/%d, manual %d/%d", items, missing, before.Counts[report.StatusNotEvaluated], len(before.Manual), before.Counts[report.StatusManual])
	}
	// The sections' items, scored together, give the report's score.
	all := make([]report.Item, 0, 103)
	for _, s := range before.Sections {
		all = append(all, s.Items...)
	}
	worst := map[string]check.Severity{}
	for _, f := range rep.Findings {
		if s, ok := worst[f.Item]; !ok || f.Severity > s {
			worst[f.Item] = f.Severity
		}
	}
	if got := ScoreText(report.Score(all, worst)); got != ScoreText(rep.Summary.Score) {
		t.Errorf("the sections' items score %s, the report %s", got, ScoreText(rep.Summary.Score))
	}
	if !strings.Contains(before.Headline(), "of 103 checklist items") || before.ScoreText() != ScoreText(rep.Summary.Score) {
		t.Errorf("headline %q, score %s", before.Headline(), before.ScoreText())
	}

	// A baseline moves findings aside but the scorecard stays what the engine decided.
	baseline.Apply(rep, baseline.New(rep, cat), "b.json", cat)
	rep.Summarize()
	after := Build(rep, cat)
	for i, s := range after.Sections {
		if ScoreText(s.Score) != ScoreText(before.Sections[i].Score) {
			t.Errorf("section %s scored %s before the baseline and %s after", s.ID, ScoreText(before.Sections[i].Score), ScoreText(s.Score))
		}
	}
	if after.FindingsTotal() != 0 {
		t.Errorf("%d findings counted after a full baseline", after.FindingsTotal())
	}
}
