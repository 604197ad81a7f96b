package load

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// loadCancelled runs Load on paths, cancels its context after 100 ms and fails unless Load
// returns within a second with a "reading cancelled" error for source.
func loadCancelled(t *testing.T, paths []string, opts Options, source string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan *subject.Scan, 1)
	go func() { done <- Load(ctx, paths, opts) }()
	select {
	case s := <-done:
		if len(s.Errors) == 0 || s.Errors[0].Source != source || s.Errors[0].Message != "reading cancelled" {
			t.Errorf("errors = %+v", s.Errors)
		}
	case <-time.After(time.Second):
		t.Fatal("Load did not return within a second of the cancellation")
	}
}

// TestCancelStopsBlockedStdin: a pipe nobody writes to (sleep 30 | akscheck scan -) does not
// hold Load once the context is cancelled (Ctrl-C).
func TestCancelStopsBlockedStdin(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); r.Close() })
	loadCancelled(t, []string{"-"}, Options{Manifest: manifest.Options{Stdin: r}}, "<stdin>")
}
