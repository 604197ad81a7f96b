package markdown

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

func examples(t *testing.T, paths ...string) (*report.Report, *catalog.Catalog) {
	t.Helper()
	return scantest.Run(t, engine.Options{Version: "test"}, paths...)
}

func TestSummaryListsEverythingWhenSmall(t *testing.T) {
	t.Parallel()
	rep, cat := examples(t, "../../../examples/k8s/cart.yaml", "../../../examples/k8s/debug.yaml")
	out := Summary(rep, cat, Options{})
	for _, want := range []string{"### Scorecard", "### Top findings", fmt.Sprintf("All %d finding(s)", len(rep.Findings)), "| **All 103 items** |"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	rep.Notices = []report.Notice{{Severity: check.Info, Source: ".akscheck.yaml", Line: 3, Message: "the exemption of x expired"}}
	if !strings.Contains(Summary(rep, cat, Options{}), "- .akscheck.yaml:3: the exemption of x expired") {
		t.Error("notices are not listed")
	}
	if strings.Contains(out, "are not listed") {
		t.Error("a small report is truncated")
	}
	for _, f := range rep.Findings {
		if !strings.Contains(out, "| ["+f.Check+"] |") || !strings.Contains(out, "\n["+f.Check+"]: https://") {
			t.Errorf("finding of %s missing, or its link", f.Check)
		}
	}
}

// TestSummaryStaysUnderGitHubLimit renders a report of 20,000 findings with long messages.
func TestSummaryStaysUnderGitHubLimit(t *testing.T) {
	t.Parallel()
	rep, cat := examples(t, "../../../examples")
	var many []report.Finding
	for i := range 20000 {
		f := rep.Findings[i%len(rep.Findings)]
		f.Message = strings.Repeat("é long message ", 30) + fmt.Sprint(i)
		f.Object.Name = fmt.Sprintf("workload-%05d", i)
		many = append(many, f)
	}
	rep.Findings = many
	out := Summary(rep, cat, Options{})
	if n := len(out); n >= Limit {
		t.Errorf("summary is %d bytes, over GitHub's limit of %d", n, Limit)
	}
	if utf8.RuneCountInString(out) >= Limit || !utf8.ValidString(out) {
		t.Error("summary is over the limit in characters or cut inside a character")
	}
	if !strings.Contains(out, "findings are not listed, to stay under GitHub's 65536-character limit") {
		t.Error("the truncation is not noted")
	}
	if !strings.Contains(out, "</details>") || !strings.Contains(out, "### Scorecard") {
		t.Error("the summary lost its scorecard or its closing tag")
	}
	// A tiny cap still gives valid, noted output.
	small := Summary(rep, cat, Options{MaxBytes: 500})
	if len(small) >= 500 || !utf8.ValidString(small) || !strings.Contains(small, "cut") {
		t.Errorf("with MaxBytes 500: %d bytes: %q", len(small), small)
	}
}

func TestScannedTextIsInert(t *testing.T) {
	t.Parallel()
	rep, cat := examples(t, "../testdata/hostile.yaml")
	rep.Findings[0].Message = "a | b `c` <script>x</script> [link](javascript:alert(1))"
	out := Summary(rep, cat, Options{})
	for _, bad := range []string{"<script", "<img", "<svg"} {
		if strings.Contains(out, bad) {
			t.Errorf("summary carries %q", bad)
		}
	}
	if regexp.MustCompile(`[^\\]\]\(javascript:`).MatchString(out) {
		t.Error("summary carries a live javascript: link")
	}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") && regexp.MustCompile(`^\| \S+ \| \[[a-z0-9-]+\] \|`).MatchString(line) {
			rows++
			cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
			if cells != 6 {
				t.Errorf("a finding row has %d cell borders, want 6: %s", cells, line)
			}
		}
	}
	if rows < len(rep.Findings) {
		t.Errorf("%d finding rows for %d findings", rows, len(rep.Findings))
	}
}
