//go:build !integration

package history

// postgresTargets is empty without the build tag integration: the PostgreSQL tests start a
// server (postgres_test.go).
func postgresTargets() []target { return nil }
