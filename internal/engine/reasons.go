package engine

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Reasons keeps the parts of the items' reasons that depend only on the items' checks and on
// the evidence the inputs give ("give az aks show output or ARM JSON to evaluate it", why an
// input was not read), made once for each set of evidence instead of once per run. The
// webhook runs the same checks on the same evidence for every review, and making those
// texts was a third of a review's time. A Reasons serves one catalog and one list of checks,
// those of the first run given it; a run with others makes its own texts. The zero value is
// ready to use; it is safe for concurrent runs.
type Reasons struct {
	mu     sync.Mutex
	cat    *catalog.Catalog
	checks []*check.Check
	tables map[string]reasonTable
}

// maxReasonTables bounds the sets of evidence a Reasons keeps texts for: a front-end gives
// its runs one or two (the webhook: manifests; the audit: manifests and the cluster).
const maxReasonTables = 8

// reasonTable holds the reasons of every item of the catalog for one set of evidence, by item
// ID. It is not changed once made, so runs read it without a lock.
type reasonTable map[string]evidenceReasons

// evidenceReasons are what an item's reason says of the evidence its checks read.
type evidenceReasons struct {
	// absentOf says why the inputs lack the evidence the item's checks read (Scan.Absent),
	// "" when no reason is known or they lack none.
	absentOf string
	// absent and hint say the same of the evidence missing, which is the item's own when its
	// checks lack none, and what to give to evaluate it.
	absent, hint string
}

// reasonsOf makes an item's evidence reasons.
func reasonsOf(it catalog.Item, runs []*checkRun, scan *subject.Scan) evidenceReasons {
	of := missingEvidenceOf(runs, scan)
	missing := of
	if len(missing) == 0 {
		missing = it.Evidence
	}
	return evidenceReasons{absentOf: absentWhy(of, scan), absent: absentWhy(missing, scan), hint: catalog.EvidenceHint(missing)}
}

// table returns the items' reasons for the scan's evidence, made from byItem (the runs of
// each item) the first time that evidence is met; nil when r is nil or serves another catalog
// or list of checks.
func (r *Reasons) table(cat *catalog.Catalog, checks []*check.Check, byItem map[string][]*checkRun, scan *subject.Scan) reasonTable {
	if r == nil {
		return nil
	}
	key := evidenceKey(scan)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cat == nil {
		r.cat, r.checks = cat, checks
	}
	if r.cat != cat || !sameChecks(r.checks, checks) {
		return nil
	}
	if t, ok := r.tables[key]; ok {
		return t
	}
	t := make(reasonTable, len(cat.Items))
	for _, it := range cat.Items {
		t[it.ID] = reasonsOf(it, byItem[it.ID], scan)
	}
	if r.tables == nil {
		r.tables = map[string]reasonTable{}
	}
	if len(r.tables) >= maxReasonTables {
		clear(r.tables)
	}
	r.tables[key] = t
	return t
}

// sameChecks reports whether two lists of checks are the same list: a Reviewer's runs share
// its request's.
func sameChecks(a, b []*check.Check) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// evidenceKey names what a scan's reasons depend on: the evidence kinds its inputs give and
// why the others were not read.
func evidenceKey(scan *subject.Scan) string {
	var given []catalog.Evidence
	for ev, ok := range scan.Evidence {
		if ok {
			given = append(given, ev)
		}
	}
	slices.Sort(given)
	var b strings.Builder
	for _, ev := range given {
		b.WriteString(string(ev))
		b.WriteByte(0)
	}
	for _, ev := range slices.Sorted(maps.Keys(scan.Absent)) {
		b.WriteByte(1)
		b.WriteString(string(ev))
		b.WriteByte(0)
		b.WriteString(scan.Absent[ev])
	}
	return b.String()
}
