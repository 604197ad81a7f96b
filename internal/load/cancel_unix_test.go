//go:build unix

package load

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestCancelStopsBlockedFIFO: a FIFO named on the command line with no writer (open blocks)
// does not hold Load once the context is cancelled.
func TestCancelStopsBlockedFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "in.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	t.Cleanup(func() {
		// A writer ends the open still blocked in the background.
		if fd, err := syscall.Open(fifo, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = syscall.Close(fd)
		}
	})
	loadCancelled(t, []string{fifo}, Options{}, fifo)
}
