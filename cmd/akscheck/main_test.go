package main

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestSecondSignalExits: the first Ctrl-C cancels, the second exits with 130.
func TestSecondSignalExits(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	signals := make(chan os.Signal, 2)
	exited := make(chan int, 1)
	go onSignals(signals, cancel, func(code int) { exited <- code })
	signals <- os.Interrupt
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
		t.Fatal("the first signal did not cancel")
	}
	select {
	case code := <-exited:
		t.Fatalf("exited with %d after one signal", code)
	case <-time.After(50 * time.Millisecond):
	}
	signals <- os.Interrupt
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit code = %d, want 130", code)
		}
	case <-time.After(time.Second):
		t.Fatal("the second signal did not exit")
	}
}
