package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Budget holds the runtime's soft memory limit at a budget while at least one holder asks
// for it, and moves the limit after each collection as what is live needs: never below what
// the last cycle found live plus a room of it (Room, more once what is live outgrows the
// budget), and what the runtime holds besides its objects. A limit under what is live would
// make the collector run back to back, up to half the CPU, for nothing.
//
// Why a limit and not a lower percent (GOGC): at the default percent the heap may grow to
// twice what is live, and a large scan's peak is where its objects are most, at the end of
// its load and of its checks. A lower percent pays its extra cycles over the whole load,
// which allocates several times what it keeps; a limit makes the collector work harder only
// once twice what is live no longer fits in the budget.
//
// The limit is the process's, like the percent, so the first holder sets it and the last
// one out puts back the limit it found (GOMEMLIMIT's, a container's, or none). A lower
// limit found is kept.
type Budget struct {
	setLimit func(int64) int64    // debug.SetMemoryLimit; tests give their own
	read     func() runtimeMemory // what the runtime holds; tests give their own
	watch    func(func())         // calls its argument after the next collection; tests give their own

	mu      sync.Mutex
	holders int
	bytes   int64 // the first holder's budget
	before  int64 // the limit the first holder found
	set     int64 // the limit set last
	round   int   // which holding the watch is for: the watch of an earlier one stops
}

// Room is the least part of what is live that the limit leaves the heap to grow by, while
// what is live with that room fits in the budget.
const Room = 0.15

// Taper is how far beyond that (as a part of it) what is live grows before the room is all
// of it again, the runtime's default percent. A scan much larger than its budget cannot be
// held under it: the extra cycles would cost it time for a peak still far above the budget.
const Taper = 0.25

// runtimeMemory is what the runtime's limit counts, in parts.
type runtimeMemory struct {
	live     uint64 // heap objects the last cycle found live
	objects  uint64 // heap objects now, live or not yet collected
	free     uint64 // heap pages free and not yet given back to the system
	released uint64 // heap pages given back
	total    uint64 // everything the runtime has mapped
}

// overhead is what the runtime holds besides its objects and free pages: stacks, the
// collector's metadata, the unused parts of spans.
func (m runtimeMemory) overhead() uint64 {
	held := m.total - m.released
	if used := m.objects + m.free; held > used {
		return held - used
	}
	return 0
}

// limitFor returns the limit for a budget: the budget, or what is live with its room and
// the overhead when that is more, and never above the limit found (before).
func limitFor(budget, before int64, m runtimeMemory) int64 {
	live := float64(m.live)
	need := live*(1+roomFor(live, float64(budget))) + float64(m.overhead())
	limit := budget
	if need > float64(limit) {
		limit = int64(min(need, math.MaxInt64/2))
	}
	return min(limit, before)
}

// roomFor is the part of what is live the heap may grow by: Room while what is live with
// Room of it fits in the budget, then more as it outgrows that, up to all of it at (1+Taper)
// times.
func roomFor(live, budget float64) float64 {
	fits := budget / (1 + Room)
	over := min(max((live-fits)/(fits*Taper), 0), 1)
	return Room + (1-Room)*over
}

// process is the one budget the process has: its limit is the runtime's.
var process = NewBudget()

// Hold holds the process's budget (Budget.Hold).
func Hold(bytes int64) (release func()) { return process.Hold(bytes) }

// NewBudget returns a keeper of the runtime's limit, which reads the runtime's metrics and
// watches each collection. The process has one (Hold); tests make their own.
func NewBudget() *Budget {
	return &Budget{setLimit: debug.SetMemoryLimit, read: readRuntimeMemory, watch: afterCollection}
}

// Hold keeps the runtime's soft memory limit at bytes (or what is live needs, above) until
// release is called. Holders after the first share the first one's budget.
func (b *Budget) Hold(bytes int64) (release func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holders == 0 {
		b.bytes = bytes
		b.before = b.setLimit(-1)
		b.round++
		b.set = 0
		b.adjustLocked()
		round := b.round
		var next func()
		next = func() {
			if b.afterCycle(round) {
				b.watch(next)
			}
		}
		b.watch(next)
	}
	b.holders++
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.holders--
			if b.holders == 0 {
				b.setLimit(b.before)
				b.round++
			}
		})
	}
}

// afterCycle moves the limit after a collection of the given holding, and says whether to
// watch the next one.
func (b *Budget) afterCycle(round int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if round != b.round {
		return false
	}
	b.adjustLocked()
	return true
}

func (b *Budget) adjustLocked() {
	limit := limitFor(b.bytes, b.before, b.read())
	if limit != b.set {
		b.setLimit(limit)
		b.set = limit
	}
}

// Limit returns the limit the budget set last, 0 when it holds none.
func (b *Budget) Limit() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holders == 0 {
		return 0
	}
	return b.set
}

var memorySamples = []string{
	"/gc/heap/live:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/total:bytes",
}

func readRuntimeMemory() runtimeMemory {
	samples := make([]metrics.Sample, len(memorySamples))
	for i, name := range memorySamples {
		samples[i].Name = name
	}
	metrics.Read(samples)
	value := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	return runtimeMemory{live: value(0), objects: value(1), free: value(2), released: value(3), total: value(4)}
}

// cycleMark is what afterCollection lets go to learn that a collection ran; large enough
// not to share a block of the tiny allocator, whose blocks live as long as any of their
// parts.
type cycleMark struct{ _ [32]byte }

// afterCollection calls then once the next collection has found a mark unreachable: the
// runtime runs cleanups after the cycle that collects their object.
func afterCollection(then func()) {
	runtime.AddCleanup(new(cycleMark), func(then func()) { then() }, then)
}
