// Package remedy shapes a check's fix (check.Fix: values at field paths in the model's terms,
// the az CLI arguments of the same change) into the remedy of the report (report.Fix), in the
// form of the finding's input:
//
//   - a resource as Azure returns it (az CLI or REST JSON, the live Azure API): the az command
//     that makes the change on the running resource, with its resource group and name from
//     the resource ID (az aks update, az aks nodepool update, az acr update...);
//   - an ARM template: the edits at the resource's property paths, with the file and line
//     (compiled Bicep: the same, to make in the .bicep source; a .bicep file akscheck compiled
//     gives the file and line of the .bicep source itself);
//   - a Terraform module: the edits at the resource's attributes as the module's azurerm
//     version (v3 or v4) names them, with HCL values, the file and line, and the provider;
//   - a Terraform plan: the same edits, to make in the module the plan was made from.
//
// Values the inputs spell differently (publicNetworkAccess "Disabled" and Terraform's
// public_network_access_enabled = false, a block that switches a feature on) are mapped here,
// by the setting's name as the input spells it (spell.go); the checks write the model's value.
// The az commands use only the parameters the CLI documents (azparams.txt).
package remedy

import (
	"path/filepath"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Shape returns the remedy of a finding in the form of its input, or nil when the finding
// has no fix or nothing of it applies to its input (a setting of a running cluster whose
// Azure resource is not known).
func Shape(f check.Finding) *report.Fix {
	fix := f.Fix
	if fix == nil {
		return nil
	}
	if fix.Resource == nil {
		// Not an Azure resource (a manifest): the edits where the finding is.
		return &report.Fix{Input: string(fix.Input), File: f.Location.File, Line: positive(f.Location.Line), Edits: Edits(f), Note: fix.Note}
	}
	out := &report.Fix{Input: string(fix.Input), Note: fix.Note}
	form, provider := formOf(fix)
	switch form {
	case subject.FormTemplate, subject.FormModule:
		out.File, out.Line = f.Location.File, positive(f.Location.Line)
		out.Edits = Edits(f)
	case subject.FormBicep:
		out.File, out.Line = f.Location.File, positive(f.Location.Line)
		out.Edits = Edits(f)
		out.Note = join(bicepNote(out.File), out.Note)
	case subject.FormPlan:
		out.Edits = Edits(f)
		out.Note = join("Change the module the plan was made from.", out.Note)
	default:
		// A deployed resource, or a cluster known by its Nodes: the command, when the
		// resource is known by its ID.
		if Creates(fix.Az) {
			// No command changes the running resource: the flag to give its successor.
			if AzParams().Validate(fix.Az) == nil {
				out.Note = join(out.Note, "At creation: "+shellJoin(fix.Az)+".")
			}
		} else if args := Command(fix); args != nil {
			out.Command = shellJoin(args)
		}
	}
	if form == subject.FormModule || form == subject.FormPlan {
		out.Provider = provider
	}
	if len(out.Edits) == 0 && out.Command == "" && out.Note == "" {
		return nil
	}
	return out
}

// formOf is the form of the input the fix's resource came from, and its Terraform provider
// version; a node pool known only by its cluster takes the cluster's.
func formOf(fix *check.Fix) (subject.Form, string) {
	form, provider := fix.Resource.Form, fix.Resource.Provider
	if form == "" && fix.Cluster != nil {
		form, provider = fix.Cluster.Form, fix.Cluster.Provider
	}
	return form, provider
}

// Edits are the fix's edits in the spelling of the finding's input: each at its path (an
// edit without one at the finding's own), with its value as the input writes it. For a
// plan, the paths are those of the module (no block indexes).
func Edits(f check.Finding) []report.Edit {
	if f.Fix == nil {
		return nil
	}
	var form subject.Form
	var provider string
	if f.Fix.Resource != nil {
		form, provider = formOf(f.Fix)
	}
	out := make([]report.Edit, 0, len(f.Fix.Edits))
	for _, e := range f.Fix.Edits {
		path := e.Path
		if path == "" {
			path = f.Location.Path
		}
		if form == subject.FormPlan {
			path = strings.ReplaceAll(path, "[0]", "")
		}
		op, value := e.Op, e.Value
		if f.Fix.Resource != nil {
			// Only Azure inputs spell values otherwise than the model.
			op, value = spell(form, provider, e.Op, path, e.Value)
		}
		out = append(out, report.Edit{Op: string(op), Path: path, Value: value})
	}
	return out
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

func positive(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// bicepNote says where a compiled Bicep fix is made. A .bicep file that akscheck compiled
// has its findings at the .bicep line already; a template compiled earlier is only the
// compiler's output. The edits stay in ARM property terms either way: Bicep writes the same
// properties, under the resource's body.
func bicepNote(file string) string {
	if strings.EqualFold(filepath.Ext(file), ".bicep") {
		return "The line is in the .bicep source; the edits name the compiled template's ARM property path, which the resource's body in the .bicep file writes under the same names."
	}
	return "The template is compiled Bicep: make the change in the .bicep source, at the same property path."
}
