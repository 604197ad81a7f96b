//go:build integration

// Package integration applies the generated ValidatingAdmissionPolicies to a real
// kube-apiserver, which evaluates them natively, and checks what it admits, warns about and
// denies.
package integration

import (
	"fmt"
	"os"
	"testing"

	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// api is the kube-apiserver the package's tests share. It allows privileged containers, as
// AKS does, so that privileged-container is judged by its policy and not by the server.
var api *kubetest.APIServer

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	e, err := kubetest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: setting up kube-apiserver and etcd:", err)
		return 1
	}
	defer e.Stop()
	a, err := e.StartAPIServer("admission", "--allow-privileged=true")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: starting kube-apiserver with --allow-privileged:", err)
		return 1
	}
	defer a.Stop()
	api = a
	return m.Run()
}
