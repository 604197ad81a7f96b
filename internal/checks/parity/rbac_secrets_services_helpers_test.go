package parity

import (
	"bytes"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/report"
)

// peersExpect asserts that a check finds exactly want findings, and that each message holds
// every one of the words.
func peersExpect(t *testing.T, rep *report.Report, id string, want int, words ...string) {
	t.Helper()
	got := findingsOf(rep, id)
	if len(got) != want {
		var msgs []string
		for _, f := range got {
			msgs = append(msgs, f.Message)
		}
		t.Fatalf("%s: %d finding(s), want %d: %q", id, len(got), want, msgs)
	}
	for _, f := range got {
		for _, w := range words {
			if !strings.Contains(f.Message, w) {
				t.Errorf("%s: message %q does not say %q", id, f.Message, w)
			}
		}
	}
}

// peersRenderAll renders the report in every format akscheck writes, by format name.
func peersRenderAll(t *testing.T, rep *report.Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	ctx := render.Context{Report: rep, Catalog: catalog.MustLoad(), Checks: checks.All()}
	for _, f := range render.Formats() {
		var buf bytes.Buffer
		if err := f.Render(&buf, ctx); err != nil {
			t.Fatalf("rendering %s: %v", f.Name, err)
		}
		out[f.Name] = buf.String()
	}
	return out
}
