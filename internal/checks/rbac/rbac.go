// Package rbac holds the checks of the Cluster Setup section that read Kubernetes objects:
// the Kubernetes dashboard, cluster-admin bindings, and image pull secrets for ACR. Each check
// is one file with its metadata and logic; fixtures are in testdata/<check-id>/.
package rbac

import "github.com/akscheck/akscheck/internal/check"

// Checks returns every check of this package, in documentation order.
func Checks() []*check.Check {
	return []*check.Check{ClusterAdminBinding, KubernetesDashboard, ACRPullSecret}
}
