package load

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestInOrder: results are consumed in index order whatever order the work finishes in, no
// more than window items run ahead, and a false from consume stops the run.
func TestInOrder(t *testing.T) {
	t.Parallel()
	const n, window = 200, 4
	var running, most atomic.Int64
	work := func(_ context.Context, i int) int {
		now := running.Add(1)
		for m := most.Load(); now > m; m = most.Load() {
			if most.CompareAndSwap(m, now) {
				break
			}
		}
		// Later items finish first within a window.
		time.Sleep(time.Duration((i*7)%5) * 100 * time.Microsecond)
		running.Add(-1)
		return i * i
	}
	next := 0
	inOrder(t.Context(), n, window, work, func(i, r int) bool {
		if i != next || r != i*i {
			t.Fatalf("consumed %d (%d), want %d", i, r, next)
		}
		next++
		return true
	})
	if next != n {
		t.Errorf("consumed %d of %d", next, n)
	}
	if most.Load() > window {
		t.Errorf("%d items ran at once, want at most %d", most.Load(), window)
	}

	var started atomic.Int64
	consumed := 0
	inOrder(t.Context(), n, window, func(_ context.Context, i int) int { started.Add(1); return i }, func(i, _ int) bool {
		consumed++
		return i < 9
	})
	if consumed != 10 || started.Load() > 10+window {
		t.Errorf("after a stop at 10: %d consumed, %d started", consumed, started.Load())
	}
}

// TestInOrderCancelled: once the context is cancelled nothing new starts, consume sees the
// zero value for what never started, and inOrder returns.
func TestInOrderCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var started atomic.Int64
	var zeros int
	inOrder(ctx, 100, 2, func(ctx context.Context, i int) int {
		started.Add(1)
		if i == 5 {
			cancel()
		}
		return i + 1
	}, func(i, r int) bool {
		if r == 0 {
			zeros++
			return false
		}
		return ctx.Err() == nil
	})
	if started.Load() > 8 {
		t.Errorf("%d items started after the cancellation at 5", started.Load())
	}
}
