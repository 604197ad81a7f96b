// Command akscheck checks AKS clusters and Kubernetes workloads against The AKS Checklist.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/akscheck/akscheck/internal/cli"
)

// SIGTERM ends akscheck serve gracefully when Kubernetes stops its pod.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	stop()
	os.Exit(code)
}
