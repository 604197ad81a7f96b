//go:build integration

package history

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/testutil/pgtest"
)

// One PostgreSQL server for the package's tests (initdb takes a second), a new database for
// each test. TestMain stops it.
var (
	pgOnce   sync.Once
	pgServer *pgtest.Server
	pgErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pgServer != nil {
		pgServer.Stop()
	}
	os.Exit(code)
}

func postgres(tb testing.TB) *pgtest.Server {
	tb.Helper()
	return pgtest.Require(tb, func() (*pgtest.Server, error) {
		pgOnce.Do(func() { pgServer, pgErr = pgtest.Start(context.Background()) })
		return pgServer, pgErr
	})
}

func postgresTargets() []target {
	return []target{{name: "postgres", open: openURL,
		fresh:  func(tb testing.TB) string { return postgres(tb).Database(tb) },
		tables: `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`}}
}

// TestPostgresWrongPassword: the server refuses the password; the error says so, names
// host:port, and holds no password.
func TestPostgresWrongPassword(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(postgres(t).Database(t))
	if err != nil {
		t.Fatal(err)
	}
	const wrong = "not-the-Passw0rd"
	u.User = url.UserPassword(u.User.Username(), wrong)
	start := time.Now()
	s, err := OpenURL(t.Context(), u.String())
	if err == nil {
		s.Close()
		t.Fatal("opened with a wrong password")
	}
	msg := err.Error()
	t.Logf("%s (%s)", msg, time.Since(start).Round(time.Millisecond))
	if !strings.Contains(msg, u.Host) || !strings.Contains(msg, "password authentication failed") {
		t.Errorf("got %q, want it to name %s and the failed authentication", msg, u.Host)
	}
	if strings.Contains(msg, wrong) || strings.Contains(msg, postgres(t).Password()) {
		t.Errorf("the error holds a password: %s", msg)
	}
}

// TestPostgresConcurrentOpen: replicas opening the same empty database at once migrate it
// once (the advisory lock), and all open it.
func TestPostgresConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn := postgres(t).Database(t)
	const replicas = 4
	errs := make([]error, replicas)
	stores := make([]*Store, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { stores[i], errs[i] = OpenURL(t.Context(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	var rows, v int
	if err := stores[0].db.QueryRowContext(t.Context(), `SELECT COUNT(*), MAX(version) FROM schema_version`).Scan(&rows, &v); err != nil ||
		rows != 1 || v != SchemaVersion() {
		t.Fatalf("schema_version: %d rows, version %d (%v)", rows, v, err)
	}
	// Both record: the identity column gives them distinct audits.
	ids := map[int64]bool{}
	for i, s := range stores {
		id, err := s.Record(t.Context(), time.Now(), time.Now(), rep(finding("ns", fmt.Sprint(i))))
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = true
	}
	if len(ids) != replicas {
		t.Errorf("audit IDs %v", ids)
	}
}
