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
	os.Exit(kubetest.Main(m, func(e *kubetest.Env) error {
		env = e
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := seedCluster(ctx, e.API.Config(adminToken)); err != nil {
			return fmt.Errorf("seeding the cluster: %w", err)
		}
		return nil
	}))
}
