package engine

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Policy is what a user decided about the checks: which run, how severe they are, which
// findings are exempted, and which manual items a person attested.
type Policy struct {
	// Disabled holds check IDs and item IDs that do not run.
	Disabled map[string]bool
	// Enabled holds check IDs and item IDs whose checks are off by default
	// (Meta.DisabledByDefault) and run.
	Enabled map[string]bool
	// Severity overrides severities, by check ID or item ID (a check ID wins).
	Severity map[string]check.Severity
	// Exemptions suppress findings.
	Exemptions []Exemption
	// Attestations make manual items attested.
	Attestations []Attestation
	// Strict ignores annotation exemptions.
	Strict bool
	// AttestationMaxAge is the age from which an attestation is stale; 0 means never.
	AttestationMaxAge time.Duration
	// Source is the config file the policy came from, for locations in notices.
	Source string
	// Notices are what resolving the config has to tell (a check ID that is now another's),
	// reported with the engine's own notices.
	Notices []report.Notice
}

// Exemption suppresses the findings of a check (or of every check of an item) on the objects
// that match its globs.
type Exemption struct {
	Check, Kind, Namespace, Name, Container string
	Reason                                  string
	// Expires is the first day the exemption no longer applies; zero means never.
	Expires time.Time
	Line    int
}

// Attestation records who checked a manual item, when, and the evidence.
type Attestation struct {
	Item, By, Evidence string
	Date               time.Time
	Line               int
}

// disabled reports whether a check does not run: the config disables it, or it is off by
// default and the config does not enable it.
func (p *Policy) disabled(c *check.Check) bool {
	if p == nil {
		return c.DisabledByDefault
	}
	if p.Disabled[c.ID] || p.Disabled[c.Item] {
		return true
	}
	return c.DisabledByDefault && !p.Enabled[c.ID] && !p.Enabled[c.Item]
}

// Runs reports whether check c runs under the policy (the config neither disables it nor
// leaves it off by default), for front-ends that enforce the checks outside a scan.
func (p *Policy) Runs(c *check.Check) bool { return !p.disabled(c) }

// SeverityOf returns the severity of c's findings under the policy: the config's override, or
// the check's default.
func (p *Policy) SeverityOf(c *check.Check) check.Severity {
	if s, ok := p.severity(c); ok {
		return s
	}
	return c.Severity
}

func (p *Policy) severity(c *check.Check) (check.Severity, bool) {
	if p == nil {
		return 0, false
	}
	if s, ok := p.Severity[c.ID]; ok {
		return s, true
	}
	s, ok := p.Severity[c.Item]
	return s, ok
}

func globMatch(pattern, value string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(pattern, value)
	return err == nil && ok
}

func (e Exemption) matches(f check.Finding) bool {
	return (e.Check == f.Check || e.Check == f.Item) &&
		globMatch(e.Kind, f.Object.Kind) && globMatch(e.Namespace, f.Object.Namespace) &&
		globMatch(e.Name, f.Object.Name) && globMatch(e.Container, f.Container)
}

// applyExemptions marks a finding that an exemption suppresses, and notes the exemptions
// that matched it but have expired.
func (p *Policy) applyExemptions(now time.Time, f *check.Finding, notes *notices) {
	if p == nil || f.SuppressedBy != "" {
		return
	}
	for _, e := range p.Exemptions {
		if !e.matches(*f) {
			continue
		}
		if !e.Expires.IsZero() && !now.Before(e.Expires) {
			notes.add(p.Source, e.Line, fmt.Sprintf("exemption of %s for %s expired on %s and no longer applies",
				e.Check, objectRef(f.Object), e.Expires.Format(time.DateOnly)))
			continue
		}
		f.SuppressedBy = fmt.Sprintf("exemption (%s:%d): %s", p.Source, e.Line, e.Reason)
		break
	}
}

// applyAnnotations suppresses findings that the subject's own annotations exempt, by the
// check's ID, a former ID of it (Meta.Aliases) or its item. Without a reason the annotation
// does not apply, and a notice says so.
func (p *Policy) applyAnnotations(c *check.Check, s subject.Subject, fs []check.Finding, notes *noteLog) {
	if len(fs) == 0 {
		return
	}
	o, ok := annotated(s)
	if !ok {
		return
	}
	list := o.Meta.Annotations[check.ExemptAnnotation]
	if list == "" {
		return
	}
	if p != nil && p.Strict {
		return
	}
	reason := strings.TrimSpace(o.Meta.Annotations[check.ExemptReasonAnnotation])
	ids := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		ids[strings.TrimSpace(id)] = true
	}
	for _, old := range c.Aliases {
		if ids[old] {
			ids[c.ID] = true
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.SuppressedBy != "" || !(ids[f.Check] || ids[f.Item]) {
			continue
		}
		if reason == "" {
			notes.add(o.Source.File, o.Source.Line, fmt.Sprintf("%s exempts %s by annotation without %s; the exemption does not apply",
				o.Ref(), f.Check, check.ExemptReasonAnnotation))
			continue
		}
		f.SuppressedBy = "annotation " + check.ExemptAnnotation + ": " + reason
	}
}

// annotated returns the Kubernetes object behind a subject, when it has one.
func annotated(s subject.Subject) (*subject.Object, bool) {
	switch v := s.(type) {
	case *subject.Object:
		return v, true
	case *subject.Workload:
		return v.Object, true
	case *subject.Namespace:
		return v.Object, v.Object != nil
	}
	return nil, false
}

func objectRef(o check.ObjectRef) string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

// attest turns a manual or not-evaluated item into an attested one.
func (p *Policy) attest(item *report.Item, now time.Time, notes *notices) {
	if p == nil {
		return
	}
	for _, a := range p.Attestations {
		if a.Item != item.ID {
			continue
		}
		if item.Status == report.StatusPass || item.Status == report.StatusFail {
			notes.add(p.Source, a.Line, fmt.Sprintf("attestation of %s is not used: the item is %s by its checks", a.Item, item.Status))
			return
		}
		item.Status = report.StatusAttested
		item.Reason = fmt.Sprintf("attested by %s on %s: %s", a.By, a.Date.Format(time.DateOnly), a.Evidence)
		if p.AttestationMaxAge > 0 && now.Sub(a.Date) > p.AttestationMaxAge {
			item.Reason += " (stale)"
			notes.add(p.Source, a.Line, fmt.Sprintf("attestation of %s by %s on %s is older than %d days: attest it again",
				a.Item, a.By, a.Date.Format(time.DateOnly), int(p.AttestationMaxAge.Hours()/24)))
		}
		return
	}
}

// notices collects the report's notices, once each.
type notices struct {
	list []report.Notice
	seen map[string]bool
}

// noteLog records the notices one check causes, in order and each time, while checks run
// side by side; the run adds them to the report's notices in the checks' order.
type noteLog []note

func (l *noteLog) add(source string, line int, msg string) {
	*l = append(*l, note{source, line, msg})
}

func (n *notices) add(source string, line int, msg string) {
	key := fmt.Sprintf("%s:%d:%s", source, line, msg)
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if n.seen[key] {
		return
	}
	n.seen[key] = true
	n.list = append(n.list, report.Notice{Severity: check.Info, Source: source, Line: positive(line), Message: msg})
}
