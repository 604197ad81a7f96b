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

// MemoryLimit returns the runtime's soft memory limit (GOMEMLIMIT) of the process.
func MemoryLimit() int64 { return debug.SetMemoryLimit(-1) }

// RuntimeProbe is a check that records a setting of the runtime (read) each time it
// judges a workload, for the tests of what the checks run with. Run it on one core
// (runtime.GOMAXPROCS(1)): Seen is appended without a lock.
type RuntimeProbe struct {
	Check *check.Check
	Seen  []int64
}

// NewRuntimeProbe returns a probe of read with nothing seen.
func NewRuntimeProbe(read func() int64) *RuntimeProbe {
	p := &RuntimeProbe{}
	p.Check = check.New(check.Meta{ID: "reads-the-runtime", Item: "dev.liveness-probe"},
		func(_ context.Context, _ *check.Env, _ *subject.Workload, _ *check.Result) {
			p.Seen = append(p.Seen, read())
		})
	return p
}

// NewCollectorProbe returns a probe of the collector's percent.
func NewCollectorProbe() *RuntimeProbe {
	return NewRuntimeProbe(func() int64 { return int64(CollectorPercent()) })
}
