//go:build integration

package history

import (
	"strings"
	"testing"
	"time"
)

// TestPostgresReadOnly: OpenURLReadOnly refuses a database without the schema (and does not
// create it), reads what Record wrote, and its sessions cannot write.
func TestPostgresReadOnly(t *testing.T) {
	t.Parallel()
	dsn := postgres(t).Database(t)
	if _, err := OpenURLReadOnly(t.Context(), dsn); err == nil || !strings.Contains(err.Error(), "holds no akscheck history") {
		t.Fatalf("empty database: %v", err)
	}
	s, err := OpenURL(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Record(t.Context(), at, at.Add(time.Second), rep(finding("ns", "a"))); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenURLReadOnly(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if points, err := ro.History(t.Context(), at, 10); err != nil || len(points) != 1 {
		t.Fatalf("History: %v, %v", points, err)
	}
	if fs, err := ro.FindingsNewSince(t.Context(), at, 10); err != nil || len(fs) != 1 {
		t.Fatalf("FindingsNewSince: %v, %v", fs, err)
	}
	if _, err := ro.Prune(t.Context(), at.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a read-only session pruned: %v", err)
	}
}
