package render

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/render/fleet"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

func TestNamesAndLookup(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, f := range Formats() {
		for _, n := range append([]string{f.Name}, f.Aliases...) {
			if seen[n] {
				t.Errorf("format name %q is taken twice", n)
			}
			seen[n] = true
		}
		if f.Help == "" || f.Render == nil {
			t.Errorf("format %s has no help or no renderer", f.Name)
		}
	}
	for in, want := range map[string]string{"md": "markdown", "HTML": "html", "sarif": "sarif"} {
		if f, ok := Lookup(in); !ok || f.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", in, f.Name, ok, want)
		}
	}
	if _, ok := Lookup("xml"); ok {
		t.Error("Lookup(xml) found a format")
	}
}

// TestEveryFormatRendersAndStreams renders one report in every format, and streams two
// clusters' reports with their fleet summary in the formats that stream.
func TestEveryFormatRendersAndStreams(t *testing.T) {
	t.Parallel()
	rep, cat := scantest.Run(t, engine.Options{Version: "test"}, "../../examples/k8s")
	c := Context{Report: rep, Catalog: cat, Checks: checks.All()}
	for _, f := range Formats() {
		var buf bytes.Buffer
		if err := f.Render(&buf, c); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %d bytes, error %v", f.Name, buf.Len(), err)
		}
		if f.Name == "jsonl" && (bytes.Count(buf.Bytes(), []byte("\n")) != 1 || !bytes.HasPrefix(buf.Bytes(), []byte(`{"schemaVersion":`))) {
			t.Errorf("jsonl is not one line of the report: %.80s", buf.String())
		}
		if f.Stream == nil {
			continue
		}
		var stream bytes.Buffer
		for _, name := range []string{"prod", "dev"} {
			if err := f.Stream(&stream, name, buf.Bytes()); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		if f.Fleet != nil {
			if err := f.Fleet(&stream, []fleet.Cluster{{Name: "prod", Report: rep}, {Name: "dev", Report: rep}}); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		out := stream.String()
		switch f.Name {
		case "json", "jsonl":
			if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[2], `{"fleetSummary":[{"cluster":"prod"`) {
				t.Errorf("json stream: %d lines, last %.80s", len(lines), lines[len(lines)-1])
			}
		case "table":
			for _, want := range []string{"== prod", "== dev", "== summary of 2 clusters"} {
				if !strings.Contains(out, want) {
					t.Errorf("table stream lacks %q", want)
				}
			}
		case "yaml":
			if strings.Count(out, "---\n") != 2 {
				t.Errorf("yaml stream: want two documents")
			}
		}
	}
}

// TestNoRendererImportsTheEngine: renderers only render the report; the engine's arithmetic
// (summary, score) lives in package report.
func TestNoRendererImportsTheEngine(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{.ImportPath}}",
		"github.com/akscheck/akscheck/internal/render/...").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v: %s", err, out) // no go command: nothing to check with
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"/internal/engine", "/internal/scan", "/internal/load", "/internal/cli"} {
			if strings.HasSuffix(pkg, banned) || strings.Contains(pkg, banned+"/") {
				t.Errorf("a renderer depends on %s", pkg)
			}
		}
	}
}
