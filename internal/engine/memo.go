package engine

import (
	"reflect"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Memo keeps what each check decided about each subject in a run, so that the next run over
// a changed scan (Options.Memo with Options.Dirty) runs the checks only on the subjects that
// may have changed and takes the others' outcomes from it. The report is then built by the
// same code as a full run's, from the same outcomes in the same order: it is the report a
// full run would make, as long as Dirty accepts every subject whose outcome may differ (see
// Changes). A memo belongs to one set of checks, settings and policy: a front-end keeps one
// per configuration. It is not safe for concurrent runs.
type Memo struct {
	// valid is set once a run has filled the memo; partial says what the scan of that run
	// could not read (Scan.Unlisted, Scan.Partial): a run whose scan read other kinds is a
	// full one, since checks read those kinds through the index.
	valid   bool
	partial string
	types   map[reflect.Type]*typeMemo
	runs    map[*check.Check]*checkMemo
	stats   Stats
}

// Stats say how much of a run was evaluated and how much taken from the memo.
type Stats struct {
	// Incremental is true when the run took outcomes from the memo of an earlier run.
	Incremental bool
	// Subjects is the number of subjects of the scan; Evaluated how many the checks ran on
	// (all of them in a full run).
	Subjects, Evaluated int
	// Runs and Reused count the (check, subject) pairs judged and those taken from the memo.
	Runs, Reused int
}

// Stats returns what the latest run that used the memo evaluated.
func (m *Memo) Stats() Stats { return m.stats }

// typeMemo places the subjects of one type in the run that filled the memo: their position
// in the index's order, by identity (-1 for an identity two subjects share, which is never
// reused).
type typeMemo struct {
	pos map[subject.Identity]int32
}

// checkMemo is one check's outcomes on the subjects of its type, by position. What an
// outcome holds besides its verdict is kept by span (the subjects spanSize by spanSize, as
// the run's cores judged them): each core appends to its own span's list.
type checkMemo struct {
	outcomes []outcome
	spanSize int
	extras   [][]outcomeExtra
}

// outcome is a check's outcome on one subject, packed: whether the check ran on it, whether
// it applied, and the index+1, in its span's list of checkMemo.extras, of what else it
// produced (0: nothing).
type outcome uint32

const (
	outcomeRan     outcome = 1 << 31
	outcomeApplied outcome = 1 << 30
	outcomeIndex   outcome = 1<<30 - 1
)

// outcomeExtra is what a check produced on a subject besides applying: findings (annotation
// exemptions applied, the configured severity and the config's exemptions not yet, since
// those are applied to the whole check's findings), the evidence it lacked, the notices it
// caused, or its failure.
type outcomeExtra struct {
	findings []check.Finding
	missing  []string
	notes    []note
	// failure is the report's error entry when the check failed on the subject.
	failure *report.Error
}

// note is a notice as notices.add was given it.
type note struct {
	source string
	line   int
	msg    string
}

// memoRun is the state of one run that reads (prev) and fills (next) a memo.
type memoRun struct {
	prev, next *Memo
	dirty      func(subject.Identity) bool
	// per type: whether each subject runs, and its position in the previous run
	types map[reflect.Type]*typePlan
}

type typePlan struct {
	run     []bool
	prevPos []int32
}

func newMemoRun(m *Memo, dirty func(subject.Identity) bool, scan *subject.Scan) *memoRun {
	mr := &memoRun{next: &Memo{valid: true, partial: partialOf(scan), types: map[reflect.Type]*typeMemo{},
		runs: map[*check.Check]*checkMemo{}}, types: map[reflect.Type]*typePlan{}}
	if m.valid && dirty != nil && m.partial == mr.next.partial {
		mr.prev, mr.dirty = m, dirty
	}
	return mr
}

// partialOf names what a scan could not read.
func partialOf(s *subject.Scan) string {
	kinds := make([]string, 0, len(s.Unlisted))
	for k := range s.Unlisted {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return s.Partial + "\x00" + strings.Join(kinds, ",")
}

// plan returns, for the subjects of a type, which run and where each was in the previous
// run; the first call for a type also counts them in the stats and places them in the next
// memo.
func (mr *memoRun) plan(t reflect.Type, ids []subject.Identity) *typePlan {
	if p, ok := mr.types[t]; ok {
		return p
	}
	p := &typePlan{run: make([]bool, len(ids)), prevPos: make([]int32, len(ids))}
	tm := &typeMemo{pos: make(map[subject.Identity]int32, len(ids))}
	for i, id := range ids {
		if _, dup := tm.pos[id]; dup {
			tm.pos[id] = -1
		} else {
			tm.pos[id] = int32(i)
		}
	}
	var prev *typeMemo
	if mr.prev != nil {
		prev = mr.prev.types[t]
	}
	for i, id := range ids {
		p.prevPos[i] = -1
		if prev != nil && tm.pos[id] >= 0 && !mr.dirty(id) {
			if at, ok := prev.pos[id]; ok {
				p.prevPos[i] = at
			}
		}
		p.run[i] = p.prevPos[i] < 0
		if p.run[i] {
			mr.next.stats.Evaluated++
		}
	}
	mr.next.stats.Subjects += len(ids)
	mr.next.types[t] = tm
	mr.types[t] = p
	return p
}

// previous returns the check's memo of the previous run, nil when there is none (a first
// run, or the check did not run then) or when the check must run on every subject: its
// verdicts depend on the time of the scan (Meta.Dated).
func (mr *memoRun) previous(c *check.Check) *checkMemo {
	if mr.prev == nil || c.Dated {
		return nil
	}
	return mr.prev.runs[c]
}

// start makes the check's memo in the next run.
func (mr *memoRun) start(c *check.Check, n int) *checkMemo {
	cm := &checkMemo{outcomes: make([]outcome, n)}
	mr.next.runs[c] = cm
	return cm
}

// cutInSpans readies the memo for spans of size subjects, each with room for as much as
// the same span of prev held when prev was cut alike.
func (cm *checkMemo) cutInSpans(size int, prev *checkMemo) {
	cm.spanSize = size
	cm.extras = make([][]outcomeExtra, (len(cm.outcomes)+size-1)/size)
	if prev != nil && prev.spanSize == size && len(prev.extras) == len(cm.extras) {
		for s := range cm.extras {
			cm.extras[s] = make([]outcomeExtra, 0, len(prev.extras[s]))
		}
	}
}

// empty reports whether the check produced nothing on the subject but its verdict.
func (x *outcomeExtra) empty() bool {
	return len(x.findings) == 0 && len(x.missing) == 0 && len(x.notes) == 0 && x.failure == nil
}

// record keeps the outcome at position i. It writes that position and its span's list
// only, so the cores judging other spans may record theirs at the same time.
func (cm *checkMemo) record(i int, applied bool, x outcomeExtra) {
	o := outcomeRan
	if applied {
		o |= outcomeApplied
	}
	if !x.empty() {
		list := &cm.extras[i/cm.spanSize]
		*list = append(*list, x)
		o |= outcome(len(*list))
	}
	cm.outcomes[i] = o
}

// at returns the outcome at a position, ok false when the check did not run on it.
func (cm *checkMemo) at(i int32) (applied bool, x outcomeExtra, ok bool) {
	o := cm.outcomes[i]
	if o&outcomeRan == 0 {
		return false, x, false
	}
	if e := o & outcomeIndex; e > 0 {
		x = cm.extras[int(i)/cm.spanSize][e-1]
	}
	return o&outcomeApplied != 0, x, true
}

// finish replaces the memo's content with the run's.
func (mr *memoRun) finish(m *Memo) {
	mr.next.stats.Incremental = mr.prev != nil
	*m = *mr.next
}
