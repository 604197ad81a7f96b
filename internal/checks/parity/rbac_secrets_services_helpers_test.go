package parity

import (
	"bytes"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// peersScan runs every built-in check over manifests, as `akscheck scan` does a file.
func peersScan(t *testing.T, yaml string) *report.Report {
	t.Helper()
	s := manifest.LoadBytes("peers.yaml", []byte(yaml), manifest.Options{})
	if len(s.Errors) > 0 {
		t.Fatalf("manifests do not load: %+v", s.Errors)
	}
	s.Evidence[catalog.Manifest] = true
	return engine.Run(t.Context(), catalog.MustLoad(), checks.All(), s, engine.Options{Now: testutil.Now})
}

// peersFindings returns the findings of one check.
func peersFindings(rep *report.Report, id string) []report.Finding {
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.Check == id {
			out = append(out, f)
		}
	}
	return out
}

// peersExpect asserts that a check finds exactly want findings, and that each message holds
// every one of the words.
func peersExpect(t *testing.T, rep *report.Report, id string, want int, words ...string) {
	t.Helper()
	got := peersFindings(rep, id)
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
