package testutil

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// FuzzBudget is the time one fuzz input may take to load. Real inputs take milliseconds;
// an input that takes seconds is a hang (an exponential evaluation, a loop that does not
// advance) that a user's scan would meet too.
const FuzzBudget = 2 * time.Second

// WithinBudget runs body and fails t when it has not returned after d. Go's fuzzing has no
// per-input deadline: without one, an input that hangs blocks the fuzzer (and the CI step)
// instead of becoming a failing input in testdata/fuzz. body runs on its own goroutine so
// that a hang can be reported; it is left running when it hangs (the test binary ends with
// the failure). A panic in body fails t with its stack, and t.FailNow (t.Fatal) inside body
// stops the test as it would without the wrapper.
func WithinBudget(t testing.TB, d time.Duration, body func()) {
	t.Helper()
	type outcome struct {
		returned bool
		panicked bool
		value    any
		stack    []byte
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		// The deferred send also runs when body calls t.FailNow (runtime.Goexit).
		defer func() {
			if !o.returned {
				if r := recover(); r != nil {
					o.panicked, o.value, o.stack = true, r, debug.Stack()
				}
			}
			done <- o
		}()
		body()
		o.returned = true
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case o := <-done:
		switch {
		case o.panicked:
			t.Fatalf("panic: %v\n%s", o.value, o.stack)
		case !o.returned:
			t.FailNow() // body called t.FailNow: it has logged why
		}
	case <-timer.C:
		t.Fatalf("the input took more than %v: it hangs or is far too slow\n%s", d, goroutines())
	}
}

// goroutines returns the stacks of all goroutines (the first 64 KiB), to show where a hang
// spends its time.
func goroutines() string {
	buf := make([]byte, 64<<10)
	n := runtime.Stack(buf, true)
	s := string(buf[:n])
	if n == len(buf) {
		s += "\n…"
	}
	return s
}
