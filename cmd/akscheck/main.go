// Command akscheck checks AKS clusters and Kubernetes workloads against The AKS Checklist.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/akscheck/akscheck/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Execute(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	stop()
	os.Exit(code)
}
