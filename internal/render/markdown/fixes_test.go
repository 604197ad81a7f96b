package markdown

import (
	"flag"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestFixes renders fixes of every shape against a golden file, and reads the output as
// CommonMark fences do: every hostile value and every value with backticks sits inside a
// fenced block that only its own closing fence ends, and no credential is printed.
func TestFixes(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	out := Summary(rep, cat, Options{Top: 20})
	fixtest.Golden(t, "testdata/fixes.golden.md", []byte(out), *update)
	for _, bad := range []string{"AccountKey=", "s3cr3t", "\x1b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("the summary carries %q", bad)
		}
	}
	blocks := fences(t, out)
	var inside strings.Builder
	for _, b := range blocks {
		inside.WriteString(b + "\n")
	}
	for _, want := range []string{
		"az aks update --resource-group rg-prod --name aks-prod --enable-azure-rbac",
		`default_node_pool.upgrade_settings.max_surge = "33%"`,
		"properties.apiServerAccessProfile.enablePrivateCluster: true",
		`spec.template.spec.containers[0].securityContext.capabilities.drop += "ALL"`,
	} {
		if !strings.Contains(inside.String(), want) {
			t.Errorf("no fenced block holds %q", want)
		}
	}
	// Outside the fences, the hostile markup is escaped.
	outside := out
	for _, b := range blocks {
		outside = strings.Replace(outside, b, "", 1)
	}
	if strings.Contains(outside, "<script") || strings.Contains(outside, "```~~~") {
		t.Errorf("a hostile value is live outside the code blocks:\n%s", outside)
	}
	if n := strings.Count(inside.String(), "<script>window.pwned=9</script>```~~~|end"); n < 3 {
		t.Errorf("the hostile values are not shown whole inside their blocks (%d)", n)
	}
	if !strings.Contains(out, "> **Note:** A private API server is chosen only when the cluster is created") {
		t.Error("a note is missing")
	}
}

// TestFixesStayUnderTheLimit: a thousand findings with long fixes keep the summary under
// GitHub's limit, the fixes within their budget, and the rest counted.
func TestFixesStayUnderTheLimit(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	base := rep.Findings[3]
	rep.Findings = nil
	for range 1000 {
		f := base
		fix := *f.Fix
		fix.Edits = nil
		for range 30 {
			fix.Edits = append(fix.Edits, report.Edit{Op: "set", Path: "tags.x", Value: strings.Repeat("v", 600)})
		}
		f.Fix = &fix
		rep.Findings = append(rep.Findings, f)
	}
	out := Summary(rep, cat, Options{})
	if len(out) >= Limit {
		t.Errorf("%d bytes, over the limit", len(out))
	}
	if !strings.Contains(out, "more finding(s) carry a fix") || !strings.Contains(out, "more edits (see the JSON report)") {
		t.Error("the fixes left out are not counted")
	}
	fences(t, out)
}

// fences returns the contents of the fenced code blocks of a CommonMark text (backtick
// fences at the start of a line), failing the test on a fence left open.
func fences(t *testing.T, doc string) []string {
	t.Helper()
	var out []string
	open := ""
	var body []string
	for _, line := range strings.Split(doc, "\n") {
		run := len(line) - len(strings.TrimLeft(line, "`"))
		switch {
		case open == "" && run >= 3:
			open = line[:run]
			body = nil
		case open != "" && run >= len(open) && strings.TrimSpace(line[run:]) == "":
			out = append(out, strings.Join(body, "\n"))
			open = ""
		case open != "":
			body = append(body, line)
		}
	}
	if open != "" {
		t.Fatalf("a fence %s is never closed", open)
	}
	return out
}

// FuzzFence: whatever a fix's line holds (backticks, tildes, newlines, markup, invalid UTF-8),
// its fenced block is one block that ends where it should and holds the line as escaped.
func FuzzFence(f *testing.F) {
	for _, s := range []string{"", "a", "```", "````x```", "`\n```\n", "~~~", fixtest.Hostile, "\xff```\xfe", strings.Repeat("`", 40) + "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := "before\n\n" + fenced("sh", []string{s, "second"}) + "after\n"
		blocks := fences(t, doc)
		want := cut(sanitize.Text(s)) + "\nsecond"
		if len(blocks) != 1 || blocks[0] != want {
			t.Fatalf("%q gives the blocks %q, want one holding %q", s, blocks, want)
		}
		if !strings.HasSuffix(doc, "\n\nafter\n") {
			t.Fatalf("the text after the block moved: %q", doc)
		}
	})
}
