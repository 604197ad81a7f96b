package load

import (
	"context"
	"runtime"
	"sync"
)

// inOrder runs work(i) for i in [0, n) on up to workers goroutines, at most window of them
// started ahead of the one being consumed, and hands each result to consume in index order:
// files are decoded on every core while what is merged, counted against the budget and told
// to Progress stays in the order of the files, whatever the scheduling. Memory is bounded by
// the window: a result waits only for the ones before it. consume returning false stops the
// run; work already started finishes and is dropped. Once ctx is cancelled, work not yet
// started is not started: consume gets R's zero value for it and should stop.
func inOrder[R any](ctx context.Context, n, window int, work func(ctx context.Context, i int) R, consume func(i int, r R) bool) {
	if n == 0 {
		return
	}
	// Deferred in this order so that the producer, blocked on a slot, sees the cancellation
	// before the wait for it.
	var running sync.WaitGroup
	defer running.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]chan R, n)
	for i := range results {
		results[i] = make(chan R, 1)
	}
	slots := make(chan struct{}, window)
	running.Add(1)
	go func() {
		defer running.Done()
		for i := 0; i < n; i++ {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				// Stopped or cancelled: the rest is never started, and its zero result
				// tells consume so (it sees the cancelled context).
				results[i] <- *new(R)
				continue
			}
			running.Add(1)
			go func() {
				defer running.Done()
				results[i] <- work(ctx, i)
			}()
		}
	}()
	for i := 0; i < n; i++ {
		r := <-results[i]
		select {
		case <-slots:
		default: // a result sent without a slot
		}
		if !consume(i, r) {
			return
		}
	}
}

// decodeWindow is how many files are read and decoded ahead of the one being merged: enough
// to keep every core busy while one large file is parsed, few enough that memory stays that
// of a handful of files.
func decodeWindow() int { return 2 * runtime.GOMAXPROCS(0) }
