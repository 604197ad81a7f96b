package config

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/custom"
	"github.com/akscheck/akscheck/internal/checks/vuln"
	"github.com/akscheck/akscheck/internal/enforce"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
)

// Resolved is a validated config turned into what a scan runs with.
type Resolved struct {
	// Settings are the values of the checks' settings the config sets (checks.params and
	// vulnerabilities.ignore); the rest keep their defaults.
	Settings check.Settings
	Policy   *engine.Policy
	Checks   []*check.Check
	Catalog  *catalog.Catalog
	// Admission is how admission enforces the checks (the config's admission section).
	Admission *enforce.Policy
}

var checkIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Resolve validates the config's references against the catalog and the built-in checks,
// compiles its custom checks, and returns the checks, catalog, parameters and policy of the
// scan. Every problem is reported, each with the file and line it concerns.
func (c *Config) Resolve(cat *catalog.Catalog, builtin []*check.Check) (*Resolved, error) {
	var errs Errors
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &Error{File: c.Source, Line: line, Msg: fmt.Sprintf(format, args...)})
	}

	// Custom checks first: their IDs and items may be referenced by the rest.
	var specs []custom.Spec
	var extraItems []catalog.Item
	ids := map[string]bool{}
	// renamed maps the former IDs of built-in checks to their IDs today.
	renamed := map[string]string{}
	for _, b := range builtin {
		ids[b.ID] = true
		for _, old := range b.Aliases {
			renamed[old] = b.ID
		}
	}
	for i, cc := range c.CustomChecks {
		where := fmt.Sprintf("customChecks[%d]", i)
		switch {
		case !checkIDPattern.MatchString(cc.ID):
			fail(cc.Line, "%s: id %q must be kebab-case", where, cc.ID)
			continue
		case ids[cc.ID]:
			fail(cc.Line, "%s: id %q is already taken by another check", where, cc.ID)
			continue
		case renamed[cc.ID] != "":
			fail(cc.Line, "%s: id %q is the former ID of %s; choose another", where, cc.ID, renamed[cc.ID])
			continue
		case strings.TrimSpace(cc.Expression) == "":
			fail(cc.Line, "%s (%s): expression is required", where, cc.ID)
			continue
		case cc.Target != "" && !slices.Contains(custom.Targets, cc.Target):
			fail(cc.Line, "%s (%s): target %q is none of %s (leave it out, with kinds, for Kubernetes objects)%s",
				where, cc.ID, cc.Target, strings.Join(custom.Targets, ", "), didYouMean(cc.Target, custom.Targets))
			continue
		case cc.Target != "" && len(cc.Kinds) > 0:
			fail(cc.Line, "%s (%s): kinds and target %s exclude each other: kinds select Kubernetes objects, target %s judges Azure resources",
				where, cc.ID, cc.Target, cc.Target)
			continue
		}
		ids[cc.ID] = true
		if _, ok := cat.Item(cc.Item); !ok {
			name, isCustom := strings.CutPrefix(cc.Item, "custom.")
			switch {
			case !isCustom || !checkIDPattern.MatchString(name):
				fail(cc.Line, "%s (%s): item %q is not in the catalog (use a catalog item, or custom.<name> with title and section)%s",
					where, cc.ID, cc.Item, didYouMean(cc.Item, itemIDs(cat)))
				continue
			case cc.Title == "" || cc.Section == "":
				fail(cc.Line, "%s (%s): the new item %s needs a title and a section", where, cc.ID, cc.Item)
				continue
			case cat.SectionIndex(cc.Section) == len(cat.Sections):
				fail(cc.Line, "%s (%s): section %q is not a checklist section%s", where, cc.ID, cc.Section, didYouMean(cc.Section, sectionIDs(cat)))
				continue
			}
			if !hasItem(extraItems, cc.Item) {
				evidence := []catalog.Evidence{catalog.Manifest}
				if cc.Target != custom.TargetObject {
					evidence = custom.Evidence(cc.Target)
				}
				extraItems = append(extraItems, catalog.Item{ID: cc.Item, Title: cc.Title, SectionID: cc.Section,
					Evidence: evidence})
			}
		}
		sev := check.Medium
		if cc.Severity != "" {
			s, err := check.ParseSeverity(cc.Severity)
			if err != nil {
				fail(cc.Line, "%s (%s): %v", where, cc.ID, err)
				continue
			}
			sev = s
		}
		specs = append(specs, custom.Spec{ID: cc.ID, Item: cc.Item, Title: cc.Title, Severity: sev, Target: cc.Target, Kinds: cc.Kinds,
			Expression: cc.Expression, Message: cc.Message, Remediation: cc.Remediation, Source: c.Source, Line: cc.Line})
	}
	full, err := cat.With(extraItems...)
	if err != nil {
		fail(0, "customChecks: %v", err)
		full = cat
	}
	var customChecks []*check.Check
	if len(errs) == 0 {
		customChecks, err = custom.Compile(specs)
		if err != nil {
			line := 0
			var ce *custom.CompileError
			if errors.As(err, &ce) {
				for _, cc := range c.CustomChecks {
					if cc.ID == ce.ID {
						line = cc.Line
					}
				}
			}
			fail(line, "%v", err)
		}
	}

	known := func(id string) bool {
		_, isItem := full.Item(id)
		return ids[id] || isItem
	}
	candidates := append(itemIDs(full), slices.Sorted(maps.Keys(ids))...)
	policy := &engine.Policy{Disabled: map[string]bool{}, Enabled: map[string]bool{}, Severity: map[string]check.Severity{},
		Strict: c.Checks.Strict, Source: c.Source,
		AttestationMaxAge: time.Duration(c.Checks.AttestationMaxAgeDays) * 24 * time.Hour}
	// A former check ID still works, as the check that replaced it, with a notice.
	current := func(key string, line int, id string) string {
		now, ok := renamed[id]
		if !ok {
			return id
		}
		policy.Notices = append(policy.Notices, report.Notice{Severity: check.Info, Source: c.Source, Line: line,
			Message: fmt.Sprintf("%s: %s is now %s; rename it", key, id, now)})
		return now
	}
	for i, id := range c.Checks.Disable {
		line := lineAt(c.Checks.disableLines, i)
		id = current("checks.disable", line, id)
		if !known(id) {
			fail(line, "checks.disable: %q is no check or item ID%s", id, didYouMean(id, candidates))
			continue
		}
		policy.Disabled[id] = true
	}
	for i, id := range c.Checks.Enable {
		line := lineAt(c.Checks.enableLines, i)
		id = current("checks.enable", line, id)
		switch {
		case !known(id):
			fail(line, "checks.enable: %q is no check or item ID%s", id, didYouMean(id, candidates))
		case policy.Disabled[id]:
			fail(line, "checks.enable: %q is also in checks.disable; keep it in one of them", id)
		default:
			policy.Enabled[id] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.Checks.Severity)) {
		name, line := c.Checks.Severity[id], c.Checks.severityLines[id]
		if now, ok := renamed[id]; ok {
			if _, both := c.Checks.Severity[now]; both {
				fail(line, "checks.severity: %q and %q name the same check (%s is now %s); keep %s", id, now, id, now, now)
				continue
			}
			id = current("checks.severity", line, id)
		}
		if !known(id) {
			fail(line, "checks.severity: %q is no check or item ID%s", id, didYouMean(id, candidates))
			continue
		}
		sev, err := check.ParseSeverity(name)
		if err != nil {
			fail(line, "checks.severity.%s: %v", id, err)
			continue
		}
		policy.Severity[id] = sev
	}
	for i, e := range c.Exemptions {
		where := fmt.Sprintf("exemptions[%d]", i)
		switch {
		case e.Check == "":
			fail(e.Line, "%s: check is required (a check ID or an item ID)", where)
		case !known(e.Check) && renamed[e.Check] == "":
			fail(e.Line, "%s: %q is no check or item ID%s", where, e.Check, didYouMean(e.Check, candidates))
		case strings.TrimSpace(e.Reason) == "":
			fail(e.Line, "%s: reason is required: say why %s does not apply", where, e.Check)
		default:
			policy.Exemptions = append(policy.Exemptions, engine.Exemption{Check: current(where, e.Line, e.Check), Kind: e.Kind, Namespace: e.Namespace,
				Name: e.Name, Container: e.Container, Reason: e.Reason, Expires: e.Expires.Time, Line: e.Line})
		}
	}
	for i, a := range c.Attestations {
		where := fmt.Sprintf("attestations[%d]", i)
		switch _, ok := full.Item(a.Item); {
		case !ok:
			fail(a.Line, "%s: item %q is not in the catalog%s", where, a.Item, didYouMean(a.Item, itemIDs(full)))
		case a.By == "" || a.Date.IsZero():
			fail(a.Line, "%s: by and date are required", where)
		default:
			policy.Attestations = append(policy.Attestations, engine.Attestation{Item: a.Item, By: a.By, Date: a.Date.Time, Evidence: a.Evidence, Line: a.Line})
		}
	}
	settings := c.Checks.settings.Clone()
	var ignore []check.VulnIgnore
	for i, v := range c.Vulnerabilities.Ignore {
		ig := check.VulnIgnore{ID: v.ID, Package: v.Package, Image: v.Image, Reason: v.Reason, Expires: v.Expires.Time}
		if err := ig.Validate(); err != nil {
			fail(v.Line, "vulnerabilities.ignore[%d]: %v", i, err)
			continue
		}
		ignore = append(ignore, ig)
	}
	if len(ignore) > 0 {
		vuln.VulnIgnoreSetting.Set(settings, ignore)
	}
	admission := c.Admission.resolve(fail, known, current, candidates)
	if len(errs) > 0 {
		return nil, errs
	}
	return &Resolved{
		Admission: admission,
		Settings:  settings,
		Policy:    policy,
		Checks:    append(append([]*check.Check{}, builtin...), customChecks...),
		Catalog:   full,
	}, nil
}

func lineAt(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

func hasItem(items []catalog.Item, id string) bool {
	for _, it := range items {
		if it.ID == id {
			return true
		}
	}
	return false
}

func itemIDs(cat *catalog.Catalog) []string {
	out := make([]string, len(cat.Items))
	for i, it := range cat.Items {
		out[i] = it.ID
	}
	return out
}

func sectionIDs(cat *catalog.Catalog) []string {
	out := make([]string, len(cat.Sections))
	for i, s := range cat.Sections {
		out[i] = s.ID
	}
	return out
}

func didYouMean(s string, candidates []string) string {
	if best := suggest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// resolve validates the admission section: its severities, check and item IDs and actions.
func (a Admission) resolve(fail func(line int, format string, args ...any), known func(string) bool,
	current func(key string, line int, id string) string, candidates []string) *enforce.Policy {
	p := enforce.Default()
	for _, name := range slices.Sorted(maps.Keys(a.Enforce)) {
		line := a.lines["enforce."+name]
		sev, err := check.ParseSeverity(name)
		if err != nil {
			fail(line, "admission.enforce: %v", err)
			continue
		}
		act, err := enforce.ParseAction(a.Enforce[name])
		if err != nil {
			fail(line, "admission.enforce.%s: %v", name, err)
			continue
		}
		p.BySeverity[sev] = act
	}
	for _, id := range slices.Sorted(maps.Keys(a.Checks)) {
		line := a.lines["checks."+id]
		id2 := current("admission.checks", line, id)
		if !known(id2) {
			fail(line, "admission.checks: %q is no check or item ID%s", id, didYouMean(id, candidates))
			continue
		}
		act, err := enforce.ParseAction(a.Checks[id])
		if err != nil {
			fail(line, "admission.checks.%s: %v", id, err)
			continue
		}
		p.ByCheck[id2] = act
	}
	if a.ExcludeNamespaces != nil {
		p.ExcludeNamespaces = slices.Clone(a.ExcludeNamespaces)
	}
	for _, ns := range p.ExcludeNamespaces {
		if strings.TrimSpace(ns) == "" {
			fail(a.lines["excludeNamespaces"], "admission.excludeNamespaces: an empty name")
		}
	}
	return p
}
