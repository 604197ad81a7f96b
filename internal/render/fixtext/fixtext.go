// Package fixtext spells a finding's machine-readable remedy (report.Fix) in the form of its
// input, for the human formats and the descriptions of the machine ones: an edit of a
// Terraform module as HCL (`attr = value`), of a manifest or an ARM template as `path: value`
// (the value as JSON, which YAML reads too), the az command as it is run. It returns raw text:
// each renderer escapes it for its medium (sanitize.Text for a line, html/template, a Markdown
// fence), as it does every scanned value.
package fixtext

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/akscheck/akscheck/internal/credential"
	"github.com/akscheck/akscheck/internal/report"
)

// Terraform is the input kind whose edits are written as HCL.
const Terraform = "terraform"

// View is a fix spelled for people.
type View struct {
	// Where is the file and line the edits apply at ("" when there is no file).
	Where string
	// Input is the kind of input, with the provider version for Terraform ("terraform, azurerm v4").
	Input string
	// Edits are the edits, one line each, in the input's form.
	Edits []string
	// Lang is the language the edits are written in, for a code block's info string: hcl for
	// Terraform, yaml for the rest (a manifest's or template's path and JSON value read as YAML).
	Lang string
	// Command is the command that makes the change on a running resource ("" when none);
	// withheld (and said so) when it would pass a credential.
	Command string
	// Note says what the edits cannot.
	Note string
}

// Of spells a fix; nil gives the zero View.
func Of(f *report.Fix) View {
	if f == nil {
		return View{}
	}
	v := View{Input: f.Input, Note: f.Note, Lang: "yaml"}
	if f.Input == Terraform {
		v.Lang = "hcl"
	}
	if f.Provider != "" {
		v.Input += ", " + f.Provider
	}
	if f.File != "" && len(f.Edits) > 0 {
		v.Where = report.FileLine(f.File, f.Line)
	}
	for _, e := range f.Edits {
		v.Edits = append(v.Edits, Edit(f.Input, e))
	}
	if f.Command != "" {
		v.Command = f.Command
		if what := commandCredential(f.Command); what != "" {
			v.Command = fmt.Sprintf("(command withheld: it passes %s)", what)
		}
	}
	return v
}

// commandCredential says what credential a command passes ("a credential to --password", "a
// JSON Web Token"), or "": flags with a literal credential in both forms, --flag=value and
// --flag value, and words shaped like one.
func commandCredential(cmd string) string {
	if flag := credential.Flag(cmd); flag != "" {
		return "a credential to " + flag
	}
	words := strings.Fields(cmd)
	for i, w := range words {
		if i+1 < len(words) && credential.FlagValue(w, words[i+1]) {
			return "a credential to " + w
		}
		if kind := credential.Kind(w); kind != "" {
			return kind
		}
	}
	return ""
}

// Empty reports whether the view has nothing to show.
func (v View) Empty() bool { return len(v.Edits) == 0 && v.Command == "" && v.Note == "" }

// Lines are the view as lines of text for a terminal or a description: the command (after
// "$ "), each edit after its file and line, the note.
func (v View) Lines() []string {
	var out []string
	if v.Command != "" {
		out = append(out, "$ "+v.Command)
	}
	for _, e := range v.Edits {
		if v.Where != "" {
			e = v.Where + "  " + e
		}
		out = append(out, e)
	}
	if v.Note != "" {
		out = append(out, "note: "+v.Note)
	}
	return out
}

// Summary is the view in one sentence, for a SARIF fix's description and a result's message:
// "In main.tf:12 (terraform, azurerm v4): set a = 1; b += "x". Or run: az aks update ... Note: ...".
func (v View) Summary() string {
	var parts []string
	if len(v.Edits) > 0 {
		where := v.Input
		if v.Where != "" {
			where = v.Where + " (" + v.Input + ")"
		}
		parts = append(parts, fmt.Sprintf("In %s: %s.", where, strings.Join(v.Edits, "; ")))
	}
	if v.Command != "" {
		lead := "Run: "
		if len(v.Edits) > 0 {
			lead = "On the running cluster, run: "
		}
		parts = append(parts, lead+v.Command)
	}
	if v.Note != "" {
		parts = append(parts, "Note: "+v.Note)
	}
	return strings.Join(parts, " ")
}

// Edit spells one edit in the form of the input: `path = value` in HCL for Terraform,
// `path: value` with the value as JSON for manifests and ARM templates, and `path += value`
// for an append to a list in any of them.
func Edit(input string, e report.Edit) string {
	val := Value(input, e.Value)
	switch {
	case e.Op == "append":
		return e.Path + " += " + val
	case input == Terraform:
		if block, ok := e.Value.(map[string]any); ok && e.Op == "block" {
			// A nested block (monitor_metrics {}): azurerm takes a block there, never an
			// attribute `= {}`.
			if len(block) == 0 {
				return e.Path + " {}"
			}
			return e.Path + " " + val
		}
		return e.Path + " = " + val
	}
	return e.Path + ": " + val
}

// Value spells a value as the input writes it: HCL for Terraform, JSON (which YAML reads)
// for the rest (encoding/json sorts map keys: the output is stable). A string that looks like
// a credential is never spelled: it is named by its kind instead.
func Value(input string, v any) string {
	if input == Terraform {
		return hclText(v)
	}
	return jsonText(redacted(v))
}

// jsonText is v as compact JSON, with <, > and & as they are (the renderers escape for their
// medium; \u003c would only obscure a value).
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// redacted replaces the credential-looking strings of a decoded JSON value by their kind.
func redacted(v any) any {
	switch x := v.(type) {
	case string:
		if kind := credential.Kind(x); kind != "" {
			return "<withheld: " + kind + ">"
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redacted(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redacted(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = redacted(e)
		}
		return out
	}
	return v
}

// hclText spells a value as an HCL expression on one line: strings quoted and escaped by
// hclwrite (including the template introducers ${ and %{), lists as [a, b], objects as
// { key = value, ... } with their keys sorted.
func hclText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if kind := credential.Kind(x); kind != "" {
			x = "<withheld: " + kind + ">"
		}
		return string(hclwrite.TokensForValue(cty.StringVal(x)).Bytes())
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = hclText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = hclText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			key := k
			if !hclsyntax.ValidIdentifier(k) {
				key = hclText(k)
			}
			parts[i] = key + " = " + hclText(x[k])
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	// Numbers (int64, float64, json.Number) and anything else JSON can write read the same
	// in HCL.
	return jsonText(v)
}

// Redacted returns a copy of the fix for the machine formats that carry it whole (SARIF's
// properties): credential-looking values named by their kind, a command that passes a
// credential withheld, everything else as it is.
func Redacted(f *report.Fix) *report.Fix {
	if f == nil {
		return nil
	}
	out := *f
	out.Edits = make([]report.Edit, len(f.Edits))
	for i, e := range f.Edits {
		e.Value = redacted(e.Value)
		out.Edits[i] = e
	}
	if what := commandCredential(f.Command); what != "" {
		out.Command = fmt.Sprintf("(command withheld: it passes %s)", what)
	}
	return &out
}
