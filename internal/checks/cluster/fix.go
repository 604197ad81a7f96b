package cluster

import (
	"fmt"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// The fixes of the Azure checks are written in the model's terms: the model's value of a
// setting at its path as the loader spelled it (Attr.Loc.Path: az key, template property,
// azurerm attribute of the module's version), and the az CLI arguments of the same change.
// Package remedy writes them in the form of the input (the az command of a deployed
// resource, the template's or module's edits) and spells values the inputs write otherwise.

// set is the edit that sets a setting to the model's value v.
func set(a subject.Attr, v any) check.Edit {
	return check.Edit{Op: check.EditSet, Path: a.Loc.Path, Value: v}
}

// appendTo is the edit that appends v to a list setting.
func appendTo(a subject.Attr, v any) check.Edit {
	return check.Edit{Op: check.EditAppend, Path: a.Loc.Path, Value: v}
}

// onCluster is a fix of a cluster's settings; az are the arguments of az (without the
// resource group and name, which the report adds from the cluster's ID).
func onCluster(c *subject.Cluster, az []string, edits ...check.Edit) *check.Fix {
	return &check.Fix{Edits: edits, Az: az, Resource: &c.AzureResource}
}

// onPool is a fix of a node pool's settings.
func onPool(c *subject.Cluster, p *subject.NodePool, az []string, edits ...check.Edit) *check.Fix {
	return &check.Fix{Edits: edits, Az: az, Resource: &p.AzureResource, Cluster: &c.AzureResource}
}

// onRegistry is a fix of a registry's settings.
func onRegistry(g *subject.Registry, az []string, edits ...check.Edit) *check.Fix {
	return &check.Fix{Edits: edits, Az: az, Resource: &g.AzureResource}
}

// atCreation marks a fix whose setting AKS takes only when the resource is created.
func atCreation(fix *check.Fix, what string) *check.Fix {
	fix.Note = "AKS takes " + what + " only when it creates the resource: Terraform replaces the resource to change it, " +
		"a template cannot change it on an existing one; create a new one and move the workloads."
	return fix
}

// az is the arguments of an az command.
func az(args ...string) []string { return args }

// failFix records a finding of the check's severity at a setting, with its fix (nil for
// none).
func failFix(r *check.Result, s subject.Subject, a subject.Attr, fix *check.Fix, format string, args ...any) {
	failSevFix(r, r.Severity(), s, a, fix, format, args...)
}

// failSevFix records a finding at a setting at a severity, with its fix.
func failSevFix(r *check.Result, sev check.Severity, s subject.Subject, a subject.Attr, fix *check.Fix, format string, args ...any) {
	r.Add(check.Finding{Severity: sev, Location: where(a.Loc, s.Identity().Source), Message: fmt.Sprintf(format, args...), Fix: fix})
}

// poolFailFix records a finding of the check's severity at a setting of a node pool, with
// its fix.
func poolFailFix(r *check.Result, c *subject.Cluster, p *subject.NodePool, a subject.Attr, fix *check.Fix, format string, args ...any) {
	loc := where(where(a.Loc, p.Source), c.Source)
	r.Add(check.Finding{Severity: r.Severity(), Location: loc, Message: fmt.Sprintf("node pool %s: "+format, append([]any{p.Name}, args...)...), Fix: fix})
}
