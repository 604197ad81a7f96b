package engine

import (
	"runtime/debug"
	"sync"
)

// collectorPercent is the garbage collector's percent (GOGC) of the process while at least
// one run holds it lower: the percent is the process's, and the runs of a fleet scan judge
// their clusters at once, so the first run in lowers it and the last one out puts it back.
//
// Why lower it while the checks run: when they start, the scan's objects and index are
// nearly all of the heap, and they stay live to the end; what the checks allocate besides
// (each visit's decoded body, the selectors they parse, their messages) is garbage at once.
// At the default percent the collector lets the heap grow to twice what is live before
// collecting that garbage, so a scan's peak was twice its objects. Each cycle costs a mark
// of what is live, and the cycles of a phase are as many as what the phase allocates over
// the room the percent leaves; the checks allocate little beside the load, whose percent
// stays as it was.
type collectorPercent struct {
	set     func(percent int) int // debug.SetGCPercent; tests give their own
	mu      sync.Mutex
	holders int
	before  int // the percent the first holder found
}

// processCollector is the one collector the process has.
var processCollector = &collectorPercent{set: debug.SetGCPercent}

// lower holds the collector's percent at most at percent until release is called. It leaves
// a lower percent, and a collector turned off (GOGC=off), as they are.
func (c *collectorPercent) lower(percent int) (release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holders == 0 {
		c.before = c.set(percent)
		if c.before < 0 || c.before <= percent {
			c.set(c.before)
		}
	}
	c.holders++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.holders--
			if c.holders == 0 {
				c.set(c.before)
			}
		})
	}
}
