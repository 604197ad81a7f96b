// Command akscheck checks AKS clusters and Kubernetes workloads against The AKS Checklist.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/akscheck/akscheck/internal/cli"
	"github.com/akscheck/akscheck/internal/memlimit"
)

// exitInterrupted is the exit code of a second Ctrl-C: 128 + SIGINT, as shells report it.
const exitInterrupted = 130

// The first Ctrl-C or SIGTERM cancels the context: a scan stops reading and reports what it
// has, akscheck serve ends gracefully when Kubernetes stops its pod. A second one exits at once.
func main() {
	// No heap profile is sampled unless --memprofile asks for one (it sets its own rate): the
	// samples' stacks are memory a scan would hold to its end for nothing (1.6 MiB on a scan
	// of 105,000 objects).
	runtime.MemProfileRate = 0
	// In a container with a memory limit, the heap is kept under 90% of it (GOMEMLIMIT,
	// when set, wins): a large scan or audit collects harder instead of being killed.
	memlimit.Apply()
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go onSignals(signals, cancel, os.Exit)
	code := cli.Execute(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	signal.Stop(signals)
	cancel()
	os.Exit(code)
}

// onSignals cancels on the first signal and exits on the second.
func onSignals(signals <-chan os.Signal, cancel context.CancelFunc, exit func(int)) {
	<-signals
	cancel()
	<-signals
	exit(exitInterrupted)
}
