//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// The tokens of the harness's token file.
const (
	adminToken   = kubetest.AdminToken
	limitedToken = kubetest.LimitedToken
	readerToken  = kubetest.ReaderToken
	limitedUser  = kubetest.LimitedUser
	readerUser   = kubetest.ReaderUser
)

// env is the control plane the package's tests share: one etcd, one kube-apiserver seeded
// with the estate of seed_test.go.
var env *kubetest.Env

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
	env = e
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := seedCluster(ctx, e.API.Config(adminToken)); err != nil {
		fmt.Fprintf(os.Stderr, "integration: seeding the cluster: %v\n%s\n", err, e.API.Tail())
		return 1
	}
	return m.Run()
}
