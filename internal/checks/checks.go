// Package checks assembles every built-in check. The registry (zz_generated_checks.go here and
// in each package of checks) is generated from the checks' declarations: adding a check is one file
// with its `var X = check.New(check.Meta{...}, ...)` and its fixtures, then
// `go generate ./internal/checks` (or `go generate ./...`, which also regenerates the docs).
package checks

//go:generate go run ./genregistry .
