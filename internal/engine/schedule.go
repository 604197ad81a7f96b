package engine

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// runChecks runs the prepared checks subject by subject: every check of a subject type judges
// a subject before the next subject is read, so each subject is visited once, by all of its
// checks together, while it is in the processor's caches (and, once bodies are kept packed,
// decoded once). The subjects are cut into spans of consecutive subjects (and the checks of
// a type with few subjects into runs of checks), judged on every core; what the checks do
// on a span is kept apart and joined in the subjects' order, so the report is the same
// whatever the scheduling. A check keeps no state from one subject to the next, so two cores
// may run it on two spans at once. A checkRun is written only by the join.
func runChecks(ctx context.Context, env *check.Env, runs []*checkRun, policy *Policy, focus func(subject.Identity) bool, memo *memoRun) {
	groups := groupByType(runs)
	procs := runtime.GOMAXPROCS(0)
	var spans []span
	for gi, g := range groups {
		size := spanSize(len(g.subjects), procs)
		for _, cr := range g.runs {
			if w := cr.work; w.cur != nil {
				w.cur.cutInSpans(size, w.prev)
			}
		}
		// A type of few subjects (a running cluster, an AKS cluster: one each) would leave
		// the cores idle, its checks one after the other on one core (some of them read
		// every Pod): its checks are cut too, the cores sharing them.
		count := (len(g.subjects) + size - 1) / size
		cuts := min(len(g.runs), max(1, (4*procs+count-1)/max(count, 1)))
		for lo := 0; lo < len(g.subjects); lo += size {
			for c := range cuts {
				spans = append(spans, span{group: gi, lo: lo, hi: min(lo+size, len(g.subjects)),
					first: c * len(g.runs) / cuts, last: (c + 1) * len(g.runs) / cuts})
			}
		}
	}
	// The spans of the types with fewest subjects go first: a check of a whole cluster may
	// read every Pod, and started last it would keep one core busy while the other waits.
	queue := make([]int, len(spans))
	for i := range queue {
		queue[i] = i
	}
	slices.SortStableFunc(queue, func(a, b int) int {
		return len(groups[spans[a].group].subjects) - len(groups[spans[b].group].subjects)
	})
	envs := judgeEnvs{cross: env, alone: &check.Env{Settings: env.Settings, Now: env.Now}}
	parts := make([][]checkPart, len(spans))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(procs, len(spans)) {
		wg.Go(func() {
			var r check.Result // one for every judgement on this core
			for q := int(next.Add(1) - 1); q < len(queue); q = int(next.Add(1) - 1) {
				i := queue[q]
				sp := spans[i]
				parts[i] = judgeSpan(ctx, envs, groups[sp.group], sp, policy, focus, memo != nil, &r)
			}
		})
	}
	wg.Wait()
	for i, sp := range spans {
		for k, cr := range groups[sp.group].runs[sp.first:sp.last] {
			cr.join(&parts[i][k])
		}
		parts[i] = nil
	}
}

// typeGroup is the checks that run on one subject type, in the checks' order, and the
// subjects they judge (the same for all of them: the index's subjects of the type).
type typeGroup struct {
	runs     []*checkRun
	subjects []subject.Subject
	ids      []subject.Identity // the memo's identities, nil without a memo
	plan     *typePlan          // the memo's plan of the type, nil without a memo
}

func groupByType(runs []*checkRun) []*typeGroup {
	var groups []*typeGroup
	byType := map[reflect.Type]*typeGroup{}
	for _, cr := range runs {
		w := cr.work
		if w == nil {
			continue
		}
		t := cr.check.SubjectType()
		g := byType[t]
		if g == nil {
			g = &typeGroup{subjects: w.subjects, ids: w.ids, plan: w.plan}
			byType[t] = g
			groups = append(groups, g)
		}
		g.runs = append(g.runs, cr)
	}
	return groups
}

// span is the subjects lo to hi (excluded) of a group, judged by its checks first to last
// (excluded).
type span struct{ group, lo, hi, first, last int }

// Spans of a few times as many as there are cores balance the cores when subjects cost
// unequally; the bounds keep the per-span bookkeeping (a checkPart per check) small beside
// what a span's subjects cost to judge.
const (
	minSpan = 16
	maxSpan = 2048
)

func spanSize(subjects, procs int) int {
	return min(max((subjects+4*procs-1)/(4*procs), minSpan), maxSpan)
}

// judgeEnvs are the checks' environments: a check of one subject alone gets none of the
// index, so one that reads it without saying so (Meta.CrossObject) fails on its fixtures
// instead of passing.
type judgeEnvs struct{ cross, alone *check.Env }

// checkPart is what one check did on one span.
type checkPart struct {
	findings     findingBlocks
	notes        noteLog
	errors       []report.Error
	missing      []string // in the order met, without repeats
	applied      int
	runs, reused int
	failed       bool
}

// judgeSpan runs the span's checks on its subjects, subject by subject.
func judgeSpan(ctx context.Context, envs judgeEnvs, g *typeGroup, sp span, policy *Policy, focus func(subject.Identity) bool,
	memoized bool, r *check.Result) []checkPart {
	runs := g.runs[sp.first:sp.last]
	parts := make([]checkPart, len(runs))
	for i := sp.lo; i < sp.hi; i++ {
		s := g.subjects[i]
		var id subject.Identity
		if g.ids != nil {
			id = g.ids[i]
		} else {
			id = s.Identity()
		}
		if focus != nil && !focus(id) {
			continue
		}
		// A packed subject is decoded once for all the checks of its visit.
		o, opens := s.(opener)
		if opens {
			o.Open()
		}
		for k, cr := range runs {
			c := cr.check
			// A check names a few kinds: a map of them costs more to make, for the one subject
			// of a webhook review, than it saves a scan.
			if len(c.Kinds) > 0 && !slices.Contains(c.Kinds, id.Kind) {
				continue
			}
			env := envs.alone
			if c.CrossObject {
				env = envs.cross
			}
			judgeOne(ctx, env, cr, &parts[k], s, id, i, g.plan, policy, memoized, r)
		}
		if opens {
			o.Close()
		}
	}
	for k := range parts {
		parts[k].findings.trim()
	}
	return parts
}

// opener is a subject whose body may be packed (subject.Object, subject.Workload): open, it
// is decoded once for every read until it is closed.
type opener interface {
	Open()
	Close()
}

// judgeOne gives the outcome of the check of cr on the subject at position i: the memo's,
// when the subject is unchanged since the run that filled it, else the check's.
func judgeOne(ctx context.Context, env *check.Env, cr *checkRun, p *checkPart, s subject.Subject, id subject.Identity, i int,
	plan *typePlan, policy *Policy, memoized bool, r *check.Result) {
	c, w := cr.check, cr.work
	var (
		applied bool
		x       outcomeExtra
		ok      bool
	)
	if w.prev != nil && !plan.run[i] {
		// Unchanged since the run that filled the memo: its outcome stands.
		applied, x, ok = w.prev.at(plan.prevPos[i])
		if ok {
			p.reused++
		}
	}
	if !ok {
		applied, x = judge(ctx, env, c, s, id, policy, &p.notes, r)
		if memoized {
			p.runs++
		}
	} else {
		p.notes = append(p.notes, x.notes...)
	}
	if w.cur != nil {
		if !ok {
			// Judged now, in r, which judges the next subject next.
			x.findings, x.missing = slices.Clone(x.findings), slices.Clone(x.missing)
		}
		w.cur.record(i, applied, x)
	}
	if x.failure != nil {
		p.failed = true
		p.errors = append(p.errors, *x.failure)
		return
	}
	if applied {
		p.applied++
	}
	for _, m := range x.missing {
		if !slices.Contains(p.missing, m) {
			p.missing = append(p.missing, m)
		}
	}
	p.findings.add(&c.Meta, s, id, x.findings)
}

// join adds what the check did on a span to what it did on the spans before it.
func (cr *checkRun) join(p *checkPart) {
	w := cr.work
	cr.findings.join(&p.findings)
	w.notes = append(w.notes, p.notes...)
	w.errors = append(w.errors, p.errors...)
	w.runs += p.runs
	w.reused += p.reused
	cr.failed = cr.failed || p.failed
	cr.applied += p.applied
	for _, m := range p.missing {
		if !slices.Contains(cr.missing, m) {
			cr.missing = append(cr.missing, m)
		}
	}
}
