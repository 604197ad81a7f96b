package engine

import (
	"sync"
	"testing"
)

// TestCollectorPercentHeldByRuns: the first run to lower the collector's percent sets it,
// the last to release it puts back what the first found, whatever order the runs of a
// fleet end in; a lower percent or a collector turned off stays as it was.
func TestCollectorPercentHeldByRuns(t *testing.T) {
	current := 100
	c := &collectorPercent{set: func(p int) int { before := current; current = p; return before }}

	first := c.lower(25)
	if current != 25 {
		t.Fatalf("percent %d while a run holds it at 25", current)
	}
	second := c.lower(25)
	first()
	first() // a release called twice counts once
	if current != 25 {
		t.Fatalf("percent %d after the first run released it, while the second still holds it", current)
	}
	second()
	if current != 100 {
		t.Fatalf("percent %d once every run released it; want the 100 found", current)
	}

	for _, kept := range []int{10, 25, -1} {
		current = kept
		release := c.lower(25)
		if current != kept {
			t.Errorf("percent %d set by the user became %d", kept, current)
		}
		release()
		if current != kept {
			t.Errorf("percent %d set by the user is %d after the run", kept, current)
		}
	}

	// Runs that start and end on many goroutines at once leave the percent as found.
	current = 100
	var mu sync.Mutex
	c.set = func(p int) int { mu.Lock(); defer mu.Unlock(); before := current; current = p; return before }
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() { c.lower(25)() })
	}
	wg.Wait()
	if current != 100 {
		t.Fatalf("percent %d after 64 runs at once; want 100", current)
	}
}
