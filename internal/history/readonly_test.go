package history

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenReadOnly: a read-only open reads what Record wrote, never creates or migrates a
// database, and refuses one of another schema version with an error that says which.
func TestOpenReadOnly(t *testing.T) {
	t.Parallel()
	s, file := openTemp(t)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Record(t.Context(), at, at.Add(time.Second), rep(finding("ns", "a"))); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	points, err := ro.History(t.Context(), at, 10)
	if err != nil || len(points) != 1 {
		t.Fatalf("History: %v, %v", points, err)
	}
	if _, err := ro.Prune(t.Context(), at.Add(time.Hour)); err == nil {
		t.Error("a read-only store deleted audits")
	}
	ro.Close()

	missing := filepath.Join(t.TempDir(), "missing.db")
	if _, err := OpenReadOnly(t.Context(), missing); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the missing file was created: %v", err)
	}

	if _, err := s.db.ExecContext(t.Context(), `UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(t.Context(), file); err == nil || !strings.Contains(err.Error(), "schema version 99, newer") {
		t.Errorf("newer schema: %v", err)
	}
	if _, err := s.db.ExecContext(t.Context(), `UPDATE schema_version SET version = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(t.Context(), file); err == nil || !strings.Contains(err.Error(), "schema version 1, older") {
		t.Errorf("older schema: %v", err)
	}
	var v int
	if err := s.db.QueryRowContext(t.Context(), `SELECT version FROM schema_version`).Scan(&v); err != nil || v != 1 {
		t.Errorf("the read-only open migrated: version %d, %v", v, err)
	}
}
