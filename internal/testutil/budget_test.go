package testutil

import (
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that records failures instead of failing, so that the tests can
// watch WithinBudget fail.
type recorder struct {
	testing.TB
	msgs   []string
	failed bool
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, format)
}

func (r *recorder) FailNow() { r.failed = true }

func TestWithinBudget(t *testing.T) {
	t.Parallel()
	t.Run("fast", func(t *testing.T) {
		t.Parallel()
		r := &recorder{TB: t}
		ran := false
		WithinBudget(r, time.Second, func() { ran = true })
		if !ran || r.failed {
			t.Errorf("ran %v, failed %v: want the body run and no failure", ran, r.failed)
		}
	})
	t.Run("hang", func(t *testing.T) {
		t.Parallel()
		r := &recorder{TB: t}
		release := make(chan struct{})
		defer close(release)
		start := time.Now()
		WithinBudget(r, 50*time.Millisecond, func() { <-release })
		if !r.failed || len(r.msgs) != 1 || !strings.Contains(r.msgs[0], "took more than") {
			t.Errorf("failed %v %q: want a failure naming the budget", r.failed, r.msgs)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("WithinBudget returned after %v, want soon after the budget", el)
		}
	})
	t.Run("panic", func(t *testing.T) {
		t.Parallel()
		r := &recorder{TB: t}
		WithinBudget(r, time.Second, func() { panic("boom") })
		if !r.failed || len(r.msgs) != 1 || !strings.HasPrefix(r.msgs[0], "panic:") {
			t.Errorf("failed %v %q: want the panic reported", r.failed, r.msgs)
		}
	})
}
