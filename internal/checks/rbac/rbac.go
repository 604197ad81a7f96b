// Package rbac holds the checks of the Cluster Setup section that read Kubernetes objects:
// the Kubernetes dashboard, cluster-admin bindings, and image pull secrets for ACR. Each check
// is one file with its metadata and logic; fixtures are in testdata/<check-id>/.
package rbac
