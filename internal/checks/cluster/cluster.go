// Package cluster holds the checks of Azure resources: AKS clusters (with their node pools,
// maintenance configurations, diagnostic settings and Defender plan) and container
// registries. They see the one model of package subject, whichever input it came from
// (az CLI or REST JSON, ARM templates, Bicep, Terraform, plan files), and an unknown
// value (an unresolved expression or variable) never makes them fail.
package cluster

import (
	"context"
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

// wantOn judges a switch that must be on: the check is not applicable while the switch is
// unknown, and finds it off with a finding at it. It reports whether the switch is on.
func wantOn(r *check.Result, s subject.Subject, b subject.Bool, format string, args ...any) bool {
	switch {
	case b.IsUnknown():
		r.NotApplicable()
	case !b.True():
		fail(r, s, b.Attr, format, args...)
	default:
		return true
	}
	return false
}

// wantOff judges a switch that must not be on: the check is not applicable while the switch
// is unknown, and finds it on with a finding at it.
func wantOff(r *check.Result, s subject.Subject, b subject.Bool, format string, args ...any) {
	switch {
	case b.IsUnknown():
		r.NotApplicable()
	case b.True():
		fail(r, s, b.Attr, format, args...)
	}
}

// poolCheck builds a check that judges each node pool of a cluster with judge, which
// records the pool's findings and reports whether it could judge the pool at all. A
// cluster none of whose pools could be judged (or that has none) is not applicable.
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
