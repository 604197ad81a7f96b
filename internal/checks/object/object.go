// Package object holds the checks that inspect single Kubernetes objects that are not pod
// templates: Services, Secrets, and any object's namespace. Each check is one file with its
// metadata and logic; its fixtures are in testdata/<check-id>/.
package object
