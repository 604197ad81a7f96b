package fixtext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
	"github.com/akscheck/akscheck/internal/report"
)

func TestEditInTheInputsForm(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		input string
		edit  report.Edit
		want  string
	}{
		{"manifest", report.Edit{Op: "set", Path: "spec.a", Value: false}, `spec.a: false`},
		{"manifest", report.Edit{Op: "append", Path: "spec.drop", Value: "ALL"}, `spec.drop += "ALL"`},
		{"manifest", report.Edit{Op: "set", Path: "m", Value: map[string]any{"b": int64(1), "a": "<x>"}}, `m: {"a":"<x>","b":1}`},
		{"arm", report.Edit{Op: "set", Path: "properties.x.enabled", Value: true}, `properties.x.enabled: true`},
		{"terraform", report.Edit{Op: "set", Path: "azure_policy_enabled", Value: true}, `azure_policy_enabled = true`},
		{"terraform", report.Edit{Op: "set", Path: "max_surge", Value: "33%"}, `max_surge = "33%"`},
		{"terraform", report.Edit{Op: "set", Path: "r", Value: []any{"10.0.0.0/8", float64(2.5)}}, `r = ["10.0.0.0/8", 2.5]`},
		{"terraform", report.Edit{Op: "set", Path: "l", Value: map[string]any{"tier": "system", "a.b/c": int64(3)}}, `l = { "a.b/c" = 3, tier = "system" }`},
		{"terraform", report.Edit{Op: "block", Path: "monitor_metrics", Value: map[string]any{}}, `monitor_metrics {}`},
		{"terraform", report.Edit{Op: "set", Path: "t", Value: "${var.x}%{if}"}, `t = "$${var.x}%%{if}"`},
		{"terraform", report.Edit{Op: "append", Path: "zones", Value: "1"}, `zones += "1"`},
		{"terraform", report.Edit{Op: "set", Path: "n", Value: nil}, `n = null`},
	} {
		if got := Edit(c.input, c.edit); got != c.want {
			t.Errorf("Edit(%s, %+v) = %s, want %s", c.input, c.edit, got, c.want)
		}
	}
}

// TestTerraformValuesParse: every Terraform value is an HCL expression hcl parses back to the
// same value, hostile strings included.
func TestTerraformValuesParse(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"33%", fixtest.Hostile, "${x}", []any{"a", int64(1), true}, map[string]any{"k": "v", "a b": []any{}}} {
		src := Value(Terraform, v)
		expr, diags := hclsyntax.ParseExpression([]byte(src), "v.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Errorf("%q: %s", src, diags.Error())
			continue
		}
		got, diags := expr.Value(nil)
		if diags.HasErrors() {
			t.Errorf("%q: %s", src, diags.Error())
			continue
		}
		if s, ok := v.(string); ok && got.AsString() != s {
			t.Errorf("%q reads back as %q, want %q", src, got.AsString(), s)
		}
	}
}

func TestCredentialsAreWithheld(t *testing.T) {
	t.Parallel()
	rep, _ := fixtest.Report()
	for _, f := range rep.Findings {
		v := Of(f.Fix)
		text := strings.Join(v.Lines(), "\n") + v.Summary()
		if strings.Contains(text, "AccountKey=") || strings.Contains(text, "s3cr3t") {
			t.Errorf("%s: a credential is printed: %s", f.Check, text)
		}
	}
	v := Of(&report.Fix{Input: "terraform", File: "a.tf", Line: 1, Edits: []report.Edit{{Op: "set", Path: "k", Value: fixtest.Secret}},
		Command: "az x --client-secret s3cr3tV4lu3xyz"})
	if !strings.Contains(v.Edits[0], "withheld: a connection string") || !strings.Contains(v.Command, "withheld") {
		t.Errorf("not withheld: %+v", v)
	}
}

func TestViewLinesAndSummary(t *testing.T) {
	t.Parallel()
	v := Of(&report.Fix{Input: "terraform", File: "main.tf", Line: 12, Provider: "azurerm v4",
		Edits: []report.Edit{{Op: "set", Path: "a", Value: int64(1)}}, Command: "az aks update -g rg -n c --x", Note: "N."})
	want := []string{"$ az aks update -g rg -n c --x", "main.tf:12  a = 1", "note: N."}
	if got := v.Lines(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	if got, want := v.Summary(), "In main.tf:12 (terraform, azurerm v4): a = 1. On the running cluster, run: az aks update -g rg -n c --x Note: N."; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if !Of(nil).Empty() || Of(&report.Fix{Input: "arm", Note: "x"}).Empty() {
		t.Error("Empty is wrong")
	}
}

// FuzzTerraformValue: any string a fix sets is written as one HCL expression on one line that
// hcl reads back as the same string (template introducers, quotes, backslashes and controls
// escaped), unless it looks like a credential, which is withheld.
func FuzzTerraformValue(f *testing.F) {
	for _, s := range []string{"", "33%", "${var.x}", "%{if}", `a"b\c`, "line\nnext", fixtest.Hostile, "$${x}", "\x00\x7f\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // values come from JSON: valid UTF-8
		}
		src := Value(Terraform, s)
		if strings.ContainsAny(src, "\n\r") {
			t.Fatalf("%q is written on more than one line: %q", s, src)
		}
		expr, diags := hclsyntax.ParseExpression([]byte(src), "v.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%q is written as %q, which does not parse: %s", s, src, diags.Error())
		}
		got, diags := expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("%q is written as %q: %s", s, src, diags.Error())
		}
		if strings.Contains(src, "<withheld: ") {
			return
		}
		if got.AsString() != cty.NormalizeString(s) {
			t.Fatalf("%q is written as %q, which reads back as %q", s, src, got.AsString())
		}
	})
}
