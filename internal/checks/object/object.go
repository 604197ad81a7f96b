// Package object holds the checks that inspect single Kubernetes objects that are not pod
// templates: Services, Secrets, and any object's namespace. Each check is one file with its
// metadata and logic; its fixtures are in testdata/<check-id>/.
package object

import "github.com/akscheck/akscheck/internal/check"

// Checks returns every check of this package, in documentation order.
func Checks() []*check.Check {
	return []*check.Check{DefaultNamespace, SecretInManifest, InternalLoadBalancer}
}
