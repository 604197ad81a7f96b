//go:build integration

// Package integration applies the generated ValidatingAdmissionPolicies to a real
// kube-apiserver, which evaluates them natively, and checks what it admits, warns about and
// denies.
package integration

import (
	"os"
	"testing"

	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// api is the kube-apiserver the package's tests share (it allows privileged containers, as
// AKS does, so that privileged-container is judged by its policy and not by the server).
var api *kubetest.APIServer

func TestMain(m *testing.M) {
	os.Exit(kubetest.Main(m, func(e *kubetest.Env) error { api = e.API; return nil }))
}
