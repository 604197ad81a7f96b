package audit

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
)

// DefaultIncrementalDebounce is how long the audit waits after the last change before an
// incremental audit: a change is in the report about this long after the informer saw it.
const DefaultIncrementalDebounce = 2 * time.Second

// incremental is the audit's state for incremental evaluation: the changes seen since the
// latest audit began, and the engine's memo of the latest audit's outcomes.
type incremental struct {
	// mu guards changes, written by the informers' goroutines (Changed).
	mu      sync.Mutex
	changes engine.Changes
	// evalMu serializes evaluations: the memo is one audit's at a time.
	evalMu sync.Mutex
	memo   *engine.Memo
	// recorded is the verdict of the latest audit handed to the history (verdictOf), under
	// evalMu: an incremental audit that finds the same is not recorded again.
	recorded [sha256.Size]byte
}

// verdictOf digests what an audit found: its findings, suppressed findings, items, errors
// and summary, not its date nor its inputs' object counts (which a Pod's churn changes). Two
// audits of one verdict store the same history but for the time.
func verdictOf(rep *report.Report) ([sha256.Size]byte, error) {
	b, err := json.Marshal(struct {
		Findings, Suppressed []report.Finding
		Items                []report.Item
		Errors               []report.Error
		Summary              report.Summary
	}{rep.Findings, rep.Suppressed, rep.Items, rep.Errors, rep.Summary})
	if err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("digesting the report: %w", err)
	}
	return sha256.Sum256(b), nil
}

// Changed tells the auditor an object of the cluster changed (a live.Cache OnChange
// handler). It never blocks: the change is recorded and the audit loop woken.
func (a *Auditor) Changed(ch live.Change) {
	a.metrics.changes.WithLabelValues(ch.Kind).Inc()
	a.inc.mu.Lock()
	if ch.Known {
		a.inc.changes.Add(ch.Kind, ch.Namespace)
	} else {
		a.inc.changes.AddAll()
	}
	a.inc.mu.Unlock()
	select {
	case a.changes <- struct{}{}:
	default:
	}
}

// takeChanges returns the changes seen since the latest audit began and starts a new set:
// the audit about to run reads the cache after them.
func (a *Auditor) takeChanges() engine.Changes {
	a.inc.mu.Lock()
	defer a.inc.mu.Unlock()
	ch := a.inc.changes
	a.inc.changes = engine.Changes{}
	return ch
}

// changesBounded reports whether the changes waiting for an audit are bounded to
// namespaces, so that the audit will be incremental.
func (a *Auditor) changesBounded() bool {
	a.inc.mu.Lock()
	defer a.inc.mu.Unlock()
	return a.inc.changes.Bounded()
}

// changeWait is how long the audit loop waits, at now, before auditing the changes of a
// burst that began at first, the previous audit having begun at last:
//
//   - changes bounded to namespaces (an incremental audit): IncrementalDebounce after the
//     latest, but not sooner than Debounce after the previous audit (so that a cluster that
//     keeps changing is audited every Debounce, not every IncrementalDebounce, and the
//     history does not fill with audits), and at most Debounce after the first;
//   - other changes (a full audit): Debounce after the latest, at most 4 × Debounce after
//     the first.
func (a *Auditor) changeWait(now, first, last time.Time, bounded bool) time.Duration {
	if bounded {
		wait := max(a.opts.IncrementalDebounce, last.Add(a.opts.Debounce).Sub(now))
		return max(min(wait, first.Add(a.opts.Debounce).Sub(now)), 0)
	}
	wait := a.opts.Debounce
	if limit := first.Add(4 * a.opts.Debounce).Sub(now); limit < wait {
		wait = max(limit, 0)
	}
	return wait
}
