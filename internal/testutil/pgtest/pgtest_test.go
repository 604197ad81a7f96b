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
