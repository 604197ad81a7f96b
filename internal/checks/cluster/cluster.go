// Package cluster holds the checks of Azure resources: AKS clusters (with their node pools,
// maintenance configurations, diagnostic settings and Defender plan) and container
// registries. They see the one model of package subject, whichever input it came from
// (az CLI or REST JSON, ARM templates, Bicep, Terraform, plan files). An unknown value (an
// unresolved expression or variable) never makes them fail, nor pass: a check that needs it
// is undecided (check.Result.Undecided), and its item not evaluated.
package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Evidence kinds of the checks.
var (
	clusterEvidence = []catalog.Evidence{catalog.ARM, catalog.Terraform}
	// observedEvidence is that of the rules a running cluster's Nodes prove as well as its
	// Azure description: the live loader maps the Nodes into the same pools.
	observedEvidence = []catalog.Evidence{catalog.ARM, catalog.Terraform, catalog.Cluster}
	// imageEvidence is that of the node image rules: azurerm has no node image version.
	imageEvidence    = []catalog.Evidence{catalog.ARM, catalog.Cluster}
	registryEvidence = []catalog.Evidence{catalog.ACR}
)

// The checks report where a setting is written as the loader spelled it (Attr.Loc: the file,
// the line and the setting's path in the input's dialect); they never name paths themselves.

// fail records a finding of the check's severity at a setting.
func fail(r *check.Result, s subject.Subject, a subject.Attr, format string, args ...any) {
	r.FailLoc(where(a.Loc, s.Identity().Source), "", format, args...)
}

// failSev records a finding at a setting, at another severity than the check's.
func failSev(r *check.Result, sev check.Severity, s subject.Subject, a subject.Attr, format string, args ...any) {
	r.FailAt(sev, where(a.Loc, s.Identity().Source), "", format, args...)
}

// poolFail records a finding of the check's severity at a setting of a node pool.
func poolFail(r *check.Result, c *subject.Cluster, p *subject.NodePool, a subject.Attr, format string, args ...any) {
	loc := where(where(a.Loc, p.Source), c.Source)
	r.FailLoc(loc, "", "node pool %s: "+format, append([]any{p.Name}, args...)...)
}

// poolFailSev records a finding at a setting of a node pool, at another severity than the
// check's.
func poolFailSev(r *check.Result, sev check.Severity, c *subject.Cluster, p *subject.NodePool, a subject.Attr, format string, args ...any) {
	loc := where(where(a.Loc, p.Source), c.Source)
	r.FailAt(sev, loc, "", "node pool %s: "+format, append([]any{p.Name}, args...)...)
}

// wantOn judges a switch that must be on: the check is undecided while the switch is
// unknown (what names it), and finds it off with a finding (msg) at it. It reports whether
// the switch is on.
func wantOn(r *check.Result, s subject.Subject, b subject.Bool, what, msg string) bool {
	return wantOnFix(r, s, b, nil, what, "%s", msg)
}

// wantOnFix is wantOn with the fix of the finding (nil for none) and a formatted message.
func wantOnFix(r *check.Result, s subject.Subject, b subject.Bool, fix *check.Fix, what, format string, args ...any) bool {
	switch {
	case b.IsUnknown():
		undecided(r, s, what, b.Attr)
	case !b.True():
		failFix(r, s, b.Attr, fix, format, args...)
	default:
		return true
	}
	return false
}

// wantOffFix judges a switch that must not be on: the check is undecided while the switch
// is unknown (what names it), and finds it on with a finding (msg) at it, with its fix (nil
// for none).
func wantOffFix(r *check.Result, s subject.Subject, b subject.Bool, fix *check.Fix, what, msg string) {
	switch {
	case b.IsUnknown():
		undecided(r, s, what, b.Attr)
	case b.True():
		failFix(r, s, b.Attr, fix, "%s", msg)
	}
}

// poolCheck builds a check that judges each node pool of a cluster with judge, which
// records the pool's findings (or that it could not decide the pool) and reports whether the
// rule applies to the pool at all. A cluster the rule applies to none of whose pools (or
// that has none) is not applicable.
func poolCheck(m check.Meta, judge func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool) *check.Check {
	return check.New(m, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
		judged := false
		for _, p := range c.Pools {
			if judge(r, c, p) {
				judged = true
			}
		}
		if !judged {
			r.NotApplicable()
		}
	})
}

// An unknown setting never fails a check and never passes it: the check calls undecided,
// and its item is not evaluated, with a reason that names the setting, where the input
// writes it and which input would carry its value. A setting that is not written takes the
// service default and is judged as such; only where AKS documents no fixed default is an
// absent setting undecided too.

// undecided records that the check cannot decide on s because a setting (what, in words) is
// unknown, or absent without a documented default.
func undecided(r *check.Result, s subject.Subject, what string, a subject.Attr) {
	r.Undecided(what + " of " + noun(s) + " (" + evidence(s.Identity(), a) + ")")
}

// poolUndecided records that the check cannot decide on a node pool because a setting of it
// is unknown.
func poolUndecided(r *check.Result, c *subject.Cluster, p *subject.NodePool, what string, a subject.Attr) {
	r.Undecided(what + " of node pool " + p.Name + " of " + noun(c) + " (" + evidence(c.Identity(), a) + ")")
}

// missingFrom records that the check cannot decide on s because a resource the input does not
// hold (what) is needed; give says which input holds it.
func missingFrom(r *check.Result, s subject.Subject, what, give string) {
	r.Undecided(what + " of " + noun(s) + " (not in the input: give " + give + ")")
}

// noun names a subject in a reason: "cluster aks-prod", "registry contosoacr".
func noun(s subject.Subject) string {
	switch s.(type) {
	case *subject.Registry:
		return "registry " + s.Identity().Name
	case *subject.Cluster:
		return "cluster " + s.Identity().Name
	}
	id := s.Identity()
	return id.Kind + " " + id.Name
}

// evidence says where an undecided setting is written and which input would carry its value,
// by the kind of input the subject came from.
func evidence(id subject.Identity, a subject.Attr) string {
	var at string
	switch loc := a.Loc; {
	case loc.OnObject():
		at = loc.Path + " of " + loc.Kind + " " + loc.Name
	case loc.File != "" && loc.Line > 0:
		at = fmt.Sprintf("%s at %s:%d", loc.Path, loc.File, loc.Line)
	case loc.File != "":
		at = loc.Path + " in " + loc.File
	default:
		at = loc.Path
	}
	if at != "" {
		at += ": "
	}
	show := "az aks show output"
	if strings.Contains(strings.ToLower(id.Kind), "registr") {
		show = "az acr show output"
	}
	if a.IsAbsent() {
		return at + "not written, and Azure documents no fixed default for it; give the deployed resource's " + show
	}
	switch id.Input {
	case subject.InputTerraform:
		return at + "not resolved (a variable without a value, another resource's attribute, or a value known only after apply); " +
			"give its value (.tfvars), a plan or state (terraform show -json), or the deployed resource's " + show
	case subject.InputCluster:
		return at + "the Kubernetes API does not show it; give the cluster's az aks show output, or scan with --azure"
	}
	return at + "not resolved (a template expression, or a resource known only by its parts); give the deployed resource's " + show
}

// where is the location of a setting; one without a file or an object (a cluster known only
// by its parts) points at the subject, keeping the setting's path.
func where(loc, subjectAt subject.Location) subject.Location {
	if loc.File != "" || loc.OnObject() {
		return loc
	}
	if loc.Path != "" {
		subjectAt.Path = loc.Path
	}
	return subjectAt
}

// vmssPools returns the pools that run on scale sets (the default and the only type AKS
// still creates).
func vmssPools(c *subject.Cluster) []*subject.NodePool {
	var out []*subject.NodePool
	for _, p := range c.Pools {
		if p.Type.IsAbsent() || p.Type.Is("VirtualMachineScaleSets") {
			out = append(out, p)
		}
	}
	return out
}

func quoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "\"" + x + "\""
	}
	return strings.Join(q, ", ")
}

func regionKey(s string) string { return subject.NormalizeRegion(s) }
