package testutil

import (
	"context"
	"runtime/debug"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// CollectorPercent returns the garbage collector's percent (GOGC) of the process.
// debug.SetGCPercent is the only way to read it, so it is set for an instant and put back.
func CollectorPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// CollectorProbe is a check that records the collector's percent each time it judges a
// workload, for the tests of what percent the checks run at. Run it on one core
// (runtime.GOMAXPROCS(1)): Seen is appended without a lock.
type CollectorProbe struct {
	Check *check.Check
	Seen  []int
}

// NewCollectorProbe returns a probe with nothing seen.
func NewCollectorProbe() *CollectorProbe {
	p := &CollectorProbe{}
	p.Check = check.New(check.Meta{ID: "reads-the-collector", Item: "dev.liveness-probe"},
		func(_ context.Context, _ *check.Env, _ *subject.Workload, _ *check.Result) {
			p.Seen = append(p.Seen, CollectorPercent())
		})
	return p
}
