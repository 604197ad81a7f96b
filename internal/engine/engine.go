// Package engine runs checks over a scan's subjects and builds the report: it matches checks
// to subjects, recovers from a failing check, and decides every catalog item's status.
package engine

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune a run.
type Options struct {
	// Settings are the values of the checks' settings; nil means every default.
	Settings check.Settings
	Version  string
	// Now is the time of the scan: it stamps the report and is what date-dependent checks
	// compare with. Nil means the current time, and leaves generatedAt out.
	Now func() time.Time
	// Policy holds the user's decisions (disabled checks, severities, exemptions,
	// attestations); nil means none.
	Policy *Policy
	// Baseline, when set, is the last suppression: findings it recorded are reported as
	// suppressed by the baseline (BaselineSource names its file in the report).
	Baseline       *baseline.File
	BaselineSource string
	// Focus, when set, limits the checks to the subjects it accepts; the others are only
	// context, read through the index (the admission webhook judges the object under review
	// beside the cluster's objects). Nil judges every subject.
	Focus func(subject.Identity) bool
	// Index, when set, is what the checks judge and read instead of an index of the scan's
	// objects (the scan then only gives the inputs, errors and what is unlisted): the
	// webhook's, made by Index.Beside, whose subjects are the object under review and whose
	// lookups answer from the cluster's objects without indexing them again.
	Index *subject.Index
	// Memo, when set, keeps this run's outcomes for the next run, and Dirty, when set with a
	// Memo an earlier run filled, makes the run incremental: the checks run only on the
	// subjects Dirty accepts (and on those the earlier run did not have), the others take
	// their outcome from the memo. The report is built from the outcomes as a full run's
	// is; it equals a full run's when Dirty accepts every subject whose outcome may have
	// changed (Changes.Dirty). Memo.Stats says what the run evaluated.
	Memo  *Memo
	Dirty func(subject.Identity) bool
	// Reasons, when set, keeps the items' reasons that depend only on the evidence the
	// inputs give from one run to the next (the webhook's reviews).
	Reasons *Reasons
	// Release says that the caller reads nothing of the scan's objects once Run returns (a
	// scan whose report is all it renders): Run lets them go when the checks end, before
	// it builds the report (it sets scan.Objects to nil), and collects them. Not with Index,
	// whose objects are the caller's.
	Release bool
	// CollectorPercent, when above 0, is the garbage collector's percent (GOGC) while the
	// checks run, if the process's is higher: a run whose objects are most of the heap
	// peaks lower for a few more collections (collectorPercent says why). The percent is
	// the process's: for the scans of a command, not for a server's requests.
	CollectorPercent int
}

// checkRun is what one check did over the whole scan.
type checkRun struct {
	check    *check.Check
	disabled bool
	eligible bool // an input of one of its evidence kinds was given
	applied  int  // subjects it applied to
	findings findingBlocks
	// counted are its findings in the report (not suppressed), failing those of them above
	// info, once the report holds them (findings is then empty).
	counted, failing int
	failed           bool // it panicked on some subject
	// missing is the evidence it lacked on the subjects it could not decide
	// (check.Result.Undecided), deduplicated in the order met.
	missing []string
	// unlisted names the kinds the check needs that the scan could not list in full, with
	// why (a live list that failed): its item cannot pass on that partial evidence.
	unlisted []string
	// blocked is set when a kind of Requires is among them: the check reads those kinds to
	// conclude (no Defender DaemonSet…), so it does not run on what is missing.
	blocked bool
	// work is set, between preparing and gathering, for a check that runs.
	work *checkWork
}

// Run applies the checks to the scan and returns the report.
func Run(ctx context.Context, cat *catalog.Catalog, checks []*check.Check, scan *subject.Scan, opts Options) *report.Report {
	ix := opts.Index
	if ix == nil {
		ix = subject.NewIndexOf(scan)
	}
	env := &check.Env{Settings: opts.Settings, Index: ix, Now: time.Now()}
	if opts.Now != nil {
		env.Now = opts.Now()
	}
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "akscheck", Version: opts.Version},
		Inputs:        []report.Input{},
		Findings:      []report.Finding{},
	}
	if opts.Now != nil {
		rep.GeneratedAt = env.Now.UTC().Format(time.RFC3339)
	}
	for _, in := range scan.Inputs {
		rep.Inputs = append(rep.Inputs, report.Input{Kind: string(in.Kind), Source: in.Source, Objects: in.Objects})
	}
	for _, e := range scan.Errors {
		rep.Errors = append(rep.Errors, report.Error{Source: e.Source, Line: e.Line, Message: e.Message})
	}
	if len(scan.Unlisted) > 0 {
		rep.Unlisted = maps.Clone(scan.Unlisted)
	}

	notes := &notices{}
	if opts.Policy != nil {
		for _, n := range opts.Policy.Notices {
			notes.add(n.Source, n.Line, n.Message)
		}
	}
	ids := &identities{ix: ix, byType: map[reflect.Type][]subject.Identity{}}
	var memo *memoRun
	if opts.Memo != nil {
		memo = newMemoRun(opts.Memo, opts.Dirty, scan)
	}
	// One allocation for the runs of every check: a webhook review makes them for one object.
	runsOf := make([]checkRun, len(checks))
	runs := make([]*checkRun, 0, len(checks))
	for i, c := range checks {
		cr := &runsOf[i]
		cr.check, cr.disabled = c, opts.Policy.disabled(c)
		cr.unlisted, cr.blocked = unlistedKinds(c, scan)
		for _, ev := range c.EvidenceKinds() {
			if scan.Evidence[ev] {
				cr.eligible = true
			}
		}
		if cr.eligible && !cr.disabled && !cr.blocked {
			cr.work = prepareCheck(c, ids, memo)
		}
		runs = append(runs, cr)
	}
	restoreCollector := func() {}
	if opts.CollectorPercent > 0 {
		restoreCollector = processCollector.lower(opts.CollectorPercent)
	}
	runChecks(ctx, env, runs, opts.Policy, opts.Focus, memo)
	restoreCollector()
	// What the checks did is gathered in the checks' order, as if they had run one after
	// the other: the report does not depend on which finished first.
	for _, cr := range runs {
		c := cr.check
		if w := cr.work; w != nil {
			for _, n := range w.notes {
				notes.add(n.source, n.line, n.msg)
			}
			rep.Errors = append(rep.Errors, w.errors...)
			if memo != nil {
				memo.next.stats.Runs += w.runs
				memo.next.stats.Reused += w.reused
			}
			cr.work = nil
			if sev, ok := opts.Policy.severity(c); ok {
				cr.findings.each(func(f *check.Finding) {
					// An info note of a check that judges at a higher severity (a token
					// mounted by choice) stays a note: the configured severity is the
					// check's verdict, which the note is not.
					if f.Severity != check.Info || c.Severity == check.Info {
						f.Severity = sev
					}
				})
			}
			if opts.Policy != nil && len(opts.Policy.Exemptions) > 0 {
				cr.findings.each(func(f *check.Finding) { opts.Policy.applyExemptions(env.Now, f, notes) })
			}
		}
		if d := c.Declared; d != nil && !cr.disabled && opts.Focus == nil && (!cr.eligible || !matchesAny(c, ids)) {
			// A check of the configuration that judges nothing is a mistake in it (a kind
			// misspelt, a cluster check run without the cluster), not a pass: say so. Not
			// under Focus (the webhook), which judges one object by design.
			notes.add(d.Source, d.Line, d.Unmatched)
		}
	}
	if memo != nil {
		memo.finish(opts.Memo)
	}

	// The index is not read any more: what it holds besides the scan's objects (a fifth of
	// a scan's memory) can go while the report is built.
	env.Index = nil
	if opts.Release && opts.Index == nil {
		release(scan, runs)
	}
	total := 0
	for _, cr := range runs {
		total += cr.findings.len()
	}
	rep.Findings = make([]report.Finding, 0, total)
	byItem := make(map[string][]*checkRun, len(cat.Items))
	for _, cr := range runs {
		byItem[cr.check.Item] = append(byItem[cr.check.Item], cr)
		cr.findings.each(func(f *check.Finding) {
			// A suppressed finding is reported as such and no longer counts toward its item.
			if f.SuppressedBy != "" {
				rep.Suppressed = append(rep.Suppressed, toReportFinding(*f))
				return
			}
			rep.Findings = append(rep.Findings, toReportFinding(*f))
			cr.counted++
			if f.Severity != check.Info {
				cr.failing++
			}
		})
		// Counted and copied into the report: the check's own list is not kept twice.
		cr.findings = findingBlocks{}
	}
	report.SortFindings(cat, rep.Findings)
	report.SortFindings(cat, rep.Suppressed)

	rep.Items = make([]report.Item, 0, len(cat.Items))
	reasons := opts.Reasons.table(cat, checks, byItem, scan)
	for _, it := range cat.Items {
		item := itemStatus(it, byItem[it.ID], scan, reasons)
		opts.Policy.attest(&item, env.Now, notes)
		rep.Items = append(rep.Items, item)
	}
	if opts.Baseline != nil {
		baseline.Apply(rep, opts.Baseline, opts.BaselineSource, cat)
	}
	rep.Summary.Skipped = scan.Skipped
	rep.Summarize()
	rep.Notices = notes.list
	return rep
}

// release lets the scan's objects go once the checks have ended: the findings name their
// subjects by identity instead, the scan forgets its objects, and a collection frees them.
// The collector would otherwise learn that they are garbage only at its next cycle, whose
// goal is twice the heap that held them, and the report would be built on top of them.
func release(scan *subject.Scan, runs []*checkRun) {
	named := map[subject.Subject]*namedSubject{}
	for _, cr := range runs {
		cr.findings.detach(named)
	}
	scan.Objects = nil
	runtime.GC()
}

// matchesAny reports whether a subject of the scan is of the type and kinds the check judges.
func matchesAny(c *check.Check, idc *identities) bool {
	for _, s := range idc.ix.Subjects(c.SubjectType()) {
		if c.AppliesToKind(s.Identity().Kind) {
			return true
		}
	}
	return false
}

// identities computes the identity of each subject once per scan, not once per check, for
// the memo's plans, which key subjects by identity. A run without a memo asks each subject
// once, as its span is judged (Identity copies a few fields): kept through the checks, the
// identities of the dense 42k tree's subjects were 7.3 MB of the heap.
type identities struct {
	ix     *subject.Index
	byType map[reflect.Type][]subject.Identity
}

func (c *identities) of(t reflect.Type) ([]subject.Subject, []subject.Identity) {
	subjects := c.ix.Subjects(t)
	ids, ok := c.byType[t]
	if !ok {
		ids = make([]subject.Identity, len(subjects))
		for i, s := range subjects {
			ids[i] = s.Identity()
		}
		c.byType[t] = ids
	}
	return subjects, ids
}

// checkWork is one check's run over its subjects: what it reads, prepared before the
// checks start (the shared identities and memo maps are filled one check at a time), and
// what it produced besides findings, gathered after they all end.
type checkWork struct {
	subjects []subject.Subject
	// ids are the subjects' identities when a memo made them (identities): read in order,
	// they spare an incremental run, which judges few subjects, making every subject's
	// identity again (a fifth of its time for 53,000 subjects, when it was made for every
	// check).
	ids  []subject.Identity
	plan *typePlan
	prev *checkMemo // the previous run's outcomes, nil for a full run
	cur  *checkMemo // where this run's outcomes go, nil without a memo
	// notes are the notices the check caused, in order; errors the report's error entries
	// of the subjects it failed on; runs and reused count its judgements for Memo.Stats.
	notes        noteLog
	errors       []report.Error
	runs, reused int
}

func prepareCheck(c *check.Check, idc *identities, memo *memoRun) *checkWork {
	w := &checkWork{subjects: idc.ix.Subjects(c.SubjectType())}
	if memo != nil {
		_, w.ids = idc.of(c.SubjectType())
		w.plan = memo.plan(c.SubjectType(), w.ids)
		w.prev = memo.previous(c)
		w.cur = memo.start(c, len(w.subjects))
	}
	return w
}

// judge runs a check on one subject and returns its outcome: the findings with the
// subject's annotation exemptions applied, the notices those caused (also added to notes),
// or the error entry of a check that failed.
func judge(ctx context.Context, env *check.Env, c *check.Check, s subject.Subject, id subject.Identity, policy *Policy,
	notes *noteLog, r *check.Result) (applied bool, x outcomeExtra) {
	r.Reset(&c.Meta, id)
	err := safeRun(ctx, env, c, s, r)
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		x.failure = &report.Error{Source: id.Source.File, Line: positive(id.Source.Line),
			Message: fmt.Sprintf("check %s failed on %s/%s: %v; the item is not evaluated", c.ID, id.Kind, id.Name, err)}
		return false, x
	}
	// Both are r's storage, which judges the next subject soon: runCheck copies them.
	x.missing = r.Missing()
	x.findings = r.Findings()
	from := len(*notes)
	policy.applyAnnotations(c, s, x.findings, notes)
	if len(*notes) > from {
		x.notes = slices.Clone((*notes)[from:])
	}
	return r.Applied(), x
}

func positive(n int) int {
	if n < 1 {
		return 0
	}
	return n
}

// safeRun runs a check on one subject, turning a panic into an error so that a faulty check
// never passes silently and never stops the scan.
func safeRun(ctx context.Context, env *check.Env, c *check.Check, s subject.Subject, r *check.Result) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	c.Run(ctx, env, s, r)
	return nil
}

func itemStatus(it catalog.Item, runs []*checkRun, scan *subject.Scan, reasons reasonTable) report.Item {
	item := report.Item{ID: it.ID, Section: it.Section(), Title: it.Title, Checks: make([]string, 0, len(runs))}
	evidence := func() evidenceReasons {
		if r, ok := reasons[it.ID]; ok {
			return r
		}
		return reasonsOf(it, runs, scan)
	}
	eligible, applied, failed, disabled, offByDefault := false, 0, false, 0, 0
	var unlisted []string
	// failing counts the findings that fail the item: an info finding is a note (a decision
	// recorded, an age unknown), not a defect.
	failing := 0
	// undecided groups, by the evidence missing, the checks that lacked it.
	var missing []string
	var undecidedBy map[string][]string
	for _, cr := range runs {
		item.Checks = append(item.Checks, cr.check.ID)
		item.Findings += cr.counted
		failing += cr.failing
		if cr.disabled {
			disabled++
			if cr.check.DisabledByDefault {
				offByDefault++
			}
			continue
		}
		if cr.eligible {
			if cr.blocked {
				item.Blocked = append(item.Blocked, cr.check.ID)
			}
			eligible = true
			applied += cr.applied
			failed = failed || cr.failed
			unlisted = append(unlisted, cr.unlisted...)
			if len(cr.missing) > 0 {
				item.Undecided = append(item.Undecided, report.Undecided{Check: cr.check.ID, Missing: cr.missing})
			}
			for _, m := range cr.missing {
				if undecidedBy == nil {
					undecidedBy = map[string][]string{}
				}
				if _, ok := undecidedBy[m]; !ok {
					missing = append(missing, m)
				}
				undecidedBy[m] = append(undecidedBy[m], cr.check.ID)
			}
		}
	}
	switch {
	case failing > 0:
		item.Status = report.StatusFail
	case len(unlisted) > 0:
		// Findings from the objects that were read stand; a pass would rest on objects
		// that could not be read.
		item.Status = report.StatusNotEvaluated
		item.Reason = "the scan could not read every object this item needs: " + strings.Join(dedupe(unlisted), "; ") + " (see errors)"
		if scan.Partial != "" {
			item.Reason = "its checks read objects that other files of the estate may hold (" + scan.Partial + ")"
		}
	case failed:
		item.Status = report.StatusNotEvaluated
		item.Reason = "a check of this item failed to run; see errors"
	case len(missing) > 0:
		// A pass would rest on a value nobody read: the item passes only when every check
		// decided every subject it applies to.
		item.Status = report.StatusNotEvaluated
		item.Reason = undecidedReason(missing, undecidedBy)
		if why := evidence().absentOf; why != "" {
			// What would have decided may be in the evidence that was not read.
			item.Reason += "; " + why
		}
	case disabled > 0 && disabled == len(runs):
		item.Status = report.StatusNotEvaluated
		item.Reason = "its checks are disabled by configuration"
		if offByDefault == disabled {
			item.Reason = "its checks are off by default (turn them on with checks.enable)"
		}
	case applied > 0:
		item.Status = report.StatusPass
	case eligible:
		item.Status = report.StatusNotApplicable
		item.Reason = "the inputs hold nothing this item applies to"
	case it.HasEvidence(catalog.Manual):
		item.Status = report.StatusManual
		item.Reason = "no machine-readable evidence: a person must look (record an attestation)"
		if hint := evidence().hint; hint != "" {
			item.Reason = "a person must look, or " + hint
		}
	default:
		item.Status = report.StatusNotEvaluated
		if len(runs) == 0 {
			item.Reason = "no check of this akscheck version evaluates it (" + catalog.EvidenceHint(it.Evidence) + " once supported)"
		} else if r := evidence(); r.absent != "" {
			item.Reason = r.absent
		} else {
			item.Reason = r.hint + " to evaluate it"
		}
	}
	return item
}

// maxMissing is how many pieces of missing evidence a reason names; the rest are counted.
const maxMissing = 3

// undecidedReason names the evidence the item's checks lacked, each with the checks that
// lacked it, in the order met: "its checks could not decide without <evidence> (<check>)".
func undecidedReason(missing []string, by map[string][]string) string {
	parts := make([]string, 0, min(len(missing), maxMissing)+1)
	for i, m := range missing {
		if i == maxMissing {
			parts = append(parts, fmt.Sprintf("and %d more", len(missing)-maxMissing))
			break
		}
		parts = append(parts, m+" ("+strings.Join(by[m], ", ")+")")
	}
	return "its checks could not decide without " + strings.Join(parts, "; ")
}

// unlistedKinds returns "Kind: why" for each kind the check needs that the scan could not
// list: its Kinds (or, when it names none, the kinds its subject type is built from) and its
// Requires. blocked is true when one of Requires is missing: a check that concludes from
// those kinds (an absence, a count) would conclude wrongly, so it must not run. A missing
// subject kind only means fewer subjects: what the check finds on the others stands.
func unlistedKinds(c *check.Check, scan *subject.Scan) (out []string, blocked bool) {
	if scan.Partial != "" && len(c.Requires) > 0 {
		for _, k := range c.Requires {
			out = append(out, k+": "+scan.Partial)
		}
		return out, true
	}
	if len(scan.Unlisted) == 0 {
		return nil, false
	}
	kinds := c.Kinds
	if len(kinds) == 0 {
		kinds = subject.KindsOf(c.SubjectType())
	}
	if c.SubjectType() == reflect.TypeFor[*subject.Cluster]() && slices.Contains(c.EvidenceKinds(), catalog.Cluster) {
		// A live scan builds its AKS cluster from the Nodes: without them, a cluster check
		// that takes live evidence would pass on no cluster.
		kinds = append(slices.Clip(kinds), "Node")
	}
	for _, k := range kinds {
		if why, ok := scan.Unlisted[k]; ok {
			out = append(out, k+": "+why)
		}
	}
	for _, k := range c.Requires {
		if why, ok := scan.Unlisted[k]; ok {
			out = append(out, k+": "+why)
			blocked = true
		}
	}
	return out, blocked
}

func dedupe(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// missingEvidenceOf returns the evidence kinds the item's checks read that the scan's inputs
// do not provide, in the order met.
func missingEvidenceOf(runs []*checkRun, scan *subject.Scan) []catalog.Evidence {
	var out []catalog.Evidence
	seen := map[catalog.Evidence]bool{}
	for _, cr := range runs {
		for _, ev := range cr.check.EvidenceKinds() {
			if !scan.Evidence[ev] && !seen[ev] {
				seen[ev] = true
				out = append(out, ev)
			}
		}
	}
	return out
}

// absentWhy joins the reasons the scan gives (Scan.Absent) for the evidence kinds of missing
// it was not given, each once; "" when it gives none.
func absentWhy(missing []catalog.Evidence, scan *subject.Scan) string {
	var out []string
	for _, ev := range missing {
		if why := scan.Absent[ev]; why != "" && !slices.Contains(out, why) {
			out = append(out, why)
		}
	}
	return strings.Join(out, "; ")
}

func toReportFinding(f check.Finding) report.Finding {
	rf := report.Finding{
		Check: f.Check, Item: f.Item, Severity: f.Severity, Message: f.Message, Remediation: f.Remediation,
		Container: f.Container, SuppressedBy: f.SuppressedBy, Related: toReportRelated(f.Related),
		Object: report.Object{APIVersion: f.Object.APIVersion, Kind: f.Object.Kind, Namespace: f.Object.Namespace, Name: f.Object.Name},
	}
	rf.Location = report.Location{File: f.Location.File, Line: positive(f.Location.Line), Path: f.Location.Path}
	rf.Fix = toReportFix(f)
	return rf
}

func toReportRelated(rel []check.Related) []report.Related {
	if len(rel) == 0 {
		return nil
	}
	out := make([]report.Related, len(rel))
	for i, r := range rel {
		out[i] = report.Related{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Container: r.Container}
	}
	return out
}
