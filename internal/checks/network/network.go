// Package network holds the checks of the Network section that read Kubernetes objects:
// default-deny and coverage of network policies, IMDS egress, ingress hosts and TLS.
// Each check is one file with its metadata and logic; fixtures are in testdata/<check-id>/.
package network

import (
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// policiesIn returns the network policies of every engine in a namespace.
func policiesIn(env *check.Env, namespace string) []*subject.NetworkPolicy {
	return env.Index.NetworkPolicies(namespace)
}
