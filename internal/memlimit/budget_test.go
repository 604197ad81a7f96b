package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

const mib = 1 << 20

func TestLimitFor(t *testing.T) {
	t.Parallel()
	const budget = 224 * mib
	const fits = budget / (1 + Room) // what is live when it fits with its room
	halfway := math.Round(fits * (1 + Taper/2))
	held := func(live, overhead uint64) runtimeMemory {
		// objects and free pages besides what is live, and the overhead on top
		return runtimeMemory{live: live, objects: live + 10*mib, free: 5 * mib, released: 7 * mib,
			total: live + 15*mib + overhead + 7*mib}
	}
	tests := []struct {
		name   string
		before int64
		m      runtimeMemory
		want   int64
	}{
		{"little live: the budget", math.MaxInt64, held(20*mib, 8*mib), budget},
		{"live near the budget: Room of it", math.MaxInt64, held(190*mib, 20*mib), int64(190*mib*(1+Room)) + 20*mib},
		{"live halfway through the taper", math.MaxInt64, held(uint64(halfway), 20*mib),
			int64(halfway*(1+(1+Room)/2)) + 20*mib},
		{"live past the taper's end: all of it", math.MaxInt64, held(280*mib, 20*mib), 580 * mib},
		{"live far beyond: all of it", math.MaxInt64, held(1000*mib, 20*mib), 2020 * mib},
		{"a lower limit found stays", 100 * mib, held(20*mib, 8*mib), 100 * mib},
		{"a lower limit found wins over the room", 300 * mib, held(200*mib, 80*mib), 300 * mib},
		{"no overhead when the runtime counts less than its objects", math.MaxInt64, runtimeMemory{live: 210 * mib, objects: 300 * mib, total: 250 * mib}, 0},
	}
	tests[len(tests)-1].want = int64(210 * mib * (1 + roomFor(210*mib, budget)))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// float arithmetic: within a KiB
			if got := limitFor(budget, tt.before, tt.m); got < tt.want-1024 || got > tt.want+1024 {
				t.Errorf("limitFor = %.1f MiB, want %.1f MiB", float64(got)/mib, float64(tt.want)/mib)
			}
		})
	}
}

// TestRoomTapers: the room is Room while what is live fits in the budget with it, all of
// what is live from (1+Taper) times that on, and grows without a step between.
func TestRoomTapers(t *testing.T) {
	t.Parallel()
	const budget = 1000.0
	const fits = budget / (1 + Room)
	if got := roomFor(fits, budget); got != Room {
		t.Errorf("room while what is live fits = %v, want %v", got, Room)
	}
	if got := roomFor(fits*(1+Taper), budget); math.Abs(got-1) > 1e-9 {
		t.Errorf("room at the taper's end = %v, want 1", got)
	}
	last := roomFor(0, budget)
	for live := 1.0; live < 3*budget; live++ {
		room := roomFor(live, budget)
		if room < last || room-last > 0.01 {
			t.Fatalf("room %v at %v live after %v: not growing without a step", room, live, last)
		}
		last = room
	}
}

// fakeRuntime is a runtime whose limit, memory and collections the test moves.
type fakeRuntime struct {
	limit    int64
	set      int // how many times the limit was set
	memory   runtimeMemory
	watchers []func()
}

func (f *fakeRuntime) budget() *Budget {
	return &Budget{
		setLimit: func(n int64) int64 {
			old := f.limit
			if n >= 0 {
				f.limit = n
				f.set++
			}
			return old
		},
		read:  func() runtimeMemory { return f.memory },
		watch: func(then func()) { f.watchers = append(f.watchers, then) },
	}
}

// collect runs what watches the collection that just ended.
func (f *fakeRuntime) collect() {
	watchers := f.watchers
	f.watchers = nil
	for _, w := range watchers {
		w()
	}
}

func TestBudgetHeldByHolders(t *testing.T) {
	t.Parallel()
	f := &fakeRuntime{limit: math.MaxInt64, memory: runtimeMemory{live: 10 * mib, objects: 10 * mib, total: 10 * mib}}
	b := f.budget()
	first := b.Hold(100 * mib)
	if f.limit != 100*mib || b.Limit() != 100*mib {
		t.Fatalf("limit %d after the first hold, want the budget", f.limit)
	}
	second := b.Hold(50 * mib)
	if f.limit != 100*mib {
		t.Fatalf("limit %d after a second hold, want the first one's budget", f.limit)
	}
	f.memory.live = 150 * mib // far beyond a budget of 100 MiB: all of it for room
	f.collect()
	if f.limit != 300*mib {
		t.Fatalf("limit %d after a collection found 150 MiB live, want %d", f.limit, 300*mib)
	}
	if len(f.watchers) != 1 {
		t.Fatalf("%d watches of the next collection, want 1", len(f.watchers))
	}
	first()
	first() // a second release of the same hold is nothing
	if f.limit == math.MaxInt64 {
		t.Fatal("the limit was put back while a holder still holds it")
	}
	second()
	if f.limit != math.MaxInt64 || b.Limit() != 0 {
		t.Fatalf("limit %d after the last release, want the one found", f.limit)
	}
	sets := f.set
	f.memory.live = 500 * mib
	f.collect()
	if f.set != sets || len(f.watchers) != 0 {
		t.Fatal("the watch of a released hold moved the limit or kept watching")
	}

	// Held again: a new watch; the old hold's watch, were it still pending, would stop.
	f.memory.live = 10 * mib
	third := b.Hold(200 * mib)
	defer third()
	if f.limit != 200*mib || len(f.watchers) != 1 {
		t.Fatalf("limit %d, %d watches after holding again", f.limit, len(f.watchers))
	}
}

// TestBudgetOnTheRuntime holds a budget of the real runtime (not in parallel: the limit is
// the process's): the limit is the budget, rises after a collection finds more live than
// it leaves room for, and is put back on release.
func TestBudgetOnTheRuntime(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	const budget = 64 * mib
	if before <= budget {
		t.Skipf("the limit found, %d, is already under the budget", before)
	}
	b := NewBudget()
	release := b.Hold(budget)
	if got := debug.SetMemoryLimit(-1); got != budget {
		release()
		t.Fatalf("limit %d while held, want the budget %d", got, budget)
	}
	live := make([]byte, 160*mib)
	for i := range live {
		live[i] = byte(i)
	}
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) < 2*160*mib && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	got := debug.SetMemoryLimit(-1)
	runtime.KeepAlive(live)
	release()
	if got < 2*160*mib {
		t.Fatalf("limit %.0f MiB with 160 MiB live, far beyond a budget of 64: want at least twice what is live", float64(got)/mib)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Fatalf("limit %d after release, %d before", after, before)
	}
}
