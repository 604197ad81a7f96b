//go:build integration

package pgtest

import (
	"database/sql"
	"testing"
)

// TestStart starts a server, creates a database and connects to it over TCP with the password.
func TestStart(t *testing.T) {
	s := Require(t, func() (*Server, error) { return Start(t.Context()) })
	t.Cleanup(s.Stop) // after the database is dropped
	db, err := sql.Open("pgx", s.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(t.Context(), `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1: %d, %v", one, err)
	}
}

// TestShutdownRestart: a server shut down refuses connections; restarted, it answers on the
// same URL with the data it had, and a client's pool opened before the shutdown reconnects.
func TestShutdownRestart(t *testing.T) {
	s := Require(t, func() (*Server, error) { return Start(t.Context()) })
	t.Cleanup(s.Stop)
	url := s.Database(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before')`); err != nil {
		t.Fatal(err)
	}
	port := s.Port()
	s.Shutdown()
	if err := db.PingContext(t.Context()); err == nil {
		t.Fatal("the server answers after Shutdown")
	}
	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s.Port() != port {
		t.Errorf("port %d after Restart, was %d", s.Port(), port)
	}
	var v string
	if err := db.QueryRowContext(t.Context(), `SELECT v FROM kept`).Scan(&v); err != nil || v != "before" {
		t.Fatalf("after Restart: %q, %v", v, err)
	}
	if err := s.Restart(t.Context()); err == nil {
		t.Error("Restart of a running server: no error")
	}
}
